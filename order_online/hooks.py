app_name = "order_online"
app_title = "Order Online"
app_publisher = "order_online developers"
app_description = "Online order management on ERPNext: entry, approval, allocation, tracking, channels"
app_email = "dev@order-online.example"
app_license = "mit"
# "org/repo" form: a bare "erpnext" makes install-app ask the GitHub API for the org (fails offline).
required_apps = ["frappe/erpnext"]

# Install, migrate, uninstall: custom fields, roles and permissions (order_online/setup/install.py)
after_install = "order_online.setup.install.after_install"
after_migrate = "order_online.setup.install.after_migrate"
before_uninstall = "order_online.setup.install.before_uninstall"


# Every document event goes through one dispatcher module per ERPNext doctype (order_online/events/),
# which calls the capabilities in a visible order.
def _events(module: str, *events: str) -> dict[str, str]:
	return {event: f"order_online.events.{module}.{event}" for event in events}


_STOCK_MOVED = _events("stock_voucher", "on_submit", "on_cancel")
# A submittable document's life, in the order Frappe runs it
_SAVE_SUBMIT_UPDATE_CANCEL = (
	"before_validate",
	"validate",
	"before_submit",
	"on_submit",
	"before_update_after_submit",
	"on_update_after_submit",
	"before_cancel",
	"on_cancel",
)

doc_events = {
	"Sales Order": _events(
		"sales_order", "before_insert", "on_update", "on_trash", *_SAVE_SUBMIT_UPDATE_CANCEL, "before_print"
	),
	"Delivery Note": _events("delivery_note", *_SAVE_SUBMIT_UPDATE_CANCEL, "before_print"),
	"Pick List": _events(
		"pick_list",
		"before_validate",
		"validate",
		"after_insert",
		"before_submit",
		"before_cancel",
		"on_cancel",
		"on_trash",
		"before_print",
	),
	"Sales Invoice": _events("sales_invoice", "validate", "on_submit", "on_cancel"),
	"Stock Reservation Entry": _events(
		"stock_reservation_entry",
		"before_insert",
		"before_submit",
		"before_update_after_submit",
		"on_submit",
		"on_update_after_submit",
		"on_cancel",
	),
	"Stock Entry": _STOCK_MOVED,
	"Purchase Receipt": _STOCK_MOVED,
	"Purchase Invoice": _STOCK_MOVED,
	"Stock Reconciliation": _STOCK_MOVED,
	"Address": _events("address", "validate"),
	"Customer": _events("customer", "on_update"),
	# Sales Person and Employee decide whose orders a salesperson sees (one event for both)
	"Sales Person": _events("people", "on_update"),
	"Employee": _events("people", "on_update"),
	"Workflow": _events("workflow", "validate"),
}

# Customers follow their orders and shipments on the website (order_online/www/my_orders.py, parcels.py);
# ERPNext's own "Orders" (/orders) stays beside them.
standard_portal_menu_items = [
	{
		"title": "My Orders",
		"route": "/my_orders",
		"reference_doctype": "Sales Order",
		"role": "Customer",
	},
	{
		"title": "My Shipments",
		"route": "/parcels",
		"reference_doctype": "Shipment Tracking",
		"role": "Customer",
	},
]

# A customer naming another customer's document gets the same 404 as for a name that does not exist
# (order_online/overrides/portal_requests.py). An auth hook, so that it runs once Frappe knows the user,
# whether by session cookie, API key or OAuth token (before_request runs before API keys are read).
auth_hooks = ["order_online.overrides.portal_requests.hide_other_customers_documents"]

# free_text.js first: the app's free-text fields shown as text on each form
doctype_js = {
	"Sales Order": ["public/js/free_text.js", "public/js/sales_order.js"],
	"Delivery Note": "public/js/free_text.js",
	"Pick List": "public/js/free_text.js",
}
doctype_list_js = {"Sales Order": "public/js/sales_order_list.js"}

override_whitelisted_methods = {
	# Resume must not release an order that waits for approval (order_online/overrides/sales_order.py)
	"erpnext.selling.doctype.sales_order.sales_order.update_status": "order_online.overrides.sales_order.update_status",
	# Script reports show a narrowed salesperson only their orders' rows (order_online/overrides/query_report.py)
	"frappe.desk.query_report.run": "order_online.overrides.query_report.run",
	"frappe.desk.query_report.export_query": "order_online.overrides.query_report.export_query",
	# Frappe's get_count and a form's connection counts apply no permission (order_online/overrides/client.py)
	"frappe.client.get_count": "order_online.overrides.client.get_count",
	"frappe.desk.notifications.get_open_count": "order_online.overrides.client.get_open_count",
	"frappe.desk.listview.get_group_by_count": "order_online.overrides.client.get_group_by_count",
}

# Salespeople see only their own orders, when the setting says so (order_online/permissions/rows.py).
# The doctypes are those of order_online.domain.visibility.SCOPES (a tier-1 test keeps them equal).
_ORDER_SIDE = (
	"Sales Order",
	"Quotation",
	"Delivery Note",
	"Sales Invoice",
	"Pick List",
	"Payment Entry",
	"Order Approval Log",
	"Shipment Tracking",
	"Stock Shortage Alert",
)
permission_query_conditions = {
	doctype: "order_online.permissions.rows.query_conditions" for doctype in _ORDER_SIDE
}
has_permission = {doctype: "order_online.permissions.rows.has_permission" for doctype in _ORDER_SIDE}
# ERPNext's website permission opens every row to a desk user who may read the doctype (print view);
# ours objects beside it, only where ERPNext has one (on its own, "no objection" would grant)
has_website_permission = {
	doctype: "order_online.permissions.rows.has_website_permission"
	for doctype in ("Sales Order", "Quotation", "Sales Invoice", "Delivery Note")
}

# Order Number Template tokens (dates from the order's own date, company abbreviation, channel code)
naming_series_variables = {
	token: "order_online.order_entry.numbering.series_part"
	for token in ("OOABBR", "OOCHANNEL", "OOYYYY", "OOYY", "OOMM", "OODD")
}

scheduler_events = {
	# tracking: due waybills only (push first; polling within each account's rate limit)
	"cron": {
		"*/10 * * * *": ["order_online.tracking.service.poll_due"],
		# channel intake: rows whose job was lost (a worker killed) are enqueued again
		"*/5 * * * *": [
			"order_online.intake.service.sweep",
			"order_online.intake.callbacks.retry_due",
			"order_online.intake.service.pull_due",  # pull platforms (Qimen): jobs on the long queue
		],
	},
	"hourly_long": ["order_online.stock_alerts.shortage.refresh_open_alerts"],
	"hourly": ["order_online.approval.service.escalate_overdue_approvals"],
	# counter rows of tomorrow's order numbers, made ahead (first-number deadlock; numbering.py)
	"daily": ["order_online.order_entry.numbering.prepare_series"],
}

# run-tests --app order_online: complete ERPNext's test setup first
before_tests = "order_online.tests.utils.before_tests"

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
	"Sales Order": _events("sales_order", "before_insert", *_SAVE_SUBMIT_UPDATE_CANCEL),
	"Delivery Note": _events("delivery_note", *_SAVE_SUBMIT_UPDATE_CANCEL),
	"Pick List": _events("pick_list", "before_validate", "validate", "before_submit", "before_cancel"),
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
	"Workflow": _events("workflow", "validate"),
}

# Customers follow their shipments on the website (order_online/www/parcels.py).
standard_portal_menu_items = [
	{
		"title": "My Shipments",
		"route": "/parcels",
		"reference_doctype": "Shipment Tracking",
		"role": "Customer",
	}
]

doctype_js = {"Sales Order": "public/js/sales_order.js"}
doctype_list_js = {"Sales Order": "public/js/sales_order_list.js"}

override_whitelisted_methods = {
	# Resume must not release an order that waits for approval (order_online/overrides/sales_order.py)
	"erpnext.selling.doctype.sales_order.sales_order.update_status": "order_online.overrides.sales_order.update_status",
}

# Order Number Template tokens (dates from the order's own date, company abbreviation, channel code)
naming_series_variables = {
	token: "order_online.order_entry.numbering.series_part"
	for token in ("OOABBR", "OOCHANNEL", "OOYYYY", "OOYY", "OOMM", "OODD")
}

scheduler_events = {
	# tracking: due waybills only (push first; polling within each account's rate limit)
	"cron": {"*/10 * * * *": ["order_online.tracking.service.poll_due"]},
	"hourly_long": ["order_online.stock_alerts.shortage.refresh_open_alerts"],
	"hourly": ["order_online.approval.service.escalate_overdue_approvals"],
	# counter rows of tomorrow's order numbers, made ahead (first-number deadlock; numbering.py)
	"daily": ["order_online.order_entry.numbering.prepare_series"],
}

# run-tests --app order_online: complete ERPNext's test setup first
before_tests = "order_online.tests.utils.before_tests"

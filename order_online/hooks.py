app_name = "order_online"
app_title = "Order Online"
app_publisher = "order_online developers"
app_description = "Online order management on ERPNext: entry, approval, allocation, tracking, channels"
app_email = "dev@order-online.example"
app_license = "mit"
# "org/repo" form: a bare "erpnext" makes install-app ask the GitHub API for the org (fails offline).
required_apps = ["frappe/erpnext"]

# Install, migrate, uninstall: custom fields, roles and workflows (order_online/setup/install.py)
after_install = "order_online.setup.install.after_install"
after_migrate = "order_online.setup.install.after_migrate"
before_uninstall = "order_online.setup.install.before_uninstall"

# Nothing is picked, delivered or invoiced before the last approval, whatever path made the document.
_APPROVAL_GUARD = "order_online.approval.guard_fulfilment"

_STOCK_MOVED = {
	"on_submit": "order_online.shortage.refresh_for_stock_voucher",
	"on_cancel": "order_online.shortage.refresh_for_stock_voucher",
}

# No oversell: whatever reserves or consumes reservations locks its Bins first, in a fixed order
# (order_online/reservation.py).
_LOCK_BINS = "order_online.reservation.lock_rows_of"
_SYNC_BINS = "order_online.reservation.sync_rows_of"

doc_events = {
	"Sales Order": {
		"before_insert": "order_online.events.sales_order.before_insert",
		"before_validate": "order_online.events.sales_order.before_validate",
		"validate": "order_online.events.sales_order.validate",
		"before_submit": "order_online.events.sales_order.before_submit",
		"on_submit": "order_online.events.sales_order.on_submit",
		"before_update_after_submit": "order_online.events.sales_order.before_update_after_submit",
		"on_update_after_submit": "order_online.approval.recheck_after_update",
		"before_cancel": "order_online.events.sales_order.before_cancel",
		"on_cancel": "order_online.events.sales_order.on_cancel",
	},
	"Pick List": {
		"before_validate": "order_online.fulfilment.picks_from_reserved_warehouses",
		"validate": _APPROVAL_GUARD,
		"before_submit": _LOCK_BINS,
		"before_cancel": _LOCK_BINS,
	},
	"Stock Reservation Entry": {
		"before_submit": "order_online.reservation.check_reservation",
		"before_update_after_submit": "order_online.reservation.check_reservation",
		"on_submit": "order_online.reservation.sync_bin_reserved_stock",
		"on_update_after_submit": "order_online.reservation.sync_bin_reserved_stock",
		"on_cancel": "order_online.reservation.sync_bin_reserved_stock",
	},
	"Workflow": {"validate": "order_online.events.workflow.validate"},
	"Address": {
		"validate": "order_online.events.address.validate",
	},
	"Stock Entry": _STOCK_MOVED,
	"Purchase Receipt": _STOCK_MOVED,
	"Delivery Note": {
		event: f"order_online.events.delivery_note.{event}"
		for event in (
			"before_validate",
			"validate",
			"before_submit",
			"on_submit",
			"before_update_after_submit",
			"on_update_after_submit",
			"before_cancel",
			"on_cancel",
		)
	},
	"Stock Reconciliation": _STOCK_MOVED,
	"Purchase Invoice": _STOCK_MOVED,
	"Sales Invoice": {**_STOCK_MOVED, "validate": _APPROVAL_GUARD},
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

doctype_js = {"Sales Order": "public/js/sales_order.js", "Integration Log": "public/js/integration_log.js"}
doctype_list_js = {"Sales Order": "public/js/sales_order_list.js"}

override_whitelisted_methods = {
	# ERPNext's Resume must not release an order that waits for approval
	"erpnext.selling.doctype.sales_order.sales_order.update_status": "order_online.api.approval.update_status",
}

# Order Number Template tokens (dates from the order's own date, company abbreviation, channel code)
naming_series_variables = {
	token: "order_online.numbering.series_part"
	for token in ("OOABBR", "OOCHANNEL", "OOYYYY", "OOYY", "OOMM", "OODD")
}

scheduler_events = {
	# tracking: due waybills only (push first; polling within each account's rate limit)
	"cron": {"*/10 * * * *": ["order_online.tracking.poll_due"]},
	"hourly_long": ["order_online.shortage.refresh_open_alerts"],
	"hourly": ["order_online.approval.escalate_overdue_approvals"],
	# counter rows of tomorrow's order numbers, made ahead (first-number deadlock; numbering.py)
	"daily": ["order_online.numbering.prepare_series"],
}

# run-tests --app order_online: complete ERPNext's test setup first
before_tests = "order_online.tests.utils.before_tests"

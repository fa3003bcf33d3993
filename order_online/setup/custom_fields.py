"""Every custom field the app adds to ERPNext/Frappe doctypes, in one place.

Plain data (no frappe import): install and migrate create or update exactly these, uninstall removes
exactly these, and tier-1 tests check them against the ERPNext schema. Later features add their
fields here, never through fixtures or by hand.

Every fieldname starts with ``oo_`` and every field carries ``module = "Order Online"``: the app
recognises its own fields by that module, so a field of the same name made by another app (for
example erpnext-shipping's ``tracking_number`` on Delivery Note) or by the site is never rewritten
or dropped.
"""

MODULE = "Order Online"
PREFIX = "oo_"


def _packaging_fields(prefix: str = "") -> list[dict]:
	"""Packaging requirements: of a whole order ("oo_") or of one line ("oo_line_").

	The same fieldnames on Pick List and Delivery Note (and their items) let ERPNext's mappers copy
	them, so they print on all three.
	"""
	p = prefix
	return [
		{
			"fieldname": f"{p}packaging_section",
			"label": "Packaging",
			"fieldtype": "Section Break",
			"collapsible": 1,
			"collapsible_depends_on": f"eval:doc.{p}packaging_type || doc.{p}marking_text || doc.{p}packaging_notes",
		},
		{
			"fieldname": f"{p}packaging_type",
			"label": "Packaging Type",
			"fieldtype": "Link",
			"options": "Packaging Type",
		},
		{
			"fieldname": f"{p}marking_text",
			"label": "Labelling / Marking",
			"fieldtype": "Small Text",
			"description": "Text to print or stick on every parcel.",
		},
		{"fieldname": f"{p}packaging_column_break", "fieldtype": "Column Break"},
		{"fieldname": f"{p}fragile", "label": "Fragile", "fieldtype": "Check"},
		{
			"fieldname": f"{p}temperature_requirement",
			"label": "Temperature",
			"fieldtype": "Select",
			"options": "\nAmbient\nChilled (2-8 °C)\nFrozen (-18 °C or below)",
		},
		{"fieldname": f"{p}packaging_notes", "label": "Packaging Notes", "fieldtype": "Small Text"},
	]


_ORDER_PACKAGING = _packaging_fields("oo_")
_LINE_PACKAGING = _packaging_fields("oo_line_")
_LINE_SPEC = [
	{
		"fieldname": "oo_item_spec",
		"label": "Specification",
		"fieldtype": "Small Text",
		"description": "Filled from the variant's attributes when empty; free text otherwise.",
	}
]

# Live availability shown on each Sales Order line (set on save and by the form as you type).
_LINE_AVAILABILITY: list[dict] = [
	{
		"fieldname": "oo_availability_status",
		"label": "Availability",
		"fieldtype": "Select",
		"options": "\nGreen\nOrange\nRed",
		"read_only": 1,
		"no_copy": 1,
		"print_hide": 1,
		"in_list_view": 1,
		"columns": 1,
		"description": "Green: in stock in this warehouse. Orange: in another warehouse or arriving. Red: short.",
	},
	{
		"fieldname": "oo_available_to_promise",
		"label": "Available to Promise",
		"fieldtype": "Float",
		"read_only": 1,
		"no_copy": 1,
		"print_hide": 1,
	},
	{
		"fieldname": "oo_earliest_ship_date",
		"label": "Earliest Ship Date",
		"fieldtype": "Date",
		"read_only": 1,
		"no_copy": 1,
		"print_hide": 1,
	},
]


# Approval state of a submitted Sales Order (set by the app, never by hand; a copy starts unapproved).
_APPROVAL: list[dict] = [
	{"fieldname": "oo_approval_section", "label": "Approval", "fieldtype": "Section Break", "collapsible": 1},
	{
		"fieldname": "oo_approval_status",
		"label": "Approval Status",
		"fieldtype": "Select",
		"options": "\nNot Required\nPending\nApproved\nRejected",
		"in_standard_filter": 1,
		"in_list_view": 1,
		"search_index": 1,  # the Pending Approvals card and the approvers' lists filter on it
	},
	{"fieldname": "oo_approval_levels_approved", "label": "Levels Approved", "fieldtype": "Int"},
	{"fieldname": "oo_approval_required_level", "label": "Levels Required", "fieldtype": "Int"},
	{"fieldname": "oo_approval_column_break", "fieldtype": "Column Break"},
	{"fieldname": "oo_approval_pending_since", "label": "Pending Since", "fieldtype": "Datetime"},
	{"fieldname": "oo_approval_summary", "label": "Why Approval Is Needed", "fieldtype": "Small Text"},
	{
		"fieldname": "oo_approval_requirement",
		"label": "Approval Requirement",
		"fieldtype": "Code",
		"hidden": 1,
	},
]
_APPROVAL = [
	dict(df, read_only=1, no_copy=1, allow_on_submit=1, print_hide=1)
	if df["fieldtype"] not in ("Section Break", "Column Break")
	else df
	for df in _APPROVAL
]


# How the app chose the order's warehouses (set on submit; a copy is allocated afresh).
_ALLOCATION: list[dict] = [
	{
		"fieldname": "oo_allocation_section",
		"label": "Warehouse Allocation",
		"fieldtype": "Section Break",
		"collapsible": 1,
		"depends_on": "eval:doc.oo_allocation_summary",
	},
	{
		"fieldname": "oo_allocation_shipping_cost",
		"label": "Estimated Shipping Cost",
		"fieldtype": "Currency",
		"options": "Company:company:default_currency",
	},
	{"fieldname": "oo_allocation_parcels", "label": "Parcels", "fieldtype": "Int"},
	{"fieldname": "oo_allocation_column_break", "fieldtype": "Column Break"},
	{"fieldname": "oo_allocation_summary", "label": "Why These Warehouses", "fieldtype": "Small Text"},
]
_ALLOCATION = [
	dict(df, read_only=1, no_copy=1, print_hide=1)
	if df["fieldtype"] not in ("Section Break", "Column Break")
	else df
	for df in _ALLOCATION
]


# Tracking: what the warehouse enters on the Delivery Note (also after submit), and what the app shows.
_TRACKING_STATUS = "\nInfo Received\nPicked Up\nIn Transit\nOut for Delivery\nDelivered\nException\nReturned"
# What the app shows of a shipment's progress, on the Delivery Note and on the Sales Order.
_TRACKING_SHOWN: list[dict] = [
	{
		"fieldname": "oo_tracking_status",
		"label": "Tracking Status",
		"fieldtype": "Select",
		"options": _TRACKING_STATUS,
		"in_standard_filter": 1,
	},
	{"fieldname": "oo_tracking_eta", "label": "Expected Delivery", "fieldtype": "Datetime"},
]
_DELIVERY_TRACKING: list[dict] = [
	{
		"fieldname": "oo_tracking_section",
		"label": "Shipment Tracking",
		"fieldtype": "Section Break",
		"collapsible": 1,
	},
	{
		"fieldname": "oo_carrier_account",
		"label": "Carrier Account",
		"fieldtype": "Link",
		"options": "Carrier Account",
		"allow_on_submit": 1,
	},
	{
		"fieldname": "oo_carrier_code",
		"label": "Carrier Code",
		"fieldtype": "Data",
		"allow_on_submit": 1,
		"description": "The provider's code of the carrier; empty: the account's default.",
	},
	{
		"fieldname": "oo_tracking_number",
		"label": "Tracking Number",
		"fieldtype": "Data",
		"allow_on_submit": 1,
		"no_copy": 1,
		"description": "Entering it on a submitted Delivery Note starts tracking.",
	},
	{"fieldname": "oo_tracking_column_break", "fieldtype": "Column Break"},
	*[dict(df, read_only=1, no_copy=1, allow_on_submit=1) for df in _TRACKING_SHOWN],
]
_ORDER_TRACKING: list[dict] = [
	dict(df, read_only=1, no_copy=1, allow_on_submit=1, print_hide=1) for df in _TRACKING_SHOWN
]


def _placed(fields: list[dict], after: str) -> list[dict]:
	"""Chain ``fields`` one after another, the first after ``after``."""
	out = []
	for df in fields:
		out.append(dict(df, insert_after=after))
		after = df["fieldname"]
	return out


CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Sales Order": [
		{
			"fieldname": "oo_order_channel",
			"label": "Order Channel",
			"fieldtype": "Link",
			"options": "Order Channel",
			"insert_after": "order_type",
			"in_standard_filter": 1,
			"print_hide": 1,
			"description": "Where the order came from: website, marketplace, mobile app or desk.",
		},
		{
			"fieldname": "oo_channel_order_no",
			"label": "Channel Order Number",
			"fieldtype": "Data",
			"insert_after": "oo_order_channel",
			"read_only": 1,
			"no_copy": 1,
			"print_hide": 1,
			"search_index": 1,
			"description": "The order's number in its channel (shop, marketplace, app); the customer sees it too.",
		},
		{
			"fieldname": "oo_cancel_requested_at",
			"label": "Customer Asked to Cancel",
			"fieldtype": "Datetime",
			"insert_after": "oo_channel_order_no",
			"read_only": 1,
			"no_copy": 1,
			"print_hide": 1,
			"allow_on_submit": 1,
			"depends_on": "oo_cancel_requested_at",
			"description": "When the customer asked on the portal to cancel (their reason is in the comments). "
			"The order stays as it is until sales decides.",
		},
		{
			"fieldname": "oo_shipping_region",
			"label": "Shipping Region",
			"fieldtype": "Link",
			"options": "Shipping Region",
			"insert_after": "shipping_address",
			"read_only": 1,
			"in_standard_filter": 1,
			"print_hide": 1,
			"no_copy": 1,
			"description": "Resolved from the shipping address (or the billing address when there is none).",
		},
		*_placed(_ORDER_PACKAGING, "net_total"),
		*_placed(_APPROVAL, "billing_status"),
		*_placed(_ALLOCATION, "oo_approval_requirement"),
		*_placed(_ORDER_TRACKING, "delivery_status"),
	],
	"Sales Order Item": [
		*_placed(_LINE_SPEC, "item_name"),
		*_placed(_LINE_AVAILABILITY, "actual_qty"),
		*_placed(_LINE_PACKAGING, "project"),
		{
			"fieldname": "oo_keep_warehouse",
			"label": "Keep This Warehouse",
			"fieldtype": "Check",
			"insert_after": "warehouse",
			"print_hide": 1,
			"description": "Warehouse allocation leaves this row's warehouse as chosen.",
		},
	],
	"Pick List": _placed(_ORDER_PACKAGING, "prompt_qty"),
	"Pick List Item": [
		*_placed(_LINE_SPEC, "item_name"),
		*_placed(_LINE_PACKAGING, "material_request_item"),
	],
	"Delivery Note": [
		*_placed(_ORDER_PACKAGING, "set_target_warehouse"),
		*_placed(_DELIVERY_TRACKING, "lr_date"),
	],
	"Delivery Note Item": [
		*_placed(_LINE_SPEC, "item_name"),
		*_placed(_LINE_PACKAGING, "page_break"),
	],
	"Address": [
		{
			"fieldname": "oo_shipping_region",
			"label": "Shipping Region",
			"fieldtype": "Link",
			"options": "Shipping Region",
			"insert_after": "country",
			"description": "Filled from country, state and city when they match a Shipping Region; "
			"set it by hand otherwise.",
		},
	],
	"Warehouse": [
		{
			"fieldname": "oo_dispatch_days",
			"label": "Dispatch Lead Time (Working Days)",
			"fieldtype": "Int",
			"insert_after": "warehouse_type",
			"non_negative": 1,
			"description": "Working days this warehouse needs to prepare an order; "
			"added to the item's lead time for the earliest delivery date.",
		},
		{
			"fieldname": "oo_shipping_region",
			"label": "Shipping Region",
			"fieldtype": "Link",
			"options": "Shipping Region",
			"insert_after": "oo_dispatch_days",
			"description": "Where parcels from this warehouse start; warehouse allocation uses it with the "
			"Shipping Rates. A warehouse without it is not allocated from.",
		},
	],
}


CUSTOM_FIELDS = {
	doctype: [dict(df, module=MODULE) for df in fields] for doctype, fields in CUSTOM_FIELDS.items()
}


def custom_field_names(definitions: dict[str, list[dict]] = CUSTOM_FIELDS) -> list[tuple[str, str]]:
	"""(doctype, fieldname) for every field, in definition order."""
	return [(doctype, df["fieldname"]) for doctype, fields in definitions.items() for df in fields]

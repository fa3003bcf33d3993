"""Every custom field the app adds to ERPNext/Frappe doctypes, in one place.

Plain data (no frappe import): install and migrate create or update exactly these, uninstall removes
exactly these, and tier-1 tests check them against the ERPNext schema. Later features add their
fields here, never through fixtures or by hand.
"""

CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Sales Order": [
		{
			"fieldname": "order_channel",
			"label": "Order Channel",
			"fieldtype": "Link",
			"options": "Order Channel",
			"insert_after": "order_type",
			"in_standard_filter": 1,
			"print_hide": 1,
			"description": "Where the order came from: website, marketplace, mobile app or desk.",
		},
		{
			"fieldname": "shipping_region",
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
	],
	"Address": [
		{
			"fieldname": "shipping_region",
			"label": "Shipping Region",
			"fieldtype": "Link",
			"options": "Shipping Region",
			"insert_after": "country",
			"description": "Filled from country, state and city when they match a Shipping Region; "
			"set it by hand otherwise.",
		},
	],
}


def custom_field_names(definitions: dict[str, list[dict]] = CUSTOM_FIELDS) -> list[tuple[str, str]]:
	"""(doctype, fieldname) for every field, in definition order."""
	return [(doctype, df["fieldname"]) for doctype, fields in definitions.items() for df in fields]

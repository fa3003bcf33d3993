"""The app's custom fields carry the ``oo_`` prefix and the module "Order Online".

The previous version made them without a module, under generic names (``tracking_number``,
``approval_status``, ...) that other apps use too. For each of them this patch moves the field, its
column and its data to the new name, keeps what the site set on it (Property Setters, fields placed
after it), and marks it as the app's. A field of that name that belongs to another app is not
touched: its values are copied into the app's new field instead, and it stays as it is.
"""

from order_online.setup.custom_fields import CUSTOM_FIELDS, MODULE, PREFIX

# frappe is imported inside the functions: tier 1 reads PREVIOUS without a bench.

# What the previous version created, exactly (frozen: later fields are not renamed by this patch).
PREVIOUS: dict[str, list[str]] = {
	"Sales Order": [
		"order_channel", "shipping_region", "packaging_section", "packaging_type", "marking_text",
		"packaging_column_break", "fragile", "temperature_requirement", "packaging_notes",
		"approval_section", "approval_status", "approval_levels_approved", "approval_required_level",
		"approval_column_break", "approval_pending_since", "approval_summary", "approval_requirement",
		"allocation_section", "allocation_shipping_cost", "allocation_parcels", "allocation_column_break",
		"allocation_summary", "tracking_status", "tracking_eta",
	],
	"Sales Order Item": [
		"item_spec", "availability_status", "available_to_promise", "earliest_ship_date",
		"line_packaging_section", "line_packaging_type", "line_marking_text", "line_packaging_column_break",
		"line_fragile", "line_temperature_requirement", "line_packaging_notes", "keep_warehouse",
	],
	"Pick List": [
		"packaging_section", "packaging_type", "marking_text", "packaging_column_break", "fragile",
		"temperature_requirement", "packaging_notes",
	],
	"Pick List Item": [
		"item_spec", "line_packaging_section", "line_packaging_type", "line_marking_text",
		"line_packaging_column_break", "line_fragile", "line_temperature_requirement", "line_packaging_notes",
	],
	"Delivery Note": [
		"packaging_section", "packaging_type", "marking_text", "packaging_column_break", "fragile",
		"temperature_requirement", "packaging_notes", "tracking_section", "carrier_account", "carrier_code",
		"tracking_number", "tracking_column_break", "tracking_status", "tracking_eta",
	],
	"Delivery Note Item": [
		"item_spec", "line_packaging_section", "line_packaging_type", "line_marking_text",
		"line_packaging_column_break", "line_fragile", "line_temperature_requirement", "line_packaging_notes",
	],
	"Address": ["shipping_region"],
	"Warehouse": ["dispatch_days", "shipping_region"],
}  # fmt: skip

# Fields of the same name that another app makes without a module of its own (erpnext-shipping).
SHARED_WITH = {("Delivery Note", "tracking_number"): "erpnext_shipping"}
SHARED_WITH[("Delivery Note", "tracking_status")] = "erpnext_shipping"


def execute() -> None:
	import frappe

	installed = set(frappe.get_installed_apps())
	for doctype, fieldnames in PREVIOUS.items():
		for old in fieldnames:
			move_field(doctype, old, PREFIX + old, installed)
		frappe.clear_cache(doctype=doctype)


def move_field(doctype: str, old: str, new: str, installed_apps: set[str]) -> str:
	"""Carry one field to its new name; returns what was done ("moved", "copied" or "skipped")."""
	import frappe

	field = frappe.db.get_value(
		"Custom Field", {"dt": doctype, "fieldname": old}, ["name", "module", "fieldtype"], as_dict=True
	)
	if not field:
		return "skipped"
	if frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": new}):
		return "skipped"  # already carried (the patch is run once; this guards a half-done run)
	theirs = (field.module and field.module != MODULE) or SHARED_WITH.get((doctype, old)) in installed_apps
	if theirs:
		copy_values(doctype, old, new)
		return "copied"
	if frappe.db.has_column(doctype, old):
		frappe.db.rename_column(doctype, old, new)
	custom_field = frappe.qb.DocType("Custom Field")
	(
		frappe.qb.update(custom_field)
		.set(custom_field.name, f"{doctype}-{new}")
		.set(custom_field.fieldname, new)
		.set(custom_field.module, MODULE)
		.where(custom_field.name == field.name)
	).run()
	follow_rename(doctype, old, new)
	return "moved"


def copy_values(doctype: str, old: str, new: str) -> None:
	"""Make the app's new field now and copy the other app's values into it; theirs stays as it is."""
	import frappe
	from frappe.custom.doctype.custom_field.custom_field import create_custom_field

	definition = next(df for df in CUSTOM_FIELDS[doctype] if df["fieldname"] == new)
	create_custom_field(doctype, dict(definition), ignore_validate=True)
	if frappe.db.has_column(doctype, old) and frappe.db.has_column(doctype, new):
		table = frappe.qb.DocType(doctype)
		frappe.qb.update(table).set(table[new], table[old]).where(table[old].isnotnull()).run()


def follow_rename(doctype: str, old: str, new: str) -> None:
	"""What refers to the field by name: the site's Property Setters and fields placed after it."""
	import frappe

	setter = frappe.qb.DocType("Property Setter")
	(
		frappe.qb.update(setter)
		.set(setter.field_name, new)
		.where((setter.doc_type == doctype) & (setter.field_name == old))
	).run()
	custom_field = frappe.qb.DocType("Custom Field")
	(
		frappe.qb.update(custom_field)
		.set(custom_field.insert_after, new)
		.where((custom_field.dt == doctype) & (custom_field.insert_after == old))
	).run()

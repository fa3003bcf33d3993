"""Install, migrate and uninstall: custom fields, roles and permissions, all idempotent.

``after_install`` and ``after_migrate`` run :func:`sync`, which only writes what differs from the
definitions, so a second migrate changes nothing. ``before_uninstall`` removes what :func:`sync`
created, leaving the site as it was.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_field
from frappe.model import no_value_fields

from order_online.setup.custom_fields import CUSTOM_FIELDS, MODULE
from order_online.setup.indexes import add_indexes, remove_indexes
from order_online.setup.roles import DOCTYPE_PERMISSIONS, ROLES


def after_install() -> None:
	sync()
	add_indexes()
	warn_about_authorization_rules()
	build_order_access()


def after_migrate() -> None:
	sync()
	add_indexes()
	warn_about_authorization_rules()
	build_order_access()
	build_summaries()


def build_summaries() -> None:
	"""The reports' summaries for a site that had orders before them (once, on the long queue)."""
	from order_online.analytics.summary import ensure_built

	ensure_built()


def build_order_access() -> None:
	"""Who may see each existing order (once: the app keeps it up to date from then on)."""
	from order_online.permissions.access import ensure_built

	ensure_built()


def warn_about_authorization_rules() -> None:
	"""Order Approval Rules replace ERPNext's Authorization Rules for Sales Order, which check whoever
	submits and would refuse the salesperson before approval starts. Say so to whoever installs."""
	count = frappe.db.count("Authorization Rule", {"transaction": "Sales Order"})
	if count:
		print(
			f"order_online: {count} Authorization Rule(s) for Sales Order exist. Order Approval Rules "
			"replace them; remove them, or they refuse the salesperson's submit before approval starts."
		)


def before_uninstall() -> None:
	restore_stock_reservation_setting()
	remove_doctype_permissions(DOCTYPE_PERMISSIONS)
	remove_custom_fields(CUSTOM_FIELDS)
	remove_roles(ROLES)
	remove_single_values()
	remove_scheduled_jobs()
	remove_portal_menu_items()
	remove_indexes()


def remove_portal_menu_items() -> None:
	"""Frappe copies hooks' portal menu items into Portal Settings and keeps them after uninstall."""
	frappe.db.delete("Portal Menu Item", {"route": "/parcels"})


def restore_stock_reservation_setting() -> None:
	"""Switch stock reservation off again if this app switched it on and no reservation is open
	(ERPNext refuses otherwise; then it stays on, and we say so)."""
	if not frappe.db.get_single_value("Order Online Settings", "enabled_stock_reservation"):
		return
	if frappe.db.exists("Stock Reservation Entry", {"docstatus": 1, "status": ("!=", "Delivered")}):
		print("order_online: stock reservation stays enabled in Stock Settings: reservations are open.")
		return
	frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 0)


def remove_scheduled_jobs() -> None:
	"""Frappe keeps the app's Scheduled Job Types after uninstall; they would fail every run."""
	for name in frappe.get_all(
		"Scheduled Job Type", filters={"method": ("like", "order_online.%")}, pluck="name"
	):
		frappe.delete_doc("Scheduled Job Type", name, ignore_permissions=True, force=True)


def remove_single_values() -> None:
	"""Frappe drops the app's tables on uninstall but keeps its settings' rows in tabSingles."""
	for doctype in frappe.get_all("DocType", filters={"module": MODULE, "issingle": 1}, pluck="name"):
		frappe.db.delete("Singles", {"doctype": doctype})


def sync() -> None:
	sync_roles(ROLES)
	sync_custom_fields(CUSTOM_FIELDS)
	sync_single_defaults()
	sync_doctype_permissions(DOCTYPE_PERMISSIONS)


PERMISSIONS_FLAG = "order_online_custom_perms:{doctype}"


def sync_doctype_permissions(rules: list[dict]) -> None:
	"""Add each rule once. Frappe copies a doctype's standard permissions into Custom DocPerm on the
	first custom rule; when that copy is ours (the site had none), uninstall can reset it."""
	from frappe.permissions import add_permission, update_permission_property

	for rule in rules:
		doctype, role = rule["doctype"], rule["role"]
		if frappe.db.exists("Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0}):
			continue
		if not frappe.db.exists("Custom DocPerm", {"parent": doctype}):
			frappe.db.set_default(PERMISSIONS_FLAG.format(doctype=doctype), "1")
		add_permission(doctype, role, 0)
		for ptype in rule["ptypes"]:
			update_permission_property(doctype, role, 0, ptype, 1, validate=False)
		frappe.clear_cache(doctype=doctype)


def remove_doctype_permissions(rules: list[dict]) -> None:
	from frappe.permissions import reset_perms

	for rule in rules:
		doctype, flag = rule["doctype"], PERMISSIONS_FLAG.format(doctype=rule["doctype"])
		if frappe.db.get_default(flag):
			reset_perms(doctype)  # the whole custom set was ours: back to ERPNext's standard
			frappe.db.delete("DefaultValue", {"defkey": flag})
		else:
			frappe.db.delete("Custom DocPerm", {"parent": doctype, "role": rule["role"], "permlevel": 0})
		frappe.clear_cache(doctype=doctype)


def sync_single_defaults() -> None:
	"""Give settings added by an upgrade their defaults (Frappe only writes them on first install).

	Only values missing from tabSingles are written, so a setting a user changed stays changed.
	"""
	for doctype in frappe.get_all("DocType", filters={"module": MODULE, "issingle": 1}, pluck="name"):
		singles = frappe.qb.DocType("Singles")
		stored = set(
			frappe.qb.from_(singles).select(singles.field).where(singles.doctype == doctype).run(pluck=True)
		)
		for df in frappe.get_meta(doctype).fields:
			if df.default is not None and df.fieldname not in stored:
				frappe.db.set_single_value(doctype, df.fieldname, df.default)


# Custom fields ------------------------------------------------------------------------------


def sync_custom_fields(definitions: dict[str, list[dict]]) -> list[str]:
	"""Create missing fields and update changed ones; returns the names written.

	Only the app's own fields (module "Order Online") are updated. A fieldname another app or the
	site already uses on that doctype (a Custom Field of another module, or a standard field) is
	reported and skipped: never rewritten, never taken over.
	"""
	written, taken = [], []
	for doctype, fields in definitions.items():
		standard = set(frappe.get_all("DocField", filters={"parent": doctype}, pluck="fieldname"))
		custom = {
			row.fieldname: row
			for row in frappe.get_all(
				"Custom Field",
				filters={"dt": doctype, "fieldname": ("in", [df["fieldname"] for df in fields])},
				fields=["name", "fieldname", "module"],
			)
		}
		for df in fields:
			existing = custom.get(df["fieldname"])
			if df["fieldname"] in standard or (existing and existing.module != MODULE):
				taken.append(f"{doctype}.{df['fieldname']}")
				continue
			if not existing:
				create_custom_field(doctype, dict(df), ignore_validate=True)
				written.append(f"{doctype}-{df['fieldname']}")
				continue
			field = frappe.get_doc("Custom Field", existing.name)
			changes = {key: value for key, value in df.items() if field.get(key) != value}
			if changes:
				field.update(changes)
				field.flags.ignore_validate = True
				field.save(ignore_permissions=True)
				written.append(existing.name)
	if written:
		for doctype in definitions:
			frappe.clear_cache(doctype=doctype)
	if taken:
		report_taken_fields(taken)
	return written


def report_taken_fields(taken: list[str]) -> None:
	"""Say which fields were not made, where an admin reads it (migrate's output and the Error Log)."""
	message = (
		"order_online: these fields already exist and belong to another app or to the site, so Order "
		"Online left them alone and did not add its own: " + ", ".join(taken) + ". The features that use "
		"them will not work until the other field is renamed or removed."
	)
	print(message)
	frappe.log_error(title="Order Online: custom fields not added", message=message)


def remove_custom_fields(definitions: dict[str, list[dict]]) -> None:
	"""Delete the app's own fields (module "Order Online") and their columns; nothing else."""
	for doctype, fields in definitions.items():
		ours = frappe.get_all(
			"Custom Field",
			filters={
				"dt": doctype,
				"module": MODULE,
				"fieldname": ("in", [df["fieldname"] for df in fields]),
			},
			fields=["name", "fieldname", "fieldtype"],
		)
		for field in ours:
			frappe.delete_doc("Custom Field", field.name, ignore_permissions=True, force=True)
		# Frappe keeps a deleted custom field's column; drop it so the table is as it was before install.
		# Identifiers come from CUSTOM_FIELDS (code), never from user input.
		for field in ours:
			if _is_data_field(field) and frappe.db.has_column(doctype, field.fieldname):
				frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` DROP COLUMN `{field.fieldname}`")
		frappe.clear_cache(doctype=doctype)


def _is_data_field(df: dict) -> bool:
	return df.get("fieldtype") not in no_value_fields


# Roles --------------------------------------------------------------------------------------


def sync_roles(roles: list[dict]) -> None:
	for definition in roles:
		name = definition["role_name"]
		if not frappe.db.exists("Role", name):
			frappe.get_doc({"doctype": "Role", **definition}).insert(ignore_permissions=True)
			continue
		role = frappe.get_doc("Role", name)
		changes = {key: value for key, value in definition.items() if role.get(key) != value}
		if changes:
			role.update(changes)
			role.save(ignore_permissions=True)


def remove_roles(roles: list[dict]) -> None:
	for definition in roles:
		name = definition["role_name"]
		# Assignments and permission rows would dangle once the role is gone.
		frappe.db.delete("Has Role", {"role": name})
		frappe.db.delete("Custom DocPerm", {"role": name})
		if frappe.db.exists("Role", name):
			frappe.delete_doc("Role", name, ignore_permissions=True, force=True)

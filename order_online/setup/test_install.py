"""Install and migrate are idempotent; uninstall's removal steps leave nothing behind."""

import frappe

from order_online.setup import install
from order_online.setup.custom_fields import CUSTOM_FIELDS, custom_field_names
from order_online.setup.roles import role_names
from order_online.tests.utils import OrderTestCase


def _snapshot():
	fields = {
		(row.dt, row.fieldname): row.modified
		for row in frappe.get_all("Custom Field", fields=["dt", "fieldname", "modified"])
		if (row.dt, row.fieldname) in set(custom_field_names())
	}
	roles = {name: frappe.db.get_value("Role", name, "modified") for name in role_names()}
	return fields, roles


class TestInstall(OrderTestCase):
	def test_custom_fields_are_on_the_forms(self):
		for doctype, fieldname in custom_field_names():
			self.assertTrue(frappe.get_meta(doctype).has_field(fieldname), f"{doctype}.{fieldname}")

	def test_roles_exist(self):
		for role in role_names():
			self.assertTrue(frappe.db.exists("Role", role))

	def test_second_migrate_changes_nothing(self):
		install.after_migrate()
		before = _snapshot()
		self.assertEqual(install.sync_custom_fields(CUSTOM_FIELDS), [])
		install.after_migrate()
		self.assertEqual(_snapshot(), before)
		self.assertEqual(len(before[0]), len(custom_field_names()))

	def test_migrate_repairs_a_drifted_field(self):
		name = frappe.db.get_value("Custom Field", {"dt": "Sales Order", "fieldname": "oo_order_channel"})
		frappe.db.set_value("Custom Field", name, "label", "Something Else")
		self.assertEqual(install.sync_custom_fields(CUSTOM_FIELDS), [name])
		self.assertEqual(frappe.db.get_value("Custom Field", name, "label"), "Order Channel")

	def test_remove_roles_leaves_no_assignments(self):
		definitions = [{"role_name": "_OO Temporary Role", "desk_access": 1}]
		install.sync_roles(definitions)
		user = frappe.get_doc("User", "Administrator")
		user.add_roles("_OO Temporary Role")
		self.assertTrue(frappe.db.exists("Has Role", {"role": "_OO Temporary Role"}))
		install.remove_roles(definitions)
		self.assertFalse(frappe.db.exists("Role", "_OO Temporary Role"))
		self.assertFalse(frappe.db.exists("Has Role", {"role": "_OO Temporary Role"}))

	def test_warehouse_staff_may_submit_shipments_and_uninstall_gives_erpnext_its_own_back(self):
		from order_online.tests.factories import make_user

		clerk = make_user("oo.clerk@example.com", "Stock User")
		install.sync_doctype_permissions(install.DOCTYPE_PERMISSIONS)
		install.sync_doctype_permissions(install.DOCTYPE_PERMISSIONS)  # twice: one rule
		rows = frappe.get_all("Custom DocPerm", filters={"parent": "Shipment", "role": "Stock User"})
		self.assertEqual(len(rows), 1)
		self.assertTrue(frappe.has_permission("Shipment", "submit", user=clerk))
		install.remove_doctype_permissions(install.DOCTYPE_PERMISSIONS)
		self.assertFalse(frappe.db.exists("Custom DocPerm", {"parent": "Shipment", "role": "Stock User"}))
		self.assertFalse(frappe.has_permission("Shipment", "read", user=clerk))  # ERPNext's own rules again
		install.sync_doctype_permissions(install.DOCTYPE_PERMISSIONS)  # as installed, for other tests

	def test_a_field_of_the_same_name_from_another_app_is_never_rewritten_or_dropped(self):
		"""Say erpnext-shipping's tracking field, or a site's own: not the app's (another module)."""
		from frappe.custom.doctype.custom_field.custom_field import create_custom_field

		probe = {
			"fieldname": "oo_probe_field",
			"label": "Ours",
			"fieldtype": "Data",
			"insert_after": "lr_date",
		}
		create_custom_field("Delivery Note", {**probe, "label": "Theirs"})  # DDL: committed
		try:
			name = frappe.db.get_value("Custom Field", {"dt": "Delivery Note", "fieldname": "oo_probe_field"})
			definitions = {"Delivery Note": [dict(probe, module=install.MODULE)]}
			self.assertEqual(install.sync_custom_fields(definitions), [])
			self.assertEqual(frappe.db.get_value("Custom Field", name, ["label", "module"]), ("Theirs", None))
			install.remove_custom_fields(definitions)
			self.assertTrue(frappe.db.exists("Custom Field", name))
			self.assertTrue(frappe.db.has_column("Delivery Note", "oo_probe_field"))
			self.assertTrue(
				frappe.db.get_all("Error Log", filters={"method": "Order Online: custom fields not added"})
			)
		finally:
			frappe.db.rollback()
			frappe.db.delete("Custom Field", {"dt": "Delivery Note", "fieldname": "oo_probe_field"})
			if frappe.db.has_column("Delivery Note", "oo_probe_field"):
				frappe.db.sql_ddl("ALTER TABLE `tabDelivery Note` DROP COLUMN `oo_probe_field`")
			frappe.clear_cache(doctype="Delivery Note")

"""Integration Log is now Order Online Integration Log (a name no other app will also use).

Runs before the doctypes are synced, so the renamed doctype keeps its table and rows. Only this app's
Integration Log is renamed: a doctype of that name from another module is left alone.
"""

import frappe

OLD, NEW = "Integration Log", "Order Online Integration Log"


def execute() -> None:
	if frappe.db.get_value("DocType", OLD, "module") != "Order Online" or frappe.db.exists("DocType", NEW):
		return
	frappe.rename_doc("DocType", OLD, NEW, force=True)
	frappe.reload_doc("order_online", "doctype", "order_online_integration_log")

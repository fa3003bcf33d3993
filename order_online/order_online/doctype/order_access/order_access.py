import frappe
from frappe.model.document import Document


class OrderAccess(Document):
	"""One row per (Sales Order, user who may see it): an index the app keeps
	(``order_online.permissions.access``), so a salesperson's list is one indexed sub-query."""


def on_doctype_update():
	# the permission condition reads "the orders of this user": user first, covering
	frappe.db.add_index("Order Access", ["user", "sales_order"])

import frappe
from frappe.model.document import Document


class OrderItemEntry(Document):
	"""What one line of a submitted order adds to the Order Item Summary, named by the line: what a
	cancel or Update Items takes back out (``order_online.analytics.summary``)."""


def on_doctype_update():
	frappe.db.add_index("Order Item Entry", ["company", "summary_date"])

import frappe
from frappe.model.document import Document


class OrderItemSummary(Document):
	"""Line totals per day and item, kept by ``order_online.analytics.summary`` for the product reports."""


def on_doctype_update():
	frappe.db.add_index("Order Item Summary", ["company", "summary_date"])

import frappe
from frappe.model.document import Document


class OrderSalesSummary(Document):
	"""Order totals per day and dimension, kept by ``order_online.analytics.summary``; the reports read
	these instead of millions of orders."""


def on_doctype_update():
	frappe.db.add_index("Order Sales Summary", ["company", "summary_date"])

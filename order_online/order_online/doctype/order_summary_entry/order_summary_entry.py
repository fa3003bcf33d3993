import frappe
from frappe.model.document import Document


class OrderSummaryEntry(Document):
	"""What one submitted order adds to the Order Sales Summary, named by the order: what a cancel or
	Update Items takes back out (``order_online.analytics.summary``)."""


def on_doctype_update():
	frappe.db.add_index("Order Summary Entry", ["company", "summary_date"])
	# the customer figures: each customer's first order, and their orders in a window
	frappe.db.add_index("Order Summary Entry", ["company", "customer", "summary_date"])

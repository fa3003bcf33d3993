import frappe
from frappe.model.document import Document


class OrderSummaryEntry(Document):
	"""What one submitted order adds to the Order Sales Summary, named by its date and the order: what a cancel or
	Update Items takes back out (``order_online.analytics.summary``)."""


def on_doctype_update():
	# the customer figures read each customer's entries in the order of this index, from it alone
	frappe.db.add_index(
		"Order Summary Entry",
		["company", "customer", "territory", "customer_group", "summary_date", "orders", "base_amount"],
		index_name="oo_customer_figures",
	)

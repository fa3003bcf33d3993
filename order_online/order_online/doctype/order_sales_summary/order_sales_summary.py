from frappe.model.document import Document


class OrderSalesSummary(Document):
	"""Order totals per day and dimension, kept by ``order_online.analytics.summary``; the reports read
	these instead of millions of orders."""

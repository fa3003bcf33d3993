from frappe.model.document import Document


class OrderItemSummary(Document):
	"""Line totals per day and item, kept by ``order_online.analytics.summary`` for the product reports."""

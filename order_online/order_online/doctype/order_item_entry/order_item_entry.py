from frappe.model.document import Document


class OrderItemEntry(Document):
	"""What one line of a submitted order adds to the Order Item Summary, named by its date and the line: what a
	cancel or Update Items takes back out (``order_online.analytics.summary``)."""

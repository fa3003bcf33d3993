from frappe.model.document import Document


class StockShortageAlert(Document):
	"""One record per item and warehouse, kept current by order_online.shortage (never edited by hand)."""

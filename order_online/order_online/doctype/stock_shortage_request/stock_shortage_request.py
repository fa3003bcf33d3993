from frappe.model.document import Document


class StockShortageRequest(Document):
	pass

from frappe.model.document import Document


class StockShortageOrder(Document):
	pass

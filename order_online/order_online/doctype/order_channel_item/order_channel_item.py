from frappe.model.document import Document


class OrderChannelItem(Document):
	pass

from frappe.model.document import Document


class OrderOnlineIntegrationLog(Document):
	pass

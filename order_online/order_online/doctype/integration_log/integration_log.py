from frappe.model.document import Document


class IntegrationLog(Document):
	pass

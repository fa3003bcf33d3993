from frappe.model.document import Document


class OrderApprovalLevel(Document):
	pass

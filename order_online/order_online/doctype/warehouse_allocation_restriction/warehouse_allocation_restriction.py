from frappe.model.document import Document


class WarehouseAllocationRestriction(Document):
	pass

from frappe.model.document import Document

from order_online.fulfilment.service import validate_allocation_rule


class WarehouseAllocationRule(Document):
	def validate(self):
		validate_allocation_rule(self)

from frappe.model.document import Document


class ShipmentTracking(Document):
	def before_insert(self):
		self.tracking_key = f"{self.carrier_account}:{self.carrier_code or ''}:{self.tracking_number}"

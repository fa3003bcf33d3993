from frappe.model.document import Document

from order_online.fulfilment.service import validate_shipping_rate


class ShippingRate(Document):
	def validate(self):
		validate_shipping_rate(self)

from frappe.model.document import Document


class PackagingType(Document):
	"""A kind of packaging an order or line can require (carton, pallet, cold box...)."""

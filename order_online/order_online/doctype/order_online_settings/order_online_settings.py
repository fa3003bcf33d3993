from frappe.model.document import Document


class OrderOnlineSettings(Document):
	"""Global switches of the app; later features add their settings here."""

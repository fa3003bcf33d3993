from frappe.model.document import Document

from order_online.portal.printing import escape_free_text


class PackagingType(Document):
	"""A kind of packaging an order or line can require (carton, pallet, cold box...)."""

	def before_print(self, settings=None):
		escape_free_text(self)

from frappe.model.document import Document

from order_online.portal.printing import escape_free_text


class OrderFulfilmentEntry(Document):
	"""One submitted order's way to delivery, named by its date and the order (``order_online.analytics.stages``)."""

	def before_print(self, settings=None):
		escape_free_text(self)  # the carrier code came from outside

from frappe.model.document import Document

from order_online.portal.printing import escape_free_text


class OrderChannelCustomer(Document):
	"""One key (the channel's customer id, an email, a phone) of a channel's buyer and their Customer.
	The intake writes these; a manager may point one at another Customer (a merge)."""

	def before_print(self, settings=None):
		escape_free_text(self)

from frappe.model.document import Document

from order_online.portal.printing import escape_free_text
from order_online.tracking.service import callback_url


class CarrierAccount(Document):
	def validate(self):
		self.callback_url = callback_url(self.name or self.account_name)

	def before_print(self, settings=None):
		escape_free_text(self)

from frappe.model.document import Document

from order_online.common.errors import domain_errors_as_validation
from order_online.domain.channel import normalise_channel_code
from order_online.portal.printing import escape_free_text


class OrderChannel(Document):
	def validate(self):
		self.validate_channel_code()

	def validate_channel_code(self):
		with domain_errors_as_validation():
			self.channel_code = normalise_channel_code(self.channel_code)

	def before_print(self, settings=None):
		escape_free_text(self)

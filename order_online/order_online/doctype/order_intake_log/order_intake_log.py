from frappe.model.document import Document

from order_online.common.app_owned import refuse_outside_app
from order_online.portal.printing import escape_free_text


class OrderIntakeLog(Document):
	"""What a channel delivered and what became of it: written by the intake alone (replay is a button)."""

	def validate(self):
		refuse_outside_app(self, "create" if self.is_new() else "write")

	def before_print(self, settings=None):
		escape_free_text(self)

from frappe.model.document import Document

from order_online.portal.printing import escape_free_text


class OrderOnlineIntegrationLog(Document):
	def before_print(self, settings=None):
		escape_free_text(self)

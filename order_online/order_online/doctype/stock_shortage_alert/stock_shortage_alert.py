from frappe.model.document import Document

from order_online.common.app_owned import refuse_outside_app
from order_online.portal.printing import escape_free_text


class StockShortageAlert(Document):
	"""One record per item and warehouse, kept current by order_online.stock_alerts.shortage (never edited by hand)."""

	def validate(self):
		refuse_outside_app(self, "save")

	def on_trash(self):
		refuse_outside_app(self, "delete")

	def before_print(self, settings=None):
		escape_free_text(self)

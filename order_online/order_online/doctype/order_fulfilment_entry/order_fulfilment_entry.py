import frappe
from frappe.model.document import Document

from order_online.portal.printing import escape_free_text


class OrderFulfilmentEntry(Document):
	"""One submitted order's way to delivery, named by the order (``order_online.analytics.stages``)."""

	def before_print(self, settings=None):
		escape_free_text(self)  # the carrier code came from outside


def on_doctype_update():
	frappe.db.add_index("Order Fulfilment Entry", ["company", "transaction_date"])

from frappe.model.document import Document

from order_online.analytics import stages
from order_online.common.app_owned import keep_state
from order_online.domain.app_owned import SHIPMENT_TRACKING_STATE
from order_online.domain.tracking import tracking_key
from order_online.portal.printing import escape_free_text


class ShipmentTracking(Document):
	"""One waybill. A user may register one by hand; its progress is the app's alone."""

	def validate(self):
		keep_state(self, SHIPMENT_TRACKING_STATE)
		self.set_tracking_key()

	def set_tracking_key(self):
		self.tracking_key = tracking_key(self.carrier_account, self.carrier_code, self.tracking_number)

	def on_update(self):
		"""Fulfilment Performance: the order's first shipment and delivery (``analytics.stages``)."""
		before = self.get_doc_before_save()
		watched = ("sales_order", "shipped_at", "delivered_at", "carrier_code", "carrier_account")
		if before is None or any(self.has_value_changed(field) for field in watched):
			stages.refresh([self.sales_order, before and before.sales_order])

	def on_trash(self):
		stages.refresh([self.sales_order])

	def before_print(self, settings=None):
		escape_free_text(self)

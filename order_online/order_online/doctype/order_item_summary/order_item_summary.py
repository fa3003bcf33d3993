import frappe
from frappe.model.document import Document


class OrderItemSummary(Document):
	"""Line totals per day and item, kept by ``order_online.analytics.summary`` for the product reports."""


def on_doctype_update():
	# Product Share reads the lines per item (or item group) from these alone, in their order: no
	# temporary table of a million rows keyed by text
	for field in ("item_code", "item_group"):
		frappe.db.add_index(
			"Order Item Summary",
			["company", field, "summary_date", "qty", "base_amount"],
			index_name=f"oo_{field}_figures",
		)

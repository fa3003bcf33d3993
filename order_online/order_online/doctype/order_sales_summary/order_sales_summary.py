import frappe
from frappe.model.document import Document


class OrderSalesSummary(Document):
	"""Order totals per day and dimension, kept by ``order_online.analytics.summary``; the reports read
	these instead of millions of orders."""


def on_doctype_update():
	# Order Volume and Amount reads its days and channels from this alone, in its order
	frappe.db.add_index(
		"Order Sales Summary",
		["company", "summary_date", "channel", "currency", "orders", "`lines`", "amount", "base_amount"],
		index_name="oo_volume_figures",  # `lines` is a reserved word: quoted
	)
	# ... and Regional Trend its days and regions
	frappe.db.add_index(
		"Order Sales Summary",
		["company", "summary_date", "shipping_region", "orders", "base_amount"],
		index_name="oo_region_figures",
	)

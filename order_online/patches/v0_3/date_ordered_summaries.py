"""The summaries' and entries' rows are now named by their date first (``analytics.dated_name``), so a
report reads a date window as one range of the table; the entries also keep the order's customer, and
each order has an Order Fulfilment Entry. Rows made before are removed, with the date indexes the names
replace, and the rebuild is queued on the long queue (``ensure_built`` after migrate): the reports fill
in again when it ends."""

import frappe

from order_online.analytics import stages, summary

OLD_INDEXES = (
	("Order Sales Summary", "company_summary_date_index"),
	("Order Summary Entry", "company_summary_date_index"),
	("Order Summary Entry", "company_customer_summary_date_index"),  # now oo_customer_figures
	("Order Item Summary", "company_summary_date_index"),
	("Order Item Entry", "company_summary_date_index"),
	("Order Fulfilment Entry", "company_transaction_date_index"),
)


def execute():
	for doctype, index in OLD_INDEXES:
		if frappe.db.has_index(f"tab{doctype}", index):
			# the doctype and index names are the constants above
			frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{index}`")
	tables = [*(t for grain in summary.GRAINS for t in (grain.summary, grain.entries)), stages.ENTRY]
	undated = any(frappe.get_all(t, filters={"name": ("not like", "%|%")}, limit=1) for t in tables)
	if undated:
		for table in tables:
			frappe.db.delete(table)
		summary.rebuild_in_background()

"""Each order report and number card, timed on the site's data (load it with ``analytics_load``), beside
ERPNext's Sales Analytics (by customer and by item, monthly, the same year) on the same orders.

Every report runs with the same filters a manager starts from: the company, the last twelve months,
by month, everything else open. Each is run ``runs`` times (three by default) and the median kept; the
first run of each is not thrown away (a dashboard is opened cold too). Target: every report and card
<= 2 s at 1,000,000 orders on a 2-core machine.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['analytics_reports']"

Last line: ``RESULT orders=<n> reports_max_s=<s> cards_max_s=<s> sales_analytics_customer_s=<s>
sales_analytics_item_s=<s> vs_sales_analytics=<Sales Analytics by item / slowest report>``.
"""

import importlib
import json
import statistics
import time

import frappe
from frappe.utils import add_months, nowdate

from order_online.tests.factories import get_company

REPORTS = {
	"Order Volume and Amount": ("order_volume_and_amount", {}),
	"Customer Distribution: Territory": ("customer_distribution", {"view": "Territory"}),
	"Customer Distribution: Top Customers": ("customer_distribution", {"view": "Top Customers"}),
	"Customer Distribution: New and Returning": ("customer_distribution", {"view": "New and Returning"}),
	"Regional Trend": ("regional_trend", {"region_level": "Province"}),
	"Product Share": ("product_share", {}),
	"Product Share: Item Group": ("product_share", {"group_by": "Item Group"}),
	"Fulfilment Performance": ("fulfilment_performance", {}),
	"Fulfilment Performance: Carrier": ("fulfilment_performance", {"group_by": "Carrier"}),
	"Approval Turnaround": ("approval_turnaround", {}),
	"Stock Shortage": ("stock_shortage", {}),
}
CARDS = ("Orders Today", "Order Amount Today", "Pending Approvals", "Open Shortages", "Late Shipments")


def _median(function, runs: int) -> float:
	times = []
	for _ in range(runs):
		begin = time.perf_counter()
		function()
		times.append(time.perf_counter() - begin)
		frappe.db.rollback()
	return statistics.median(times)


def _report(module: str, filters: dict):
	execute = importlib.import_module(f"order_online.order_online.report.{module}.{module}").execute
	return lambda: execute(filters)


def _card(name: str):
	from frappe.desk.doctype.number_card.number_card import get_result

	card = frappe.get_doc("Number Card", name)
	filters = json.loads(card.filters_json or "[]")
	filters += [
		[card.document_type, f[1], f[2], get_company()] for f in json.loads(card.dynamic_filters_json or "[]")
	]
	return lambda: get_result(card.as_dict(), json.dumps(filters))


def _sales_analytics(tree_type: str, common: dict):
	from erpnext.selling.report.sales_analytics.sales_analytics import execute

	filters = frappe._dict(
		common, tree_type=tree_type, doc_type="Sales Order", value_quantity="Value", range="Monthly"
	)
	return lambda: execute(filters)


def run(runs: int = 3, sales_analytics: bool = True) -> None:
	frappe.set_user("Administrator")
	company = get_company()
	common = {"company": company, "from_date": add_months(nowdate(), -12), "to_date": nowdate()}
	orders = frappe.db.count("Sales Order", {"docstatus": 1})
	reports = {}
	for label, (module, extra) in REPORTS.items():
		reports[label] = _median(_report(module, {**common, "period": "Month", **extra}), runs)
		print(f"report={label!r} median_s={reports[label]:.3f}", flush=True)
	cards = {}
	for name in CARDS:
		cards[name] = _median(_card(name), runs)
		print(f"card={name!r} median_s={cards[name]:.3f}", flush=True)
	analytics = {}
	for tree_type in ("Customer", "Item") if sales_analytics else ():
		analytics[tree_type] = _median(_sales_analytics(tree_type, common), runs)
		print(f"sales_analytics={tree_type} median_s={analytics[tree_type]:.3f}", flush=True)
	slowest = max(reports.values())
	item = analytics.get("Item", 0.0)
	print(
		f"RESULT orders={orders} reports_max_s={slowest:.3f} cards_max_s={max(cards.values()):.3f} "
		f"sales_analytics_customer_s={analytics.get('Customer', 0.0):.3f} sales_analytics_item_s={item:.3f} "
		f"vs_sales_analytics={item / slowest if slowest else 0:.1f}"
	)

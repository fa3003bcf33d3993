"""Regional Trend on a real site: cities roll up to their province, each period's amount equals plain
SQL over the orders, and a bad region level gets a clear message."""

import frappe
from frappe.utils import add_days, flt, get_first_day, nowdate

from order_online.analytics import summary
from order_online.order_entry.rules import clear_rule_cache
from order_online.order_online.report.regional_trend.regional_trend import execute
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_china_regions,
	make_item,
	make_region,
	make_sales_order,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

GUANGDONG, SHENZHEN, GUANGZHOU = (f"{TEST_PREFIX} {n}" for n in ("Guangdong", "Shenzhen", "Guangzhou"))
ZHEJIANG = f"{TEST_PREFIX} Zhejiang"


class TestRegionalTrend(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		make_china_regions()
		make_region(ZHEJIANG, "Province", f"{TEST_PREFIX} China")
		self.company = get_company()
		warehouse = get_warehouse(self.company)
		item = make_item(f"{TEST_PREFIX}-REGION-1")
		add_stock(item, warehouse, 500)
		self.start = get_first_day(nowdate())
		for region, qty in ((SHENZHEN, 1), (GUANGZHOU, 2), (ZHEJIANG, 4), (SHENZHEN, 3)):
			so = make_sales_order(items=[(item, qty, 100)], warehouse=warehouse, submit=True)
			frappe.db.set_value(
				"Sales Order", so.name, "oo_shipping_region", region
			)  # as its address resolved
		summary.rebuild()  # the summary from the orders as they now stand

	def tearDown(self):
		frappe.db.rollback()
		clear_rule_cache()

	def test_cities_roll_up_to_their_province_and_amounts_equal_plain_sql(self):
		filters = {
			"company": self.company,
			"from_date": self.start,
			"to_date": nowdate(),
			"region_level": "Province",
		}
		_columns, data, message, chart, _summary = execute(filters)
		by_region = {row["region"]: row for row in data}
		expected = dict(
			frappe.db.sql(
				"""select province.name, sum(so.base_net_total) from `tabSales Order` so
				join `tabShipping Region` r on r.name = so.oo_shipping_region
				join `tabShipping Region` province on province.region_type = 'Province'
					and province.lft <= r.lft and r.rgt <= province.rgt
				where so.docstatus = 1 and so.company = %s and so.transaction_date between %s and %s
				and province.name in %s group by province.name""",
				(self.company, self.start, nowdate(), (GUANGDONG, ZHEJIANG)),
			)
		)
		for province in (GUANGDONG, ZHEJIANG):
			self.assertAlmostEqual(by_region[province]["total"], flt(expected[province]), places=2)
		self.assertNotIn(SHENZHEN, by_region)  # rolled up
		self.assertEqual(by_region[GUANGDONG]["orders"], 3)
		self.assertEqual(chart["type"], "line")
		cities = {row["region"] for row in execute({**filters, "region_level": "City"})[1]}
		self.assertTrue({SHENZHEN, GUANGZHOU, ZHEJIANG} <= cities)  # a province without cities stays itself

	def test_a_bad_region_level_or_range_is_a_clear_message(self):
		for filters in (
			{"region_level": "Planet"},
			{"from_date": nowdate(), "to_date": add_days(nowdate(), -3)},
		):
			with self.assertRaises(frappe.ValidationError):
				execute({"company": self.company, **filters})

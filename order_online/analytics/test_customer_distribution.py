"""Customer Distribution on a real site: each view's figures equal plain SQL over the orders (a cancelled
order counts for nothing), a customer is new in the period of their first order and returning after,
a salesperson sees only their orders' customers, and bad filters get a clear message."""

import frappe
from frappe.utils import add_days, add_months, flt, get_first_day, getdate, nowdate

from order_online.analytics import summary
from order_online.order_entry.rules import clear_rule_cache
from order_online.order_online.report.customer_distribution.customer_distribution import execute
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_channel,
	make_customer,
	make_item,
	make_sales_order,
	make_user,
	plain_orders,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

SELLER = "oo.customers.seller@example.com"


def make_territory(name: str) -> str:
	if not frappe.db.exists("Territory", name):
		frappe.get_doc(
			{"doctype": "Territory", "territory_name": name, "parent_territory": "All Territories"}
		).insert(ignore_permissions=True)
	return name


class TestCustomerDistribution(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		self.company = get_company()
		warehouse = get_warehouse(self.company)
		item = make_item(f"{TEST_PREFIX}-CD-1")
		add_stock(item, warehouse, 500)
		self.channel = make_channel(f"{TEST_PREFIX} Customer Shop", "CDS")  # only this test's orders
		north, south = make_territory(f"{TEST_PREFIX} CD North"), make_territory(f"{TEST_PREFIX} CD South")
		self.a, self.b, self.c = (make_customer(f"{TEST_PREFIX} CD Customer {x}") for x in "ABC")
		territories = {self.a: north, self.b: south, self.c: south}
		self.north, self.south = north, south
		make_user(SELLER, "Sales User")
		summary.rebuild()
		self.start = get_first_day(add_months(nowdate(), -1))
		self.end = getdate(nowdate())
		last_month = add_days(self.start, 2)
		plan = [  # customer, day, amount, owner
			(self.a, last_month, 100, SELLER),  # A is new last month, returning this month
			(self.a, self.end, 300, SELLER),
			(self.b, self.end, 200, None),  # B is new this month, with two orders
			(self.b, self.end, 50, None),
			(self.c, self.end, 999, None),  # cancelled below: C never ordered
		]
		self.orders = []
		for customer, day, amount, owner in plan:
			frappe.set_user(owner or "Administrator")
			so = make_sales_order(
				customer,
				[(item, 1, amount)],
				warehouse=warehouse,
				transaction_date=str(day),
				delivery_date=str(add_days(day, 7)),
				oo_order_channel=self.channel,
				territory=territories[customer],
			)
			so.submit()
			self.orders.append(so)
			frappe.set_user("Administrator")
		self.orders[-1].cancel()

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def run_report(self, **filters):
		return execute(
			{
				"company": self.company,
				"from_date": self.start,
				"to_date": self.end,
				"channel": self.channel,
				"period": "Month",
				**filters,
			}
		)

	def sql_by(self, field: str) -> dict:
		return {
			key: (count, flt(amount), customers)
			for key, count, amount, customers in frappe.db.sql(
				f"""select so.{field}, count(*), sum(so.base_net_total), count(distinct so.customer)
				from `tabSales Order` so where so.docstatus = 1 and so.company = %s
				and so.oo_order_channel = %s and so.transaction_date between %s and %s
				group by so.{field}""",
				(self.company, self.channel, self.start, self.end),
			)
		}

	def test_territories_equal_plain_sql(self):
		_c, data, _m, chart, report_summary = self.run_report(view="Territory")
		expected = self.sql_by("territory")
		got = {row["key"]: (row["orders"], row["amount"], row["customers"]) for row in data}
		self.assertEqual(set(got), {self.north, self.south})
		for key, (orders, amount, customers) in expected.items():
			self.assertEqual(got[key][0], orders)
			self.assertAlmostEqual(got[key][1], amount, places=2)
			self.assertEqual(got[key][2], customers)
		self.assertAlmostEqual(sum(row["share"] for row in data), 100)
		self.assertEqual(chart["type"], "donut")
		self.assertEqual([s["value"] for s in report_summary[:2]], [2, 4])

	def test_top_customers_with_share_and_cumulative_share(self):
		_c, data, _m, chart, _s = self.run_report(view="Top Customers", top=1)
		expected = self.sql_by("customer")
		total = sum(amount for _n, amount, _c in expected.values())
		self.assertEqual([row["customer"] for row in data], [self.a])  # 400 against B's 250
		self.assertAlmostEqual(data[0]["share"], expected[self.a][1] / total * 100)
		both = self.run_report(view="Top Customers")[1]
		self.assertEqual([row["customer"] for row in both], [self.a, self.b])
		self.assertAlmostEqual(both[-1]["cumulative"], 100)
		self.assertEqual(both[0]["customer_name"], self.a)
		self.assertEqual(chart["type"], "bar")

	def test_new_and_returning_customers_per_month(self):
		_c, data, _m, chart, report_summary = self.run_report(view="New and Returning")
		last, this = data
		self.assertEqual((last["customers"], last["new"], last["returning"]), (1, 1, 0))
		self.assertEqual((this["customers"], this["new"], this["returning"], this["orders"]), (2, 1, 1, 3))
		this_month = flt(sum(so.base_net_total for so in self.orders[1:4]))
		self.assertAlmostEqual(this["amount"], this_month, places=2)
		self.assertAlmostEqual(this["returning_rate"], 50)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [1, 1])
		self.assertIn({"label": "New Customers", "value": 2, "datatype": "Int"}, report_summary)
		# A bought before the window: in this month alone A returns and only B is new
		alone = self.run_report(view="New and Returning", from_date=get_first_day(nowdate()))[1]
		self.assertEqual((alone[0]["new"], alone[0]["returning"]), (1, 1))

	def test_a_salesperson_sees_only_their_orders_customers(self):
		set_settings(sales_see_only_own_orders=1)
		frappe.set_user(SELLER)
		getattr(frappe.local, "request_cache", {}).clear()
		top = self.run_report(view="Top Customers")[1]
		periods = self.run_report(view="New and Returning")[1]
		territories = self.run_report(view="Territory")[1]
		frappe.set_user("Administrator")
		self.assertEqual([row["customer"] for row in top], [self.a])
		self.assertEqual([row["customers"] for row in periods], [1, 1])
		self.assertEqual([row["key"] for row in territories], [self.north])
		self.assertAlmostEqual(top[0]["share"], 100)

	def test_bad_filters_get_a_clear_message(self):
		for filters in (
			{"view": "Colour"},
			{"view": "Top Customers", "top": 0},
			{"view": "Top Customers", "top": 100000},
			{"from_date": self.end, "to_date": self.start},
			{"period": "Hour", "view": "New and Returning"},
			{"customer_group": "') or 1=1 -- "},
		):
			with self.assertRaises(frappe.ValidationError, msg=filters):
				self.run_report(**filters)

"""Order Volume and Amount on a real site: its totals equal plain SQL over the orders, a salesperson's
report holds only their orders, and bad filters get a clear message."""

import frappe
from frappe.utils import add_days, add_months, flt, get_first_day, getdate, nowdate

from order_online.analytics import summary
from order_online.order_entry.rules import clear_rule_cache
from order_online.order_online.report.order_volume_and_amount.order_volume_and_amount import execute
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

SELLER = "oo.volume.seller@example.com"


class TestOrderVolumeAndAmount(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		self.company = get_company()
		warehouse = get_warehouse(self.company)
		item = make_item(f"{TEST_PREFIX}-VOL-1")
		add_stock(item, warehouse, 500)
		customer = make_customer(f"{TEST_PREFIX} Volume Customer")
		web, app = make_channel(f"{TEST_PREFIX} Vol Web", "VW"), make_channel(f"{TEST_PREFIX} Vol App", "VA")
		make_user(SELLER, "Sales User")
		self.start = get_first_day(add_months(nowdate(), -1))
		self.end = getdate(nowdate())
		summary.rebuild()
		last_month = add_days(self.start, 3)
		plan = [
			(web, self.end, 2, None),
			(web, self.end, 1, SELLER),
			(app, self.end, 3, None),
			(app, last_month, 1, SELLER),
			(None, last_month, 4, None),
		]
		self.orders = []
		for channel, day, qty, owner in plan:
			frappe.set_user(owner or "Administrator")
			values = {"transaction_date": str(day), "delivery_date": str(add_days(day, 7))}
			if channel:
				values["oo_order_channel"] = channel
			so = make_sales_order(customer, [(item, qty, 100), (item, 1, 5)], warehouse=warehouse, **values)
			so.submit()
			self.orders.append(so)
			frappe.set_user("Administrator")
		self.orders[0].cancel()  # a cancelled order counts for nothing

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
				"period": "Month",
				**filters,
			}
		)

	def test_totals_equal_plain_sql_over_the_orders(self):
		columns, data, _message, chart, report_summary = self.run_report()
		expected = frappe.db.sql(
			"""select count(*), coalesce(sum(base_net_total), 0) from `tabSales Order`
			where docstatus = 1 and company = %s and transaction_date between %s and %s""",
			(self.company, self.start, self.end),
		)[0]
		self.assertEqual(sum(row["orders"] for row in data), expected[0])
		self.assertAlmostEqual(sum(row["amount"] for row in data), flt(expected[1]), places=2)
		lines = frappe.db.sql(
			"""select count(*) from `tabSales Order Item` i join `tabSales Order` so on so.name = i.parent
			where so.docstatus = 1 and so.company = %s and so.transaction_date between %s and %s""",
			(self.company, self.start, self.end),
		)[0][0]
		self.assertEqual(sum(row["lines"] for row in data), lines)
		self.assertEqual(chart["type"], "line")
		self.assertEqual(report_summary[0]["value"], expected[0])
		web = [row for row in data if row["channel"] == f"{TEST_PREFIX} Vol Web"]
		self.assertEqual(sum(row["orders"] for row in web), 1)  # the cancelled one is gone

	def test_a_salesperson_narrowed_to_their_orders_sees_only_their_figures(self):
		set_settings(sales_see_only_own_orders=1)
		frappe.set_user(SELLER)
		getattr(frappe.local, "request_cache", {}).clear()
		_c, data, *_ = self.run_report()
		frappe.set_user("Administrator")
		mine = [so for so in self.orders[1:] if so.owner == SELLER]
		self.assertEqual(sum(row["orders"] for row in data), len(mine))
		self.assertAlmostEqual(
			sum(row["amount"] for row in data), sum(so.base_net_total for so in mine), places=2
		)
		_c, everything, *_ = self.run_report()  # the manager's, for comparison
		self.assertGreater(sum(row["orders"] for row in everything), len(mine))

	def test_growth_on_the_previous_month_is_the_change_in_amount(self):
		_c, data, *_ = self.run_report(channel=f"{TEST_PREFIX} Vol App")
		before, this = data[0], data[1]
		self.assertEqual((before["orders"], this["orders"]), (1, 1))
		self.assertAlmostEqual(this["growth"], (this["amount"] - before["amount"]) / before["amount"] * 100)

	def test_bad_filters_get_a_clear_message_and_injection_finds_nothing(self):
		for filters in (
			{"from_date": self.end, "to_date": self.start},
			{"company": "No Such Company"},
			{"from_date": "not-a-date"},
			{"period": "Hour"},
			{"channel": "x' or '1'='1"},
			{"territory": "') or 1=1 -- "},
			{"currency_view": "Bitcoin"},
		):
			with self.assertRaises(frappe.ValidationError, msg=filters):
				self.run_report(**filters)

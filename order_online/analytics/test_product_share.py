"""Product Share on a real site: amounts and quantities equal plain SQL over the order lines, the Pareto
view marks the fewest items making 80 % of the amount, and the share change compares with the window
just before."""

import frappe
from frappe.utils import add_days, flt, nowdate

from order_online.analytics import summary
from order_online.order_entry.rules import clear_rule_cache
from order_online.order_online.report.product_share.product_share import execute
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_channel,
	make_item,
	make_sales_order,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase


class TestProductShare(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		self.company = get_company()
		warehouse = get_warehouse(self.company)
		self.a, self.b, self.c = (make_item(f"{TEST_PREFIX}-SHARE-{x}") for x in "ABC")
		for item in (self.a, self.b, self.c):
			add_stock(item, warehouse, 1000)
		summary.rebuild()
		self.channel = make_channel(f"{TEST_PREFIX} Share Shop", "SSH")  # only this test's orders in it
		self.today, self.before = nowdate(), add_days(nowdate(), -5)
		plan = [
			(self.today, [(self.a, 6, 100), (self.b, 3, 100)]),
			(self.today, [(self.c, 1, 100)]),
			(self.before, [(self.a, 1, 100), (self.b, 3, 100)]),  # the window before: A 25 %, B 75 %
		]
		for day, rows in plan:
			make_sales_order(
				items=rows,
				warehouse=warehouse,
				submit=True,
				transaction_date=day,
				delivery_date=add_days(day, 9),
				oo_order_channel=self.channel,
			)

	def tearDown(self):
		frappe.db.rollback()
		clear_rule_cache()

	def test_shares_pareto_and_the_change_in_share(self):
		filters = {
			"company": self.company,
			"from_date": add_days(self.today, -4),
			"to_date": self.today,
			"channel": self.channel,
		}
		_columns, data, _m, chart, report_summary = execute(filters)
		rows = {row["key"]: row for row in data if row["key"] in (self.a, self.b, self.c)}
		expected = dict(
			frappe.db.sql(
				"""select i.item_code, sum(i.base_net_amount) from `tabSales Order Item` i
				join `tabSales Order` so on so.name = i.parent
				where so.docstatus = 1 and so.company = %s and so.transaction_date between %s and %s
				and i.item_code in %s group by i.item_code""",
				(self.company, filters["from_date"], self.today, (self.a, self.b, self.c)),
			)
		)
		for item, row in rows.items():
			self.assertAlmostEqual(row["amount"], flt(expected[item]), places=2)
		self.assertEqual(rows[self.a]["qty"], 6)
		self.assertEqual(len(data), 3)
		self.assertAlmostEqual(rows[self.a]["share"], 60)
		self.assertEqual([rows[x]["in_pareto"] for x in (self.a, self.b, self.c)], [True, True, False])
		self.assertAlmostEqual(rows[self.a]["share_change"], 60 - 25)
		self.assertEqual(chart["type"], "donut")
		self.assertGreaterEqual(report_summary[1]["value"], 3)
		groups = execute({**filters, "group_by": "Item Group"})[1]
		self.assertAlmostEqual(sum(r["amount"] for r in groups), sum(r["amount"] for r in data), places=2)

	def test_a_bad_grouping_is_a_clear_message(self):
		with self.assertRaises(frappe.ValidationError):
			execute({"company": self.company, "group_by": "Colour"})

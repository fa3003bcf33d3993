"""Approval Turnaround and Stock Shortage on a real site: their figures equal what plain SQL says of the
same approval logs and alerts, and text users typed reaches the report only escaped."""

import frappe
from frappe.utils import add_days, flt, nowdate

from order_online.approval import service as approval
from order_online.approval.service import clear_rule_cache
from order_online.order_online.report.approval_turnaround.approval_turnaround import execute as turnaround
from order_online.order_online.report.stock_shortage.stock_shortage import execute as shortage
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_item,
	make_sales_order,
	make_user,
	plain_orders,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

APPROVER = "oo.turnaround.approver@example.com"


class TestOperationsReports(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		self.company = get_company()
		self.warehouse = get_warehouse(self.company)
		make_user(APPROVER, "Sales Manager")

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def filters(self):
		return {"company": self.company, "from_date": add_days(nowdate(), -1), "to_date": nowdate()}

	def test_approval_turnaround_counts_each_decision_and_its_wait(self):
		make_approval_rule(f"{TEST_PREFIX} Turnaround", [(1, "Sales Manager", None)], min_amount=1)
		clear_rule_cache()
		approved, rejected = make_sales_order(submit=True), make_sales_order(submit=True)
		for so, act in (
			(approved, approval.approve),
			(rejected, lambda d: approval.reject(d, "<script>x</script> too cheap")),
		):
			frappe.set_user(APPROVER)
			act(frappe.get_doc("Sales Order", so.name))
			frappe.set_user("Administrator")
		_columns, data, message, chart, report_summary = turnaround(self.filters())
		mine = [row for row in data if row["approver"] == APPROVER]
		self.assertEqual((mine[0]["decisions"], mine[0]["approved"], mine[0]["rejected"]), (2, 1, 1))
		waited = frappe.db.sql(
			"""select sum(timestampdiff(microsecond, s.logged_at, d.logged_at)) / 3600e6 / count(*)
			from `tabOrder Approval Log` s join `tabOrder Approval Log` d on d.sales_order = s.sales_order
			where s.action = 'Submitted for Approval' and d.action in ('Approved', 'Rejected')
			and d.user = %s and s.sales_order in %s""",
			(APPROVER, (approved.name, rejected.name)),
		)[0][0]
		self.assertAlmostEqual(mine[0]["average_hours"], flt(waited), places=4)
		self.assertIn("&lt;script&gt;x&lt;/script&gt; too cheap (1)", message)
		self.assertNotIn("<script>", message)
		self.assertEqual(chart["type"], "bar")
		rate = next(s for s in report_summary if s["datatype"] == "Percent")
		self.assertGreater(rate["value"], 0)

	def test_stock_shortage_shows_the_orders_waiting_and_what_they_sell_for(self):
		set_settings(raise_shortage_alerts=1, replenishment_mode="Alert Only")
		item = make_item(f"{TEST_PREFIX}-SHORTREP-1")
		add_stock(item, self.warehouse, 2)
		first = make_sales_order(items=[(item, 5, 40)], warehouse=self.warehouse, submit=True)
		second = make_sales_order(items=[(item, 3, 50)], warehouse=self.warehouse, submit=True)
		_columns, data, _m, chart, report_summary = shortage({"company": self.company, "item_code": item})
		self.assertEqual(len(data), 1)
		row = data[0]
		expected = frappe.db.sql(
			"""select count(distinct o.sales_order), sum(o.pending_qty * i.base_net_rate)
			from `tabStock Shortage Order` o
			join `tabSales Order Item` i on i.parent = o.sales_order and i.item_code = %s
			where o.parent = %s""",
			(item, row["alert"]),
		)[0]
		self.assertEqual(row["orders"], expected[0])
		self.assertEqual(row["orders"], 2)
		self.assertAlmostEqual(row["amount_waiting"], flt(expected[1]), places=2)
		self.assertEqual(
			{first.name, second.name},
			set(frappe.get_all("Stock Shortage Order", {"parent": row["alert"]}, pluck="sales_order")),
		)
		self.assertEqual(report_summary[0]["value"], 1)
		self.assertEqual(chart["data"]["labels"], [item])
		with self.assertRaises(frappe.ValidationError):
			shortage({"company": "x' or 1=1 -- "})

	def test_the_workspace_cards_count_what_the_user_may_see(self):
		import json

		from frappe.desk.doctype.number_card.number_card import get_result

		seller = "oo.cards.seller@example.com"
		make_user(seller, "Sales User")
		frappe.set_user(seller)
		mine = make_sales_order(submit=True)
		frappe.set_user("Administrator")
		make_sales_order(submit=True)
		card = frappe.get_doc("Number Card", "Orders Today").as_dict()
		company = json.dumps([["Sales Order", "company", "=", self.company]])
		everyone = frappe.db.count(
			"Sales Order", {"docstatus": 1, "transaction_date": nowdate(), "company": self.company}
		)
		self.assertEqual(get_result(card, company), everyone)
		set_settings(sales_see_only_own_orders=1)
		frappe.set_user(seller)
		getattr(frappe.local, "request_cache", {}).clear()
		try:
			self.assertEqual(get_result(card, company), 1)
			amount = get_result(frappe.get_doc("Number Card", "Order Amount Today").as_dict(), company)
			self.assertAlmostEqual(amount, mine.base_net_total)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(
			sorted(c.number_card_name for c in frappe.get_doc("Workspace", "Order Online").number_cards),
			sorted(frappe.get_all("Number Card", filters={"module": "Order Online"}, pluck="name")),
		)

"""The reports' summary on a real site: after any sequence of submits, cancels, amendments and Update
Items it equals a fresh rebuild, and both equal totals computed here from the orders themselves."""

import json
import random

import frappe
from erpnext.controllers.accounts_controller import update_child_qty_rate
from frappe.utils import add_days, flt, nowdate

from order_online.analytics import summary
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_channel,
	make_customer,
	make_item,
	make_sales_order,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

FIELDS = ("orders", "lines", "qty", "amount", "base_amount")


ITEM_FIELDS = ("lines", "qty", "amount", "base_amount")


def stored() -> dict:
	out = {}
	for doctype, fields in (("Order Sales Summary", FIELDS), ("Order Item Summary", ITEM_FIELDS)):
		for row in frappe.get_all(doctype, fields=["name", *fields]):
			out[(doctype, row.name)] = tuple(round(flt(row[f]), 4) for f in fields)
	return out


def items_from_the_orders(company: str) -> dict:
	rows = frappe.db.sql(
		"""select i.item_code, count(*), sum(i.stock_qty), sum(i.net_amount) from `tabSales Order Item` i
		join `tabSales Order` so on so.name = i.parent where so.docstatus = 1 and so.company = %s
		group by i.item_code""",
		company,
	)
	return {code: (n, round(flt(q), 4), round(flt(a), 4)) for code, n, q, a in rows}


def items_in_the_summary(company: str) -> dict:
	rows = frappe.db.sql(
		"""select item_code, sum(`lines`), sum(qty), sum(amount) from `tabOrder Item Summary`
		where company = %s group by item_code""",
		company,
	)
	return {code: (int(n), round(flt(q), 4), round(flt(a), 4)) for code, n, q, a in rows}


def from_the_orders(company: str) -> dict:
	"""Totals per day and channel, computed straight from the submitted orders (not the app's SQL)."""
	totals: dict = {}
	for so in frappe.get_all(
		"Sales Order",
		filters={"docstatus": 1, "company": company},
		fields=["name", "transaction_date", "oo_order_channel", "net_total", "base_net_total"],
	):
		items = frappe.get_all("Sales Order Item", filters={"parent": so.name}, fields=["qty"])
		key = (str(so.transaction_date), so.oo_order_channel or None)
		t = totals.setdefault(key, [0, 0, 0.0, 0.0, 0.0])
		t[0] += 1
		t[1] += len(items)
		t[2] += sum(flt(i.qty) for i in items)
		t[3] += flt(so.net_total)
		t[4] += flt(so.base_net_total)
	return {k: tuple(round(v, 4) for v in t) for k, t in totals.items()}


def summary_by_day_and_channel(company: str) -> dict:
	totals: dict = {}
	for row in frappe.get_all(
		"Order Sales Summary", filters={"company": company}, fields=["summary_date", "channel", *FIELDS]
	):
		t = totals.setdefault((str(row.summary_date), row.channel or None), [0, 0, 0.0, 0.0, 0.0])
		for i, field in enumerate(FIELDS):
			t[i] += flt(row[field])
	return {k: tuple(round(v, 4) for v in t) for k, t in totals.items()}


class TestSalesSummary(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		remove_approval_rules()
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		self.company = get_company()
		self.warehouse = get_warehouse(self.company)
		self.items = [make_item(f"{TEST_PREFIX}-SUM-{i}") for i in range(3)]
		for item in self.items:
			add_stock(item, self.warehouse, 500)
		self.customers = [make_customer(f"{TEST_PREFIX} Summary {i}") for i in range(2)]
		self.channels = [
			make_channel(f"{TEST_PREFIX} Sum Web", "SW"),
			make_channel(f"{TEST_PREFIX} Sum App", "SA"),
			None,
		]
		summary.rebuild()  # from whatever the site has: the test compares changes from here

	def tearDown(self):
		frappe.db.rollback()

	def order(self, rng: random.Random):
		rows = [
			(code, rng.randint(1, 5), rng.choice([10, 12.5, 99]))
			for code in rng.sample(self.items, rng.randint(1, 3))
		]
		values = {"transaction_date": add_days(nowdate(), -rng.randint(0, 3))}
		if channel := rng.choice(self.channels):
			values["oo_order_channel"] = channel
		so = make_sales_order(rng.choice(self.customers), rows, warehouse=self.warehouse, **values)
		so.submit()
		return so

	def test_any_sequence_of_changes_equals_a_rebuild_and_the_orders_own_totals(self):
		rng = random.Random(13)
		live = []
		for _ in range(24):
			step = rng.random()
			if step < 0.5 or not live:
				live.append(self.order(rng))
			elif step < 0.7:
				so = live.pop(rng.randrange(len(live)))
				so.reload()
				so.cancel()
				if rng.random() < 0.5:  # amended and submitted again, maybe for more
					amended = frappe.copy_doc(so)
					amended.amended_from = so.name
					amended.items[0].qty += 1
					amended.insert()
					amended.submit()
					live.append(amended)
			else:
				so = rng.choice(live)
				so.reload()
				rows = [
					{
						"docname": row.name,
						"item_code": row.item_code,
						"qty": row.qty + rng.randint(1, 3),
						"rate": row.rate,
						"conversion_factor": row.conversion_factor,
					}
					for row in so.items
				]
				rows.append(
					{
						"item_code": rng.choice(self.items),
						"qty": 2,
						"rate": 7,
						"conversion_factor": 1,
						"delivery_date": str(so.delivery_date),
						"warehouse": self.warehouse,
					}
				)
				update_child_qty_rate("Sales Order", json.dumps(rows), so.name)
		kept = stored()
		self.assertEqual(summary_by_day_and_channel(self.company), from_the_orders(self.company))
		self.assertEqual(items_in_the_summary(self.company), items_from_the_orders(self.company))
		summary.rebuild()
		self.assertEqual(stored(), kept)  # row by row, named alike

	def test_a_cancelled_order_leaves_no_row_behind(self):
		so = self.order(random.Random(1))
		self.assertTrue(frappe.db.exists("Order Summary Entry", {"sales_order": so.name}))
		so.cancel()
		self.assertFalse(frappe.db.exists("Order Summary Entry", {"sales_order": so.name}))
		self.assertEqual(summary_by_day_and_channel(self.company), from_the_orders(self.company))
		self.assertFalse(frappe.get_all("Order Sales Summary", filters={"orders": 0}))
		self.assertFalse(frappe.db.exists("Order Item Entry", {"sales_order": so.name}))
		self.assertFalse(frappe.get_all("Order Item Summary", filters={"lines": 0}))

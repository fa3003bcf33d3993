"""No oversell under concurrency: several processes race for the last units (commits; cleans up).

Eight processes each submit a Sales Order for 2 units while only 10 are in stock: at most five may
get their reservation, whichever path reserves (the app's allocation, or ERPNext's own
``reserve_stock`` on submit). Measured without the app, ERPNext 15.71 reserved 16 units.
"""

import multiprocessing
import os
import time

import frappe
from frappe.tests.utils import FrappeTestCase

from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	make_allocation_network,
	make_allocation_rule,
	make_item,
	make_sales_order,
	remove_allocation_network,
	set_settings,
)

PROCESSES, STOCK, EACH = 8, 10, 2


def _race(site, sites_path, so_name, barrier, results):
	"""One process: wait for the others, then submit its order."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		doc = frappe.get_doc("Sales Order", so_name)
		barrier.wait(timeout=60)
		doc.submit()
		frappe.db.commit()
		results.put((so_name, "ok"))
	except Exception as error:
		frappe.db.rollback()
		results.put((so_name, type(error).__name__))
	finally:
		frappe.destroy()


class TestNoOversellUnderConcurrency(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.created: list[tuple[str, str]] = []

	def tearDown(self):
		frappe.set_user("Administrator")
		for doctype, name in reversed(self.created):
			if not frappe.db.exists(doctype, name):
				continue
			doc = frappe.get_doc(doctype, name)
			if doc.docstatus == 1:
				doc.cancel()
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
		frappe.db.delete("Stock Reservation Entry", {"item_code": ("like", f"{TEST_PREFIX}-RACE-%")})
		frappe.db.delete("Warehouse Allocation Rule")
		frappe.db.delete("Warehouse Allocation Restriction")
		remove_allocation_network()
		frappe.db.commit()

	def prepare(self, item, warehouse, reserve_stock):
		"""Stock and draft orders, committed so that the racing processes see them."""
		entry = add_stock(item, warehouse, STOCK)
		self.created.append(("Stock Entry", entry.name))
		orders = []
		for _ in range(PROCESSES):
			so = make_sales_order(
				customer=self.net["customer"],
				items=[(item, EACH, 100)],
				warehouse=warehouse,
				customer_address=self.net["address"],
				shipping_address_name=self.net["address"],
				reserve_stock=reserve_stock,
			)
			self.created.append(("Sales Order", so.name))
			orders.append(so.name)
		frappe.db.commit()
		return orders

	def race(self, orders):
		ctx = multiprocessing.get_context("spawn")
		barrier, results = ctx.Barrier(len(orders)), ctx.Queue()
		sites_path = os.path.abspath(frappe.local.sites_path)
		procs = [
			ctx.Process(target=_race, args=(frappe.local.site, sites_path, so, barrier, results))
			for so in orders
		]
		for p in procs:
			p.start()
		for p in procs:
			p.join(timeout=180)
		outcome = dict(results.get(timeout=5) for _ in procs)
		frappe.db.rollback()  # a fresh snapshot: see what the processes committed
		return outcome

	def assert_never_oversold(self, item, warehouse, outcome):
		reserved = frappe.db.sql(
			"""select coalesce(sum(reserved_qty), 0) from `tabStock Reservation Entry`
			where item_code=%s and warehouse=%s and docstatus=1""",
			(item, warehouse),
		)[0][0]
		submitted = sum(1 for status in outcome.values() if status == "ok")
		self.assertLessEqual(reserved, STOCK, outcome)
		self.assertEqual(reserved, submitted * EACH, outcome)  # every submitted order got all it asked
		self.assertEqual(submitted, STOCK // EACH, outcome)  # and the stock was not left idle
		bin_reserved = frappe.db.get_value(
			"Bin", {"item_code": item, "warehouse": warehouse}, "reserved_stock"
		)
		self.assertEqual(bin_reserved, reserved)  # the Bin agrees with the reservations

	def setup_site(self, allocation: bool):
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		frappe.db.delete("Order Approval Rule")
		frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 1)
		self.net = make_allocation_network()
		frappe.db.delete("Warehouse Allocation Rule")
		frappe.db.delete("Warehouse Allocation Restriction")
		if allocation:
			make_allocation_rule()
		frappe.db.commit()

	def test_app_allocation_never_oversells(self):
		self.setup_site(allocation=True)
		item = make_item(f"{TEST_PREFIX}-RACE-APP-{int(time.time())}")
		self.created.append(("Item", item))
		orders = self.prepare(item, self.net["near"], reserve_stock=0)
		outcome = self.race(orders)
		self.assert_never_oversold(item, self.net["near"], outcome)

	def test_erpnext_reserve_stock_on_submit_never_oversells(self):
		self.setup_site(allocation=False)
		item = make_item(f"{TEST_PREFIX}-RACE-ERP-{int(time.time())}")
		self.created.append(("Item", item))
		orders = self.prepare(item, self.net["near"], reserve_stock=1)
		outcome = self.race(orders)
		self.assert_never_oversold(item, self.net["near"], outcome)

"""Reservation under contention on a real site: no oversell, and no added serialisation.

1. ``oversold_units``: 8, then 16 processes each submit an order for 2 units of one item while 10
   are in stock, through the app's allocation with reservation. Units reserved beyond the stock,
   summed over both runs (target 0).
2. ``parallel_vs_serial``: 8 orders for 8 different items (stock for all), submitted one after
   another by one process, then by 8 processes at once; each process is warmed up by one submit of
   its own before it is timed. The ratio serial time / parallel time, with the app (allocation and
   reservation) and, in the same run, with the app switched off and ERPNext's own ``reserve_stock``
   (``native_parallel_vs_serial``). Target: the app's ratio at or above ERPNext's own, i.e. the
   app's Bin locks add no contention between orders for different items (no global lock).

    bench --site SITE execute order_online.tests.bench_runner.run --args "['reservation_contention']"

Commits its data (other processes must see it) and removes it afterwards. Last line:
``RESULT oversold_units=<n> parallel_vs_serial=<ratio> native_parallel_vs_serial=<ratio>
failed_processes=<n> native_failed_processes=<n>`` (a ratio is ``nan`` when a process failed, e.g.
on a deadlock).
"""

import time

import frappe

from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	make_allocation_network,
	make_allocation_rule,
	make_item,
	make_sales_order,
	remove_allocation_network,
	remove_approval_rules,
	remove_documents,
	set_settings,
)
from order_online.tests.processes import submit_at_once

STOCK, EACH, PARALLEL = 10, 2, 8


class Run:
	def __init__(self):
		self.created: list[tuple[str, str]] = []
		self.net = make_allocation_network()
		frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 1)
		self.stamp = int(time.time())
		self.failures: dict[str, list[str]] = {}

	def item(self, name: str, stock: float) -> str:
		code = make_item(f"{TEST_PREFIX}-CONTEND-{name}-{self.stamp}")
		self.created.append(("Item", code))
		self.created.append(("Stock Entry", add_stock(code, self.net["near"], stock).name))
		return code

	def order(self, item: str, qty: float, reserve: int) -> str:
		so = make_sales_order(
			customer=self.net["customer"],
			items=[(item, qty, 100)],
			warehouse=self.net["near"],
			customer_address=self.net["address"],
			shipping_address_name=self.net["address"],
			reserve_stock=reserve,
		)
		self.created.append(("Sales Order", so.name))
		return so.name

	def mode(self, app: bool) -> None:
		set_settings(enabled=1 if app else 0, allow_backorders=1, raise_shortage_alerts=0)
		remove_approval_rules()
		frappe.db.delete("Warehouse Allocation Rule")
		if app:
			make_allocation_rule(reserve_stock=1)
		frappe.db.commit()

	def workers(self, jobs: list[tuple[list[str], list[str]]]) -> list[tuple]:
		"""(outcome, started, ended) of each process."""
		return [(outcome, start, end) for _timed, outcome, start, end, _messages in submit_at_once(jobs)]

	def oversold(self, processes: int) -> float:
		self.mode(app=True)
		item = self.item(f"LAST{processes}", STOCK)
		orders = [self.order(item, EACH, 0) for _ in range(processes)]
		self.workers([([], [name]) for name in orders])
		reserved = frappe.db.sql(
			"select coalesce(sum(reserved_qty), 0) from `tabStock Reservation Entry` "
			"where item_code=%s and docstatus=1",
			item,
		)[0][0]
		return max(0.0, reserved - STOCK)

	def parallel_vs_serial(self, app: bool) -> float:
		self.mode(app)
		reserve = 0 if app else 1  # the app's allocation reserves; natively ERPNext's reserve_stock
		label = "APP" if app else "NATIVE"
		items = [self.item(f"{label}{i}", 100) for i in range(PARALLEL)]
		warm = [self.order(items[0], 1, reserve)]
		serial = [self.order(item, 1, reserve) for item in items]
		((status, start, end),) = self.workers([(warm, serial)])
		serial_s = end - start
		jobs = [([self.order(item, 1, reserve)], [self.order(item, 1, reserve)]) for item in items]
		outcome = self.workers(jobs)
		failed = [s for s, _, _ in outcome if s != "ok"] + ([status] if status != "ok" else [])
		self.failures[label] = failed
		if failed:  # a deadlock or a broken barrier: no ratio to report
			print(f"{label.lower()}: {len(failed)} process(es) failed: {failed}")
			return float("nan")
		parallel_s = max(e for _, _, e in outcome) - min(s for _, s, _ in outcome)
		print(f"{label.lower()}: serial {serial_s:.2f} s, parallel {parallel_s:.2f} s")
		return serial_s / parallel_s

	def clean(self) -> None:
		frappe.db.rollback()
		remove_documents(self.created)
		frappe.db.delete("Warehouse Allocation Rule")
		remove_allocation_network()
		frappe.db.commit()


def run() -> None:
	settings = frappe.get_single("Order Online Settings").as_dict()
	bench = Run()
	try:
		oversold = bench.oversold(8) + bench.oversold(16)
		app = bench.parallel_vs_serial(app=True)
		native = bench.parallel_vs_serial(app=False)
	finally:
		bench.clean()
		set_settings(**{k: settings[k] for k in ("enabled", "allow_backorders", "raise_shortage_alerts")})
		frappe.db.commit()
	failed = {label: len(f) for label, f in bench.failures.items()}
	print(
		f"RESULT oversold_units={oversold:g} parallel_vs_serial={app:.2f} "
		f"native_parallel_vs_serial={native:.2f} "
		f"failed_processes={failed.get('APP', 0)} native_failed_processes={failed.get('NATIVE', 0)}"
	)

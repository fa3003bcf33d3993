"""Sales Order submit with the reports' summaries and its fulfilment stage entry kept in the same
transaction, as a ratio to the same submit without them (each replaced by nothing), measured in one
run, orders alternating.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['summary_submit']" --kwargs "{'orders': 60}"

Last line: ``RESULT without_ms=<ms> with_ms=<ms> summary_ratio=<with/without>`` (target <= 1.05).
"""

import statistics
import time
from contextlib import contextmanager

import frappe

from benchmarks.sales_order import bench_items
from order_online.analytics import stages, summary
from order_online.approval.service import clear_rule_cache as clear_approval_rules
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_sales_order,
)


@contextmanager
def summaries(kept: bool):
	"""The summaries and the fulfilment stage entry kept, or each replaced by nothing."""
	kept_by = [(summary, "record"), (summary, "record_submitted"), (summary, "forget")]
	kept_by += [(stages, "refresh"), (stages, "record_submitted")]
	originals = [getattr(module, name) for module, name in kept_by]
	if not kept:
		for module, name in kept_by:
			setattr(module, name, lambda *args, **kwargs: None)
	try:
		yield
	finally:
		for (module, name), function in zip(kept_by, originals, strict=True):
			setattr(module, name, function)


def run(orders: int = 60, lines: int = 5) -> None:
	frappe.set_user("Administrator")
	orders, lines = int(orders), int(lines)
	customer = make_customer(f"{TEST_PREFIX} Bench Customer")
	warehouse = get_warehouse(get_company())
	items = bench_items(lines)
	for code in items:
		if not frappe.db.get_value("Bin", {"item_code": code, "warehouse": warehouse}, "actual_qty"):
			add_stock(code, warehouse, 100000)
	frappe.db.commit()
	rows = [(code, 2, 100) for code in items]
	timings = {False: [], True: []}
	try:
		frappe.db.set_value("Order Approval Rule", {"enabled": 1}, "enabled", 0)
		clear_approval_rules()
		for i in range(orders * 2 + 6):
			kept = bool(i % 2)
			with summaries(kept):
				so = make_sales_order(customer, rows, warehouse=warehouse)
				start = time.perf_counter()
				so.submit()
				elapsed = (time.perf_counter() - start) * 1000
			if i >= 6:
				timings[kept].append(elapsed)
	finally:
		frappe.db.rollback()
		clear_approval_rules()
	without, with_ = statistics.median(timings[False]), statistics.median(timings[True])
	print(f"without: n={len(timings[False])} median={without:.1f}ms")
	print(f"with:    n={len(timings[True])} median={with_:.1f}ms")
	print(f"RESULT without_ms={without:.2f} with_ms={with_:.2f} summary_ratio={with_ / without:.3f}")

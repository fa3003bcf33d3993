"""Sales Order insert + submit with order entry checks on, as a ratio to native ERPNext.

Native: the same orders with every app feature switched off in Order Online Settings (the app's
hooks return at once). App: validation rules (minimum amount, maximum line quantity, contact and
shipping address not required, earliest delivery), bad-input checks, live availability on every
line, the submit-time stock check and shortage alerts, all on; approval rules switched off (an
order that fires one is held for approval, which is not order entry). Orders alternate between the two
modes so drift (caches, table growth) hits both alike. Target: entry_ratio <= 1.15.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['order_entry']" --kwargs "{'orders': 60}"

Last line: ``RESULT native_so_ms=<ms> app_so_ms=<ms> entry_ratio=<app/native>``.
"""

import statistics
import time

import frappe

from benchmarks.sales_order import app_features, bench_items
from order_online.approval.service import clear_rule_cache as clear_approval_rules
from order_online.order_entry.rules import clear_rule_cache as clear_validation_rules
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_rule,
	make_sales_order,
	set_settings,
)


def _setup(lines: int) -> tuple[str, list]:
	customer = make_customer(f"{TEST_PREFIX} Bench Customer")
	items = bench_items(lines)
	warehouse = get_warehouse(get_company())
	for code in items:
		if not frappe.db.get_value("Bin", {"item_code": code, "warehouse": warehouse}, "actual_qty"):
			add_stock(code, warehouse, 100000)
	make_rule(f"{TEST_PREFIX} Bench Min", "Minimum Order Amount", amount=1)
	make_rule(f"{TEST_PREFIX} Bench Max", "Maximum Quantity per Line", max_qty=1000)
	make_rule(f"{TEST_PREFIX} Bench Lead", "Earliest Delivery Date")
	set_settings(show_availability=1, raise_shortage_alerts=1, allow_backorders=1)
	frappe.db.commit()
	return customer, [(code, 2, 100) for code in items]


def run(orders: int = 60, lines: int = 5) -> None:
	frappe.set_user("Administrator")
	orders, lines = int(orders), int(lines)
	customer, rows = _setup(lines)
	timings = {False: [], True: []}
	try:
		# Approval holds orders that fire its rules: a different feature, kept out of this figure
		# (switched off inside the rolled-back transaction).
		frappe.db.set_value("Order Approval Rule", {"enabled": 1}, "enabled", 0)
		clear_approval_rules()
		for i in range(orders * 2 + 6):
			enabled = bool(i % 2)
			with app_features(enabled):
				start = time.perf_counter()
				make_sales_order(customer, rows, submit=True)
				elapsed = (time.perf_counter() - start) * 1000
			if i >= 6:  # warm-up
				timings[enabled].append(elapsed)
	finally:
		frappe.db.rollback()
		clear_approval_rules()
		# the rules _setup committed would refuse other orders on the site (earliest delivery date)
		frappe.db.delete("Order Validation Rule", {"name": ("like", f"{TEST_PREFIX} Bench %")})
		frappe.db.commit()
		clear_validation_rules()
	native, app = statistics.median(timings[False]), statistics.median(timings[True])
	print(
		f"native: n={len(timings[False])} median={native:.1f}ms mean={statistics.fmean(timings[False]):.1f}ms"
	)
	print(f"app:    n={len(timings[True])} median={app:.1f}ms mean={statistics.fmean(timings[True]):.1f}ms")
	print(f"RESULT native_so_ms={native:.2f} app_so_ms={app:.2f} entry_ratio={app / native:.3f}")

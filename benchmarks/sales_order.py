"""Baseline: native ERPNext Sales Order insert + submit with 5 lines, in ms per order.

Every later site benchmark compares its figure with this one, measured in the same run. "Native"
means the app's features are switched off in Order Online Settings, so none of its hooks run.

Run on a site (from the bench directory):

    bench --site SITE execute order_online.tests.bench_runner.run --args "['sales_order']" --kwargs "{'orders': 100}"

The orders are rolled back at the end; the test customer and items stay (created once, reused).
The last line is ``RESULT native_so_ms=<median ms per order>``.
"""

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

import frappe

from order_online.tests.factories import TEST_PREFIX, make_customer, make_item, make_sales_order


def bench_items(lines: int) -> list[str]:
	return [make_item(f"{TEST_PREFIX}-BENCH-{i}") for i in range(1, lines + 1)]


@contextmanager
def app_features(enabled: bool):
	"""Switch the app on or off for the block, restoring the previous setting."""
	settings = frappe.get_single("Order Online Settings")
	previous = settings.enabled
	settings.db_set("enabled", int(enabled))
	frappe.clear_document_cache("Order Online Settings", "Order Online Settings")
	try:
		yield
	finally:
		settings.db_set("enabled", previous)
		frappe.clear_document_cache("Order Online Settings", "Order Online Settings")


def time_orders(orders: int, make: Callable[[], object], warmup: int = 3) -> list[float]:
	"""Milliseconds for each of ``orders`` calls to ``make`` after ``warmup`` untimed calls."""
	for _ in range(warmup):
		make()
	timings = []
	for _ in range(orders):
		start = time.perf_counter()
		make()
		timings.append((time.perf_counter() - start) * 1000)
	return timings


def native_sales_order_ms(orders: int = 100, lines: int = 5) -> list[float]:
	customer = make_customer(f"{TEST_PREFIX} Bench Customer")
	items = bench_items(lines)
	frappe.db.commit()  # keep the fixtures; everything after this is rolled back
	rows = [(code, 2, 100) for code in items]
	try:
		with app_features(False):
			return time_orders(orders, lambda: make_sales_order(customer, rows, submit=True))
	finally:
		frappe.db.rollback()


def summarise(name: str, timings: list[float]) -> str:
	ordered = sorted(timings)
	p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
	return (
		f"{name}: n={len(timings)} median={statistics.median(timings):.1f}ms "
		f"mean={statistics.fmean(timings):.1f}ms p95={p95:.1f}ms"
	)


def run(orders: int = 100, lines: int = 5) -> None:
	frappe.set_user("Administrator")
	timings = native_sales_order_ms(int(orders), int(lines))
	print(summarise(f"native Sales Order insert+submit, {lines} lines", timings))
	print(f"RESULT native_so_ms={statistics.median(timings):.2f}")

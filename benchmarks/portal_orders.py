"""The customer's order list (/my_orders) for a customer with 10,000 orders, over HTTP from the served
site, beside ERPNext's own portal list (/orders) for the same user in the same run.

The customer's orders (one line each; two in three shipped, most of those with a parcel, some late) and
as many orders of other customers are written straight into the tables (no controller runs), committed
for the served site (``OO_SITE_URL``, default http://127.0.0.1:8010) to see, and deleted at the end.
Each figure is the median of ``samples`` page loads by the logged-in portal user:

* ``first_ms``: the first page; ``last_ms``: the last page (page 200); ``status_ms``: status Shipped;
  ``search_ms``: a search by item; ``dates_ms``: one month. Target: each <= 1000.
* ``erpnext_ms``: ERPNext's /orders, its first page (20 orders, status and total only); ``vs_erpnext``:
  the slowest of ours over it.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['portal_orders']" --kwargs "{'orders': 10000}"

Last line: ``RESULT orders=<n> first_ms=<ms> last_ms=<ms> status_ms=<ms> search_ms=<ms> dates_ms=<ms>
erpnext_ms=<ms> vs_erpnext=<ratio> rows_checked=<n>``.
"""

import os
import random
import re
import statistics
import time

import frappe
import requests
from frappe.utils import add_days, add_to_date, now_datetime, nowdate
from frappe.utils.password import update_password

from order_online.tests.factories import TEST_PREFIX, get_company, make_customer, make_item, make_portal_user
from order_online.tests.http import Client

USER = "oo.bench.buyer@example.com"
PASSWORD = "Oo-bench-buyer-42!"
PREFIX = "OO-BENCH-PO-"
ITEMS = [f"{TEST_PREFIX}-PORTAL-BENCH-{i}" for i in range(20)]


def _seed(orders: int, customer: str, others: list[str], company: str) -> None:
	rng = random.Random(7)
	for item in ITEMS:
		make_item(item)
	now = now_datetime()
	order_rows, line_rows, parcel_rows = [], [], []
	for i in range(orders * 2):
		name = f"{PREFIX}{i:07d}"
		mine = i % 2 == 0
		buyer = customer if mine else rng.choice(others)
		day = add_days(nowdate(), -rng.randrange(730))
		shipped = rng.random() < 2 / 3
		status = "Completed" if shipped else "To Deliver and Bill"
		total = rng.randrange(100, 10000)
		item = rng.choice(ITEMS)
		order_rows.append(
			(name, now, now, 1, company, buyer, buyer, day, add_days(day, 5), status, total, "CNY",
			 100 if shipped else 0, "Not Required", "Delivered" if shipped else None)
		)  # fmt: skip
		line_rows.append(
			(f"{name}-1", name, "Sales Order", "items", 1, item, item, item, 1, "Nos", total, total, 1)
		)
		if shipped and rng.random() < 0.9:
			shipped_at = add_to_date(day, days=1)
			parcel_rows.append(
				(f"{name}-P", f"BENCH{i:09d}", buyer, name, "Delivered", shipped_at,
				 add_to_date(shipped_at, days=2), int(rng.random() < 0.1), f"bench|{name}", now, now)
			)  # fmt: skip
	frappe.db.bulk_insert(
		"Sales Order",
		["name", "creation", "modified", "docstatus", "company", "customer", "customer_name",
		 "transaction_date", "delivery_date", "status", "grand_total", "currency", "per_delivered",
		 "oo_approval_status", "oo_tracking_status"],
		order_rows,
	)  # fmt: skip
	frappe.db.bulk_insert(
		"Sales Order Item",
		["name", "parent", "parenttype", "parentfield", "idx", "item_code", "item_name", "description",
		 "qty", "uom", "rate", "amount", "docstatus"],
		line_rows,
	)  # fmt: skip
	frappe.db.bulk_insert(
		"Shipment Tracking",
		["name", "tracking_number", "customer", "sales_order", "status", "shipped_at", "delivered_at",
		 "is_late", "tracking_key", "creation", "modified"],
		parcel_rows,
	)  # fmt: skip


def _remove() -> None:
	frappe.db.delete("Shipment Tracking", {"name": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Order Item", {"parent": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Order", {"name": ("like", f"{PREFIX}%")})
	frappe.db.commit()


def _timed(session: requests.Session, url: str, samples: int) -> tuple[float, str]:
	timings, text = [], ""
	for i in range(samples + 2):
		begin = time.perf_counter()
		reply = session.get(url, timeout=60)
		elapsed = (time.perf_counter() - begin) * 1000
		reply.raise_for_status()
		text = reply.text
		if i >= 2:  # warm-up
			timings.append(elapsed)
	return statistics.median(timings), text


def _count(text: str) -> int:
	return len(re.findall(r'href="/my_order\?name=', text))


def run(orders: int = 10000, samples: int = 15) -> None:
	orders, samples = int(orders), int(samples)
	url = os.environ.get("OO_SITE_URL", "http://127.0.0.1:8010")
	frappe.set_user("Administrator")
	customer = make_customer(f"{TEST_PREFIX} Portal Bench Buyer")
	others = [make_customer(f"{TEST_PREFIX} Portal Bench Other {i}") for i in range(20)]
	update_password(make_portal_user(USER, customer), PASSWORD)
	_remove()
	try:
		_seed(orders, customer, others, get_company())
		frappe.db.commit()
		session = Client(url, frappe.local.site, USER, PASSWORD).session
		month = add_days(nowdate(), -30)
		pages = -(-orders // 50)
		figures, checked = {}, 0
		for key, path in (
			("first", "/my_orders"),
			("last", f"/my_orders?page={pages}"),
			("status", "/my_orders?status=Shipped"),
			("search", f"/my_orders?q={ITEMS[3]}"),
			("dates", f"/my_orders?from={month}&to={nowdate()}"),
		):
			figures[key], text = _timed(session, url + path, samples)
			shown = _count(text)
			assert 0 < shown <= 50, (key, shown)
			assert not any(f"{PREFIX}{i:07d}" in text for i in range(1, 200, 2)), "another customer's order"
			checked += shown
			print(f"{key:7s} median={figures[key]:.1f}ms  rows on page={shown}")
		assert f"{orders} orders" in session.get(f"{url}/my_orders", timeout=60).text.replace(",", "")
		figures["erpnext"], _ = _timed(session, f"{url}/orders", samples)
		print(f"erpnext /orders median={figures['erpnext']:.1f}ms")
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		_remove()
	slowest = max(figures[key] for key in ("first", "last", "status", "search", "dates"))
	print(
		f"RESULT orders={orders} first_ms={figures['first']:.1f} last_ms={figures['last']:.1f} "
		f"status_ms={figures['status']:.1f} search_ms={figures['search']:.1f} dates_ms={figures['dates']:.1f} "
		f"erpnext_ms={figures['erpnext']:.1f} vs_erpnext={slowest / figures['erpnext']:.2f} rows_checked={checked}"
	)

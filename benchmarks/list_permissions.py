"""The Sales Order list of a salesperson with "Salespeople See Only Their Own Orders", as a ratio to the
same list without it.

10,000 orders (20 salespeople own them; a third also name a salesperson in their Sales Team; five
customers have the measured user as account manager) are written straight into the tables. The measured
user is a Sales User with a Sales Person. Samples alternate between the setting off and on.

* ``list_ratio``: the list view as the desk asks for it, over HTTP from the served site
  (``OO_SITE_URL``, default http://127.0.0.1:8010): ``frappe.desk.reportview.get`` (the list view's
  fields, newest first, 20 rows) then ``frappe.desk.reportview.get_count``. The orders are committed for
  the served site to see, and deleted at the end. Target: <= 1.2.
* ``query_ratio``: the same two reads in this process (``frappe.get_list``), the database work alone.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['list_permissions']" --kwargs "{'orders': 10000}"

Last line: ``RESULT orders=<n> off_ms=<ms> on_ms=<ms> list_ratio=<on/off> query_ratio=<on/off> visible=<n>
index_build_ms=<ms to build the Order Access index for all the orders>``.
"""

import json
import os
import random
import statistics
import time

import frappe
import requests
from frappe.desk.reportview import get_count
from frappe.utils import add_days, now_datetime, nowdate
from frappe.utils.password import update_password

from order_online.permissions.access import rebuild_all
from order_online.tests.factories import (
	TEST_PREFIX,
	get_company,
	make_customer,
	make_sales_person,
	make_user,
	set_settings,
)
from order_online.tests.http import Client

USER = "oo.bench.seller@example.com"
PASSWORD = "Oo-bench-list-42!"
PREFIX = "OO-BENCH-LIST-"
FIELDS = ["name", "customer_name", "status", "transaction_date", "grand_total", "currency", "per_delivered"]


def _seed(orders: int, company: str) -> float:
	"""The orders; returns the time the Order Access index took to build for them (ms)."""
	rng = random.Random(42)
	customers = [f"{TEST_PREFIX} Bench List {i:03d}" for i in range(500)]
	for name in customers:
		make_customer(name)
	managed = customers[::10]
	frappe.db.set_value("Customer", {"name": ("in", managed[:5])}, "account_manager", USER)
	sellers = [f"oo.bench.seller{i}@example.com" for i in range(19)] + [USER]
	persons = [make_sales_person(f"{TEST_PREFIX} Bench Person {i}") for i in range(19)]
	persons.append(make_sales_person(f"{TEST_PREFIX} Bench Person Me", USER))
	start = now_datetime()
	order_rows, team_rows = [], []
	for i in range(orders):
		name = f"{PREFIX}{i:07d}"
		seller = rng.randrange(len(sellers))
		stamp = add_days(start, -rng.randrange(365))
		order_rows.append(
			(
				name,
				sellers[seller],
				USER,
				stamp,
				stamp,
				1,
				company,
				rng.choice(customers),
				"Bench customer",
				add_days(nowdate(), -rng.randrange(365)),
				"To Deliver and Bill",
				rng.randrange(100, 10000),
				"CNY",
				0,
			)
		)
		if rng.random() < 1 / 3:
			other = rng.randrange(len(persons))
			team_rows.append((f"{name}-T", name, "Sales Order", "sales_team", persons[other], 100))
	frappe.db.bulk_insert(
		"Sales Order",
		[
			"name",
			"owner",
			"modified_by",
			"creation",
			"modified",
			"docstatus",
			"company",
			"customer",
			"customer_name",
			"transaction_date",
			"status",
			"grand_total",
			"currency",
			"per_delivered",
		],
		order_rows,
	)
	frappe.db.bulk_insert(
		"Sales Team",
		["name", "parent", "parenttype", "parentfield", "sales_person", "allocated_percentage"],
		team_rows,
	)
	begin = time.perf_counter()
	rebuild_all()  # rows written behind the app's back: the Order Access index, as migrate builds it
	return (time.perf_counter() - begin) * 1000


def _page() -> int:
	frappe.get_list("Sales Order", fields=FIELDS, order_by="`tabSales Order`.`modified` desc", limit=20)
	frappe.local.form_dict = frappe._dict(doctype="Sales Order", filters="[]", fields="[]", distinct="false")
	return get_count()


def _http_page(session: requests.Session, url: str) -> int:
	fields = json.dumps([f"`tabSales Order`.`{field}`" for field in FIELDS])
	common = {"doctype": "Sales Order", "filters": "[]"}
	session.post(
		f"{url}/api/method/frappe.desk.reportview.get",
		data={**common, "fields": fields, "order_by": "`tabSales Order`.`modified` desc", "page_length": 20},
		timeout=60,
	).raise_for_status()
	reply = session.post(f"{url}/api/method/frappe.desk.reportview.get_count", data=common, timeout=60)
	reply.raise_for_status()
	return reply.json()["message"]


def _alternate(samples: int, measure) -> tuple[dict, dict]:
	timings: dict[bool, list[float]] = {False: [], True: []}
	counts = {}
	for i in range(samples * 2 + 10):
		on = bool(i % 2)
		frappe.set_user("Administrator")
		set_settings(sales_see_only_own_orders=int(on))
		frappe.db.commit()
		frappe.set_user(USER)
		getattr(frappe.local, "request_cache", {}).clear()  # each sample is a new request
		begin = time.perf_counter()
		counts[on] = measure()
		elapsed = (time.perf_counter() - begin) * 1000
		if i >= 10:  # warm-up
			timings[on].append(elapsed)
	return timings, counts


def _remove() -> None:
	frappe.db.delete("Order Access", {"sales_order": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Team", {"parent": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Order", {"name": ("like", f"{PREFIX}%")})
	frappe.db.set_value("Customer", {"account_manager": USER}, "account_manager", None)
	frappe.db.commit()


def run(orders: int = 10000, samples: int = 100) -> None:
	orders, samples = int(orders), int(samples)
	url = os.environ.get("OO_SITE_URL", "http://127.0.0.1:8010")
	frappe.set_user("Administrator")
	make_user(USER, "Sales User")
	update_password(USER, PASSWORD)
	company = get_company()
	before = frappe.db.get_single_value("Order Online Settings", "sales_see_only_own_orders")
	try:
		build_ms = _seed(orders, company)
		frappe.db.commit()
		session = Client(url, frappe.local.site, USER, PASSWORD).session
		http, counts = _alternate(samples, lambda: _http_page(session, url))
		local, local_counts = _alternate(samples, _page)
		assert counts == local_counts, (counts, local_counts)
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		_remove()
		set_settings(sales_see_only_own_orders=before or 0)
		frappe.db.commit()
	off, on = statistics.median(http[False]), statistics.median(http[True])
	q_off, q_on = statistics.median(local[False]), statistics.median(local[True])
	print(f"http  off: n={len(http[False])} median={off:.2f}ms  rows counted={counts[False]}")
	print(f"http  on:  n={len(http[True])} median={on:.2f}ms  rows counted={counts[True]}")
	print(f"query off: median={q_off:.2f}ms  on: median={q_on:.2f}ms")
	print(
		f"RESULT orders={orders} off_ms={off:.2f} on_ms={on:.2f} list_ratio={on / off:.3f} "
		f"query_ratio={q_on / q_off:.3f} visible={counts[True]} index_build_ms={build_ms:.0f}"
	)

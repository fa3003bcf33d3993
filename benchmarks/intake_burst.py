"""A burst of signed channel orders against the served site, then the workers' drain, beside native
ERPNext Sales Order insert + submit measured in the same run.

The site must be served on loopback (``bench --site SITE serve --port 8017``, threaded) with ``bench
worker`` processes taking the "short" queue. In this process the benchmark:

1. sets up plain orders, ``items`` stocked items, and a Generic API channel mapping a SKU to each
   (rate limit off), and commits them for the server and the workers to see;
2. measures the native baseline: ``native`` Sales Orders of the same shapes (1-5 lines) inserted and
   submitted one after another in this process, the app's features off (as ``sales_order.py``); rolled
   back. ``native_orders_per_s`` = orders / their total time. With ``native_app=1`` it also times the
   same with the app on, as the channel's integration user (information only);
3. fires the burst: ``orders`` signed orders (1-5 lines, a quarter of them by returning buyers) from
   ``clients`` concurrent ``requests`` sessions, ``repeats`` (a fraction) of them sent a second time
   a few requests after the first, so that copies are in flight together;
4. waits for the drain: until no Order Intake Log row of the run is Accepted (or ``drain_timeout`` s).

Figures:

* ``intake_accept_per_s``: orders stored (answered 202, not as a duplicate) / wall time of the burst;
* ``accept_p95_ms``: the 95th percentile of every request's latency (first deliveries and repeats);
* ``drain_orders_per_s``: rows Processed / (last row's finish − first row's receipt), both database
  times; the drain overlaps the burst, as it would in production;
* ``drain_vs_native``: drain_orders_per_s / native_orders_per_s;
* ``lost``: distinct orders sent that have no submitted Sales Order after the drain (not stored,
  failed or still waiting; each printed); ``duplicates``: Sales Orders beyond one per channel order
  number, plus intake rows beyond one per order.

Targets (the issue): accept ≥ 10× native, p95 ≤ 200 ms, drain ≥ 0.8× native, lost = duplicates = 0.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['intake_burst']" \
        --kwargs "{'orders': 2000, 'clients': 16, 'url': 'http://127.0.0.1:8017'}"

Every run has its own prefix (``run``), so runs never collide; the orders stay unless ``cleanup=1``
(which cancels and deletes them through ``remove_intake_channel``: slow for thousands).

Last line: ``RESULT intake_accept_per_s=<n> accept_p95_ms=<n> drain_orders_per_s=<n>
drain_vs_native=<ratio> lost=<n> duplicates=<n> accept_vs_native=<ratio> native_orders_per_s=<n>
workers=<n>``.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import frappe
import requests

from benchmarks.sales_order import app_features
from order_online.integrations.channels.generic import signed_headers
from order_online.tests.factories import (
	INTAKE_SECRET,
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_intake_channel,
	make_item,
	make_sales_order,
	plain_orders,
	remove_intake_channel,
)

CHANNEL = f"{TEST_PREFIX} Intake Bench"
CODE = "OOIB"
LOG = "Order Intake Log"


def _items(count: int) -> list[str]:
	return [make_item(f"{TEST_PREFIX}-IB-{i}") for i in range(1, count + 1)]


def _stock(items: list[str], warehouse: str, needed: float) -> None:
	for item in items:
		have = frappe.db.get_value("Bin", {"item_code": item, "warehouse": warehouse}, "actual_qty") or 0
		if have < needed:
			add_stock(item, warehouse, needed - have + 1000)


def _shapes(count: int, items: int, rng: random.Random) -> list[list[tuple[int, int, int]]]:
	"""Each order's lines as (item index, qty, rate): 1-5 distinct items."""
	return [
		[(i, rng.randint(1, 3), rng.randint(10, 100)) for i in rng.sample(range(items), rng.randint(1, 5))]
		for _ in range(count)
	]


def _bodies(run: str, shapes, rng: random.Random) -> list[bytes]:
	buyers = max(1, len(shapes) * 3 // 4)  # about a quarter of the orders are by a returning buyer
	bodies = []
	for n, lines in enumerate(shapes):
		b = rng.randrange(buyers)
		body = {
			"external_order_id": f"{run}-{n:05d}",
			"customer": {
				"external_id": f"{run}-b{b}",
				"name": f"IB Buyer {run} {b}",
				"email": f"{run.lower()}-b{b}@example.com",
				"phone": f"+1 {run[-5:]}{b:05d}",  # each run's buyers are new
			},
			"shipping_address": {
				"line1": f"{b} Bench Street",
				"city": "Springfield",
				"state": "IL",
				"pincode": "62701",
				"country": "US",
			},
			"lines": [{"sku": f"IB-SKU-{i + 1}", "qty": qty, "rate": rate} for i, qty, rate in lines],
		}
		bodies.append(json.dumps(body).encode())
	return bodies


def _schedule(count: int, repeats: float, rng: random.Random) -> list[int]:
	"""The order indexes in sending order; a repeat is sent 1-16 places after its first delivery, so
	with 16 clients the two copies are usually in flight at once."""
	plan = list(range(count))
	for n in sorted(rng.sample(range(count), int(round(count * repeats))), reverse=True):
		plan.insert(plan.index(n) + rng.randint(1, 16), n)
	return plan


def native_orders_per_s(
	shapes, items: list[str], warehouse: str, user: str | None = None
) -> tuple[float, list[float]]:
	"""Insert + submit each shape one after another in this process (3 untimed first); rolled back."""
	customer = make_customer(f"{TEST_PREFIX} Intake Bench Native")
	frappe.db.commit()
	timings = []
	previous = frappe.session.user
	try:
		if user:
			frappe.set_user(user)
		for n, lines in enumerate([shapes[0], shapes[1], shapes[2], *shapes]):
			rows = [(items[i], qty, rate) for i, qty, rate in lines]
			start = time.perf_counter()
			make_sales_order(customer, rows, submit=True, warehouse=warehouse)
			if n >= 3:
				timings.append(time.perf_counter() - start)
	finally:
		frappe.set_user(previous)
		frappe.db.rollback()
	return len(timings) / sum(timings), timings


def _p(values: list[float], q: float) -> float:
	ordered = sorted(values)
	return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def _workers() -> list[str]:
	from frappe.utils.background_jobs import get_workers

	return [f"{w.name}[{','.join(q.name.rsplit(':', 1)[-1] for q in w.queues)}]" for w in get_workers()]


def burst(url: str, site: str, bodies: list[bytes], plan: list[int], clients: int) -> dict:
	endpoint = f"{url}/api/method/order_online.api.intake.receive?channel={CODE}"
	local = threading.local()
	seen: set[int] = set()
	lock = threading.Lock()

	def send(n: int) -> tuple:
		with lock:
			repeat = n in seen
			seen.add(n)
		session = getattr(local, "session", None)
		if session is None:
			session = local.session = requests.Session()
		data = bodies[n]
		headers = {**signed_headers(INTAKE_SECRET, data), "Host": site}
		start = time.perf_counter()
		try:
			reply = session.post(endpoint, data=data, headers=headers, timeout=120)
			status, text = reply.status_code, reply.text
		except requests.RequestException as error:
			status, text = 0, repr(error)
		elapsed = time.perf_counter() - start
		try:
			answer = json.loads(text)
		except ValueError:
			answer = {}
		return n, repeat, status, elapsed, answer.get("log"), bool(answer.get("duplicate")), text[:300]

	begin = time.perf_counter()
	with ThreadPoolExecutor(clients) as pool:
		results = list(pool.map(send, plan))
	wall = time.perf_counter() - begin
	return {"results": results, "wall": wall}


def _run_rows(run: str):
	frappe.db.rollback()  # a fresh snapshot: what the server and the workers committed
	return frappe.db.sql(
		f"""select status, count(*) from `tab{LOG}`
		where channel=%s and external_order_id like %s group by status""",
		(CHANNEL, f"{run}-%"),
	)


def drain(run: str, expected: int, timeout: float) -> tuple[dict, float]:
	deadline = time.monotonic() + timeout
	start = time.monotonic()
	last_print = 0.0
	while True:
		counts = dict(_run_rows(run))
		total = sum(counts.values())
		if (total >= expected and not counts.get("Accepted")) or time.monotonic() > deadline:
			return counts, time.monotonic() - start
		if time.monotonic() - last_print > 15:
			print(f"  drain: {counts} after {time.monotonic() - start:.0f}s", flush=True)
			last_print = time.monotonic()
		time.sleep(1)


def run(
	orders: int = 2000,
	clients: int = 16,
	url: str = "http://127.0.0.1:8017",
	native: int = 100,
	native_app: int = 0,
	items: int = 10,
	repeats: float = 0.05,
	drain_timeout: float = 0,
	cleanup: int = 0,
	seed: int = 42,
) -> None:
	orders, clients, native, items = int(orders), int(clients), int(native), int(items)
	repeats, seed = float(repeats), int(seed)
	drain_timeout = float(drain_timeout) or max(300.0, orders * 1.0)
	site = frappe.local.site
	run_id = f"IB{int(time.time())}"
	rng = random.Random(seed)
	frappe.set_user("Administrator")

	# 1. set up ------------------------------------------------------------------------------
	plain_orders()
	company = get_company()
	warehouse = get_warehouse(company)
	codes = _items(items)
	_stock(codes, warehouse, orders * 2 + native * 2 + 100)
	make_intake_channel(
		name=CHANNEL,
		code=CODE,
		rate_limit_per_minute=0,
		item_mappings=[{"channel_sku": f"IB-SKU-{i}", "item_code": c} for i, c in enumerate(codes, 1)],
	)
	frappe.db.commit()
	user = frappe.db.get_value("Order Channel", CHANNEL, "integration_user")
	workers = _workers()
	short_workers = [w for w in workers if "short" in w]
	print(
		f"site={site} url={url} run={run_id} cpus={__import__('os').cpu_count()} orders={orders} clients={clients}"
	)
	print(f"workers on this Redis taking 'short': {len(short_workers)} {short_workers}")

	# 2. native baseline ---------------------------------------------------------------------
	native_shapes = _shapes(native, items, random.Random(seed + 1))
	with app_features(False):
		native_rate, timings = native_orders_per_s(native_shapes, codes, warehouse)
	print(
		f"native insert+submit (app off, Administrator, in-process, 1-5 lines): n={len(timings)} "
		f"{native_rate:.2f} orders/s, median={statistics.median(timings) * 1000:.1f}ms "
		f"p95={_p(timings, 0.95) * 1000:.1f}ms"
	)
	if int(native_app):
		app_rate, app_timings = native_orders_per_s(native_shapes, codes, warehouse, user=user)
		print(
			f"insert+submit with the app on, as {user}: n={len(app_timings)} {app_rate:.2f} orders/s, "
			f"median={statistics.median(app_timings) * 1000:.1f}ms"
		)

	# 3. the burst ---------------------------------------------------------------------------
	requests.get(f"{url}/api/method/ping", headers={"Host": site}, timeout=10).raise_for_status()
	shapes = _shapes(orders, items, rng)
	bodies = _bodies(run_id, shapes, rng)
	plan = _schedule(orders, repeats, rng)
	print(f"burst: {len(plan)} requests ({len(plan) - orders} repeats), {sum(map(len, shapes))} lines")
	sent = burst(url, site, bodies, plan, clients)
	results, wall = sent["results"], sent["wall"]
	statuses = Counter(r[2] for r in results)
	stored = {r[0] for r in results if r[2] == 202 and not r[5]}  # whichever copy got there first
	latencies = [r[3] * 1000 for r in results]
	accept_rate = len(stored) / wall
	print(
		f"burst wall={wall:.2f}s statuses={dict(statuses)} orders stored={len(stored)} "
		f"answered as duplicate={sum(1 for r in results if r[5])}"
	)
	print(
		f"accept: {accept_rate:.1f} orders/s ({len(results) / wall:.1f} requests/s); latency ms "
		f"p50={_p(latencies, 0.5):.1f} p95={_p(latencies, 0.95):.1f} p99={_p(latencies, 0.99):.1f} "
		f"max={max(latencies):.1f}"
	)
	for r in [r for r in results if r[2] not in (200, 202)][:5]:
		print(f"  refused/failed: order {r[0]} status {r[2]}: {r[6]}")
	logs_by_order: dict[int, set] = {}
	for r in results:
		if r[4]:
			logs_by_order.setdefault(r[0], set()).add(r[4])
	split = sum(1 for logs in logs_by_order.values() if len(logs) > 1)
	print(f"orders whose copies were answered with different logs: {split}")

	# 4. the drain ---------------------------------------------------------------------------
	counts, waited = drain(run_id, orders, drain_timeout)
	print(f"drain: {counts} after {waited:.1f}s (after the burst)")
	first_received, last_done = frappe.db.sql(
		f"""select min(received_at), max(modified) from `tab{LOG}`
		where channel=%s and external_order_id like %s and status='Processed'""",
		(CHANNEL, f"{run_id}-%"),
	)[0]
	processed = counts.get("Processed", 0)
	window = (last_done - first_received).total_seconds() if processed else float("inf")
	drain_rate = processed / window if processed else 0.0
	print(
		f"drain: {processed} processed in {window:.1f}s (first receipt → last finish) = {drain_rate:.2f} orders/s"
	)
	for name, error in frappe.db.sql(
		f"""select name, error from `tab{LOG}` where channel=%s and external_order_id like %s
		and status not in ('Processed', 'Accepted') limit 5""",
		(CHANNEL, f"{run_id}-%"),
	):
		print(f"  not processed: {name}: {(error or '')[:300]}")

	# lost and duplicated -------------------------------------------------------------------
	per_order = dict(
		frappe.db.sql(
			"""select oo_channel_order_no, count(*) from `tabSales Order`
			where oo_order_channel=%s and oo_channel_order_no like %s and docstatus=1
			group by oo_channel_order_no""",
			(CHANNEL, f"{run_id}-%"),
		)
	)
	log_rows = dict(
		frappe.db.sql(
			f"""select external_order_id, count(*) from `tab{LOG}`
			where channel=%s and external_order_id like %s group by external_order_id""",
			(CHANNEL, f"{run_id}-%"),
		)
	)
	ids = {f"{run_id}-{n:05d}" for n in range(orders)}
	not_stored = len(ids - set(log_rows))
	lost = len(ids - set(per_order))
	duplicates = sum(c - 1 for c in per_order.values() if c > 1) + sum(
		c - 1 for c in log_rows.values() if c > 1
	)
	repeated = {n for n, c in Counter(plan).items() if c > 1}
	repeated_dupes = sum(1 for n in repeated if per_order.get(f"{run_id}-{n:05d}", 0) > 1)
	customers = frappe.db.count("Customer", {"customer_name": ("like", f"IB Buyer {run_id} %")})
	buyers = len({json.loads(b)["customer"]["external_id"] for b in bodies})
	print(
		f"check: sent {orders} orders, rows stored {len(log_rows)} (not stored {not_stored}), submitted "
		f"orders {sum(per_order.values())}, lost {lost}, duplicates {duplicates}; the {len(repeated)} "
		f"repeated orders made {repeated_dupes} duplicates; customers made {customers} for {buyers} buyers"
	)

	ratio_accept = accept_rate / native_rate
	ratio_drain = drain_rate / native_rate
	print(
		f"targets: accept {ratio_accept:.1f}x native (>= 10) {'ok' if ratio_accept >= 10 else 'MISSED'}; "
		f"p95 {_p(latencies, 0.95):.0f} ms (<= 200) {'ok' if _p(latencies, 0.95) <= 200 else 'MISSED'}; "
		f"drain {ratio_drain:.2f}x native (>= 0.8) {'ok' if ratio_drain >= 0.8 else 'MISSED'}; "
		f"lost {lost} duplicates {duplicates} {'ok' if lost == duplicates == 0 else 'MISSED'}"
	)
	if int(cleanup):
		remove_intake_channel(CHANNEL)
		frappe.db.commit()
	print(
		f"RESULT intake_accept_per_s={accept_rate:.1f} accept_p95_ms={_p(latencies, 0.95):.1f} "
		f"drain_orders_per_s={drain_rate:.2f} drain_vs_native={ratio_drain:.2f} lost={lost} "
		f"duplicates={duplicates} accept_vs_native={ratio_accept:.1f} native_orders_per_s={native_rate:.2f} "
		f"workers={len(short_workers)}"
	)

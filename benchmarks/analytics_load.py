"""Load a realistic order history into a test site, fast, for the report benchmark (``analytics_reports``).

Default: 1,000,000 submitted Sales Orders with 1 to 5 lines (about 3), over the last two years, from
20,000 customers in six territories, four customer groups and 24 cities of a shipping region tree,
for 2,000 items in 20 item groups, through four order channels; one order in ten in a second currency.
Customers and items are skewed (a few buy and sell most), so the Pareto and top-customer views have a
shape. The orders and their lines are written as tab-separated files and loaded with ``LOAD DATA LOCAL
INFILE`` on a connection of their own (no ``doc.insert()``, no controller runs), a chunk at a time;
then the app's summaries are built by the same rebuild as ``bench --site SITE order-online
rebuild-summaries``. Masters are made once (the same names each run); ``clean=True`` deletes the
orders loaded before.

    bench --site SITE execute order_online.tests.bench_runner.run --args "['analytics_load']" --kwargs "{'orders': 1000000}"

Last line: ``RESULT orders=<n> lines=<n> load_s=<s> rebuild_s=<s> orders_per_s=<n>``.
"""

import bisect
import datetime as dt
import itertools
import os
import random
import tempfile
import time

import frappe
import pymysql
from frappe.utils import getdate, nowdate

from order_online.analytics import summary
from order_online.tests.factories import get_company, get_warehouse

PREFIX = "OO-BENCH-AN-"
TERRITORIES = ("North", "East", "South", "West", "Central", "Overseas")
CUSTOMER_GROUPS = ("Retail", "Wholesale", "Online", "Distributor")
PROVINCES = {
	"Guangdong": ("Shenzhen", "Guangzhou", "Dongguan", "Foshan"),
	"Zhejiang": ("Hangzhou", "Ningbo", "Wenzhou", "Shaoxing"),
	"Jiangsu": ("Nanjing", "Suzhou", "Wuxi", "Changzhou"),
	"Sichuan": ("Chengdu", "Mianyang", "Deyang", "Yibin"),
	"Shandong": ("Jinan", "Qingdao", "Yantai", "Weifang"),
	"Hubei": ("Wuhan", "Yichang", "Xiangyang", "Jingzhou"),
}
CHANNELS = (
	("Web", "BW", "Website"),
	("App", "BA", "Mobile App"),
	("Tmall", "BT", "Marketplace"),
	("Desk", "BD", "Desk"),
)

ORDER_COLUMNS = (
	"name", "owner", "modified_by", "creation", "modified", "docstatus", "naming_series", "title",
	"customer", "customer_name", "order_type", "transaction_date", "delivery_date", "company", "currency",
	"conversion_rate", "selling_price_list", "price_list_currency", "plc_conversion_rate", "total_qty",
	"total", "base_total", "net_total", "base_net_total", "grand_total", "base_grand_total", "rounded_total",
	"base_rounded_total", "status", "delivery_status", "billing_status", "territory", "customer_group",
	"set_warehouse", "oo_order_channel", "oo_shipping_region", "oo_approval_status",
)  # fmt: skip
LINE_COLUMNS = (
	"name", "owner", "modified_by", "creation", "modified", "docstatus", "idx", "parent", "parentfield",
	"parenttype", "item_code", "item_name", "item_group", "description", "qty", "stock_qty", "uom",
	"stock_uom", "conversion_factor", "rate", "base_rate", "net_rate", "base_net_rate", "amount",
	"base_amount", "net_amount", "base_net_amount", "warehouse", "delivery_date", "transaction_date",
)  # fmt: skip
TRACKING_COLUMNS = (
	"name", "owner", "modified_by", "creation", "modified", "docstatus", "tracking_number",
	"carrier_account", "carrier_code", "tracking_key", "sales_order", "customer", "status", "shipped_at",
	"delivered_at", "promised_date", "is_late", "destination_region", "carrier_finished",
)  # fmt: skip
CARRIERS = ("sf-express", "zto", "jd")
CARRIER_ACCOUNT = "Bench Carrier"


def _tree(doctype: str, name: str, parent_field: str, parent: str, **values) -> str:
	if not frappe.db.exists(doctype, name):
		title = {"Territory": "territory_name", "Customer Group": "customer_group_name"}.get(doctype)
		title = title or {"Item Group": "item_group_name", "Shipping Region": "region_name"}[doctype]
		frappe.get_doc({"doctype": doctype, title: name, parent_field: parent, **values}).insert(
			ignore_permissions=True
		)
	return name


def masters(customers: int, items: int, rng: random.Random) -> dict:
	"""Territories, groups, regions, channels, customers and items: made once, the same each run."""
	territories = [
		_tree("Territory", f"Bench {t}", "parent_territory", "All Territories") for t in TERRITORIES
	]
	groups = [
		_tree("Customer Group", f"Bench {g}", "parent_customer_group", "All Customer Groups")
		for g in CUSTOMER_GROUPS
	]
	item_groups = [
		_tree("Item Group", f"Bench Items {i:02d}", "parent_item_group", "All Item Groups") for i in range(20)
	]
	country = _tree(
		"Shipping Region",
		"Bench China",
		"parent_shipping_region",
		None,
		region_type="Country",
		country="China",
	)
	cities = []
	for province, names in PROVINCES.items():
		_tree(
			"Shipping Region", f"Bench {province}", "parent_shipping_region", country, region_type="Province"
		)
		cities += [
			_tree(
				"Shipping Region",
				f"Bench {city}",
				"parent_shipping_region",
				f"Bench {province}",
				region_type="City",
			)
			for city in names
		]
	if not frappe.db.exists("Carrier Account", CARRIER_ACCOUNT):
		frappe.get_doc(
			{
				"doctype": "Carrier Account",
				"account_name": CARRIER_ACCOUNT,
				"provider": "Generic Webhook",
				"use_push": 0,
			}
		).insert(ignore_permissions=True)
	channels = []
	for name, code, kind in CHANNELS:
		name = f"Bench {name}"
		if not frappe.db.exists("Order Channel", name):
			frappe.get_doc(
				{"doctype": "Order Channel", "channel_name": name, "channel_code": code, "channel_type": kind}
			).insert(ignore_permissions=True)
		channels.append(name)
	stamp = frappe.utils.now()
	people = [
		(f"Bench Customer {i:05d}", rng.choice(territories), rng.choice(groups), rng.choice(cities))
		for i in range(customers)
	]
	existing = set(frappe.get_all("Customer", filters={"name": ("like", "Bench Customer %")}, pluck="name"))
	frappe.db.bulk_insert(
		"Customer",
		[
			"name",
			"customer_name",
			"customer_type",
			"customer_group",
			"territory",
			"creation",
			"modified",
			"owner",
			"modified_by",
		],  # fmt: skip
		[
			(n, n, "Company", g, t, stamp, stamp, "Administrator", "Administrator")
			for n, t, g, _r in people
			if n not in existing
		],  # fmt: skip
		chunk_size=5000,
	)
	goods = [(f"BENCH-ITEM-{i:04d}", rng.choice(item_groups), rng.randrange(5, 500)) for i in range(items)]
	existing = set(frappe.get_all("Item", filters={"name": ("like", "BENCH-ITEM-%")}, pluck="name"))
	frappe.db.bulk_insert(
		"Item",
		[
			"name",
			"item_code",
			"item_name",
			"item_group",
			"stock_uom",
			"is_stock_item",
			"is_sales_item",
			"creation",
			"modified",
			"owner",
			"modified_by",
		],  # fmt: skip
		[
			(c, c, c, g, "Nos", 1, 1, stamp, stamp, "Administrator", "Administrator")
			for c, g, _p in goods
			if c not in existing
		],  # fmt: skip
		chunk_size=5000,
	)
	frappe.db.commit()
	return {"customers": people, "items": goods, "channels": channels}


def _skewed(count: int, exponent: float = 1.1) -> list[float]:
	"""Cumulative weights of a Zipf-like popularity (the first is the most popular)."""
	return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
	return bisect.bisect_left(cumulative, rng.random() * cumulative[-1])


def _connection():
	conf = frappe.conf
	return pymysql.connect(
		host=conf.db_host or "127.0.0.1",
		port=int(conf.db_port or 3306),
		user=conf.db_user or conf.db_name,
		password=conf.db_password,
		database=conf.db_name,
		local_infile=True,
		autocommit=True,
	)


def _load(cursor, path: str, doctype: str, columns: tuple) -> None:
	names = ", ".join(f"`{c}`" for c in columns)
	cursor.execute(
		f"load data local infile %s into table `tab{doctype}` character set utf8mb4 "
		f"fields terminated by '\\t' lines terminated by '\\n' ({names})",
		(path,),
	)


def _line(values) -> str:
	return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


def _write_chunk(start: int, count: int, data: dict, context: dict, rng: random.Random, folder: str):
	"""Orders ``start``..``start + count`` as two files; returns (orders file, lines file, lines)."""
	company, home, foreign, warehouse = (context[k] for k in ("company", "home", "foreign", "warehouse"))
	people, goods, channels = data["customers"], data["items"], data["channels"]
	today, days = getdate(nowdate()), context["days"]
	who, what = context["customer_weights"], context["item_weights"]
	orders_path, lines_path = os.path.join(folder, "orders.tsv"), os.path.join(folder, "lines.tsv")
	tracking_path = os.path.join(folder, "tracking.tsv")
	now = dt.datetime.now()
	lines = 0
	with (
		open(orders_path, "w") as orders_file,
		open(lines_path, "w") as lines_file,
		open(tracking_path, "w") as tracking_file,
	):
		for number in range(start, start + count):
			name = f"{PREFIX}{number:07d}"
			customer, territory, group, region = people[_pick(rng, who)]
			day = today - dt.timedelta(days=rng.randrange(days))
			stamp = f"{day} {rng.randrange(8, 20):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
			delivery = day + dt.timedelta(days=rng.randrange(2, 15))
			currency, rate = foreign if rng.random() < 0.1 else (home, 1)
			total = base = qty_total = 0.0
			for idx in range(1, rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)) + 1):
				code, item_group, price = goods[_pick(rng, what)]
				qty = rng.randrange(1, 11)
				price_here = round(price / rate, 2)
				amount = round(price_here * qty, 2)
				base_amount = round(amount * rate, 2)
				total, base, qty_total = total + amount, base + base_amount, qty_total + qty
				lines_file.write(
					_line(
						(
							f"{name}-{idx}",
							"Administrator",
							"Administrator",
							stamp,
							stamp,
							1,
							idx,
							name,
							"items",
							"Sales Order",
							code,
							code,
							item_group,
							code,
							qty,
							qty,
							"Nos",
							"Nos",
							1,
							price_here,
							price,
							price_here,
							price,
							amount,
							base_amount,
							amount,
							base_amount,
							warehouse,
							delivery,
							day,
						)  # fmt: skip
					)
				)
				lines += 1
			shipped = dt.datetime.fromisoformat(stamp) + dt.timedelta(hours=rng.uniform(4, 48))
			if shipped < now - dt.timedelta(days=1) and rng.random() < 0.85:  # the parcel and its tracking
				arrives = shipped + dt.timedelta(hours=rng.uniform(20, 120))
				delivered = arrives if arrives < now else None
				waybill, carrier = f"BN{number:09d}", CARRIERS[rng.randrange(len(CARRIERS))]
				tracking_file.write(
					_line(
						(
							waybill,
							"Administrator",
							"Administrator",
							shipped,
							shipped,
							0,
							waybill,
							CARRIER_ACCOUNT,
							carrier,
							f"{CARRIER_ACCOUNT}:{carrier}:{waybill}",
							name,
							customer,
							"Delivered" if delivered else "In Transit",
							shipped,
							delivered,
							delivery,
							int(bool(delivered) and delivered.date() > delivery),
							region,
							int(bool(delivered)),
						)
					)  # fmt: skip
				)
			total, base = round(total, 2), round(base, 2)
			orders_file.write(
				_line(
					(
						name,
						"Administrator",
						"Administrator",
						stamp,
						stamp,
						1,
						"SAL-ORD-.YYYY.-",
						customer,
						customer,
						customer,
						"Sales",
						day,
						delivery,
						company,
						currency,
						rate,
						"Standard Selling",
						currency,
						1,
						qty_total,
						total,
						base,
						total,
						base,
						total,
						base,
						total,
						base,
						"To Deliver and Bill",
						"Not Delivered",
						"Not Billed",
						territory,
						group,
						warehouse,
						channels[_pick(rng, context["channel_weights"])],
						region,
						rng.choice(("Not Required",) * 9 + ("Approved",)),
					)  # fmt: skip
				)
			)
	return orders_path, lines_path, tracking_path, lines


def clean() -> None:
	frappe.db.delete("Shipment Tracking", {"sales_order": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Order Item", {"parent": ("like", f"{PREFIX}%")})
	frappe.db.delete("Sales Order", {"name": ("like", f"{PREFIX}%")})
	frappe.db.commit()


def run(
	orders: int = 1_000_000,
	customers: int = 20_000,
	items: int = 2_000,
	days: int = 730,
	chunk: int = 50_000,
	seed: int = 7,
	clean_first: bool = False,
	rebuild: bool = True,
) -> None:
	frappe.set_user("Administrator")
	if clean_first:
		clean()
	rng = random.Random(seed)
	company = get_company()
	home = frappe.get_cached_value("Company", company, "default_currency")
	foreign = ("EUR", 7.8) if home != "EUR" else ("USD", 0.9)
	frappe.db.set_value("Currency", foreign[0], "enabled", 1)
	data = masters(customers, items, rng)
	context = {
		"company": company,
		"home": home,
		"foreign": foreign,
		"warehouse": get_warehouse(company),
		"days": days,
		"customer_weights": _skewed(len(data["customers"]), 0.8),
		"item_weights": _skewed(len(data["items"]), 1.0),
		"channel_weights": _skewed(len(data["channels"]), 1.0),
	}
	have = frappe.db.count("Sales Order", {"name": ("like", f"{PREFIX}%")})
	begin, lines = time.perf_counter(), 0
	with tempfile.TemporaryDirectory() as folder, _connection() as connection:
		cursor = connection.cursor()
		cursor.execute("set unique_checks = 0")
		for start in range(have, orders, chunk):
			count = min(chunk, orders - start)
			orders_path, lines_path, tracking_path, written = _write_chunk(
				start, count, data, context, rng, folder
			)
			_load(cursor, orders_path, "Sales Order", ORDER_COLUMNS)
			_load(cursor, lines_path, "Sales Order Item", LINE_COLUMNS)
			_load(cursor, tracking_path, "Shipment Tracking", TRACKING_COLUMNS)
			lines += written
			frappe.utils.update_progress_bar("Loading orders", start + count - have, orders - have)
	load_s = time.perf_counter() - begin
	print()
	frappe.db.commit()  # this connection's snapshot predates the load: a new transaction sees the orders
	rebuild_s = 0.0
	if rebuild:
		begin = time.perf_counter()
		summary.rebuild(progress=True)
		frappe.db.commit()
		rebuild_s = time.perf_counter() - begin
	loaded = orders - have
	print(
		f"RESULT orders={frappe.db.count('Sales Order', {'name': ('like', f'{PREFIX}%')})} lines_loaded={lines} "
		f"load_s={load_s:.1f} rebuild_s={rebuild_s:.1f} orders_per_s={loaded / load_s if load_s else 0:.0f}"
	)

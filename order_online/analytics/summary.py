"""The summaries the order reports read: kept in the same transaction as each order's submit, cancel
and Update Items, and rebuilt set-based from the orders when asked.

Two grains, one mechanism. Each grain has its totals (*Order Sales Summary*: day x company x channel x
territory x customer group x shipping region x currency; *Order Item Summary*: day x company x channel
x item x item group x currency) and its entries, what each order (or each order line) added, so a cancel
or an Update Items takes exactly that back out. A total changes by ``insert ... on duplicate key update``
on its unique name (``domain.analytics.summary_name`` of its key), so orders submitted at the same moment
add up instead of overwriting each other; an order's entries and totals are written in one statement
each, whatever the number of lines.
"""

from collections.abc import Callable
from dataclasses import dataclass

import frappe
from frappe.utils import add_days, getdate

from order_online.analytics import stages
from order_online.domain.analytics import (
	ITEM_KEY,
	ITEM_VALUES,
	SUMMARY_KEY,
	SUMMARY_VALUES,
	contribution,
	dated_name,
	item_contributions,
	names_between,
	periods_between,
	shift,
	summary_name,
)

_STAMP_COLUMNS = "`creation`, `modified`, `owner`, `modified_by`, `docstatus`"
_STAMPS = "now(6), now(6), 'Administrator', 'Administrator', 0"


@dataclass(frozen=True)
class Grain:
	summary: str  # the totals' doctype
	entries: str  # the doctype of what each order (line) added; its ``sales_order`` names the order
	key: tuple[str, ...]
	values: tuple[str, ...]
	counter: str  # the value that is 0 when nothing counts for a total any more
	# (order, its rows) -> [(entry name, contribution)]: what a submitted order adds (domain.analytics)
	contributions: Callable[[dict, list[dict]], list[tuple]]
	# SELECT of the entries of the orders submitted between %(start)s and %(end)s: name, sales_order,
	# key..., values..., stamps (the rebuild)
	from_orders: str
	# the entries' own columns after the values, copied from the order by name: figures that need them
	# read the entries (the customer, for the customer figures); the totals do not keep them
	extra: tuple[str, ...] = ()

	@property
	def columns(self) -> str:
		return ", ".join(f"`{field}`" for field in (*self.key, *self.values))

	@property
	def entry_columns(self) -> str:
		return ", ".join(f"`{field}`" for field in (*self.key, *self.values, *self.extra))

	def add(self, rows: int) -> str:
		"""Add ``rows`` (name, key..., values...) to the totals."""
		row = "(" + ", ".join(["%s"] * (1 + len(self.key) + len(self.values))) + f", {_STAMPS})"
		added = ", ".join(f"`{field}` = `{field}` + values(`{field}`)" for field in self.values)
		return (
			f"insert into `tab{self.summary}` (`name`, {self.columns}, {_STAMP_COLUMNS}) values "
			+ ", ".join([row] * rows)
			+ f" on duplicate key update {added}, `modified` = now(6)"
		)

	def write_entries(self, rows: int) -> str:
		"""Insert ``rows`` (name, sales_order, key..., values...) as entries."""
		width = 2 + len(self.key) + len(self.values) + len(self.extra)
		row = "(" + ", ".join(["%s"] * width) + f", {_STAMPS})"
		return (
			f"insert into `tab{self.entries}` (`name`, `sales_order`, {self.entry_columns}, {_STAMP_COLUMNS}) "
			"values " + ", ".join([row] * rows)
		)

	@property
	def entries_of_order(self) -> str:
		return f"select {self.columns} from `tab{self.entries}` where `sales_order` = %s for update"

	@property
	def entries_from_orders(self) -> str:
		return (
			f"insert into `tab{self.entries}` (`name`, `sales_order`, {self.entry_columns}, {_STAMP_COLUMNS}) "
			+ self.from_orders
		)

	@property
	def totals_from_entries(self) -> str:
		# the name as summary_name makes it: the date, then the key hashed (parts joined by char 31, an
		# empty part for NULL)
		digest = "sha1(concat_ws(char(31), " + ", ".join(f"coalesce(`{f}`, '')" for f in self.key) + "))"
		name = f"concat(`summary_date`, '|', {digest})"
		key = ", ".join(f"`{f}`" for f in self.key)
		sums = ", ".join(f"sum(`{f}`)" for f in self.values)
		return (
			f"insert into `tab{self.summary}` (`name`, {self.columns}, {_STAMP_COLUMNS}) "
			f"select {name}, {key}, {sums}, {_STAMPS} from `tab{self.entries}` "
			"where `name` >= %(low)s and `name` < %(high)s "  # the window's days: one range of the key
			f"group by {key}"
		)


_SUBMITTED_BETWEEN = "`so`.`docstatus` = 1 and `so`.`transaction_date` between %(start)s and %(end)s"
ORDERS = Grain(
	"Order Sales Summary",
	"Order Summary Entry",
	SUMMARY_KEY,
	SUMMARY_VALUES,
	"orders",
	lambda order, rows: [(dated_name(order["transaction_date"], order["name"]), contribution(order, rows))],
	"""select concat(`so`.`transaction_date`, '|', `so`.`name`), `so`.`name`, `so`.`transaction_date`, `so`.`company`,
		nullif(`so`.`oo_order_channel`, ''), nullif(`so`.`territory`, ''), nullif(`so`.`customer_group`, ''),
		nullif(`so`.`oo_shipping_region`, ''), `so`.`currency`, 1, count(`item`.`name`),
		coalesce(sum(`item`.`qty`), 0), `so`.`net_total`, `so`.`base_net_total`, `so`.`customer`, """
	+ _STAMPS
	+ """
	from `tabSales Order` `so`
	left join `tabSales Order Item` `item` on `item`.`parent` = `so`.`name` and `item`.`parenttype` = 'Sales Order'
	where """
	+ _SUBMITTED_BETWEEN
	+ " group by `so`.`name`",
	extra=("customer",),
)
LINES = Grain(
	"Order Item Summary",
	"Order Item Entry",
	ITEM_KEY,
	ITEM_VALUES,
	"lines",
	lambda order, rows: [(change.row, change) for change in item_contributions(order, rows)],
	"""select concat(`so`.`transaction_date`, '|', `item`.`name`), `so`.`name`, `so`.`transaction_date`, `so`.`company`,
		nullif(`so`.`oo_order_channel`, ''), `item`.`item_code`, nullif(`item`.`item_group`, ''), `so`.`currency`,
		1, coalesce(nullif(`item`.`stock_qty`, 0), `item`.`qty`, 0), `item`.`net_amount`, `item`.`base_net_amount`, """
	+ _STAMPS
	+ """
	from `tabSales Order` `so`
	join `tabSales Order Item` `item` on `item`.`parent` = `so`.`name` and `item`.`parenttype` = 'Sales Order'
	where """
	+ _SUBMITTED_BETWEEN,
)
GRAINS = (ORDERS, LINES)


def _key(grain: Grain, row) -> tuple:
	"""A key with its date as text (a document may hold a date or a string), as summary_name hashes it."""
	key = tuple(row[field] for field in grain.key) if isinstance(row, dict) else tuple(row)
	return (str(getdate(key[0])), *key[1:])


def _entries(grain: Grain, doc) -> list[tuple]:
	"""(entry name, key, values) of what the submitted order adds now."""
	changes = grain.contributions(doc.as_dict(), [row.as_dict() for row in doc.get("items")])
	return [(name, _key(grain, change.key), change.values()) for name, change in changes]


def _same(before: list[tuple], now: list[tuple]) -> bool:
	def comparable(entries):
		rows = [(key, tuple(round(float(v), 6) for v in figures.values())) for _n, key, figures in entries]
		return sorted(rows, key=repr)  # keys hold None beside text

	return comparable(before) == comparable(now)


def _run(query: str, values) -> list:
	# the text is built by Grain from its constant doctypes and fields; the values are bound
	return frappe.db.sql(query, values, as_dict=True)


def _add(grain: Grain, entries: list[tuple], sign: int) -> None:
	if not entries:
		return
	values = [
		v
		for _name, key, figures in entries
		for v in (summary_name(key), *key, *(sign * figures[f] for f in grain.values))
	]
	_run(grain.add(len(entries)), values)
	if sign < 0:  # totals nothing counts for any more go (a rebuild would not make them)
		names = list({summary_name(key) for _name, key, _figures in entries})
		frappe.db.delete(grain.summary, {"name": ("in", names), grain.counter: 0})


def _replace(grain: Grain, doc, now: list[tuple], first: bool = False) -> None:
	"""Take out what the order's entries added, add ``now``; nothing is written when they are the same.
	``first``: the order has no entries yet (its submit), so there is nothing to read or take out; an
	entry that did exist would stop the submit on its unique name rather than count twice."""
	if not first:
		stored = _run(grain.entries_of_order, doc.name)
		before = [(None, _key(grain, row), {f: row[f] for f in grain.values}) for row in stored]
		if _same(before, now):
			return
		_add(grain, before, -1)
		frappe.db.delete(grain.entries, {"sales_order": doc.name})
	_add(grain, now, 1)
	if now:
		rows = [
			v
			for name, key, figures in now
			for v in (
				name,
				doc.name,
				*key,
				*(figures[f] for f in grain.values),
				*(doc.get(f) for f in grain.extra),
			)
		]
		_run(grain.write_entries(len(now)), rows)


def record(doc, method=None) -> None:
	"""On every save after submit (Update Items): what the order adds now."""
	for grain in GRAINS:
		_replace(grain, doc, _entries(grain, doc))


def record_submitted(doc) -> None:
	"""On submit: what the order adds, its first entries."""
	for grain in GRAINS:
		_replace(grain, doc, _entries(grain, doc), first=True)


def forget(doc, method=None) -> None:
	"""On cancel: the order no longer counts."""
	for grain in GRAINS:
		_replace(grain, doc, [])


def rebuild(progress: bool = False) -> int:
	"""All the summaries again from the submitted orders, a month at a time, and the fulfilment stages;
	returns the orders counted."""
	for grain in GRAINS:
		frappe.db.delete(grain.summary)
		frappe.db.delete(grain.entries)
	first, last = frappe.db.sql(
		"select min(`transaction_date`), max(`transaction_date`) from `tabSales Order` where `docstatus` = 1"
	)[0]
	if not first:
		return 0
	months = periods_between(getdate(first), getdate(last), "Month")
	for done, month in enumerate(months, 1):
		end = add_days(shift(month, "Month", 1), -1)
		low, high = names_between(month, getdate(end))
		window = {"start": month, "end": end, "low": low, "high": high}
		for grain in GRAINS:
			_run(grain.entries_from_orders, window)
			_run(grain.totals_from_entries, window)
		if progress:
			frappe.utils.update_progress_bar("Rebuilding order summaries", done - 1, len(months))
	if progress:
		print()
	stages.rebuild(progress)  # and each order's way to delivery
	return frappe.db.count(ORDERS.entries)


def rebuild_in_background() -> None:
	frappe.enqueue(
		"order_online.analytics.summary.rebuild",
		queue="long",
		timeout=4 * 3600,
		job_id="order_online:rebuild_summaries",
		deduplicate=True,
		enqueue_after_commit=True,
	)


def ensure_built() -> None:
	"""After migrate: a site with submitted orders and no summary yet gets it built once, in the background."""
	if frappe.get_all("Sales Order", filters={"docstatus": 1}, limit=1) and not (
		frappe.get_all(ORDERS.entries, limit=1) and frappe.get_all(stages.ENTRY, limit=1)
	):
		rebuild_in_background()

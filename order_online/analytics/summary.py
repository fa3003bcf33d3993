"""The sales summary the order reports read: kept in the same transaction as each order's submit,
cancel and Update Items, and rebuilt set-based from the orders when asked.

*Order Summary Entry* holds what each submitted order added (named by the order), so a cancel or an
Update Items takes exactly that back out; *Order Sales Summary* holds the totals per day x company x
channel x territory x customer group x shipping region x currency (``domain.analytics.SUMMARY_KEY``),
each changed by an ``insert ... on duplicate key update`` on its unique name, so orders submitted at
the same moment add up instead of overwriting each other.
"""

import frappe
from frappe.utils import getdate

from order_online.domain.analytics import (
	ITEM_KEY,
	ITEM_VALUES,
	SUMMARY_KEY,
	SUMMARY_VALUES,
	Contribution,
	contribution,
	item_contributions,
	periods_between,
	shift,
	summary_name,
)

_COLUMNS = ", ".join(f"`{field}`" for field in (*SUMMARY_KEY, *SUMMARY_VALUES))
_PLACEHOLDERS = ", ".join(f"%({field})s" for field in (*SUMMARY_KEY, *SUMMARY_VALUES))
_STAMPS = "now(6), now(6), 'Administrator', 'Administrator', 0"
_ADD = ", ".join(f"`{field}` = `{field}` + values(`{field}`)" for field in SUMMARY_VALUES)
_SET = ", ".join(f"`{field}` = values(`{field}`)" for field in (*SUMMARY_KEY, *SUMMARY_VALUES))

ADD_TO_SUMMARY = f"""insert into `tabOrder Sales Summary`
	(`name`, {_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	values (%(name)s, {_PLACEHOLDERS}, {_STAMPS})
	on duplicate key update {_ADD}, `modified` = now(6)"""
WRITE_ENTRY = f"""insert into `tabOrder Summary Entry`
	(`name`, `sales_order`, {_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	values (%(name)s, %(name)s, {_PLACEHOLDERS}, {_STAMPS})
	on duplicate key update {_SET}, `modified` = now(6)"""
# The key as domain.analytics.summary_name hashes it: parts joined by char 31, an empty part for NULL.
_SQL_NAME = "sha1(concat_ws(char(31), " + ", ".join(f"coalesce(`{f}`, '')" for f in SUMMARY_KEY) + "))"
ENTRIES_FROM_ORDERS = f"""insert into `tabOrder Summary Entry`
	(`name`, `sales_order`, {_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	select `so`.`name`, `so`.`name`, `so`.`transaction_date`, `so`.`company`, nullif(`so`.`oo_order_channel`, ''),
		nullif(`so`.`territory`, ''), nullif(`so`.`customer_group`, ''), nullif(`so`.`oo_shipping_region`, ''),
		`so`.`currency`, 1, count(`item`.`name`), coalesce(sum(`item`.`qty`), 0), `so`.`net_total`,
		`so`.`base_net_total`, {_STAMPS}
	from `tabSales Order` `so`
	left join `tabSales Order Item` `item` on `item`.`parent` = `so`.`name` and `item`.`parenttype` = 'Sales Order'
	where `so`.`docstatus` = 1 and `so`.`transaction_date` between %(start)s and %(end)s
	group by `so`.`name`"""
SUMMARY_FROM_ENTRIES = f"""insert into `tabOrder Sales Summary`
	(`name`, {_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	select {_SQL_NAME}, {", ".join(f"`{f}`" for f in SUMMARY_KEY)},
		{", ".join(f"sum(`{f}`)" for f in SUMMARY_VALUES)}, {_STAMPS}
	from `tabOrder Summary Entry` where `summary_date` between %(start)s and %(end)s
	group by {", ".join(f"`{f}`" for f in SUMMARY_KEY)}"""


# The item grain: one entry per order line, totals per day x company x channel x item x item group x currency
_ITEM_COLUMNS = ", ".join(f"`{field}`" for field in (*ITEM_KEY, *ITEM_VALUES))
_ITEM_ADD = ", ".join(f"`{field}` = `{field}` + values(`{field}`)" for field in ITEM_VALUES)
ITEM_SUMMARY_HEAD = f"""insert into `tabOrder Item Summary`
	(`name`, {_ITEM_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`) values """
ITEM_SUMMARY_TAIL = f" on duplicate key update {_ITEM_ADD}, `modified` = now(6)"
ITEM_ENTRY_HEAD = f"""insert into `tabOrder Item Entry`
	(`name`, `sales_order`, {_ITEM_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`) values """
_ITEM_SQL_NAME = "sha1(concat_ws(char(31), " + ", ".join(f"coalesce(`{f}`, '')" for f in ITEM_KEY) + "))"
ITEM_ENTRIES_FROM_ORDERS = f"""insert into `tabOrder Item Entry`
	(`name`, `sales_order`, {_ITEM_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	select `item`.`name`, `so`.`name`, `so`.`transaction_date`, `so`.`company`, nullif(`so`.`oo_order_channel`, ''),
		`item`.`item_code`, nullif(`item`.`item_group`, ''), `so`.`currency`, 1,
		coalesce(nullif(`item`.`stock_qty`, 0), `item`.`qty`, 0), `item`.`net_amount`, `item`.`base_net_amount`, {_STAMPS}
	from `tabSales Order` `so`
	join `tabSales Order Item` `item` on `item`.`parent` = `so`.`name` and `item`.`parenttype` = 'Sales Order'
	where `so`.`docstatus` = 1 and `so`.`transaction_date` between %(start)s and %(end)s"""
ITEM_SUMMARY_FROM_ENTRIES = f"""insert into `tabOrder Item Summary`
	(`name`, {_ITEM_COLUMNS}, `creation`, `modified`, `owner`, `modified_by`, `docstatus`)
	select {_ITEM_SQL_NAME}, {", ".join(f"`{f}`" for f in ITEM_KEY)},
		{", ".join(f"sum(`{f}`)" for f in ITEM_VALUES)}, {_STAMPS}
	from `tabOrder Item Entry` where `summary_date` between %(start)s and %(end)s
	group by {", ".join(f"`{f}`" for f in ITEM_KEY)}"""


_ITEM_ROW = "(" + ", ".join(["%s"] * (1 + len(ITEM_KEY) + len(ITEM_VALUES))) + f", {_STAMPS})"
_ITEM_ENTRY_ROW = "(" + ", ".join(["%s"] * (2 + len(ITEM_KEY) + len(ITEM_VALUES))) + f", {_STAMPS})"


def _many(statement: str, row: str, tail: str, rows: list[tuple]) -> None:
	"""One statement for all the order's lines (a query per line would cost the submit)."""
	if rows:
		query = statement + ", ".join([row] * len(rows)) + tail
		# nosemgrep: oo-sql-string-building -- the text is this module's constants, repeated per row; values are bound
		frappe.db.sql(query, [value for values in rows for value in values])


def _add_items(doc_name: str, sign: int, rows: list[dict]) -> None:
	_many(
		ITEM_SUMMARY_HEAD,
		_ITEM_ROW,
		ITEM_SUMMARY_TAIL,
		[(row["name"], *(row[f] for f in ITEM_KEY), *(sign * row[f] for f in ITEM_VALUES)) for row in rows],
	)
	if sign < 0 and rows:  # rows nothing counts for any more go (a rebuild would not make them)
		frappe.db.delete("Order Item Summary", {"name": ("in", [row["name"] for row in rows]), "lines": 0})


def _record_items(doc) -> None:
	"""The order's lines: take out what its lines added before (Update Items may have removed some),
	add what they add now."""
	query = f"select `name` as `row`, {_ITEM_COLUMNS} from `tabOrder Item Entry` where `sales_order` = %s for update"
	# nosemgrep: oo-sql-string-building -- the columns are ITEM_KEY and ITEM_VALUES, constants
	before = frappe.db.sql(query, doc.name, as_dict=True)
	_add_items(doc.name, -1, [{**r, "name": _item_name(r)} for r in before])
	frappe.db.delete("Order Item Entry", {"sales_order": doc.name})
	if doc.docstatus != 1:
		return
	rows = []
	for change in item_contributions(doc.as_dict(), [row.as_dict() for row in doc.get("items")]):
		key = (str(getdate(change.key[0])), *change.key[1:])
		rows.append(
			{
				"row": change.row,
				"sales_order": doc.name,
				"name": _item_name(dict(zip(ITEM_KEY, key, strict=True))),
				**dict(zip(ITEM_KEY, key, strict=True)),
				**change.values(),
			}
		)
	_add_items(doc.name, 1, rows)
	_many(
		ITEM_ENTRY_HEAD,
		_ITEM_ENTRY_ROW,
		"",
		[(r["row"], r["sales_order"], *(r[f] for f in ITEM_KEY), *(r[f] for f in ITEM_VALUES)) for r in rows],
	)


def _item_name(row: dict) -> str:
	return summary_name(tuple(str(getdate(row[f])) if f == "summary_date" else row[f] for f in ITEM_KEY))


def _add(change: Contribution, sign: int) -> None:
	values = {
		"name": change.key_name(),
		**dict(zip(SUMMARY_KEY, change.key, strict=True)),
		**change.values(sign),
	}
	# nosemgrep: oo-sql-string-building -- built once from the SUMMARY_KEY and SUMMARY_VALUES constants; values are bound
	frappe.db.sql(ADD_TO_SUMMARY, values)
	if sign < 0:  # a row nothing counts for any more goes (a rebuild would not make it)
		frappe.db.delete("Order Sales Summary", {"name": values["name"], "orders": 0})


def _stored(order: str) -> Contribution | None:
	query = f"select {_COLUMNS} from `tabOrder Summary Entry` where `name` = %s for update"
	# nosemgrep: oo-sql-string-building -- the columns are SUMMARY_KEY and SUMMARY_VALUES, constants
	row = frappe.db.sql(query, order, as_dict=True)
	if not row:
		return None
	row = row[0]
	key = tuple(row[field] for field in SUMMARY_KEY)
	key = (str(getdate(key[0])), *key[1:])
	return Contribution(key, *(row[field] for field in SUMMARY_VALUES))


def _of(doc) -> Contribution:
	change = contribution(doc.as_dict(), [row.as_dict() for row in doc.get("items")])
	return Contribution((str(getdate(change.key[0])), *change.key[1:]), *(change.values().values()))


def record(doc, method=None) -> None:
	"""On submit and on Update Items: take out what the order added before, add what it adds now."""
	before, now = _stored(doc.name), _of(doc)
	if before is not None:
		_add(before, -1)
	_add(now, 1)
	values = {"name": doc.name, **dict(zip(SUMMARY_KEY, now.key, strict=True)), **now.values()}
	# nosemgrep: oo-sql-string-building -- built once from the SUMMARY_KEY and SUMMARY_VALUES constants; values are bound
	frappe.db.sql(WRITE_ENTRY, values)
	_record_items(doc)


def forget(doc, method=None) -> None:
	"""On cancel: the order no longer counts."""
	before = _stored(doc.name)
	if before is not None:
		_add(before, -1)
		frappe.db.delete("Order Summary Entry", {"name": doc.name})
	_record_items(doc)  # a cancelled order's lines count for nothing


def rebuild(progress: bool = False) -> int:
	"""Both tables again from the submitted orders, a month at a time; returns the orders counted."""
	for doctype in ("Order Sales Summary", "Order Summary Entry", "Order Item Summary", "Order Item Entry"):
		frappe.db.delete(doctype)
	first, last = frappe.db.sql(
		"select min(`transaction_date`), max(`transaction_date`) from `tabSales Order` where `docstatus` = 1"
	)[0]
	if not first:
		return 0
	months = periods_between(getdate(first), getdate(last), "Month")
	for done, month in enumerate(months, 1):
		window = {"start": month, "end": frappe.utils.add_days(shift(month, "Month", 1), -1)}
		# nosemgrep: oo-sql-string-building -- built once from the SUMMARY_KEY and SUMMARY_VALUES constants; values are bound
		frappe.db.sql(ENTRIES_FROM_ORDERS, window)
		# nosemgrep: oo-sql-string-building -- built once from the SUMMARY_KEY and SUMMARY_VALUES constants; values are bound
		frappe.db.sql(SUMMARY_FROM_ENTRIES, window)
		# nosemgrep: oo-sql-string-building -- built once from the ITEM_KEY and ITEM_VALUES constants; values are bound
		frappe.db.sql(ITEM_ENTRIES_FROM_ORDERS, window)
		# nosemgrep: oo-sql-string-building -- built once from the ITEM_KEY and ITEM_VALUES constants; values are bound
		frappe.db.sql(ITEM_SUMMARY_FROM_ENTRIES, window)
		if progress:
			frappe.utils.update_progress_bar("Rebuilding order summaries", done - 1, len(months))
	if progress:
		print()
	return frappe.db.count("Order Summary Entry")


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
	if frappe.get_all("Sales Order", filters={"docstatus": 1}, limit=1) and not frappe.get_all(
		"Order Summary Entry", limit=1
	):
		rebuild_in_background()

"""Stock reservations that never oversell, whichever path reserves.

ERPNext 15 checks a Stock Reservation Entry against a plain (snapshot) read of stock and of other
reservations, so two transactions reserving the last units both see them free. Here every path
that reserves or consumes reservations first locks the Bin rows it depends on (``SELECT ... FOR
UPDATE``, sorted by item and warehouse, so two orders never wait on each other in a cycle), and the
check reads stock and reservations with locking reads, which see what other transactions committed.
Orders for other items or warehouses lock other rows and run in parallel: there is no global lock.

The Bin's ``reserved_stock`` is then set from the same locking read, because ERPNext recomputes it
from its snapshot and would otherwise lose a reservation committed meanwhile.
"""

from collections import defaultdict
from collections.abc import Iterable

import frappe
from frappe.query_builder.functions import Sum
from frappe.utils import flt

from order_online.common.errors import throw
from order_online.domain.fulfilment_plan import reservation_problem

Pair = tuple[str, str]  # (item_code, warehouse)


def _locked_bins(pairs: Iterable[Pair]) -> dict[Pair, frappe._dict]:
	"""Lock the Bins of ``pairs`` in a fixed order; their latest committed rows."""
	pairs = sorted({(item, wh) for item, wh in pairs if item and wh})
	if not pairs:
		return {}
	bin_ = frappe.qb.DocType("Bin")
	items, warehouses = sorted({p[0] for p in pairs}), sorted({p[1] for p in pairs})
	rows = (
		frappe.qb.from_(bin_)
		.select(bin_.name, bin_.item_code, bin_.warehouse, bin_.actual_qty, bin_.reserved_stock)
		.where(bin_.item_code.isin(items) & bin_.warehouse.isin(warehouses))
		.orderby(bin_.item_code)
		.orderby(bin_.warehouse)
		.for_update()
	).run(as_dict=True)
	wanted = set(pairs)
	return {(r.item_code, r.warehouse): r for r in rows if (r.item_code, r.warehouse) in wanted}


def lock_bins(pairs: Iterable[Pair]) -> dict[Pair, float]:
	"""Lock the Bins of ``pairs`` in a fixed order; their latest committed actual quantity."""
	return {pair: flt(row.actual_qty) for pair, row in _locked_bins(pairs).items()}


def reserved_stock(pairs: Iterable[Pair], exclude: str | None = None) -> dict[Pair, float]:
	"""Open reservations per pair, by a locking read (latest committed, and this transaction's own)."""
	pairs = set(pairs)
	if not pairs:
		return {}
	sre = frappe.qb.DocType("Stock Reservation Entry")
	query = (
		frappe.qb.from_(sre)
		.select(sre.item_code, sre.warehouse, Sum(sre.reserved_qty - sre.delivered_qty))
		.where(
			(sre.docstatus == 1)
			& sre.item_code.isin(sorted({p[0] for p in pairs}))
			& sre.warehouse.isin(sorted({p[1] for p in pairs}))
			& sre.status.notin(["Delivered", "Cancelled"])
		)
		.groupby(sre.item_code, sre.warehouse)
		.for_update()
	)
	if exclude:
		query = query.where(sre.name != exclude)
	totals = defaultdict(float)
	for item, wh, qty in query.run():
		if (item, wh) in pairs:
			totals[(item, wh)] = flt(qty)
	return totals


def free_stock(pairs: Iterable[Pair], reserving: bool = True) -> dict[Pair, float]:
	"""Lock, then what can still be reserved per pair: actual stock less open reservations. A caller
	that goes on to reserve takes the reservation counter between the two (see
	``lock_reservation_counter``)."""
	pairs = set(pairs)
	actual = lock_bins(pairs)
	if reserving:
		lock_reservation_counter()
	held = reserved_stock(actual)
	return {pair: max(actual[pair] - held.get(pair, 0.0), 0.0) for pair in actual}


# Hooks --------------------------------------------------------------------------------------


def lock_rows_of(doc, method=None) -> None:
	"""Before a Sales Order, Pick List or Delivery Note submits or cancels: lock its Bins in order,
	so that the reservations it makes or consumes are decided one transaction at a time."""
	lock_bins(
		(row.item_code, row.warehouse)
		for row in doc.get("items") or doc.get("locations") or []
		if row.get("warehouse")
	)


def lock_rows_and_reservation_counter(doc) -> None:
	"""Before a document that makes reservations submits (Sales Order, Pick List, the app's own
	reserving): its Bins, then the reservation counter."""
	lock_rows_of(doc)
	lock_reservation_counter()


def lock_reservation_counter() -> None:
	"""The ``tabSeries`` row Stock Reservation Entries are numbered from, taken after the Bins and
	before any locking read of reservations.

	Each new Stock Reservation Entry takes that row for its name and keeps it until commit. Taken
	then, after the no-oversell reads of reservations (which also lock the gaps around them), two
	orders for different items could each wait for the other: one for the counter, the other to
	insert its reservation into a gap the first had locked. Taken first, every reserving transaction
	locks in one order (its Bins sorted, the counter, reservations), so no cycle can form. Numbering
	reservations was already one at a time in ERPNext. (No row yet, at the year's first reservation:
	nothing to lock, as in ERPNext.)
	"""
	series = frappe.qb.DocType("Series")
	frappe.qb.from_(series).select(series.current).where(
		series.name == reservation_counter_key()
	).for_update().run()


def reservation_counter_key() -> str:
	"""The ``tabSeries`` key Frappe numbers today's Stock Reservation Entries under."""
	from frappe.model.naming import parse_naming_series

	key = None

	def remember(prefix, digits):
		nonlocal key
		key = prefix
		return "#" * digits

	autoname = frappe.get_meta("Stock Reservation Entry").autoname or ""
	parse_naming_series(autoname, doctype="Stock Reservation Entry", number_generator=remember)
	return key or ""


def lock_before_numbering(doc) -> None:
	"""Stock Reservation Entry before insert (before Frappe numbers it from the counter): the Bins of
	its whole order, sorted, then the counter, so a reservation made from ERPNext's own *Reserve*
	button locks in the same order as a submitting order does."""
	pairs = {(doc.item_code, doc.warehouse)}
	if doc.voucher_type == "Sales Order" and doc.voucher_no:
		pairs |= set(
			frappe.get_all(
				"Sales Order Item",
				filters={"parent": doc.voucher_no, "parenttype": "Sales Order"},
				fields=["item_code", "warehouse"],
				as_list=True,
			)
		)
	lock_bins(pairs)
	lock_reservation_counter()


def check_reservation(doc, method=None) -> None:
	"""Stock Reservation Entry before submit: refuse what other committed reservations already hold."""
	pair = (doc.item_code, doc.warehouse)
	actual = lock_bins([pair]).get(pair, 0.0)
	held = reserved_stock([pair], exclude=doc.name).get(pair, 0.0)
	problem = reservation_problem(
		doc.item_code, doc.warehouse, flt(doc.reserved_qty) - flt(doc.delivered_qty), actual, held
	)
	if problem:
		throw(problem)


def sync_bins(pairs: Iterable[Pair]) -> None:
	"""The Bins' reserved stock from the locking read, not from ERPNext's snapshot."""
	bins = _locked_bins(pairs)
	totals = reserved_stock(bins)
	for pair, row in bins.items():
		total = totals.get(pair, 0.0)
		if abs(flt(row.reserved_stock) - total) > 1e-9:
			frappe.db.set_value("Bin", row.name, "reserved_stock", total, update_modified=False)
			frappe.clear_document_cache("Bin", row.name)


def sync_bin_reserved_stock(doc, method=None) -> None:
	"""After a reservation is made, changed or cancelled."""
	sync_bins([(doc.item_code, doc.warehouse)])


def sync_rows_of(doc, method=None) -> None:
	"""After a Delivery Note consumes (or gives back) reservations."""
	sync_bins((row.item_code, row.warehouse) for row in doc.get("items") or [] if row.get("warehouse"))

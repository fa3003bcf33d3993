"""Sales Order: where the app changes ERPNext's behaviour, each with its why.

1. Stock reservation from the latest committed stock (``reserve_from_latest_stock``).
2. The credit-limit check handed to approvers (``hand_credit_check_to_approvers``).
3. Resume cannot release an order that waits for approval (``update_status``).

Reservation from the latest committed stock
-------------------------------------------

**What ERPNext does.** On submit (and from *Reserve*, re-open and the like) ERPNext's
``create_stock_reservation_entries_for_so_items`` works out what each row can reserve from a plain
read of stock and of other reservations. Inside a transaction that read is the transaction's
snapshot, taken before the app's Bin locks were granted, so an order that waited for another one
still sees the units that other order has just reserved. It then tries to reserve them, the app's
no-oversell check (``order_online.fulfilment.reservation.check_reservation``) refuses, and the whole order is
refused, where the same order a moment later would have been submitted as a backorder.

**What the app does instead.** For one document at a time, while its Bins are locked, the app reads
the free stock with locking reads (latest committed) and hands ERPNext caps per row: a row may
reserve at most what is free for it (partially only where Stock Settings allow it); a row that gets
nothing is left out of ERPNext's loop with ERPNext's own message. ERPNext then makes the
reservations as always. Where the company refuses backorders, such an order is refused with a clear
message instead.

**For which documents.** Sales Orders submitted with *Reserve Stock*, and the app's own calls
(approval released, re-opened order).

**Why no hook.** ERPNext's function reads, decides and inserts in one loop without a hook between
them; the row's ``qty_to_reserve`` attribute, which ERPNext honours, is the only way in. The bound
method of this one document is shadowed; every other document keeps ERPNext's.
"""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import flt

from order_online.common.errors import throw
from order_online.domain import errors
from order_online.domain.fulfilment_plan import (
	FULL,
	LEAVE_OUT,
	REFUSE,
	reservation_caps,
	reservation_outcome,
	shortage_floor,
)


def reserve_from_latest_stock(doc, refuse_backorders: bool = False) -> None:
	"""Shadow ``doc.create_stock_reservation_entries`` for this document only."""
	original = doc.create_stock_reservation_entries

	def create_stock_reservation_entries(items_details=None, from_voucher_type=None, notify=True):
		if items_details or from_voucher_type:  # a Pick List or chosen rows: ERPNext's own path
			return original(items_details=items_details, from_voucher_type=from_voucher_type, notify=notify)
		with caps_from_latest_stock(doc, refuse_backorders):
			return original(notify=notify)

	doc.create_stock_reservation_entries = create_stock_reservation_entries


def reserve_free_stock(doc, notify: bool = False) -> None:
	"""The app's own reservations of an existing order (approval released, re-opened)."""
	from order_online.fulfilment.reservation import lock_rows_and_reservation_counter

	lock_rows_and_reservation_counter(doc)
	with caps_from_latest_stock(doc):
		doc.create_stock_reservation_entries(notify=notify)


@contextmanager
def caps_from_latest_stock(doc, refuse_backorders: bool = False):
	from erpnext.selling.doctype.sales_order.sales_order import get_unreserved_qty
	from erpnext.stock.doctype.stock_reservation_entry.stock_reservation_entry import (
		get_sre_reserved_qty_details_for_voucher,
	)

	from order_online.fulfilment.reservation import free_stock

	stock_items = set(
		frappe.get_all(
			"Item",
			filters={"name": ("in", list({d.item_code for d in doc.items}) or [""]), "is_stock_item": 1},
			pluck="name",
		)
	)
	rows = [
		d
		for d in doc.items
		if d.get("reserve_stock")
		and d.item_code in stock_items
		and d.warehouse
		and not frappe.get_cached_value("Warehouse", d.warehouse, "is_group")
	]
	reserved = get_sre_reserved_qty_details_for_voucher("Sales Order", doc.name) if doc.name else {}
	wanted = {d.name: get_unreserved_qty(d, reserved) for d in rows}
	free = free_stock((d.item_code, d.warehouse) for d in rows)  # locking reads: latest committed
	partial = bool(frappe.db.get_single_value("Stock Settings", "allow_partial_reservation"))
	caps = reservation_caps(
		((d.name, (d.item_code, d.warehouse), max(wanted[d.name], 0.0)) for d in rows), free, partial
	)
	left_out, capped = [], []
	for d in rows:
		outcome = reservation_outcome(wanted[d.name], caps[d.name], refuse_backorders)
		if outcome == FULL:
			continue
		if outcome == REFUSE:
			throw(
				errors.BackorderRefused(
					item=d.item_code,
					warehouse=d.warehouse,
					wanted=f"{wanted[d.name]:g}",
					free=f"{caps[d.name]:g}",
				),
				title=_("Stock Reservation"),
			)
		if outcome == LEAVE_OUT:
			d.reserve_stock = 0  # out of ERPNext's loop for now; restored below
			left_out.append(d)
			frappe.msgprint(
				_("Row #{0}: Stock not available to reserve for the Item {1} in Warehouse {2}.").format(
					d.idx, frappe.bold(d.item_code), frappe.bold(d.warehouse)
				),
				title=_("Stock Reservation"),
				indicator="orange",
			)
		else:
			d.qty_to_reserve = flt(caps[d.name])  # in stock units, as ERPNext reads it
			capped.append(d)
			frappe.msgprint(
				_("Row #{0}: Only {1} available to reserve for the Item {2}").format(
					d.idx,
					frappe.bold(f"{caps[d.name] / (flt(d.conversion_factor) or 1):g} {d.uom}"),
					frappe.bold(d.item_code),
				),
				title=_("Stock Reservation"),
				indicator="orange",
			)
	# What the latest stock says these pairs are short of, for this submit's shortage alerts.
	floor = shortage_floor((((d.item_code, d.warehouse), max(wanted[d.name], 0.0)) for d in rows), free)
	known = doc.flags.shortage_floor or {}  # the allocation's, for rows it could not supply
	doc.flags.shortage_floor = {
		pair: max(known.get(pair, 0.0), floor.get(pair, 0.0)) for pair in {*known, *floor}
	}
	try:
		yield
	finally:
		for d in left_out:
			d.reserve_stock = 1
		for d in capped:
			del d.qty_to_reserve


def hand_credit_check_to_approvers(doc) -> None:
	"""Credit-limit check handed to the approvers.

	**What ERPNext does.** ``SalesOrder.on_submit`` checks the customer's credit limit against
	whoever submits, so the salesperson would be refused before the approvers could decide.

	**What the app does instead.** An order that an Order Approval Rule with a credit condition sends
	to approval submits, and waits on hold; the approval is the credit decision (and releasing it
	skips ERPNext's check again, see ``approval.service.release_hold``).

	**For which documents.** Only orders whose approval requirement decides credit; every other
	order keeps ERPNext's check.

	**Why no hook.** The check is a method call inside ``on_submit`` with no flag to skip it; the
	bound method of this one document is shadowed.
	"""
	doc.check_credit_limit = lambda: None


@frappe.whitelist()
def update_status(status: str, name: str) -> None:
	"""Sales Order status change (Hold, Resume, Close, Re-open) that respects a pending approval.

	**What ERPNext does.** ``erpnext...sales_order.update_status`` sets the status; *Resume* (status
	"Draft") on an order held for approval would release it without any approver.

	**What the app does instead.** Refuses that Resume while approval is pending; otherwise calls
	ERPNext's own function, then lets fulfilment follow the change (close releases the order's
	reservations, re-open reserves again).

	**For which documents.** Every Sales Order; only a pending order's Resume is refused.

	**Why no hook.** ERPNext's function saves through ``db_set`` without a document event the app
	could refuse in, so the whitelisted method itself is overridden (``override_whitelisted_methods``).
	"""
	from erpnext.selling.doctype.sales_order.sales_order import update_status as erpnext_update_status

	from order_online.approval import service as approval
	from order_online.events import sales_order as dispatcher

	frappe.has_permission("Sales Order", "write", name, throw=True)  # before saying anything about it
	approval.refuse_release_while_pending(status, name)
	erpnext_update_status(status, name)
	dispatcher.on_status_change(name, status)

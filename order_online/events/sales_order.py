"""Sales Order hooks. Thin: each step loads what it needs and leaves the rules to the domain."""

import frappe

from order_online.analytics import stages, summary
from order_online.approval import service as approval
from order_online.common import app_owned
from order_online.common.settings import get_settings
from order_online.domain import order_rules as rules
from order_online.domain.region import delivery_address
from order_online.fulfilment import reservation
from order_online.fulfilment import service as fulfilment
from order_online.intake import callbacks
from order_online.order_entry import numbering
from order_online.order_entry import rules as entry
from order_online.order_entry.regions import region_for_address
from order_online.overrides import sales_order as overrides
from order_online.permissions import access, prices
from order_online.portal import printing
from order_online.stock_alerts import shortage


def before_insert(doc, method=None) -> None:
	approval.reset_for_new_order(doc)
	settings = get_settings()
	if not settings.enabled:
		return
	set_default_channel(doc, settings)
	if settings.apply_number_templates:
		numbering.apply_template(doc)


def before_validate(doc, method=None) -> None:
	"""Bad input first, all of it at once, before ERPNext's own checks trip over it one by one.

	On submit, the warehouses are allocated here: ERPNext's validate then totals the split rows.
	First of all, the app's own fields get back their stored values (only the app writes them).
	"""
	app_owned.restore_stored(doc)
	if not get_settings().enabled:
		return
	if getattr(doc, "_action", None) == "submit":
		fulfilment.allocate_order(doc)
		return
	if doc.docstatus != 0:
		return
	findings = rules.check_input(entry.order_snapshot(doc))
	if findings:
		entry.throw_findings(findings)


def validate(doc, method=None) -> None:
	if getattr(doc, "_action", None) != "submit":  # on submit the allocator splits rows at the order's prices
		prices.refuse_price_changes(doc)
	settings = get_settings()
	if not settings.enabled:
		return
	set_default_channel(doc, settings)
	set_shipping_region(doc)
	entry.set_item_specs(doc)
	validate_business_rules(doc)
	if settings.show_availability and getattr(doc, "_action", None) != "submit":  # before_submit does it once
		entry.apply_availability(doc, entry.order_availability(doc))


def before_submit(doc, method=None) -> None:
	"""Quantity beyond availability: refused, or a warning when backorders are allowed."""
	settings = get_settings()
	if doc.get("reserve_stock"):
		reservation.lock_rows_and_reservation_counter(doc)  # ERPNext reserves on submit
		# ... from the latest stock, so an order that waited for another one is a backorder, not refused
		overrides.reserve_from_latest_stock(
			doc, refuse_backorders=settings.enabled and not settings.allow_backorders
		)
	if not settings.enabled:
		return
	requirement = approval.requirement_before_submit(doc)
	if requirement is not None and requirement.decides_credit:
		overrides.hand_credit_check_to_approvers(doc)
	action = rules.WARN if settings.allow_backorders else rules.BLOCK
	availability = doc.flags.order_availability = entry.order_availability(doc)
	if settings.show_availability:
		entry.apply_availability(doc, availability)
	report(rules.check_stock(availability, action, frappe._("Stock Availability")))


def on_update(doc, method=None) -> None:
	"""After every save (and submit): who may see the order."""
	access.for_order(doc)


def on_trash(doc, method=None) -> None:
	access.forget_order(doc)


def on_submit(doc, method=None) -> None:
	sync_reserved_stock(doc)
	summary.record_submitted(doc)  # the reports' figures, in this transaction
	stages.record_submitted(doc)
	if not get_settings().enabled:
		return
	refresh_shortages(doc)
	if not approval.request_approval(doc):
		fulfilment.order_released(doc)
		callbacks.order_event(doc, "confirmed")  # the channel hears it once it is no longer waiting


def on_release(doc) -> None:
	"""The last approval level released the order (approval calls this): stock first, then what
	finance makes follows it."""
	if doc.get("reserve_stock") and not get_settings().reserve_while_pending:
		overrides.reserve_free_stock(doc)  # what is free now; the rest is short
	sync_reserved_stock(doc)  # ERPNext rewrote the Bins from its snapshot
	fulfilment.order_released(doc)
	stages.refresh([doc.name])  # approved now
	callbacks.order_event(doc, "confirmed")


def refresh_shortages(doc) -> None:
	"""Lines the stock covered cannot open a shortage; only the others are checked."""
	availability = doc.flags.order_availability
	floor = doc.flags.shortage_floor or {}  # short by the latest stock (a race lost), not by the snapshot
	if availability is None:
		shortage.refresh_alerts(shortage.stock_keys(doc), floor)
		return
	short_rows = {line.row for line in availability if line.shortage > 0}
	keys = {(d.item_code, d.warehouse) for d in doc.items if d.idx in short_rows}
	shortage.refresh_alerts(keys | set(floor), floor)


def before_update_after_submit(doc, method=None) -> None:
	app_owned.restore_stored(doc)


def on_update_after_submit(doc, method=None) -> None:
	access.for_order(doc)
	summary.record(doc)  # Update Items: what the order adds now
	approval.recheck_after_update(doc)
	stages.refresh([doc.name])  # a new promised date, or approval needed again


def on_status_change(name: str, status: str) -> None:
	"""Held, resumed, closed or re-opened (``overrides.sales_order.update_status``)."""
	fulfilment.follow_status_change(name, status)


def before_cancel(doc, method=None) -> None:
	app_owned.restore_stored(doc)


def on_cancel(doc, method=None) -> None:
	sync_reserved_stock(doc)
	summary.forget(doc)
	stages.refresh([doc.name])  # a cancelled order has no way to delivery
	callbacks.order_event(doc, "cancelled")
	if get_settings().enabled:
		shortage.refresh_for_order(doc)


def sync_reserved_stock(doc) -> None:
	"""ERPNext's submit and cancel rewrite each Bin whole from the transaction's snapshot (its ordered
	quantity), which puts back a reserved stock figure older than the reservations other orders
	committed meanwhile; the Bins are set again from the locking read."""
	if doc.get("reserve_stock"):
		reservation.sync_rows_of(doc)


def set_default_channel(doc, settings) -> None:
	if not doc.get("oo_order_channel") and settings.default_order_channel:
		doc.oo_order_channel = settings.default_order_channel


def set_shipping_region(doc) -> None:
	doc.oo_shipping_region = region_for_address(delivery_address(doc))


def validate_business_rules(doc) -> None:
	active = entry.load_rules(doc.company)
	if active:
		report(rules.evaluate_rules(entry.order_snapshot(doc, active), active))


def report(findings) -> None:
	outcome = rules.verdict(findings)
	if outcome.blocking:
		entry.throw_findings(outcome.blocking)
	if outcome.warnings:
		entry.warn_findings(outcome.warnings)


def before_print(doc, method=None, *args, **kwargs) -> None:
	printing.escape_free_text(doc)  # the copy being printed shows the app's free text as text

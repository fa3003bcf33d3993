"""Stock Shortage Alerts: one per item and warehouse, kept current, proposing replenishment.

:func:`refresh_alerts` recomputes the alerts of the given (item, warehouse) pairs from the Bin and
the waiting orders (a fixed number of queries for any number of pairs). It runs when orders are
submitted or cancelled, when stock moves in or out of an alerted pair, and hourly as a catch-all.
The alert's ``alert_key`` is unique in the database, so two workers never create the same alert.
"""

from collections import defaultdict
from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import flt, getdate, now_datetime, nowdate

from order_online.common.app_owned import app_writes
from order_online.common.db import attempt
from order_online.common.notifications import notify_users, users_with_roles
from order_online.common.settings import get_settings
from order_online.domain.shortage import (
	RAISE,
	RESOLVE,
	RESOLVED,
	Demand,
	alert_transition,
	plan_replenishment,
	request_schedule,
	shortage_state,
	still_to_come,
	surplus_elsewhere,
)

Key = tuple[str, str]
CLOSED_ORDER_STATES = ("Closed", "On Hold", "Completed")


def alert_key(item_code: str, warehouse: str) -> str:
	return f"{item_code}::{warehouse}"


def stock_keys(doc) -> set[Key]:
	"""(item, warehouse) of the stock lines of a Sales Order or stock voucher."""
	keys = set()
	for d in doc.get("items") or []:
		if not d.get("item_code"):
			continue
		for warehouse in {d.get("warehouse"), d.get("s_warehouse"), d.get("t_warehouse")} - {None, ""}:
			keys.add((d.item_code, warehouse))
	return keys


def _waiting_demand(keys: set[Key]) -> dict[Key, list[Demand]]:
	so = frappe.qb.DocType("Sales Order")
	soi = frappe.qb.DocType("Sales Order Item")
	# domain.fulfilment_plan.pending_stock_qty, as SQL: summed in the database, one query for all keys
	pending = soi.stock_qty - soi.delivered_qty * soi.conversion_factor
	items = list({k[0] for k in keys})
	warehouses = list({k[1] for k in keys})
	rows = (
		frappe.qb.from_(soi)
		.join(so)
		.on(so.name == soi.parent)
		.select(soi.item_code, soi.warehouse, so.name, so.customer, soi.delivery_date, pending.as_("qty"))
		.where(
			(so.docstatus == 1)
			& so.status.notin(list(CLOSED_ORDER_STATES))
			& soi.item_code.isin(items)
			& soi.warehouse.isin(warehouses)
			& (pending > 0)
		)
	).run(as_dict=True)
	demand: dict[Key, list[Demand]] = defaultdict(list)
	for r in rows:
		if (r.item_code, r.warehouse) in keys:
			date = getdate(r.delivery_date) if r.delivery_date else None
			demand[(r.item_code, r.warehouse)].append(Demand(r.name, r.customer, date, flt(r.qty)))
	return demand


def _bins(item_codes: Iterable[str], warehouses: Iterable[str] | None = None) -> dict[Key, frappe._dict]:
	filters = {"item_code": ("in", list(item_codes))}
	if warehouses is not None:
		filters["warehouse"] = ("in", list(warehouses))
	rows = frappe.get_all(
		"Bin", filters=filters, fields=["item_code", "warehouse", "actual_qty", "reserved_qty"]
	)
	return {(r.item_code, r.warehouse): r for r in rows}


@app_writes()
def refresh_alerts(keys: Iterable[Key], shortage_floor: dict[Key, float] | None = None) -> list[str]:
	"""Bring the alerts of ``keys`` up to date; returns the names of alerts that are open.

	``shortage_floor``: per pair, the shortage known from locking reads (an order that lost a race)."""
	settings = get_settings()
	if not (settings.enabled and settings.raise_shortage_alerts):
		return []
	keys = {k for k in keys if k[0] and k[1]}
	stock_items = (
		set(
			frappe.get_all(
				"Item", filters={"name": ("in", list({k[0] for k in keys})), "is_stock_item": 1}, pluck="name"
			)
		)
		if keys
		else set()
	)
	keys = {k for k in keys if k[0] in stock_items}
	if not keys:
		return []
	bins = _bins({k[0] for k in keys})  # all warehouses: surplus elsewhere feeds transfers
	demand = _waiting_demand(keys)
	existing = {
		row.alert_key: row
		for row in frappe.get_all(
			"Stock Shortage Alert",
			filters={"alert_key": ("in", [alert_key(*k) for k in keys])},
			fields=["name", "alert_key", "status"],
		)
	}
	warehouses = {k[1] for k in keys} | {w for _, w in bins}
	companies = dict(
		frappe.get_all(
			"Warehouse", filters={"name": ("in", list(warehouses))}, fields=["name", "company"], as_list=True
		)
	)
	open_alerts = []
	for key in sorted(keys):
		actual = flt(bins[key].actual_qty) if key in bins else 0.0
		state = shortage_state(actual, demand.get(key, ()), (shortage_floor or {}).get(key, 0.0))
		row = existing.get(alert_key(*key))
		transition = alert_transition(row.status if row else None, state.is_short)
		if transition == RAISE:
			alert = _save_alert(row, key, companies.get(key[1]), state)
			_replenish(alert, state, bins, companies, settings)
			open_alerts.append(alert.name)
		elif transition == RESOLVE:
			alert = frappe.get_doc(
				"Stock Shortage Alert", row.name, for_update=True
			)  # latest, not the snapshot
			alert.update(
				{"status": RESOLVED, "shortage_qty": 0, "actual_qty": actual, "demand_qty": state.demand}
			)
			alert.set("waiting_orders", [])
			alert.last_checked = now_datetime()
			alert.save(ignore_permissions=True)
	return open_alerts


def _save_alert(row, key: Key, company: str | None, state):
	newly_open = row is None or row.status != "Open"
	if row:
		alert = frappe.get_doc("Stock Shortage Alert", row.name, for_update=True)  # latest, not the snapshot
	else:
		alert = frappe.new_doc("Stock Shortage Alert")
		alert.update(
			{"item_code": key[0], "warehouse": key[1], "company": company, "alert_key": alert_key(*key)}
		)
	alert.update(
		{
			"status": "Open",
			"shortage_qty": state.shortage,
			"demand_qty": state.demand,
			"actual_qty": state.actual,
			"last_checked": now_datetime(),
		}
	)
	alert.set(
		"waiting_orders",
		[
			{
				"sales_order": d.sales_order,
				"customer": d.customer,
				"delivery_date": d.delivery_date,
				"pending_qty": d.pending_qty,
			}
			for d in state.waiting
		],
	)
	if alert.is_new():
		# The unique alert_key decides between two workers raising the same alert.
		with attempt("shortage_alert", frappe.DuplicateEntryError, frappe.UniqueValidationError) as tried:
			alert.insert(ignore_permissions=True)
		if tried.error:
			# another order raised it a moment ago: a locking read sees that commit, a plain one does not
			existing = frappe.db.get_value(
				"Stock Shortage Alert", {"alert_key": alert.alert_key}, "name", for_update=True
			)
			return _save_alert(frappe._dict(name=existing, status="Open"), key, company, state)
	else:
		alert.save(ignore_permissions=True)
	if newly_open:
		_notify(alert)
	return alert


def _open_requested_qty(alert) -> float:
	names = [row.material_request for row in alert.material_requests if row.material_request]
	if not names:
		return 0.0
	mr = frappe.qb.DocType("Material Request")
	mri = frappe.qb.DocType("Material Request Item")
	rows = (
		frappe.qb.from_(mri)
		.join(mr)
		.on(mr.name == mri.parent)
		.select(mr.material_request_type, mri.stock_qty, mri.ordered_qty, mri.received_qty)
		.where(
			mr.name.isin(names)
			& (mr.docstatus < 2)
			& mr.status.notin(["Stopped", "Cancelled"])
			& (mri.item_code == alert.item_code)
			& (mri.warehouse == alert.warehouse)
		)
	).run(as_dict=True)
	return sum(
		still_to_come(r.material_request_type, flt(r.stock_qty), flt(r.ordered_qty), flt(r.received_qty))
		for r in rows
	)


def _replenish(alert, state, bins, companies, settings) -> None:
	surplus = surplus_elsewhere(
		(
			(warehouse, flt(b.actual_qty), flt(b.reserved_qty))
			for (item, warehouse), b in bins.items()
			if item == alert.item_code and companies.get(warehouse) == alert.company
		),
		alert.warehouse,
	)
	plan = plan_replenishment(
		state.shortage, _open_requested_qty(alert), surplus, settings.replenishment_mode
	)
	if not plan:
		return
	schedule = request_schedule(state.waiting, getdate(nowdate()))
	stock_uom = frappe.get_cached_value("Item", alert.item_code, "stock_uom")
	for step in plan:
		request = frappe.get_doc(
			{
				"doctype": "Material Request",
				"material_request_type": step.kind,
				"company": alert.company,
				"transaction_date": nowdate(),
				"schedule_date": schedule,
				"set_warehouse": alert.warehouse,
				"set_from_warehouse": step.from_warehouse,
				"items": [
					{
						"item_code": alert.item_code,
						"qty": step.qty,
						"uom": stock_uom,
						"stock_uom": stock_uom,
						"conversion_factor": 1,
						"schedule_date": schedule,
						"warehouse": alert.warehouse,
						"from_warehouse": step.from_warehouse,
					}
				],
			}
		)
		request.flags.ignore_permissions = True
		request.insert()
		alert.append(
			"material_requests",
			{
				"material_request": request.name,
				"request_type": step.kind,
				"from_warehouse": step.from_warehouse,
				"qty": step.qty,
			},
		)
	alert.save(ignore_permissions=True)


def _notify(alert) -> None:
	if not get_settings().notify_stock_users:
		return
	notify_users(
		users_with_roles(["Stock User", "Stock Manager"]),
		"Stock Shortage Alert",
		alert.name,
		_("Stock shortage: {0} short by {1} in {2}").format(
			alert.item_code, flt(alert.shortage_qty), alert.warehouse
		),
	)


# Hooks --------------------------------------------------------------------------------------


def refresh_for_order(doc, method=None) -> None:
	refresh_alerts(stock_keys(doc))


def refresh_for_stock_voucher(doc, method=None) -> None:
	"""Stock moved: refresh only pairs that already have an open alert (one query otherwise)."""
	settings = get_settings()
	keys = stock_keys(doc) if settings.enabled and settings.raise_shortage_alerts else set()
	if not keys:
		return
	open_keys = set(
		frappe.get_all(
			"Stock Shortage Alert",
			filters={"alert_key": ("in", [alert_key(*k) for k in keys]), "status": "Open"},
			pluck="alert_key",
		)
	)
	refresh_alerts(k for k in keys if alert_key(*k) in open_keys)


def refresh_open_alerts() -> None:
	"""Scheduled catch-all (orders closed or put on hold, back-dated stock entries)."""
	rows = frappe.get_all(
		"Stock Shortage Alert", filters={"status": "Open"}, fields=["item_code", "warehouse"]
	)
	refresh_alerts((r.item_code, r.warehouse) for r in rows)

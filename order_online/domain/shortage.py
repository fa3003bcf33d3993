"""Stock shortages: how short an item is in a warehouse, and how to replenish it.

A shortage is what submitted, undelivered orders want from a warehouse beyond what it holds.
Replenishment first moves surplus from the company's other warehouses (cheapest: no purchase),
then buys the rest, per the settings' mode; what is already requested and still open counts, so
an alert never asks twice for the same units.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TRANSFER_THEN_PURCHASE = "Transfer, then Purchase"
PURCHASE_ONLY = "Purchase Only"
TRANSFER_ONLY = "Transfer Only"
ALERT_ONLY = "Alert Only"
REPLENISHMENT_MODES = (TRANSFER_THEN_PURCHASE, PURCHASE_ONLY, TRANSFER_ONLY, ALERT_ONLY)

MATERIAL_TRANSFER, PURCHASE = "Material Transfer", "Purchase"


@dataclass(frozen=True)
class Demand:
	sales_order: str
	customer: str
	delivery_date: datetime.date | None
	pending_qty: float


@dataclass(frozen=True)
class ShortageState:
	actual: float
	demand: float
	shortage: float
	waiting: tuple[Demand, ...]

	@property
	def is_short(self) -> bool:
		return self.shortage > 1e-9


def shortage_state(actual: float, demands: Iterable[Demand], shortage_floor: float = 0.0) -> ShortageState:
	"""``shortage_floor``: what locking reads showed this pair is short of at least (an order that
	waited for others and found their units taken), which a snapshot of the waiting orders taken
	before those others committed does not show."""
	demands = tuple(d for d in demands if d.pending_qty > 0)
	total = sum(d.pending_qty for d in demands)
	shortage = max(0.0, total - actual, shortage_floor)
	total = max(total, actual + shortage)
	waiting = tuple(sorted(demands, key=lambda d: (d.delivery_date or datetime.date.max, d.sales_order)))
	return ShortageState(
		actual=actual, demand=total, shortage=shortage, waiting=waiting if shortage > 0 else ()
	)


def still_to_come(request_type: str, stock_qty: float, ordered_qty: float, received_qty: float) -> float:
	"""What an open Material Request line will still bring: a transfer counts what is not yet
	transferred (ERPNext's ordered_qty), a purchase what is not yet received."""
	done = ordered_qty if request_type == MATERIAL_TRANSFER else received_qty
	return max(0.0, stock_qty - done)


@dataclass(frozen=True)
class Replenishment:
	kind: str
	qty: float
	from_warehouse: str | None = None


def plan_replenishment(
	shortage: float, already_requested: float, surplus: Mapping[str, float], mode: str
) -> list[Replenishment]:
	"""Requests that cover ``shortage`` beyond what open requests already cover."""
	need = shortage - max(already_requested, 0.0)
	plan: list[Replenishment] = []
	if need <= 1e-9 or mode == ALERT_ONLY:
		return plan
	if mode in (TRANSFER_THEN_PURCHASE, TRANSFER_ONLY):
		# Largest surplus first (fewest transfers), name as tie-break (deterministic).
		for warehouse, qty in sorted(surplus.items(), key=lambda kv: (-kv[1], kv[0])):
			take = min(need, qty)
			if take <= 1e-9:
				continue
			plan.append(Replenishment(MATERIAL_TRANSFER, take, warehouse))
			need -= take
			if need <= 1e-9:
				return plan
	if mode in (TRANSFER_THEN_PURCHASE, PURCHASE_ONLY) and need > 1e-9:
		plan.append(Replenishment(PURCHASE, need))
	return plan


OPEN, RESOLVED = "Open", "Resolved"
RAISE, RESOLVE, NOTHING = "raise", "resolve", "nothing"


def alert_transition(current_status: str | None, is_short: bool) -> str:
	"""What one (item, warehouse) alert does after a stock check: a shortage raises (or refreshes) it,
	whatever it was; an open alert whose shortage is gone is resolved; otherwise nothing changes (a
	resolved alert stays resolved, and no alert is made for a pair that is not short)."""
	if is_short:
		return RAISE
	return RESOLVE if current_status == OPEN else NOTHING


def surplus_elsewhere(stock: Iterable[tuple[str, float, float]], short_warehouse: str) -> dict[str, float]:
	"""What the company's other warehouses could send: (warehouse, actual, reserved) -> free units."""
	return {w: actual - reserved for w, actual, reserved in stock if w != short_warehouse}


def request_schedule(waiting: Iterable[Demand], today: datetime.date) -> datetime.date:
	"""When the requested stock is wanted: by the earliest delivery date of the waiting orders, and
	never in the past."""
	earliest = min((d.delivery_date for d in waiting if d.delivery_date), default=None) or today
	return max(earliest, today)

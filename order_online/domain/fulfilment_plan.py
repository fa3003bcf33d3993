"""From an order to an allocation problem and back: shipping lanes, warehouse restrictions, rows.

The allocator (``allocation``) works on lanes, stock and allowed warehouses. This module builds them
from what a company configures (shipping rates between regions, rules that pin or exclude
warehouses) and turns the allocator's answer into order rows, one per line and warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from order_online.domain import errors
from order_online.domain.allocation import Allocation, Lane

EPSILON = 1e-9


# Lanes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippingRate:
	origin: str  # a Shipping Region (any level)
	destination: str
	fixed: float
	per_kg: float
	transit_days: float = 0.0


def lane_for(
	origin_path: Sequence[str], destination_path: Sequence[str], rates: Iterable[ShippingRate]
) -> Lane | None:
	"""The most specific rate from a warehouse's region to the customer's.

	Paths run from the region up to its country (``("Hangzhou", "Zhejiang", "China")``). The rate
	for the nearest destination level wins, then the nearest origin level: a city-to-city rate beats
	a province-to-province one, which beats a country-wide one.
	"""
	by_pair = {(r.origin, r.destination): r for r in rates}
	for destination in destination_path:
		for origin in origin_path:
			rate = by_pair.get((origin, destination))
			if rate is not None:
				return Lane(rate.fixed, rate.per_kg, rate.transit_days)
	return None


# Restrictions -------------------------------------------------------------------------------

PIN, EXCLUDE = "Pin", "Exclude"


@dataclass(frozen=True)
class Restriction:
	"""Pin (only these warehouses) or exclude a warehouse for lines that match every scope given."""

	action: str
	warehouse: str
	item_group: str | None = None
	customer_group: str | None = None
	channel: str | None = None

	def applies(
		self, item_groups: Sequence[str], customer_groups: Sequence[str], channel: str | None
	) -> bool:
		return (
			(not self.item_group or self.item_group in item_groups)
			and (not self.customer_group or self.customer_group in customer_groups)
			and (not self.channel or self.channel == channel)
		)


def allowed_warehouses(
	candidates: Sequence[str],
	restrictions: Iterable[Restriction],
	item_groups: Sequence[str],
	customer_groups: Sequence[str],
	channel: str | None,
) -> frozenset[str] | None:
	"""The warehouses a line may ship from; None when no restriction touches it (all of them).

	Pins that apply narrow the line to the pinned warehouses (several pins: any of them); exclusions
	then remove warehouses. ``item_groups``/``customer_groups`` hold the group and its ancestors.
	"""
	applying = [r for r in restrictions if r.applies(item_groups, customer_groups, channel)]
	if not applying:
		return None
	pinned = {r.warehouse for r in applying if r.action == PIN}
	allowed = set(pinned) if pinned else set(candidates)
	allowed -= {r.warehouse for r in applying if r.action == EXCLUDE}
	return frozenset(allowed)


# Inputs the allocator cannot work without -----------------------------------------------------


def input_problems(
	destination: str | None, weights: Mapping[str, float], candidates_with_lane: Sequence[str]
) -> list[errors.DomainError]:
	"""Everything wrong at once: no region for the address, items without weight, no lane."""
	problems: list[errors.DomainError] = []
	if not destination:
		problems.append(errors.AddressWithoutRegion())
	for item, weight in weights.items():
		if weight <= 0:
			problems.append(errors.ItemWithoutWeight(item=item))
	if destination and not candidates_with_lane:
		problems.append(errors.NoShippingLane(region=destination))
	return problems


# Units --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowUnit:
	key: str
	item_code: str
	conversion_factor: float  # stock units per unit of the row's UOM
	whole_numbers: bool  # the row's UOM is counted in whole numbers (a box, a carton)


def allocation_units(rows: Iterable[RowUnit]) -> dict[str, float]:
	"""Stock units per allocated unit, per row: the row's own UOM when every row of its item uses the
	same one (so a line of 4 boxes splits into whole boxes), else the stock UOM (stock is shared by
	the item's rows, so they must count alike)."""
	rows = list(rows)
	factors: dict[str, set[float]] = {}
	for row in rows:
		factors.setdefault(row.item_code, set()).add(row.conversion_factor or 1.0)
	return {
		row.key: (row.conversion_factor or 1.0) if len(factors[row.item_code]) == 1 else 1.0 for row in rows
	}


def stock_in_units(free: float, factor: float, whole_numbers: bool) -> float:
	"""Free stock counted in allocated units: only whole boxes when boxes are counted whole."""
	units = free / factor
	return float(int(units + EPSILON)) if whole_numbers and factor != 1.0 else units


# Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRow:
	line: str  # the original row's key
	warehouse: str | None  # None: unallocated, stays on the row's own warehouse unreserved
	qty: float  # in allocated units (see allocation_units)
	reserved: bool


def planned_rows(line_keys: Sequence[str], allocation: Allocation) -> list[PlannedRow]:
	"""One row per line and warehouse, in line order then warehouse order; the rest unreserved."""
	rows: list[PlannedRow] = []
	for key in line_keys:
		for warehouse, shares in allocation.shipments.items():
			if shares.get(key, 0) > EPSILON:
				rows.append(PlannedRow(key, warehouse, shares[key], True))
		left = allocation.unallocated.get(key, 0.0)
		if left > EPSILON:
			rows.append(PlannedRow(key, None, left, False))
	return rows


def nothing_available(allocation: Allocation, total_qty: float) -> bool:
	return not allocation.shipments and total_qty > EPSILON


# Picking ------------------------------------------------------------------------------------


def picks_only_reserved_warehouses(locations: Iterable[tuple[str | None, str | None]]) -> bool:
	"""(picked from, reserved in) per location: a pick list that takes every row from the warehouse the
	row is reserved in cannot take stock another order holds."""
	locations = list(locations)
	return bool(locations) and all(picked and picked == reserved for picked, reserved in locations)


# Reservation --------------------------------------------------------------------------------


def reservation_problem(
	item: str, warehouse: str, wanted: float, actual: float, reserved_by_others: float
) -> errors.DomainError | None:
	"""Why ``wanted`` units cannot be reserved, read under the Bin's lock; None when they can."""
	free = actual - reserved_by_others
	if wanted > free + EPSILON:
		return errors.CannotReserve(
			item=item, warehouse=warehouse, wanted=f"{wanted:g}", free=f"{max(free, 0):g}"
		)
	return None


def reservation_caps(
	rows: Iterable[tuple[str, tuple[str, str], float]],
	free: Mapping[tuple[str, str], float],
	partial: bool,
) -> dict[str, float]:
	"""Per row (key, (item, warehouse), units wanted), what it may reserve of ``free`` (read under the
	Bins' locks), the rows taking the stock of their pair in order. Without partial reservation a row
	gets all it wants or nothing, and what it does not take is left for the rows after it."""
	left = dict(free)
	caps = {}
	for key, pair, wanted in rows:
		available = max(left.get(pair, 0.0), 0.0)
		cap = min(wanted, available)
		if not partial and cap < wanted - EPSILON:
			cap = 0.0
		caps[key] = cap
		left[pair] = available - cap
	return caps


def shortage_floor(
	wanted: Iterable[tuple[tuple[str, str], float]], free: Mapping[tuple[str, str], float]
) -> dict[tuple[str, str], float]:
	"""Per (item, warehouse), how short the latest stock leaves these rows: what they want beyond
	what is free (read under the Bins' locks); only the pairs that are short."""
	totals: dict[tuple[str, str], float] = {}
	for pair, qty in wanted:
		totals[pair] = totals.get(pair, 0.0) + qty
	return {
		pair: qty - max(free.get(pair, 0.0), 0.0)
		for pair, qty in totals.items()
		if qty - max(free.get(pair, 0.0), 0.0) > EPSILON
	}


def pending_stock_qty(
	stock_qty: float, delivered_qty: float, conversion_factor: float, picked_qty: float = 0.0
) -> float:
	"""What of an order line is still to go out, in stock units: ordered less delivered (delivered is
	counted in the line's unit) and, when picking, less what is already picked."""
	return (stock_qty or 0.0) - max(picked_qty or 0.0, (delivered_qty or 0.0) * (conversion_factor or 0.0))


def needs_prepayment(channel_prepaid: bool, advance_paid: float, grand_total: float) -> bool:
	"""A released order from a channel that collected the money gets its advance Payment Entry once:
	not when the channel does not collect, nor when the order is already paid in advance."""
	return bool(channel_prepaid) and (advance_paid or 0.0) < (grand_total or 0.0)


RELEASE, RESERVE, KEEP = "release", "reserve", "keep"


def reservation_on_status_change(status: str, reserves_stock: bool, approval_pending: bool) -> str:
	"""What a status change does to an order's reservations: Close releases them (ERPNext would keep
	stock nobody will ship); Re-open / Resume ("Draft") reserves what is free again, unless approval
	is still pending (the release of approval reserves then); everything else keeps them."""
	if status == "Closed":
		return RELEASE
	if status == "Draft" and reserves_stock and not approval_pending:
		return RESERVE
	return KEEP


FULL, REFUSE, LEAVE_OUT, CAP = "full", "refuse", "leave out", "cap"


def reservation_outcome(wanted: float, cap: float, refuse_backorders: bool) -> str:
	"""What one order row's reservation becomes, given what the latest stock lets it reserve: all it
	wants; refused (the company refuses backorders); nothing (a backorder, left out of the reserving);
	or part of it (capped at what is free)."""
	if wanted <= 0 or cap >= wanted - 1e-9:
		return FULL
	if refuse_backorders:
		return REFUSE
	return LEAVE_OUT if cap <= 0 else CAP


def per_warehouse(rows: Iterable[tuple[str | None, object]]) -> list[tuple[str, list]]:
	"""(warehouse, its rows) for each warehouse in name order, rows in their order: one document per
	warehouse. Rows without a warehouse (a service line) come first, together, under ""."""
	grouped: dict[str, list] = {}
	for warehouse, row in rows:
		grouped.setdefault(warehouse or "", []).append(row)
	return sorted(grouped.items(), key=lambda group: group[0])

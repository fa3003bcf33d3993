"""Available to promise (ATP) while an order is entered, per line and per warehouse.

ATP of an item in a warehouse = actual stock - what submitted, undelivered orders already hold.
ERPNext's Bin keeps the latter as ``reserved_qty`` (every submitted, undelivered Sales Order line,
whether or not it also has a Stock Reservation Entry), so reserved stock is counted once. Lines of
the order being entered consume ATP in row order, so two lines of the same item never both see the
same units. Quantities are in the stock UOM; a line's quantity is converted with its factor.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

GREEN, ORANGE, RED = "Green", "Orange", "Red"


@dataclass(frozen=True)
class StockLine:
	row: int
	item_code: str
	warehouse: str | None
	qty: float
	conversion_factor: float = 1.0
	is_stock_item: bool = True

	@property
	def stock_qty(self) -> float:
		return self.qty * self.conversion_factor


@dataclass(frozen=True)
class BinQty:
	actual: float = 0.0
	reserved: float = 0.0  # submitted, undelivered orders (Bin.reserved_qty)


@dataclass(frozen=True)
class Incoming:
	item_code: str
	warehouse: str
	date: datetime.date
	qty: float  # still to be received, in stock UOM


@dataclass(frozen=True)
class LineAvailability:
	row: int
	item_code: str
	warehouse: str | None
	required: float
	available: float  # ATP in the line's warehouse left for this line
	company_available: float  # ATP over all the company's warehouses left for this line
	status: str
	earliest_date: datetime.date | None
	by_warehouse: Mapping[str, float] = field(default_factory=dict)

	@property
	def shortage(self) -> float:
		return max(0.0, self.required - max(self.available, 0.0))


def atp(bin_qty: BinQty) -> float:
	return bin_qty.actual - bin_qty.reserved


def check_availability(
	lines: Iterable[StockLine],
	bins: Mapping[tuple[str, str], BinQty],
	warehouses: Iterable[str],
	incoming: Iterable[Incoming] = (),
	today: datetime.date | None = None,
	own_reserved: Mapping[tuple[str, str], float] | None = None,
) -> list[LineAvailability]:
	"""Availability per line.

	``warehouses``: the company's warehouses, for the per-warehouse view and the orange status.
	``own_reserved``: what this order itself already holds in the Bin (when it is submitted),
	which must not count against it.
	"""
	today = today or datetime.date.today()
	warehouses = sorted(set(warehouses))
	left: dict[tuple[str, str], float] = defaultdict(float)
	for key, qty in bins.items():
		left[key] = atp(qty)
	for key, qty in (own_reserved or {}).items():
		left[key] += qty
	arrivals: dict[tuple[str, str], list[Incoming]] = defaultdict(list)
	for supply in sorted(incoming, key=lambda s: (s.date, s.warehouse)):
		arrivals[(supply.item_code, supply.warehouse)].append(supply)

	results = []
	for line in sorted(lines, key=lambda ln: ln.row):
		required = line.stock_qty
		if not line.is_stock_item:
			results.append(
				LineAvailability(
					line.row, line.item_code, line.warehouse, required, required, required, GREEN, today
				)
			)
			continue
		by_warehouse = {wh: left[(line.item_code, wh)] for wh in warehouses}
		company_available = sum(max(v, 0.0) for v in by_warehouse.values())
		key = (line.item_code, line.warehouse or "")
		available = left[key] if line.warehouse else 0.0
		if line.warehouse and available >= required:
			status, earliest = GREEN, today
		else:
			earliest = _covered_on(available, required, arrivals.get(key, ()))
			status = ORANGE if company_available >= required or earliest is not None else RED
		results.append(
			LineAvailability(
				line.row,
				line.item_code,
				line.warehouse,
				required,
				available,
				company_available,
				status,
				earliest,
				by_warehouse,
			)
		)
		if line.warehouse:
			left[key] -= required
	return results


def _covered_on(available: float, required: float, arrivals: Iterable[Incoming]) -> datetime.date | None:
	"""The first arrival date by which stock plus arrivals cover ``required``."""
	have = available
	for supply in arrivals:
		have += supply.qty
		if have >= required:
			return supply.date
	return None

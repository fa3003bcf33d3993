"""Multi-warehouse allocation at the lowest shipping cost (exact, by mixed-integer programming).

Each warehouse that ships part of an order sends one parcel. Shipping a parcel from a warehouse
costs a fixed amount plus a rate per kg (both from its region to the customer's region), and each
parcel beyond the first adds a split penalty. The allocator chooses how many units of every line
each warehouse ships, subject to stock (shared by lines of the same item), the rules that pin or
exclude warehouses per line, and the strategy's limit on parcels:

- ``cheapest``: minimise shipping cost + split penalties;
- ``fewest_parcels``: fewest parcels first, then cost;
- ``fastest``: shortest transit (the slowest parcel) first, then cost.

What no warehouse can supply is left unallocated (and handed to the shortage alerts); the solver
minimises it before anything else. Ties are broken by warehouse order, so the same input always
gives the same answer. Solved with HiGHS through ``scipy.optimize.milp``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

CHEAPEST, FEWEST_PARCELS, FASTEST = "cheapest", "fewest_parcels", "fastest"
STRATEGIES = (CHEAPEST, FEWEST_PARCELS, FASTEST)


@dataclass(frozen=True)
class Line:
	key: str
	item_code: str
	qty: float
	weight_per_unit: float
	allowed: frozenset[str] | None = None  # None: every warehouse


@dataclass(frozen=True)
class Lane:
	"""Shipping from one warehouse to the order's destination."""

	fixed: float  # per parcel
	per_kg: float
	transit_days: float = 0.0


@dataclass(frozen=True)
class Problem:
	lines: tuple[Line, ...]
	lanes: Mapping[str, Lane]  # warehouse -> lane to the destination; order = tie-break order
	stock: Mapping[tuple[str, str], float]  # (item, warehouse) -> available
	split_penalty: float = 0.0
	strategy: str = CHEAPEST
	max_parcels: int = 0  # 0: no limit


@dataclass(frozen=True)
class Allocation:
	shipments: Mapping[str, Mapping[str, float]]  # warehouse -> line key -> qty
	unallocated: Mapping[str, float]  # line key -> qty nobody could supply
	cost: float  # shipping + split penalties of the chosen parcels
	shipping_cost: float
	parcels: int
	transit_days: float
	breakdown: Mapping[str, float] = field(default_factory=dict)  # warehouse -> parcel cost

	@property
	def warehouses(self) -> tuple[str, ...]:
		return tuple(self.shipments)


def parcel_cost(lane: Lane, kg: float) -> float:
	return lane.fixed + lane.per_kg * kg


def evaluate(problem: Problem, shipments: Mapping[str, Mapping[str, float]]) -> Allocation:
	"""Cost and shape of a given assignment (used for the optimum, alternatives and baselines)."""
	lines = {line.key: line for line in problem.lines}
	shipments = {w: {k: q for k, q in s.items() if q > 1e-9} for w, s in shipments.items()}
	shipments = {w: s for w, s in shipments.items() if s}
	breakdown = {
		w: parcel_cost(problem.lanes[w], sum(q * lines[k].weight_per_unit for k, q in s.items()))
		for w, s in shipments.items()
	}
	shipped = defaultdict(float)
	for s in shipments.values():
		for k, q in s.items():
			shipped[k] += q
	unallocated = {k: line.qty - shipped[k] for k, line in lines.items() if line.qty - shipped[k] > 1e-9}
	parcels = len(shipments)
	shipping = sum(breakdown.values())
	return Allocation(
		shipments=shipments,
		unallocated=unallocated,
		cost=shipping + problem.split_penalty * max(0, parcels - 1),
		shipping_cost=shipping,
		parcels=parcels,
		transit_days=max((problem.lanes[w].transit_days for w in shipments), default=0.0),
		breakdown=breakdown,
	)


def allocate(problem: Problem) -> Allocation:
	warehouses = list(problem.lanes)
	lines = list(problem.lines)
	if not lines or not warehouses:
		return evaluate(problem, {})
	n_l, n_w = len(lines), len(warehouses)
	# Only pairs that can ship anything get a variable: allowed, and the warehouse stocks the item.
	pairs = [
		(li, wi, min(line.qty, problem.stock.get((line.item_code, w), 0.0)))
		for li, line in enumerate(lines)
		for wi, w in enumerate(warehouses)
		if (line.allowed is None or w in line.allowed) and problem.stock.get((line.item_code, w), 0.0) > 0
	]
	# Variables: x per pair (units), y[w] (a parcel from w), u[l] (unallocated units), t (slowest transit).
	nx = len(pairs)
	iy, iu, it = nx, nx + n_w, nx + n_w + n_l
	n = it + 1

	unit_costs = [problem.lanes[warehouses[wi]].per_kg * lines[li].weight_per_unit for li, wi, _ in pairs]
	parcel_fixed = [problem.lanes[w].fixed + problem.split_penalty for w in warehouses]
	total_units = sum(line.qty for line in lines)
	worst_cost = sum(parcel_fixed) + max(unit_costs, default=0.0) * total_units + 1.0
	c = np.zeros(n)
	c[:nx] = unit_costs
	# Tie-break: prefer earlier warehouses (a tiny cost per parcel, by position).
	c[iy : iy + n_w] = np.array(parcel_fixed) + 1e-7 * worst_cost * np.arange(1, n_w + 1) / n_w
	goal = 0.0
	if problem.strategy == FEWEST_PARCELS:
		goal = worst_cost * 1.01
		c[iy : iy + n_w] += goal
	elif problem.strategy == FASTEST:
		goal = worst_cost * 1.01
		c[it] = goal
	# Leaving a unit out must cost more than any way of shipping it.
	max_days = max((lane.transit_days for lane in problem.lanes.values()), default=0.0)
	c[iu : iu + n_l] = worst_cost + goal * (n_w + max_days) + 1.0

	rows, cols, vals, lower, upper = [], [], [], [], []

	def add_row(entries, lo, hi):
		r = len(lower)
		for col, value in entries:
			rows.append(r)
			cols.append(col)
			vals.append(value)
		lower.append(lo)
		upper.append(hi)

	by_line = defaultdict(list)
	by_item_wh = defaultdict(list)
	for k, (li, wi, _cap) in enumerate(pairs):
		by_line[li].append(k)
		by_item_wh[(lines[li].item_code, wi)].append(k)
	for li, line in enumerate(lines):  # every unit is shipped or unallocated
		add_row([(k, 1.0) for k in by_line[li]] + [(iu + li, 1.0)], line.qty, line.qty)
	for (item, wi), members in by_item_wh.items():  # stock is shared by the item's lines
		if len(members) > 1:
			add_row([(k, 1.0) for k in members], -np.inf, problem.stock.get((item, warehouses[wi]), 0.0))
	for k, (_li, wi, cap) in enumerate(pairs):  # a warehouse ships only in its parcel
		add_row([(k, 1.0), (iy + wi, -cap)], -np.inf, 0.0)
	if problem.max_parcels:
		add_row([(iy + wi, 1.0) for wi in range(n_w)], -np.inf, problem.max_parcels)
	if problem.strategy == FASTEST:
		for wi, w in enumerate(warehouses):
			add_row([(it, 1.0), (iy + wi, -problem.lanes[w].transit_days)], 0.0, np.inf)

	a = coo_matrix((vals, (rows, cols)), shape=(len(lower), n)).tocsr()
	ub = np.full(n, np.inf)
	ub[:nx] = [cap for _, _, cap in pairs]
	ub[iy : iy + n_w] = 1.0
	ub[iu : iu + n_l] = [line.qty for line in lines]
	# Only the parcels are integer: once they are fixed, the rest is a flow problem whose optimal
	# vertex is integral when quantities and stock are.
	integrality = np.zeros(n)
	integrality[iy : iy + n_w] = 1
	constraints = LinearConstraint(a, np.array(lower), np.array(upper))
	x = _solve(c, constraints, np.zeros(n), ub, integrality)
	integral = all(float(line.qty).is_integer() for line in lines)
	if integral and np.any(np.abs(x[:nx] - np.round(x[:nx])) > 1e-6):
		# The parcels are optimal; among equally cheap ways to fill them the solver may have
		# returned a fractional mix. With the parcels fixed, the simplex method lands on a vertex
		# of the flow problem, which is integral.
		lb, fixed_ub = np.zeros(n), ub.copy()
		lb[iy : iy + n_w] = fixed_ub[iy : iy + n_w] = np.round(x[iy : iy + n_w])
		x = _solve(c, constraints, lb, fixed_ub, None)
	shipments: dict[str, dict[str, float]] = {}
	for k, (li, wi, _cap) in enumerate(pairs):
		qty = float(x[k])
		qty = float(round(qty)) if integral else qty
		if qty > 1e-9:
			shipments.setdefault(warehouses[wi], {})[lines[li].key] = qty
	return evaluate(problem, shipments)


def _solve(c, constraints, lb, ub, integrality) -> np.ndarray:
	result = milp(
		c,
		constraints=constraints,
		bounds=Bounds(lb, ub),
		integrality=integrality,
		options={"presolve": True, "mip_rel_gap": 0.0},  # proven optimal, not merely close
	)
	if result.x is None:  # cannot happen: "all unallocated" is always feasible
		raise RuntimeError(f"allocation solver failed: {result.message}")
	return result.x


def best_single_warehouse(problem: Problem) -> Allocation | None:
	"""The cheapest single warehouse that can ship the whole order, if any."""
	best = None
	for w, _lane in problem.lanes.items():
		need = defaultdict(float)
		for line in problem.lines:
			if line.allowed is not None and w not in line.allowed:
				break
			need[line.item_code] += line.qty
		else:
			if all(problem.stock.get((item, w), 0.0) >= qty - 1e-9 for item, qty in need.items()):
				candidate = evaluate(problem, {w: {line.key: line.qty for line in problem.lines}})
				if best is None or candidate.cost < best.cost - 1e-9:
					best = candidate
	return best


@dataclass(frozen=True)
class Explanation:
	allocation: Allocation
	single: Allocation | None  # the best single-warehouse alternative
	saving: float | None  # how much the chosen allocation saves against it

	def lines(self) -> list[str]:
		out = [
			f"{w}: {', '.join(f'{k} x {q:g}' for k, q in s.items())} — {self.allocation.breakdown[w]:.2f}"
			for w, s in self.allocation.shipments.items()
		]
		if self.single is not None:
			out.append(
				f"single warehouse {self.single.warehouses[0]}: {self.single.cost:.2f} (saves {self.saving:.2f})"
			)
		return out


def explain(problem: Problem, allocation: Allocation) -> Explanation:
	single = best_single_warehouse(problem)
	return Explanation(allocation, single, None if single is None else single.cost - allocation.cost)


def all_lines_allowed(lines: Sequence[Line]) -> bool:
	return all(line.allowed is None for line in lines)

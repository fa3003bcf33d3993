"""Multi-warehouse allocation at the lowest shipping cost (exact: proven optimal).

Each warehouse that ships part of an order sends one parcel. Shipping a parcel from a warehouse
costs a fixed amount plus a rate per kg (both from its region to the customer's region), and each
parcel beyond the first adds a split penalty. The allocator chooses how many units of every line
each warehouse ships, subject to stock (shared by lines of the same item), the rules that pin or
exclude warehouses per line, and the strategy's limit on parcels:

- ``cheapest``: minimise shipping cost + split penalties;
- ``fewest_parcels``: fewest parcels first, then cost;
- ``fastest``: shortest transit (the slowest parcel) first, then cost.

What no warehouse can supply is left unallocated (and handed to the shortage alerts); the solver
minimises it before anything else.

Solved by a branch and bound over which warehouses ship (``_search_shipments``): a few milliseconds
for 50 lines and 20 warehouses. Where it does not apply (lines of one item that differ in weight or
allowed warehouses, a parcel limit that leaves units unallocated, negative rates) or runs out of its
budget, a mixed-integer program solved by HiGHS (``scipy.optimize.milp``) gives the same optimum.
Both are deterministic, so the same input always gives the same answer; among equally cheap
answers the search keeps the first it finds (cheaper rate per kg first), the MILP prefers earlier
warehouses.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

# numpy and scipy are imported where the MILP runs (rarely: the search solves most orders). Loading
# them costs about 0.9 s, which every RQ job (a fresh process) and every cold start would pay.

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
	if not problem.lines or not problem.lanes:
		return evaluate(problem, {})
	try:
		shipments = _search_shipments(problem)
	except _TooHard:
		shipments = None
	if shipments is None:
		shipments = _milp_shipments(problem)
	return evaluate(problem, shipments)


# Branch and bound --------------------------------------------------------------------------------
#
# Lines of one item that are interchangeable (same weight, same allowed warehouses) are merged into a
# group, so every group has its own stock. Every warehouse then has one rate per kg for all groups,
# and for a fixed set of open warehouses each group simply fills up from the open warehouse with the
# lowest rate per kg onwards. The search decides the warehouses in that order, so everything
# decided so far is final: what the group still needs must come from dearer warehouses.


class _TooHard(Exception):
	"""The search ran out of its node budget: the MILP takes over."""


# Nodes x (groups + warehouses) the search may visit before it hands over: about the time of a hard
# MILP (~70 ms). The benchmark's orders need at most a few hundred nodes.
_WORK_BUDGET = 400_000


def _search_shipments(problem: Problem) -> dict[str, dict[str, float]] | None:
	"""The optimal shipments, or None where the search does not apply (then the MILP solves it)."""
	warehouses, lanes, stock = list(problem.lanes), list(problem.lanes.values()), problem.stock
	numbers = [problem.split_penalty] + [line.weight_per_unit for line in problem.lines]
	numbers += [x for lane in lanes for x in (lane.fixed, lane.per_kg)]
	if not all(math.isfinite(x) and x >= 0 for x in numbers):
		return None  # the bounds below assume nothing pays for being shipped
	groups: dict[tuple, list[Line]] = {}
	for line in problem.lines:
		groups.setdefault((line.item_code, line.weight_per_unit, line.allowed), []).append(line)
	if len({item for item, _, _ in groups}) < len(groups):
		return None  # lines of one item that differ compete for its stock: a flow, not a fill

	# Per group: what each warehouse can supply, and the demand = all that any warehouses can supply
	# (unallocated units come first in the objective, and groups do not compete).
	needs = []  # (group lines, weight, demand, {warehouse index: capacity})
	for (item, weight, allowed), members in groups.items():
		qty = sum(line.qty for line in members)
		caps = {}
		for wi, w in enumerate(warehouses):
			if allowed is None or w in allowed:
				cap = stock.get((item, w), 0.0)
				if cap > _EPS:
					caps[wi] = cap if cap < qty else qty
		demand = min(qty, sum(caps.values()))
		if demand > _EPS:
			needs.append((members, weight, demand, caps))
	served = defaultdict(int)  # warehouse -> how many groups it can serve
	for *_, caps in needs:
		for wi in caps:
			served[wi] += 1
	useful = sorted(served)

	def search(candidates, max_open, count=False):
		"""The cheapest (or with ``count``, the fewest) warehouses that meet every demand with at most
		``max_open`` parcels, as indices; None if there are none."""
		if count:  # costs play no part, so any order will do: the widest-reaching first find covers soonest
			order = sorted(candidates, key=lambda wi: (-served[wi], wi))
		else:
			order = sorted(candidates, key=lambda wi: (lanes[wi].per_kg, wi))
		fixed = [1.0 if count else lanes[wi].fixed + problem.split_penalty for wi in order]
		position = {wi: k for k, wi in enumerate(order)}
		entries = [
			sorted(
				(position[wi], cap, 0.0 if count else weight * lanes[wi].per_kg)
				for wi, cap in caps.items()
				if wi in position
			)
			for _, weight, _, caps in needs
		]
		opened = _branch_and_bound(entries, [demand for _, _, demand, _ in needs], fixed, max_open, count)
		return None if opened is None else [order[k] for k in opened]

	def coverable(candidates):
		"""Whether these warehouses can meet every demand within the parcel limit."""
		if problem.max_parcels:
			return search(candidates, problem.max_parcels, count=True) is not None
		return all(sum(caps.get(wi, 0.0) for wi in candidates) >= demand - _EPS for *_, demand, caps in needs)

	chosen = None
	if not needs:
		chosen = []
	elif problem.strategy == FEWEST_PARCELS:  # the fewest parcels, then the cheapest with that many
		fewest = search(useful, problem.max_parcels, count=True)
		if fewest is not None:
			chosen = search(useful, len(fewest))
	elif problem.strategy == FASTEST:  # the nearest warehouses that can ship it all, then the cheapest
		for days in sorted({lanes[wi].transit_days for wi in useful}):
			near = [wi for wi in useful if lanes[wi].transit_days <= days]
			if coverable(near):
				chosen = search(near, problem.max_parcels)
				break
	else:  # the cheapest; a parcel limit matters only if that answer breaks it
		chosen = search(useful, 0)
		if problem.max_parcels and len(chosen) > problem.max_parcels:
			chosen = search(useful, problem.max_parcels) if coverable(useful) else None
	if chosen is None:
		return None  # the parcel limit leaves units unallocated: which ones is the MILP's to choose

	# Fill each group from the chosen warehouses by rate per kg, and hand the units to its lines in turn.
	chosen.sort(key=lambda wi: (lanes[wi].per_kg, wi))
	shipments: dict[int, dict[str, float]] = defaultdict(dict)
	for members, _, demand, caps in needs:
		left = [[line.key, line.qty] for line in members]
		line_at = 0
		for wi in chosen:
			take = min(caps.get(wi, 0.0), demand)
			demand -= take
			while take > _EPS and line_at < len(left):
				part = min(take, left[line_at][1])
				shipments[wi][left[line_at][0]] = shipments[wi].get(left[line_at][0], 0.0) + part
				left[line_at][1] -= part
				take -= part
				if left[line_at][1] <= _EPS:
					line_at += 1
	return {warehouses[wi]: shipments[wi] for wi in sorted(shipments)}


_EPS = 1e-9


def _branch_and_bound(entries, demand, fixed, max_open, integral) -> list[int] | None:
	"""The cheapest set of facilities that meets every demand (and opens at most ``max_open``).

	``entries[g]`` lists ``(facility, capacity, cost per unit)`` for the facilities that can serve
	group g, by facility; facilities are numbered so that each group's unit cost never decreases
	(the rate per kg order). Opening facility k costs ``fixed[k]``. Facilities are decided in order, so
	the units a group takes from an open facility are final: ``need`` is what it still lacks.

	Lower bound: the Lagrangian relaxation of "each group gets its demand" with a price per unit
	``price[g]``: bound = cost so far + sum(need * price) - sum over undecided facilities of
	max(0, what the groups would pay it at those prices - its fixed cost). It holds for any prices;
	coordinate ascent (each group's best price, the others' fixed) makes it strong, and after a
	decision only the groups the facility serves are re-priced. ``claim[k]`` is what the groups would
	pay facility k. Returns the open facilities, or None if no allowed set meets the demand.
	"""
	m, n = len(fixed), len(demand)
	budget = _WORK_BUDGET // (m + n)
	if m > 500:  # one level of recursion per facility
		raise _TooHard
	served_by = [[] for _ in range(m)]  # facility -> (group, capacity, unit cost)
	first = []  # first[g][k]: where facilities k.. start in entries[g]
	tail = []  # tail[g][i]: capacity of entries[g][i:]
	for g, row in enumerate(entries):
		for k, cap, cost in row:
			served_by[k].append((g, cap, cost))
		ks = [k for k, _, _ in row]
		first.append([bisect_left(ks, k) for k in range(m + 1)])
		tail.append([*accumulate((cap for _, cap, _ in reversed(row)), initial=0.0)][::-1])
	beat, best_open = math.inf, None  # a new solution must cost less than ``beat``
	nodes = 0

	def reprice(g, k0, old_need, new_need, price, claim):
		"""Take group g's claims off facilities after k0, then re-price it for ``new_need`` units.
		Returns the change in its need x price."""
		row = entries[g][first[g][k0 + 1] :]  # unit costs never decrease along it
		p = price[g]
		before = old_need * p
		if old_need > 0:
			for k, cap, cost in row:
				if p <= cost:
					break
				claim[k] -= (cap if cap < old_need else old_need) * (p - cost)
		if new_need <= 0:
			return -before
		# The best price: the unit cost at which the facilities that would start charging group g
		# (in the order they would) can supply its need.
		steps = []
		for k, cap, cost in row:
			slack = fixed[k] - claim[k]
			cap = cap if cap < new_need else new_need
			steps.append((cost + slack / cap if slack > 0 else cost, cap))
		steps.sort()
		left, p = new_need - _EPS, steps[-1][0]
		for step, cap in steps:
			left -= cap
			if left <= 0:
				p = step
				break
		price[g] = p
		for k, cap, cost in row:
			if p <= cost:
				break
			claim[k] += (cap if cap < new_need else new_need) * (p - cost)
		return new_need * p - before

	def visit(k, need, price, claim, cost, worth, opened, short):
		"""``worth``: sum of need x price."""
		nonlocal beat, best_open, nodes
		if not short:
			if cost < beat:
				beat, best_open = cost - _EPS * max(1.0, cost), list(opened)
			return
		if k == m or (max_open and len(opened) >= max_open):
			return
		if max_open and max_open - len(opened) < short:
			# Each further parcel serves at most the groups its facility can: can they be enough?
			reach = sorted((sum(need[g] > 0 for g, _, _ in served_by[i]) for i in range(k, m)), reverse=True)
			if sum(reach[: max_open - len(opened)]) < short:
				return
		bound = cost + worth
		bound -= sum(claim[i] - fixed[i] for i in range(k, m) if claim[i] > fixed[i])
		if integral:
			bound = math.ceil(bound - 1e-6)
		if bound >= beat:
			return
		nodes += 1
		if nodes > budget:
			raise _TooHard
		users = [(g, cap, unit) for g, cap, unit in served_by[k] if need[g] > 0]
		if not users:
			visit(k + 1, need, price, claim, cost, worth, opened, short)
			return
		# Dive first into what the prices favour: open the facility if they would pay for it.
		for open_it in (True, False) if claim[k] >= fixed[k] else (False, True):
			need2, price2, claim2, worth2 = need[:], price[:], claim[:], worth
			if open_it:
				cost2, short2 = cost + fixed[k], short
				for g, cap, unit in users:
					take = min(cap, need[g])
					cost2 += take * unit
					need2[g] = need[g] - take if need[g] - take > _EPS else 0.0
					short2 -= need2[g] == 0.0
					worth2 += reprice(g, k, need[g], need2[g], price2, claim2)
				visit(k + 1, need2, price2, claim2, cost2, worth2, [*opened, k], short2)
			elif all(need[g] <= tail[g][first[g][k + 1]] + _EPS for g, _, _ in users):
				for g, _, _ in users:
					worth2 += reprice(g, k, need[g], need[g], price2, claim2)
				visit(k + 1, need2, price2, claim2, cost, worth2, opened, short)

	need = list(demand)
	if any(q > tail[g][0] + _EPS for g, q in enumerate(need)):
		return None
	price = [min(cost for _, _, cost in row) for row in entries]  # no claims yet
	claim = [0.0] * m
	for _ in range(3):  # a few rounds of ascent at the root; deeper nodes start from their parent
		for g in range(n):
			reprice(g, -1, need[g], need[g], price, claim)
	visit(0, need, price, claim, 0.0, sum(q * p for q, p in zip(need, price, strict=True)), [], n)
	return best_open


# MILP --------------------------------------------------------------------------------------------


def _milp_shipments(problem: Problem) -> dict[str, dict[str, float]]:
	import numpy as np
	from scipy.optimize import LinearConstraint
	from scipy.sparse import coo_matrix

	warehouses = list(problem.lanes)
	lines = list(problem.lines)
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
	return shipments


def _solve(c, constraints, lb, ub, integrality):
	from scipy.optimize import Bounds, milp

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

"""The allocator against brute force on small random instances: equal optimum, rules kept, deterministic."""

import itertools
import os
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_online.domain.allocation import (
	CHEAPEST,
	FASTEST,
	FEWEST_PARCELS,
	Lane,
	Line,
	Problem,
	_milp_shipments,
	_search_shipments,
	allocate,
	evaluate,
	explain,
)

# ALLOCATION_EXAMPLES=20 runs twenty times the examples (for changes to the allocator).
SCALE = int(os.environ.get("ALLOCATION_EXAMPLES", "1"))


def _splits(qty: int, slots: int):
	"""Every way to put ``qty`` units into ``slots`` ordered slots."""
	if slots == 1:
		yield (qty,)
		return
	for first in range(qty + 1):
		for rest in _splits(qty - first, slots - 1):
			yield (first, *rest)


def goal_key(problem: Problem, allocation):
	unallocated = sum(allocation.unallocated.values())
	goal = {CHEAPEST: 0, FEWEST_PARCELS: allocation.parcels, FASTEST: allocation.transit_days}[
		problem.strategy
	]
	return (round(unallocated, 6), goal, round(allocation.cost, 6))


def brute_force(problem: Problem):
	warehouses = list(problem.lanes)
	options = []
	for line in problem.lines:
		allowed = [w for w in warehouses if line.allowed is None or w in line.allowed]
		per_line = []
		for split in _splits(int(line.qty), len(allowed) + 1):  # last slot: unallocated
			per_line.append({w: q for w, q in zip(allowed, split[:-1], strict=True) if q})
		options.append(per_line)
	best = None
	for choice in itertools.product(*options):
		used = defaultdict(float)
		shipments = defaultdict(dict)
		for line, dist in zip(problem.lines, choice, strict=True):
			for w, q in dist.items():
				used[(line.item_code, w)] += q
				shipments[w][line.key] = q
		if any(q > problem.stock.get(key, 0) for key, q in used.items()):
			continue
		allocation = evaluate(problem, shipments)
		if problem.max_parcels and allocation.parcels > problem.max_parcels:
			continue
		if best is None or goal_key(problem, allocation) < goal_key(problem, best):
			best = allocation
	return best


@st.composite
def problems(draw, max_warehouses=3, max_lines=3, max_qty=3):
	n_w = draw(st.integers(1, max_warehouses))
	warehouses = [f"W{i}" for i in range(n_w)]
	items = ["A", "B"] if max_lines <= 3 else ["A", "B", "C", "D", "E", "F"]
	weights = [0.5, 1.0, 2.5]

	def allowed_set():
		if draw(st.booleans()):
			return frozenset(
				draw(st.lists(st.sampled_from(warehouses), min_size=1, max_size=n_w, unique=True))
			)
		return None

	# As in orders, an item's lines usually share its weight and rules (the search merges them);
	# lines of one item that differ are left to the MILP.
	per_item = draw(st.booleans())
	item_weight = {item: draw(st.sampled_from(weights)) for item in items}
	item_allowed = {item: allowed_set() for item in items}
	lines = []
	for i in range(draw(st.integers(1, max_lines))):
		item = draw(st.sampled_from(items))
		weight = item_weight[item] if per_item else draw(st.sampled_from(weights))
		allowed = item_allowed[item] if per_item else allowed_set()
		lines.append(Line(f"L{i}", item, draw(st.integers(1, max_qty)), weight, allowed))
	lanes = {
		w: Lane(draw(st.integers(0, 20)), draw(st.integers(0, 5)), draw(st.integers(1, 5)))
		for w in warehouses
	}
	stock = {(item, w): draw(st.integers(0, max_qty + 1)) for item in items for w in warehouses}
	return Problem(
		tuple(lines),
		lanes,
		stock,
		split_penalty=draw(st.sampled_from([0, 3, 10])),
		strategy=draw(st.sampled_from([CHEAPEST, FEWEST_PARCELS, FASTEST])),
		max_parcels=draw(st.integers(0, 2)),
	)


@settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_allocator_finds_the_brute_force_optimum(problem):
	best = goal_key(problem, brute_force(problem))
	assert goal_key(problem, allocate(problem)) == best
	# Both solvers, whichever allocate() picked.
	assert goal_key(problem, evaluate(problem, _milp_shipments(problem))) == best
	searched = _search_shipments(problem)
	assert searched is None or goal_key(problem, evaluate(problem, searched)) == best


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_warehouses=8, max_lines=12, max_qty=10))
def test_search_agrees_with_the_milp_on_larger_orders(problem):
	"""Too large for brute force: the branch and bound and the MILP reach the same optimum."""
	searched = _search_shipments(problem)
	milp = evaluate(problem, _milp_shipments(problem))
	if searched is not None:
		found = evaluate(problem, searched)
		assert goal_key(problem, found) == goal_key(problem, milp)
		_assert_feasible(problem, found)


def test_search_covers_orders_whose_lines_of_an_item_agree():
	"""Lines of one item with one weight and one rule are merged, and their units handed out in turn."""
	lanes = {"Near": Lane(10, 1), "Far": Lane(10, 5)}
	stock = {("A", "Near"): 4, ("A", "Far"): 10}
	problem = Problem((Line("1", "A", 3, 1.0), Line("2", "A", 3, 1.0)), lanes, stock, split_penalty=1)
	shipments = _search_shipments(problem)
	# Far alone: 10 + 5 x 6 = 40. Near's 4 units (10 + 4) and 2 from Far (10 + 10) + penalty 1 = 35.
	assert shipments == {"Near": {"1": 3, "2": 1}, "Far": {"2": 2}}
	assert evaluate(problem, shipments).cost == evaluate(problem, _milp_shipments(problem)).cost == 35


def test_a_search_out_of_budget_hands_over_to_the_milp(monkeypatch):
	from order_online.domain import allocation

	lanes = {"Far": Lane(fixed=10, per_kg=5), "Near": Lane(fixed=10, per_kg=1)}
	stock = {("A", "Far"): 10, ("B", "Far"): 10, ("A", "Near"): 10}
	problem = Problem((Line("1", "A", 10, 2.0), Line("2", "B", 1, 1.0)), lanes, stock, split_penalty=5)
	monkeypatch.setattr(allocation, "_WORK_BUDGET", 0)
	with pytest.raises(allocation._TooHard):
		_search_shipments(problem)
	assert allocate(problem).cost == 50


@settings(max_examples=100 * SCALE, deadline=None)
@given(problems())
def test_allocation_keeps_stock_rules_and_limits(problem):
	_assert_feasible(problem, allocate(problem))


def _assert_feasible(problem, found):
	lines = {line.key: line for line in problem.lines}
	used = defaultdict(float)
	for w, shipment in found.shipments.items():
		for key, qty in shipment.items():
			assert lines[key].allowed is None or w in lines[key].allowed
			used[(lines[key].item_code, w)] += qty
	assert all(qty <= problem.stock.get(key, 0) + 1e-9 for key, qty in used.items())
	if problem.max_parcels:
		assert found.parcels <= problem.max_parcels
	for line in problem.lines:
		shipped = sum(s.get(line.key, 0) for s in found.shipments.values())
		assert abs(shipped + found.unallocated.get(line.key, 0) - line.qty) < 1e-9


@settings(max_examples=50 * SCALE, deadline=None)
@given(problems(max_warehouses=6, max_lines=8, max_qty=6))
def test_same_input_same_answer(problem):
	assert allocate(problem) == allocate(problem)


def test_split_when_it_pays_and_explain_the_saving():
	lanes = {"Far": Lane(fixed=10, per_kg=5), "Near": Lane(fixed=10, per_kg=1)}
	stock = {("A", "Far"): 10, ("B", "Far"): 10, ("A", "Near"): 10}
	problem = Problem((Line("1", "A", 10, 2.0), Line("2", "B", 1, 1.0)), lanes, stock, split_penalty=5)
	found = allocate(problem)
	# Far alone: 10 + 5 x 21 kg = 115. Near for A (10 + 20) + Far for B (10 + 5) + penalty 5 = 50.
	assert found.shipments == {"Near": {"1": 10}, "Far": {"2": 1}}
	assert found.cost == 50
	why = explain(problem, found)
	assert why.single.warehouses == ("Far",) and why.saving == 65


def test_no_split_when_the_penalty_outweighs_it():
	lanes = {"Far": Lane(fixed=10, per_kg=2), "Near": Lane(fixed=10, per_kg=1)}
	stock = {("A", "Far"): 10, ("B", "Far"): 10, ("A", "Near"): 10}
	problem = Problem((Line("1", "A", 2, 1.0), Line("2", "B", 1, 1.0)), lanes, stock, split_penalty=50)
	assert allocate(problem).warehouses == ("Far",)


def test_short_stock_is_left_unallocated():
	problem = Problem((Line("1", "A", 5, 1.0),), {"W": Lane(1, 1)}, {("A", "W"): 3})
	found = allocate(problem)
	assert found.shipments == {"W": {"1": 3}} and found.unallocated == {"1": 2}

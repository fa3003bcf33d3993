"""Allocation benchmark (no site needed): the exact allocator against a greedy rule.

    python -m benchmarks.allocation [--orders 300] [--seed 7] [--compare-milp]

Orders are generated from a fixed seed:
- a network of 20 warehouses; for each order, fixed cost per parcel uniform in [8, 20], cost per kg
  uniform in [0.5, 3.0] and transit days 1-5 from each warehouse to the order's destination;
- 1-50 lines (uniform), each a distinct item weighing 0.1-5 kg, quantity 1-10;
- each item is stocked in a warehouse with probability 0.35, 0-30 units, so that one warehouse
  often cannot ship a whole order;
- split penalty 5 per extra parcel, strategy "cheapest", no limit on parcels.

Greedy baseline: the cheapest single warehouse that can ship everything; otherwise the nearest
warehouse (fewest transit days, then cheapest per kg) first, what it lacks from the next nearest,
and so on. Both are priced with the same cost function; units nobody has are left out of both.

The last line: ``RESULT alloc_p95_ms=<p95 over all orders> alloc_p95_50x20_ms=<p95 for 41-50
line orders> alloc_cost_vs_greedy=<total cost ratio> alloc_parcels_vs_greedy=<parcels ratio>
optimal_checked=<k>/<k>`` where the last checks the allocator against brute force on small
instances from the same seed. Targets: p95 <= 10 ms for 50 lines x 20 warehouses; cost below greedy.

``--compare-milp`` also times the MILP on the same orders (the allocator's fallback, and its solver
before the branch and bound) and checks that both reach the same cost on every order.
"""

import argparse
import random
import statistics
import time
from collections import defaultdict

from order_online.domain.allocation import (
	Lane,
	Line,
	Problem,
	_milp_shipments,
	allocate,
	best_single_warehouse,
	evaluate,
)

WAREHOUSES = [f"WH{i:02d}" for i in range(20)]
SPLIT_PENALTY = 5.0


def make_order(rng: random.Random, n_lines: int | None = None) -> Problem:
	n_lines = n_lines or rng.randint(1, 50)
	lanes = {w: Lane(rng.uniform(8, 20), rng.uniform(0.5, 3.0), rng.randint(1, 5)) for w in WAREHOUSES}
	lines, stock = [], {}
	for i in range(n_lines):
		item = f"I{i}"
		lines.append(Line(f"L{i}", item, rng.randint(1, 10), round(rng.uniform(0.1, 5.0), 2)))
		for w in WAREHOUSES:
			if rng.random() < 0.35:
				stock[(item, w)] = rng.randint(0, 30)
	return Problem(tuple(lines), lanes, stock, split_penalty=SPLIT_PENALTY)


def greedy(problem: Problem):
	single = best_single_warehouse(problem)
	if single is not None:
		return single
	order = sorted(problem.lanes, key=lambda w: (problem.lanes[w].transit_days, problem.lanes[w].per_kg, w))
	left = dict(problem.stock)
	shipments = defaultdict(dict)
	for line in problem.lines:
		need = line.qty
		for w in order:
			take = min(need, left.get((line.item_code, w), 0))
			if take > 0:
				shipments[w][line.key] = shipments[w].get(line.key, 0) + take
				left[(line.item_code, w)] -= take
				need -= take
			if need <= 0:
				break
	return evaluate(problem, shipments)


def p95(values: list[float]) -> float:
	ordered = sorted(values)
	return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else 0.0


def check_optimal(rng: random.Random, count: int) -> int:
	"""Small instances where brute force is possible: how many the allocator solves optimally."""
	from itertools import product

	ok = 0
	for _ in range(count):
		problem = make_order(rng, n_lines=rng.randint(1, 3))
		lanes = dict(list(problem.lanes.items())[:3])
		lines = tuple(Line(ln.key, ln.item_code, min(ln.qty, 3), ln.weight_per_unit) for ln in problem.lines)
		problem = Problem(lines, lanes, problem.stock, split_penalty=SPLIT_PENALTY)
		best = None
		splits = [
			[s for s in product(range(line.qty + 1), repeat=len(lanes)) if sum(s) <= line.qty]
			for line in lines
		]
		for choice in product(*splits):
			used, shipments = defaultdict(float), defaultdict(dict)
			for line, split in zip(lines, choice, strict=True):
				for w, q in zip(lanes, split, strict=True):
					if q:
						used[(line.item_code, w)] += q
						shipments[w][line.key] = q
			if any(q > problem.stock.get(k, 0) for k, q in used.items()):
				continue
			candidate = evaluate(problem, shipments)
			key = (sum(candidate.unallocated.values()), round(candidate.cost, 6))
			if best is None or key < best:
				best = key
		found = allocate(problem)
		ok += (sum(found.unallocated.values()), round(found.cost, 6)) == best
	return ok


def compare_milp(orders: list[Problem], times: list[float]) -> None:
	milp_times, differ = [], 0
	for problem in orders:
		start = time.perf_counter()
		milp = evaluate(problem, _milp_shipments(problem))
		milp_times.append((time.perf_counter() - start) * 1000)
		differ += abs(milp.cost - allocate(problem).cost) > 1e-6 * max(1.0, milp.cost)
	print(
		f"milp: median={statistics.median(milp_times):.2f}ms p95={p95(milp_times):.2f}ms "
		f"(allocator p95={p95(times):.2f}ms); orders where the costs differ: {differ}"
	)


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--orders", type=int, default=300)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--optimal-checks", type=int, default=30)
	parser.add_argument("--compare-milp", action="store_true")
	args = parser.parse_args()
	rng = random.Random(args.seed)
	orders = [make_order(rng) for _ in range(args.orders)]
	allocate(orders[0])  # warm-up (imports, first solver call)
	times, times_50 = [], []
	cost = {"app": 0.0, "greedy": 0.0}
	parcels = {"app": 0, "greedy": 0}
	single_impossible = 0
	for problem in orders:
		start = time.perf_counter()
		found = allocate(problem)
		elapsed = (time.perf_counter() - start) * 1000
		times.append(elapsed)
		if len(problem.lines) > 40:
			times_50.append(elapsed)
		base = greedy(problem)
		if best_single_warehouse(problem) is None:
			single_impossible += 1
		assert sum(found.unallocated.values()) <= sum(base.unallocated.values()) + 1e-9
		cost["app"] += found.cost
		cost["greedy"] += base.cost
		parcels["app"] += found.parcels
		parcels["greedy"] += base.parcels
	checked = check_optimal(random.Random(args.seed + 1), args.optimal_checks)
	print(f"orders={len(orders)} single-warehouse impossible in {single_impossible}")
	print(f"allocator: median={statistics.median(times):.2f}ms p95={p95(times):.2f}ms max={max(times):.2f}ms")
	print(
		f"total cost app={cost['app']:.2f} greedy={cost['greedy']:.2f}; parcels app={parcels['app']} greedy={parcels['greedy']}"
	)
	if args.compare_milp:
		compare_milp(orders, times)
	print(
		f"RESULT alloc_p95_ms={p95(times):.2f} alloc_p95_50x20_ms={p95(times_50):.2f} "
		f"alloc_cost_vs_greedy={cost['app'] / cost['greedy']:.3f} "
		f"alloc_parcels_vs_greedy={parcels['app'] / parcels['greedy']:.3f} "
		f"optimal_checked={checked}/{args.optimal_checks}"
	)


if __name__ == "__main__":
	main()

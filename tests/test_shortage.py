"""Shortage aggregation, closing, and replenishment proposals."""

import datetime

import pytest

from order_online.domain.shortage import (
	ALERT_ONLY,
	MATERIAL_TRANSFER,
	PURCHASE,
	PURCHASE_ONLY,
	TRANSFER_ONLY,
	TRANSFER_THEN_PURCHASE,
	Demand,
	Replenishment,
	plan_replenishment,
	shortage_state,
	still_to_come,
)

D1, D2 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 5)


def test_shortage_is_demand_beyond_stock_with_waiting_orders_by_date():
	state = shortage_state(
		4, [Demand("SO-2", "B", D2, 3), Demand("SO-1", "A", D1, 5), Demand("SO-3", "C", None, 0)]
	)
	assert (state.demand, state.shortage, state.is_short) == (8, 4, True)
	assert [d.sales_order for d in state.waiting] == ["SO-1", "SO-2"]


def test_no_shortage_when_stock_arrives_or_orders_cancel():
	assert not shortage_state(8, [Demand("SO-1", "A", D1, 5), Demand("SO-2", "B", D2, 3)]).is_short
	assert not shortage_state(4, [Demand("SO-1", "A", D1, 4)]).is_short
	assert shortage_state(0, []).waiting == ()


def test_transfer_surplus_first_then_purchase_the_rest():
	plan = plan_replenishment(10, 0, {"North": 3, "South": 4, "East": 0}, TRANSFER_THEN_PURCHASE)
	assert plan == [
		Replenishment(MATERIAL_TRANSFER, 4, "South"),
		Replenishment(MATERIAL_TRANSFER, 3, "North"),
		Replenishment(PURCHASE, 3),
	]


def test_open_requests_are_not_asked_for_again():
	assert plan_replenishment(10, 10, {"North": 50}, TRANSFER_THEN_PURCHASE) == []
	assert plan_replenishment(10, 7, {}, PURCHASE_ONLY) == [Replenishment(PURCHASE, 3)]


@pytest.mark.parametrize(
	"mode, expected",
	[
		(PURCHASE_ONLY, [Replenishment(PURCHASE, 5)]),
		(TRANSFER_ONLY, [Replenishment(MATERIAL_TRANSFER, 2, "North")]),
		(ALERT_ONLY, []),
	],
)
def test_modes(mode, expected):
	assert plan_replenishment(5, 0, {"North": 2}, mode) == expected


def test_ties_are_broken_by_warehouse_name():
	plan = plan_replenishment(2, 0, {"B": 2, "A": 2}, TRANSFER_ONLY)
	assert plan == [Replenishment(MATERIAL_TRANSFER, 2, "A")]


def test_open_requests_count_what_is_still_to_come():
	assert still_to_come(MATERIAL_TRANSFER, 10, 4, 0) == 6  # 4 already transferred
	assert still_to_come(PURCHASE, 10, 10, 3) == 7  # ordered from a supplier, 3 received
	assert still_to_come(PURCHASE, 10, 10, 12) == 0


def test_a_shortage_seen_by_locking_reads_opens_the_alert_the_snapshot_misses():
	# the snapshot shows only this order (2 of 10 in stock); the locking read found all 10 taken
	state = shortage_state(10, [Demand("SO-9", "A", D1, 2)], shortage_floor=2)
	assert state.is_short and state.shortage == 2 and state.demand == 12
	assert shortage_state(10, [Demand("SO-9", "A", D1, 2)]).is_short is False


def test_an_alert_is_raised_while_short_resolved_once_covered_and_never_made_for_a_covered_pair():
	from order_online.domain.shortage import NOTHING, RAISE, RESOLVE, alert_transition

	assert alert_transition(None, True) == RAISE
	assert alert_transition("Resolved", True) == RAISE  # short again: it opens again
	assert alert_transition("Open", True) == RAISE  # still short: refreshed
	assert alert_transition("Open", False) == RESOLVE
	assert alert_transition("Resolved", False) == NOTHING
	assert alert_transition(None, False) == NOTHING


def test_surplus_is_what_other_warehouses_hold_free_and_requests_are_wanted_by_the_first_order():
	import datetime as dt

	from order_online.domain.shortage import Demand, request_schedule, surplus_elsewhere

	stock = [("WH-A", 10.0, 4.0), ("WH-B", 3.0, 0.0), ("SHORT", 1.0, 1.0)]
	assert surplus_elsewhere(stock, "SHORT") == {"WH-A": 6.0, "WH-B": 3.0}
	today = dt.date(2026, 12, 1)
	waiting = [
		Demand("SO-2", "C", dt.date(2026, 12, 9), 1),
		Demand("SO-1", "C", dt.date(2026, 12, 5), 1),
		Demand("SO-3", "C", None, 1),
	]
	assert request_schedule(waiting, today) == dt.date(2026, 12, 5)
	assert request_schedule([Demand("SO-4", "C", dt.date(2026, 11, 20), 1)], today) == today  # never past
	assert request_schedule([], today) == today

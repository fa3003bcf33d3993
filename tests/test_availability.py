"""Available to promise: reservations counted once, UOM conversion, lines sharing stock, incoming supply."""

import datetime

from order_online.domain.availability import (
	GREEN,
	ORANGE,
	RED,
	BinQty,
	Incoming,
	StockLine,
	check_availability,
)

TODAY = datetime.date(2026, 11, 27)
WH = ["Main - WP", "North - WP"]


def run(lines, bins, incoming=(), own=None):
	return check_availability(lines, bins, WH, incoming, TODAY, own)


def test_enough_stock_is_green_today():
	[line] = run([StockLine(1, "A", "Main - WP", 5)], {("A", "Main - WP"): BinQty(actual=10, reserved=3)})
	assert (line.status, line.available, line.earliest_date, line.shortage) == (GREEN, 7, TODAY, 0)


def test_orders_already_holding_stock_are_subtracted_once():
	# 10 on hand, 8 held by submitted orders (some through reservation entries: still 8 in total).
	[line] = run([StockLine(1, "A", "Main - WP", 3)], {("A", "Main - WP"): BinQty(actual=10, reserved=8)})
	assert line.available == 2
	assert line.shortage == 1
	assert line.status == RED


def test_uom_conversion_uses_stock_quantity():
	[line] = run(
		[StockLine(1, "A", "Main - WP", 2, conversion_factor=12)], {("A", "Main - WP"): BinQty(actual=20)}
	)
	assert line.required == 24
	assert line.shortage == 4


def test_two_lines_of_one_item_share_the_stock():
	lines = [StockLine(1, "A", "Main - WP", 6), StockLine(2, "A", "Main - WP", 6)]
	first, second = run(lines, {("A", "Main - WP"): BinQty(actual=10)})
	assert first.status == GREEN
	assert second.available == 4 and second.status == RED


def test_stock_in_another_warehouse_is_orange():
	bins = {("A", "Main - WP"): BinQty(actual=1), ("A", "North - WP"): BinQty(actual=9)}
	[line] = run([StockLine(1, "A", "Main - WP", 5)], bins)
	assert line.status == ORANGE
	assert line.by_warehouse == {"Main - WP": 1, "North - WP": 9}
	assert line.company_available == 10


def test_incoming_purchase_gives_the_earliest_date():
	incoming = [
		Incoming("A", "Main - WP", datetime.date(2026, 12, 10), 3),
		Incoming("A", "Main - WP", datetime.date(2026, 12, 3), 2),
		Incoming("A", "North - WP", datetime.date(2026, 12, 1), 50),
	]
	[line] = run([StockLine(1, "A", "Main - WP", 6)], {("A", "Main - WP"): BinQty(actual=2)}, incoming)
	assert line.status == ORANGE
	assert line.earliest_date == datetime.date(2026, 12, 10)  # 2 + 2 (Dec 3) + 3 (Dec 10) >= 6


def test_never_covered_is_red_without_date():
	[line] = run([StockLine(1, "A", "Main - WP", 6)], {})
	assert (line.status, line.earliest_date, line.shortage) == (RED, None, 6)


def test_submitted_order_does_not_compete_with_itself():
	bins = {("A", "Main - WP"): BinQty(actual=5, reserved=5)}
	[line] = run([StockLine(1, "A", "Main - WP", 5)], bins, own={("A", "Main - WP"): 5})
	assert line.status == GREEN


def test_non_stock_items_are_always_available():
	[line] = run([StockLine(1, "SERVICE", None, 5, is_stock_item=False)], {})
	assert line.status == GREEN and line.shortage == 0

"""The reports' arithmetic: periods (ISO weeks, fiscal quarters and years), growth, shares, Pareto."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_online.domain import analytics as an
from order_online.domain.errors import ReportDatesReversed, UnknownReportPeriod

D = dt.date


@pytest.mark.parametrize(
	"day, period, fiscal, start",
	[
		(D(2026, 12, 2), "Day", 1, D(2026, 12, 2)),
		(D(2026, 12, 2), "Week", 1, D(2026, 11, 30)),  # a Wednesday: that ISO week's Monday
		(D(2027, 1, 3), "Week", 1, D(2026, 12, 28)),  # a Sunday in ISO week 53 of 2026
		(D(2026, 12, 2), "Month", 1, D(2026, 12, 1)),
		(D(2026, 12, 2), "Quarter", 1, D(2026, 10, 1)),
		(D(2026, 12, 2), "Year", 1, D(2026, 1, 1)),
		(D(2026, 3, 31), "Year", 4, D(2025, 4, 1)),  # fiscal year April to March
		(D(2026, 4, 1), "Year", 4, D(2026, 4, 1)),
		(D(2026, 6, 30), "Quarter", 4, D(2026, 4, 1)),  # its first quarter: April to June
		(D(2026, 1, 15), "Quarter", 4, D(2026, 1, 1)),  # its last: January to March
		(D(2026, 2, 10), "Quarter", 7, D(2026, 1, 1)),
	],
)
def test_a_day_falls_in_its_period(day, period, fiscal, start):
	assert an.period_start(day, period, fiscal) == start


def test_the_period_before_and_the_same_period_last_year():
	assert an.previous_period(D(2026, 1, 1), "Month") == D(2025, 12, 1)
	assert an.previous_period(D(2026, 1, 1), "Quarter") == D(2025, 10, 1)
	assert an.previous_period(D(2026, 11, 30), "Week") == D(2026, 11, 23)
	assert an.same_period_last_year(D(2026, 10, 1), "Quarter") == D(2025, 10, 1)
	assert an.same_period_last_year(D(2024, 2, 29), "Day") == D(2023, 2, 28)
	assert an.same_period_last_year(D(2026, 11, 30), "Week") == D(2025, 12, 1)  # ISO week 49 both years
	assert an.same_period_last_year(D(2026, 12, 28), "Week") == D(2025, 12, 22)  # week 53 -> 52


@given(
	st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)),
	st.sampled_from(an.PERIODS),
	st.integers(1, 12),
)
def test_every_day_is_in_exactly_one_period_and_periods_follow_each_other(day, period, fiscal):
	start = an.period_start(day, period, fiscal)
	following = an.shift(start, period, 1)
	assert start <= day < following
	assert an.period_start(start, period, fiscal) == start
	assert an.shift(following, period, -1) == start


def test_periods_between_leave_no_gap():
	assert an.periods_between(D(2026, 1, 15), D(2026, 4, 2), "Month") == [
		D(2026, 1, 1),
		D(2026, 2, 1),
		D(2026, 3, 1),
		D(2026, 4, 1),
	]


def test_growth_and_average():
	assert an.growth(120, 100) == pytest.approx(20)
	assert an.growth(50, -100) == pytest.approx(150)
	assert an.growth(10, 0) is None and an.growth(10, None) is None
	assert an.average(300, 4) == 75 and an.average(5, 0) == 0


def test_shares_cumulative_and_the_pareto_cut():
	out = an.shares([("b", 30), ("a", 50), ("c", 15), ("d", 5)])
	assert [s.key for s in out] == ["a", "b", "c", "d"]
	assert [round(s.cumulative) for s in out] == [50, 80, 95, 100]
	assert [s.in_pareto for s in out] == [True, True, False, False]  # a and b make 80 %
	assert an.shares([]) == []
	assert [s.share for s in an.shares([("x", 0)])] == [0.0]


def test_bad_input_is_a_clear_domain_error():
	with pytest.raises(ReportDatesReversed):
		an.check_range(D(2026, 2, 1), D(2026, 1, 1))
	for call in (
		lambda: an.period_start(D(2026, 1, 1), "Fortnight"),
		lambda: an.shift(D(2026, 1, 1), "Hour", 1),
	):
		with pytest.raises(UnknownReportPeriod):
			call()


def test_bucket_sums_per_period():
	rows = [(D(2026, 1, 5), 10.0), (D(2026, 1, 30), 5.0), (D(2026, 2, 1), 1.0)]
	assert an.bucket(rows, "Month") == {D(2026, 1, 1): 15.0, D(2026, 2, 1): 1.0}


ORDER = {
	"transaction_date": D(2026, 12, 2),
	"company": "ACME",
	"oo_order_channel": "WEB",
	"territory": "China",
	"customer_group": "Retail",
	"oo_shipping_region": "Shenzhen",
	"currency": "USD",
	"net_total": 300.0,
	"base_net_total": 2100.0,
}


def test_an_order_counts_once_with_its_lines_quantity_and_both_amounts():
	c = an.contribution(ORDER, [{"qty": 2}, {"qty": 3.5}])
	assert (c.orders, c.lines, c.qty, c.amount, c.base_amount) == (1, 2, 5.5, 300.0, 2100.0)
	assert c.values(-1) == {"orders": -1, "lines": -2, "qty": -5.5, "amount": -300.0, "base_amount": -2100.0}
	assert c.key == (D(2026, 12, 2), "ACME", "WEB", "China", "Retail", "Shenzhen", "USD")


def test_the_same_key_names_the_same_summary_row_and_an_empty_part_differs_from_none_only_by_value():
	a = an.contribution(ORDER, [])
	b = an.contribution({**ORDER, "net_total": 1}, [{"qty": 1}])
	assert a.key_name() == b.key_name() and len(a.key_name()) == len("2026-12-02|") + 40
	assert a.key_name().startswith("2026-12-02|")
	other = an.contribution({**ORDER, "oo_order_channel": None}, [])
	assert other.key_name() != a.key_name()
	assert an.contribution({**ORDER, "oo_order_channel": ""}, []).key == other.key  # "" and None: no channel


def test_volume_by_period_compares_with_the_period_before_and_last_year():
	daily = [
		(D(2025, 1, 10), "WEB", 2, 3, 100.0),  # a year before
		(D(2025, 12, 5), "WEB", 1, 1, 50.0),  # the month before
		(D(2026, 1, 3), "WEB", 2, 4, 150.0),
		(D(2026, 1, 20), "WEB", 1, 2, 50.0),
		(D(2026, 1, 9), None, 1, 1, 10.0),
	]
	rows = an.volume_by_period(daily, "Month", D(2026, 1, 1), D(2026, 2, 28))
	assert [(r.period, r.channel, r.orders, r.lines, r.amount) for r in rows] == [
		(D(2026, 1, 1), "WEB", 3, 6, 200.0),
		(D(2026, 1, 1), None, 1, 1, 10.0),
		(D(2026, 2, 1), "WEB", 0, 0, 0.0),  # no gap in the periods
		(D(2026, 2, 1), None, 0, 0, 0.0),
	]
	web = rows[0]
	assert web.average == pytest.approx(200 / 3)
	assert web.growth == pytest.approx(300.0)  # 50 -> 200
	assert web.growth_last_year == pytest.approx(100.0)  # 100 -> 200
	assert rows[1].growth is None and rows[2].growth == pytest.approx(-100.0)
	assert an.comparison_start(D(2026, 1, 15), "Month") == D(2025, 1, 1)
	with pytest.raises(ReportDatesReversed):
		an.volume_by_period(daily, "Month", D(2026, 2, 1), D(2026, 1, 1))


def test_period_labels():
	assert an.period_label(D(2026, 1, 5), "Week") == "2026-W02"
	assert an.period_label(D(2026, 10, 1), "Quarter") == "2026-Q4"
	assert an.period_label(D(2026, 4, 1), "Year", 4) == "Y 2026-04"
	assert an.period_label(D(2026, 1, 1), "Year") == "2026"
	assert an.period_label(D(2026, 3, 1), "Month") == "2026-03"


def T(hour: float) -> dt.datetime:
	return dt.datetime(2026, 12, 1) + dt.timedelta(hours=hour)


def test_each_level_waits_from_its_start_to_its_decision():
	E = an.ApprovalEvent
	events = [
		E("SO-1", an.SUBMITTED, 1, "seller", T(0)),
		E("SO-1", an.APPROVED, 1, "lead", T(2)),
		E("SO-1", an.ESCALATED, 2, None, T(30)),
		E("SO-1", an.APPROVED, 2, "boss", T(50)),  # level 2 waited from level 1's approval
		E("SO-2", an.SUBMITTED, 1, "seller", T(1)),
		E("SO-2", an.REJECTED, 1, "lead", T(4), "Price  too low"),
		E("SO-3", an.SUBMITTED, 1, "seller", T(0)),
		E("SO-3", an.APPROVED, 1, "lead", T(1)),
		E("SO-3", an.AGAIN, 1, None, T(10)),  # Update Items: from level 1 again
		E("SO-3", an.APPROVED, 1, "lead", T(13)),
		E("SO-4", an.SUBMITTED, 1, "seller", T(0)),  # still waiting: not a decision yet
	]
	decisions = an.level_decisions(reversed(events))  # in any order
	got = sorted((d.order, d.level, d.approver, d.decision, d.hours, d.escalated) for d in decisions)
	assert got == [
		("SO-1", 1, "lead", "Approved", 2.0, False),
		("SO-1", 2, "boss", "Approved", 48.0, True),
		("SO-2", 1, "lead", "Rejected", 3.0, False),
		("SO-3", 1, "lead", "Approved", 1.0, False),
		("SO-3", 1, "lead", "Approved", 3.0, False),
	]
	rows = an.turnaround(decisions)
	assert rows[0] == an.TurnaroundRow(1, "lead", 4, 3, 1, 2.25, 3.0, 0)
	assert rows[1] == an.TurnaroundRow(2, "boss", 1, 1, 0, 48.0, 48.0, 1)
	assert an.rejection_reasons(decisions) == [("Price too low", 1)]


def test_a_shortage_row_counts_its_orders_and_what_they_wait_for():
	alerts = [
		{"name": "A1", "item_code": "X", "warehouse": "W", "shortage_qty": 5, "created": D(2026, 11, 20)},
		{"name": "A2", "item_code": "Y", "warehouse": "W", "shortage_qty": 1, "created": D(2026, 12, 1)},
	]
	waiting = [
		{"parent": "A1", "sales_order": "SO-1", "pending_qty": 3, "delivery_date": D(2026, 12, 9)},
		{"parent": "A1", "sales_order": "SO-2", "pending_qty": 4, "delivery_date": D(2026, 12, 5)},
		{"parent": "A2", "sales_order": "SO-1", "pending_qty": 1, "delivery_date": None},
	]
	rates = {("SO-1", "X"): 10.0, ("SO-2", "X"): 12.5, ("SO-1", "Y"): 1000.0}
	rows = an.shortage_rows(alerts, waiting, rates, D(2026, 12, 2))
	assert [(r.alert, r.orders, r.amount_waiting, r.earliest_delivery, r.age_days) for r in rows] == [
		("A2", 1, 1000.0, None, 1),
		("A1", 2, 80.0, D(2026, 12, 5), 12),
	]


REGIONS = [
	an.RegionNode("China", "Country", 1, 10),
	an.RegionNode("Guangdong", "Province", 2, 7),
	an.RegionNode("Shenzhen", "City", 3, 4),
	an.RegionNode("Guangzhou", "City", 5, 6),
	an.RegionNode("Zhejiang", "Province", 8, 9),
]


def test_regions_roll_up_to_the_chosen_level_and_nothing_is_lost():
	assert an.roll_up(REGIONS, "Province") == {
		"China": "China",  # above the level: itself
		"Guangdong": "Guangdong",
		"Shenzhen": "Guangdong",
		"Guangzhou": "Guangdong",
		"Zhejiang": "Zhejiang",
	}
	assert set(an.roll_up(REGIONS, "Country").values()) == {"China"}


def test_regional_trend_per_period_with_the_change_and_the_movers():
	periods = [D(2026, 10, 1), D(2026, 11, 1)]
	daily = [
		(D(2026, 10, 3), "Shenzhen", 1, 100.0),
		(D(2026, 11, 3), "Guangzhou", 2, 300.0),
		(D(2026, 10, 9), "Zhejiang", 1, 200.0),
		(D(2026, 11, 9), "Zhejiang", 1, 50.0),
		(D(2026, 11, 9), None, 1, 5.0),  # no region
		(D(2026, 9, 9), "Zhejiang", 9, 999.0),  # outside the periods
	]
	rows = an.regional_trend(daily, an.roll_up(REGIONS, "Province"), periods, "Month")
	assert [(r.region, r.amounts, r.orders, r.total) for r in rows] == [
		("Guangdong", (100.0, 300.0), 3, 400.0),
		("Zhejiang", (200.0, 50.0), 2, 250.0),
		(None, (0.0, 5.0), 1, 5.0),
	]
	assert rows[0].change == pytest.approx(200.0) and rows[1].change == pytest.approx(-75.0)
	grew, fell = an.movers(rows)
	assert [r.region for r in grew] == ["Guangdong"] and [r.region for r in fell] == ["Zhejiang"]


def test_each_line_adds_its_stock_quantity_and_net_amounts():
	rows = [
		{
			"name": "r1",
			"item_code": "A",
			"item_group": "Tea",
			"stock_qty": 12,
			"qty": 1,
			"net_amount": 90,
			"base_net_amount": 630,
		},
		{
			"name": "r2",
			"item_code": "B",
			"item_group": None,
			"qty": 2,
			"net_amount": 10,
			"base_net_amount": 70,
		},
	]
	out = an.item_contributions(ORDER, rows)
	assert [(c.row, c.key[3:5], c.qty, c.amount, c.base_amount) for c in out] == [
		("2026-12-02|r1", ("A", "Tea"), 12.0, 90.0, 630.0),
		("2026-12-02|r2", ("B", None), 2.0, 10.0, 70.0),
	]
	assert out[0].values(-1) == {"lines": -1, "qty": -12.0, "amount": -90.0, "base_amount": -630.0}


def test_product_share_with_the_pareto_cut_and_the_change_in_share():
	current = {"A": (10, 600.0), "B": (5, 300.0), "C": (1, 100.0)}
	before = {"A": (1, 100.0), "B": (3, 100.0)}
	rows = an.product_share(current, before)
	assert [(r.key, round(r.share), r.in_pareto) for r in rows] == [
		("A", 60, True),
		("B", 30, True),
		("C", 10, False),
	]
	assert rows[0].share_before == pytest.approx(50) and rows[0].share_change == pytest.approx(10)
	assert rows[2].share_before == 0 and rows[2].share_change == pytest.approx(10)
	assert an.product_share(current, {})[0].share_change is None


def test_turnaround_figures():
	E = an.ApprovalEvent
	decisions = an.level_decisions(
		[
			E("SO-1", an.SUBMITTED, 1, "s", T(0)),
			E("SO-1", an.ESCALATED, 1, None, T(5)),
			E("SO-1", an.APPROVED, 1, "lead", T(6)),
			E("SO-2", an.SUBMITTED, 1, "s", T(0)),
			E("SO-2", an.REJECTED, 1, "lead", T(2), "no"),
		]
	)
	assert an.turnaround_figures(decisions) == an.TurnaroundFigures(2, 50.0, 4.0, 1)
	assert an.turnaround_figures([]) == an.TurnaroundFigures(0, 0.0, 0.0, 0)


@given(
	st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
	st.sampled_from(an.PERIODS),
	st.integers(min_value=1, max_value=12),
)
def test_the_database_numbering_of_periods_names_the_same_period(day, period, fiscal):
	rule = an.period_index_rule(period, fiscal)
	index = an.period_index(day, rule)
	assert an.period_of_index(index, rule) == an.period_start(day, period, fiscal)
	assert an.period_index(an.shift(an.period_start(day, period, fiscal), period, 1), rule) == index + 1


def test_the_day_numbering_is_mariadbs_to_days():
	rule = an.period_index_rule("Day")
	assert an.period_index(D(2007, 10, 7), rule) == 733321  # TO_DAYS('2007-10-07') in MariaDB's manual
	assert an.period_of_index(733321, rule) == D(2007, 10, 7)


def test_new_and_returning_customers_per_period_with_empty_periods():
	rule = an.period_index_rule("Month")
	jan, mar = an.period_index(D(2026, 1, 1), rule), an.period_index(D(2026, 3, 1), rule)
	active = {"A": [jan, jan, mar], "B": [jan], "C": [mar], "D": [jan]}
	first = {"A": D(2025, 6, 1), "B": D(2026, 1, 20), "C": D(2026, 3, 2), "D": D(2025, 1, 1)}
	sales = {jan: (6, 1000.0), mar: (2, 50.0)}
	jan_, feb_, mar_ = an.customer_periods(active, first, sales, "Month", D(2026, 1, 10), D(2026, 3, 5))
	assert (jan_.period, jan_.customers, jan_.new, jan_.returning, jan_.orders) == (D(2026, 1, 1), 3, 1, 2, 6)
	assert jan_.returning_rate == pytest.approx(200 / 3)
	assert (feb_.customers, feb_.amount, feb_.returning_rate) == (0, 0.0, 0.0)
	assert (mar_.customers, mar_.new, mar_.returning) == (2, 1, 1)  # A came back, C is new


def test_fiscal_quarters_of_customers_follow_the_fiscal_year():
	rule = an.period_index_rule("Quarter", 4)
	q = an.period_index(D(2026, 5, 20), rule)
	first, second = an.customer_periods(
		{"A": [q], "B": [q]},
		{"A": D(2026, 4, 2), "B": D(2026, 3, 31)},
		{},
		"Quarter",
		D(2026, 4, 1),
		D(2026, 7, 1),
		4,
	)
	assert (first.period, first.customers, first.new, second.period, second.customers) == (
		D(2026, 4, 1), 2, 1, D(2026, 7, 1), 0,
	)  # fmt: skip


def test_customers_per_territory_and_per_customer_count_each_customer_once():
	rows = [
		("A", "North", "Retail", 2, 300.0),
		("A", "South", "Retail", 1, 100.0),  # A moved to the South
		("B", "North", None, 1, 100.0),
		("C", None, "Retail", 1, 500.0),
	]
	none, north, south = an.customer_groups(rows, "Territory")  # the largest amount first
	assert (north.key, north.customers, north.orders, north.amount, north.average) == (
		"North",
		2,
		3,
		400.0,
		400 / 3,
	)
	assert (none.key, none.customers, south.customers) == (None, 1, 1)
	assert (north.share, north.cumulative, south.cumulative) == (40.0, 90.0, 100.0)
	retail, no_group = an.customer_groups(rows, "Customer Group")
	assert (retail.customers, retail.amount, no_group.key) == (2, 900.0, None)
	assert sorted(an.per_customer(rows)) == [("A", 3, 400.0), ("B", 1, 100.0), ("C", 1, 500.0)]


def test_top_customers_share_of_everyones_amount_and_cumulate():
	top = an.top_customers([("B", 2, 300.0), ("A", 5, 500.0)], total=1000.0)
	assert [(c.customer, c.share, c.cumulative) for c in top] == [("A", 50.0, 50.0), ("B", 30.0, 80.0)]
	assert an.top_customers([("A", 1, 0.0)], total=0.0)[0].share == 0.0


AT = dt.datetime


def test_each_stage_runs_from_the_end_of_the_one_before():
	s = an.order_stages(
		AT(2026, 3, 1, 9), AT(2026, 3, 1, 13), AT(2026, 3, 2, 9), AT(2026, 3, 2, 21), AT(2026, 3, 5, 9),
		D(2026, 3, 5), today=D(2026, 3, 9),
	)  # fmt: skip
	assert (s.approval, s.picking, s.shipping, s.delivery, s.total) == (4, 20, 12, 60, 96)
	assert (s.on_time, s.overdue) == (True, False)


def test_no_approval_no_pick_list_and_a_late_delivery():
	s = an.order_stages(
		AT(2026, 3, 1, 9),
		None,
		None,
		AT(2026, 3, 1, 15),
		AT(2026, 3, 7, 15),
		D(2026, 3, 5),
		today=D(2026, 3, 9),
	)
	assert (s.approval, s.picking, s.shipping, s.delivery) == (None, None, 6, 144)
	assert s.on_time is False  # delivered two days after the promise
	late = an.order_stages(AT(2026, 3, 1, 9), None, None, None, None, D(2026, 3, 5), today=D(2026, 3, 6))
	assert (late.shipping, late.total, late.on_time, late.overdue) == (None, None, None, True)
	kept = an.order_stages(AT(2026, 3, 1, 9), None, None, None, None, D(2026, 3, 5), today=D(2026, 3, 5))
	assert kept.overdue is False  # the promised day itself is not past


def test_a_stamp_out_of_order_is_no_wait_not_a_negative_one():
	s = an.order_stages(AT(2026, 3, 2), AT(2026, 3, 1), None, None, None, None, today=D(2026, 3, 3))
	assert (s.approval, s.on_time, s.overdue) == (0.0, None, False)


def test_a_groups_on_time_rate_counts_only_delivered_orders_with_a_promise():
	row = an.fulfilment_row(
		"WH", 10, 8, 5, {"approval": (8, 4), "delivery": (61, 2), "picking": (0, 0)}, (250, 5), 3, 4, 2
	)
	assert row.on_time_rate == 75.0
	assert row.hours == {"approval": 2.0, "picking": None, "shipping": None, "delivery": 30.5}
	assert row.total_hours == 50.0
	empty = an.fulfilment_row("WH", 1, 0, 0, {}, (0, 0), 0, 0, 0)
	assert (empty.on_time_rate, empty.total_hours) == (None, None)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)), st.integers(0, 400), st.integers(-3, 403))
def test_a_dated_name_lies_in_the_name_range_of_exactly_its_days(start, days, offset):
	end = start + dt.timedelta(days=days)
	day = start + dt.timedelta(days=offset)
	low, high = an.names_between(start, end)
	for name in (an.dated_name(day, "SAL-ORD-2026-00001"), an.summary_name((day, "ACME", None))):
		assert (low <= name < high) == (start <= day <= end)


def test_fulfilment_groups_and_every_order_from_the_databases_sums():
	stage_sums = (8, 4, 0, 0, 10, 2, 61, 2, 250, 5)  # approval, picking, shipping, delivery, whole way
	raw = [
		("WH-A", 10, 8, 5, *stage_sums, 3, 4, 2),
		("WH-B", 30, 30, 30, *(2,) * 10, 30, 30, 0),
		(None, 0, 0, 0, *(0,) * 13),
	]
	b, a = an.fulfilment_rows(raw)  # the most orders first; a group with none is left out
	assert (a.key, a.hours["approval"], a.hours["picking"], a.hours["shipping"], a.total_hours) == (
		"WH-A",
		2,
		None,
		5,
		50,
	)
	assert (b.key, b.on_time_rate, b.overdue) == ("WH-B", 100.0, 0)
	every = an.all_orders(raw)
	assert (every.key, every.orders, every.delivered, every.overdue) == (None, 40, 35, 2)
	assert every.hours["approval"] == pytest.approx((8 + 2) / (4 + 2))
	assert every.on_time_rate == pytest.approx(33 / 34 * 100)
	assert an.all_orders([]) is None

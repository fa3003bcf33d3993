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

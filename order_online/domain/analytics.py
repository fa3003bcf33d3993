"""The arithmetic of the order reports: periods, growth, shares and the Pareto cut, in plain Python.

Periods are named by their first day. Weeks are ISO weeks (Monday first); a fiscal year starts on the
first day of ``fiscal_start_month`` (1 = a calendar year), and so do its quarters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from order_online.domain.errors import ReportDatesReversed, UnknownReportPeriod

PERIODS = ("Day", "Week", "Month", "Quarter", "Year")


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
	index = day.year * 12 + day.month - 1 - months_back
	return dt.date(index // 12, index % 12 + 1, 1)


def period_start(day: dt.date, period: str, fiscal_start_month: int = 1) -> dt.date:
	"""The first day of the period ``day`` falls in."""
	if period == "Day":
		return day
	if period == "Week":
		return day - dt.timedelta(days=day.weekday())
	if period == "Month":
		return day.replace(day=1)
	if period in ("Quarter", "Year"):
		span = 3 if period == "Quarter" else 12
		offset = (day.month - fiscal_start_month) % span  # months since the period began
		return _month_start(day, offset)
	raise UnknownReportPeriod(period=period)


def shift(start: dt.date, period: str, count: int) -> dt.date:
	"""The start of the period ``count`` periods after the one starting on ``start`` (negative: before)."""
	if period == "Day":
		return start + dt.timedelta(days=count)
	if period == "Week":
		return start + dt.timedelta(weeks=count)
	months = {"Month": 1, "Quarter": 3, "Year": 12}.get(period)
	if months is None:
		raise UnknownReportPeriod(period=period)
	return _month_start(start, -count * months)


def previous_period(start: dt.date, period: str) -> dt.date:
	return shift(start, period, -1)


def same_period_last_year(start: dt.date, period: str) -> dt.date:
	"""The period a year before: the same ISO week of the year before for weeks, the same date (the
	28th for 29 February) for days, twelve months back otherwise."""
	if period == "Week":
		year, week, _ = start.isocalendar()
		try:
			return dt.date.fromisocalendar(year - 1, week, 1)
		except ValueError:  # week 53 in a year of 52
			return dt.date.fromisocalendar(year - 1, 52, 1)
	if period == "Day":
		try:
			return start.replace(year=start.year - 1)
		except ValueError:
			return start.replace(year=start.year - 1, day=28)
	if period not in PERIODS:
		raise UnknownReportPeriod(period=period)
	return shift(start, period, -12 // {"Month": 1, "Quarter": 3, "Year": 12}[period])


def periods_between(start: dt.date, end: dt.date, period: str, fiscal_start_month: int = 1) -> list[dt.date]:
	"""Every period touching [start, end], in order (empty periods included, so a chart has no gaps)."""
	first = period_start(start, period, fiscal_start_month)
	out = []
	while first <= end:
		out.append(first)
		first = shift(first, period, 1)
	return out


def growth(current: float, previous: float | None) -> float | None:
	"""The change in percent, or None when there is nothing to compare with."""
	if not previous:
		return None
	return (current - previous) / abs(previous) * 100


@dataclass(frozen=True)
class Share:
	key: str
	value: float
	share: float  # percent of the total
	cumulative: float  # percent of the total up to and including this one
	in_pareto: bool  # among the first that make ``cut`` of the total


def shares(values: Iterable[tuple[str, float]], cut: float = 80.0) -> list[Share]:
	"""Largest first, each with its share and cumulative share; ``in_pareto`` marks the fewest keys
	whose sum first reaches ``cut`` percent (ties keep the key order)."""
	ordered = sorted(values, key=lambda kv: (-kv[1], kv[0]))
	total = sum(value for _, value in ordered)
	out, running, reached = [], 0.0, False
	for key, value in ordered:
		share = value / total * 100 if total else 0.0
		in_pareto = not reached and total > 0
		running += share
		if running >= cut - 1e-9:
			reached = True
		out.append(Share(key, value, share, running, in_pareto))
	return out


def average(total: float, count: float) -> float:
	return total / count if count else 0.0


def check_range(start: dt.date, end: dt.date) -> None:
	if end < start:
		raise ReportDatesReversed(start=start, end=end)


def bucket(rows: Sequence[tuple[dt.date, float]], period: str, fiscal_start_month: int = 1) -> dict:
	"""Sum ``(day, value)`` rows per period start."""
	out: dict[dt.date, float] = {}
	for day, value in rows:
		key = period_start(day, period, fiscal_start_month)
		out[key] = out.get(key, 0.0) + value
	return out

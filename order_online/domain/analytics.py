"""The arithmetic of the order reports: periods, growth, shares and the Pareto cut, in plain Python.

Periods are named by their first day. Weeks are ISO weeks (Monday first); a fiscal year starts on the
first day of ``fiscal_start_month`` (1 = a calendar year), and so do its quarters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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


# What one submitted order adds to the sales summary ------------------------------------------

# The summary's grain: one row per day x company x channel x territory x customer group x region x currency
SUMMARY_KEY = (
	"summary_date",
	"company",
	"channel",
	"territory",
	"customer_group",
	"shipping_region",
	"currency",
)
SUMMARY_VALUES = ("orders", "lines", "qty", "amount", "base_amount")


@dataclass(frozen=True)
class Contribution:
	key: tuple
	orders: int
	lines: int
	qty: float
	amount: float  # net, in the order's currency
	base_amount: float  # net, in the company's currency

	def values(self, sign: int = 1) -> dict:
		return {field: sign * getattr(self, field) for field in SUMMARY_VALUES}

	def key_name(self) -> str:
		return summary_name(self.key)


def dated_name(day, name: str) -> str:
	"""A summary or entry row's name starts with its date: the table is stored in name order, so the rows
	of a date window are read as one range of its primary key (``names_between``), in the order they lie,
	however many years the table holds."""
	return f"{day}|{name}"


def names_between(start: dt.date, end: dt.date) -> tuple[str, str]:
	"""(low, high): every ``dated_name`` of a day in [start, end], and no other, is >= low and < high."""
	return str(start), str(end + dt.timedelta(days=1))


def summary_name(key: tuple) -> str:
	"""The summary row's name: its date, then a hash of its key, so the same key always names the same
	row (a unique database key)."""
	digest = hashlib.sha1("\x1f".join("" if part is None else str(part) for part in key).encode()).hexdigest()
	return dated_name(key[0], digest)


def contribution(order: dict, rows: Sequence[dict]) -> Contribution:
	"""What a submitted order counts for: one order, its lines and quantity, its net amounts."""
	key = (
		order["transaction_date"],
		order["company"],
		order.get("oo_order_channel") or None,
		order.get("territory") or None,
		order.get("customer_group") or None,
		order.get("oo_shipping_region") or None,
		order["currency"],
	)
	return Contribution(
		key=key,
		orders=1,
		lines=len(rows),
		qty=float(sum(float(row.get("qty") or 0) for row in rows)),
		amount=float(order.get("net_total") or 0),
		base_amount=float(order.get("base_net_total") or 0),
	)


# Order Volume and Amount ---------------------------------------------------------------------


@dataclass(frozen=True)
class VolumeRow:
	period: dt.date
	channel: str | None
	orders: int
	lines: int
	amount: float
	average: float  # amount per order
	growth: float | None  # amount against the period before, percent
	growth_last_year: float | None  # amount against the same period a year before, percent


def comparison_start(start: dt.date, period: str, fiscal_start_month: int = 1) -> dt.date:
	"""How far back the figures must be read to compare the first period with its predecessors."""
	first = period_start(start, period, fiscal_start_month)
	return min(previous_period(first, period), same_period_last_year(first, period))


def volume_by_period(
	daily: Iterable[tuple[dt.date, str | None, int, int, float]],
	period: str,
	start: dt.date,
	end: dt.date,
	fiscal_start_month: int = 1,
) -> list[VolumeRow]:
	"""Rows per period (every period of [start, end], none skipped) and channel from daily
	``(day, channel, orders, lines, amount)`` figures, which may reach back before ``start``."""
	check_range(start, end)
	totals: dict[tuple, list] = {}
	seen: set = set()
	for day, channel, orders, lines, amount in daily:
		key = (period_start(day, period, fiscal_start_month), channel)
		t = totals.setdefault(key, [0, 0, 0.0])
		t[0], t[1], t[2] = t[0] + orders, t[1] + lines, t[2] + amount
		if start <= day <= end:
			seen.add(channel)
	rows = []
	for first in periods_between(start, end, period, fiscal_start_month):
		for channel in sorted(seen, key=lambda c: (c is None, c or "")):
			orders, lines, amount = totals.get((first, channel), (0, 0, 0.0))
			before = totals.get((previous_period(first, period), channel))
			last_year = totals.get((same_period_last_year(first, period), channel))
			rows.append(
				VolumeRow(
					first,
					channel,
					orders,
					lines,
					amount,
					average(amount, orders),
					growth(amount, before[2] if before else None),
					growth(amount, last_year[2] if last_year else None),
				)
			)
	return rows


def period_label(start: dt.date, period: str, fiscal_start_month: int = 1) -> str:
	"""2026-01-05, 2026-W02, 2026-01, 2026-Q1, 2026 (a fiscal quarter or year by its first month)."""
	if period == "Day":
		return start.isoformat()
	if period == "Week":
		year, week, _ = start.isocalendar()
		return f"{year}-W{week:02d}"
	if period == "Month" or (period in ("Quarter", "Year") and fiscal_start_month != 1):
		return start.strftime("%Y-%m") if period == "Month" else f"{period[0]} {start:%Y-%m}"
	if period == "Quarter":
		return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
	return str(start.year)


# Approval Turnaround -------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalEvent:
	order: str
	action: str  # as the Order Approval Log says it
	level: int
	user: str | None
	at: dt.datetime
	reason: str | None = None


@dataclass(frozen=True)
class LevelDecision:
	order: str
	level: int
	approver: str | None
	decision: str  # Approved or Rejected
	hours: float  # from the level's start to the decision
	escalated: bool  # its SLA passed before the decision (the escalation job said so)
	reason: str | None = None


SUBMITTED, APPROVED, REJECTED, AGAIN, ESCALATED = (
	"Submitted for Approval",
	"Approved",
	"Rejected",
	"Approval Required Again",
	"Escalated",
)


def level_decisions(events: Iterable[ApprovalEvent]) -> list[LevelDecision]:
	"""Each level's decision with the time it waited: a level starts when the order is submitted for
	approval, when the level below it is approved, or again at level 1 when Update Items asks for approval
	again; it ends when it is approved or rejected. Levels still waiting are left out."""
	by_order: dict[str, list[ApprovalEvent]] = {}
	for event in events:
		by_order.setdefault(event.order, []).append(event)
	out = []
	for order, rows in by_order.items():
		started: dt.datetime | None = None
		escalated = False
		for event in sorted(rows, key=lambda e: e.at):
			if event.action in (SUBMITTED, AGAIN):
				started, escalated = event.at, False
			elif event.action == ESCALATED:
				escalated = True
			elif event.action in (APPROVED, REJECTED) and started is not None:
				hours = (event.at - started).total_seconds() / 3600
				out.append(
					LevelDecision(
						order, event.level, event.user, event.action, hours, escalated, event.reason
					)
				)
				started, escalated = (event.at, False) if event.action == APPROVED else (None, False)
	return out


@dataclass(frozen=True)
class TurnaroundRow:
	level: int
	approver: str | None
	decisions: int
	approved: int
	rejected: int
	average_hours: float
	longest_hours: float
	sla_breaches: int


def turnaround(decisions: Iterable[LevelDecision]) -> list[TurnaroundRow]:
	"""Per level and approver, lowest level first, then the most decisions."""
	groups: dict[tuple, list[LevelDecision]] = {}
	for d in decisions:
		groups.setdefault((d.level, d.approver), []).append(d)
	rows = [
		TurnaroundRow(
			level,
			approver,
			len(ds),
			sum(d.decision == APPROVED for d in ds),
			sum(d.decision == REJECTED for d in ds),
			average(sum(d.hours for d in ds), len(ds)),
			max(d.hours for d in ds),
			sum(d.escalated for d in ds),
		)
		for (level, approver), ds in groups.items()
	]
	return sorted(rows, key=lambda r: (r.level, -r.decisions, r.approver or ""))


def rejection_reasons(decisions: Iterable[LevelDecision]) -> list[tuple[str, int]]:
	"""The reasons given for rejections, most frequent first (the same words counted together)."""
	counts: dict[str, int] = {}
	for d in decisions:
		if d.decision == REJECTED:
			reason = " ".join((d.reason or "").split()) or "-"
			counts[reason] = counts.get(reason, 0) + 1
	return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# Stock Shortage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortageRow:
	alert: str
	item_code: str
	warehouse: str
	shortage_qty: float
	orders: int
	amount_waiting: float  # what the waiting quantities sell for (company currency, net)
	earliest_delivery: dt.date | None
	age_days: int


def shortage_rows(
	alerts: Iterable[dict],
	waiting: Iterable[dict],
	rates: dict[tuple[str, str], float],
	today: dt.date,
) -> list[ShortageRow]:
	"""One row per open alert, the largest amount waiting first. ``waiting`` rows are the alerts'
	orders (parent, sales_order, pending_qty, delivery_date); ``rates`` the net rate per (order, item)."""
	by_alert: dict[str, list[dict]] = {}
	for row in waiting:
		by_alert.setdefault(row["parent"], []).append(row)
	out = []
	for alert in alerts:
		rows = by_alert.get(alert["name"], [])
		dates = [r["delivery_date"] for r in rows if r.get("delivery_date")]
		out.append(
			ShortageRow(
				alert["name"],
				alert["item_code"],
				alert["warehouse"],
				float(alert.get("shortage_qty") or 0),
				len({r["sales_order"] for r in rows}),
				sum(
					float(r.get("pending_qty") or 0) * rates.get((r["sales_order"], alert["item_code"]), 0.0)
					for r in rows
				),
				min(dates) if dates else None,
				(today - alert["created"]).days,
			)
		)
	return sorted(out, key=lambda r: (-r.amount_waiting, r.alert))


# Regional Trend ------------------------------------------------------------------------------

REGION_LEVELS = ("Country", "Province", "City")


@dataclass(frozen=True)
class RegionNode:
	name: str
	region_type: str
	lft: int
	rgt: int


def roll_up(regions: Sequence[RegionNode], level: str) -> dict[str, str]:
	"""Each region -> its region of ``level`` (itself, or the one above it in the tree). A region above
	the level (a country when provinces are asked for) stays itself, so nothing is lost."""
	at_level = sorted((r for r in regions if r.region_type == level), key=lambda r: r.lft)
	out = {}
	for region in regions:
		owner = next((r for r in at_level if r.lft <= region.lft and region.rgt <= r.rgt), None)
		out[region.name] = owner.name if owner else region.name
	return out


@dataclass(frozen=True)
class RegionTrend:
	region: str | None
	amounts: tuple[float, ...]  # per period, in order
	orders: int
	total: float
	change: float | None  # the last period against the one before, percent


def regional_trend(
	daily: Iterable[tuple[dt.date, str | None, int, float]],
	region_of: dict[str, str],
	periods: Sequence[dt.date],
	period: str,
	fiscal_start_month: int = 1,
) -> list[RegionTrend]:
	"""Per region (rolled up), the amount in each period; the largest total first. ``daily`` rows are
	(day, shipping region, orders, amount) inside the periods."""
	index = {start: i for i, start in enumerate(periods)}
	sums: dict[str | None, list] = {}
	counts: dict[str | None, int] = {}
	for day, region, orders, amount in daily:
		slot = index.get(period_start(day, period, fiscal_start_month))
		if slot is None:
			continue
		key = region_of.get(region, region) if region else None
		sums.setdefault(key, [0.0] * len(periods))[slot] += amount
		counts[key] = counts.get(key, 0) + orders
	rows = [
		RegionTrend(
			region,
			tuple(amounts),
			counts[region],
			sum(amounts),
			growth(amounts[-1], amounts[-2]) if len(amounts) > 1 else None,
		)
		for region, amounts in sums.items()
	]
	return sorted(rows, key=lambda r: (-r.total, r.region or ""))


def movers(rows: Iterable[RegionTrend], count: int = 3) -> tuple[list[RegionTrend], list[RegionTrend]]:
	"""The regions that grew most and those that fell most (by their last change)."""
	changed = [r for r in rows if r.change is not None]
	grew = sorted((r for r in changed if r.change > 0), key=lambda r: -r.change)[:count]
	fell = sorted((r for r in changed if r.change < 0), key=lambda r: r.change)[:count]
	return grew, fell


# What each line of a submitted order adds to the item summary ----------------------------------

ITEM_KEY = ("summary_date", "company", "channel", "item_code", "item_group", "currency")
ITEM_VALUES = ("lines", "qty", "amount", "base_amount")


@dataclass(frozen=True)
class ItemContribution:
	row: str  # the entry's name: the date and the Sales Order Item it comes from
	key: tuple
	lines: int
	qty: float  # in the stock unit
	amount: float
	base_amount: float

	def values(self, sign: int = 1) -> dict:
		return {field: sign * getattr(self, field) for field in ITEM_VALUES}

	def key_name(self) -> str:
		return summary_name(self.key)


def item_contributions(order: dict, rows: Sequence[dict]) -> list[ItemContribution]:
	"""One per line: its quantity in the stock unit and its net amounts."""
	return [
		ItemContribution(
			row=dated_name(order["transaction_date"], row["name"]),
			key=(
				order["transaction_date"],
				order["company"],
				order.get("oo_order_channel") or None,
				row["item_code"],
				row.get("item_group") or None,
				order["currency"],
			),
			lines=1,
			qty=float(row.get("stock_qty") or row.get("qty") or 0),
			amount=float(row.get("net_amount") or 0),
			base_amount=float(row.get("base_net_amount") or 0),
		)
		for row in rows
	]


@dataclass(frozen=True)
class ProductShare:
	key: str
	qty: float
	amount: float
	share: float
	cumulative: float
	in_pareto: bool
	share_before: float | None  # the share in the period of the same length just before
	share_change: float | None  # percentage points


def product_share(
	current: dict[str, tuple[float, float]], before: dict[str, tuple[float, float]], cut: float = 80.0
) -> list[ProductShare]:
	"""Items (or item groups) by amount with their share, the Pareto cut and the change in share against
	the period before; ``current``/``before`` map a key to (qty, amount)."""
	total_before = sum(amount for _, amount in before.values())
	out = []
	for s in shares(((key, amount) for key, (_, amount) in current.items()), cut):
		prior = before.get(s.key, (0.0, 0.0))[1] / total_before * 100 if total_before else None
		out.append(
			ProductShare(
				s.key,
				current[s.key][0],
				s.value,
				s.share,
				s.cumulative,
				s.in_pareto,
				prior,
				None if prior is None else s.share - prior,
			)
		)
	return out


@dataclass(frozen=True)
class TurnaroundFigures:
	orders: int  # orders with at least one decision
	rejection_rate: float  # percent of those orders rejected
	median_hours: float  # per level decided
	sla_breaches: int


def turnaround_figures(decisions: Sequence[LevelDecision]) -> TurnaroundFigures:
	orders = {d.order for d in decisions}
	rejected = {d.order for d in decisions if d.decision == REJECTED}
	hours = sorted(d.hours for d in decisions)
	return TurnaroundFigures(
		len(orders),
		average(len(rejected) * 100, len(orders)),
		statistics.median(hours) if hours else 0.0,
		sum(d.escalated for d in decisions),
	)


# Customer Distribution -----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodIndex:
	"""How a database numbers the periods of a date, so figures per period come from one GROUP BY:
	``(base - offset) // size``, where base counts days (MariaDB's TO_DAYS) or months (year * 12 +
	month - 1)."""

	unit: str  # "day" or "month"
	size: int
	offset: int


def period_index_rule(period: str, fiscal_start_month: int = 1) -> PeriodIndex:
	if period == "Day":
		return PeriodIndex("day", 1, 0)
	if period == "Week":  # TO_DAYS of a Monday leaves 2 when divided by 7
		return PeriodIndex("day", 7, 2)
	if period == "Month":
		return PeriodIndex("month", 1, 0)
	if period in ("Quarter", "Year"):
		return PeriodIndex("month", 3 if period == "Quarter" else 12, fiscal_start_month - 1)
	raise UnknownReportPeriod(period=period)


_TO_DAYS = 365  # MariaDB's TO_DAYS(d) is d.toordinal() + 365


def period_index(day: dt.date, rule: PeriodIndex) -> int:
	base = day.toordinal() + _TO_DAYS if rule.unit == "day" else day.year * 12 + day.month - 1
	return (base - rule.offset) // rule.size


def period_of_index(index: int, rule: PeriodIndex) -> dt.date:
	"""The first day of the period numbered ``index``."""
	base = index * rule.size + rule.offset
	if rule.unit == "day":
		return dt.date.fromordinal(base - _TO_DAYS)
	return dt.date(base // 12, base % 12 + 1, 1)


@dataclass(frozen=True)
class CustomerPeriod:
	period: dt.date
	customers: int  # who ordered in the period
	new: int  # of them, those whose first order falls in the period
	returning: int  # those who had ordered before
	orders: int
	amount: float
	returning_rate: float  # percent of the period's customers who had ordered before


def customer_periods(
	active: Mapping[str, Iterable[int]],
	first_order: Mapping[str, dt.date],
	sales: Mapping[int, tuple[int, float]],
	period: str,
	start: dt.date,
	end: dt.date,
	fiscal_start_month: int = 1,
) -> list[CustomerPeriod]:
	"""Every period of [start, end]: ``active`` maps a customer to the periods (numbered by
	``period_index_rule``) they ordered in, ``first_order`` a customer to the date of their first order
	ever, ``sales`` a period to its (orders, amount)."""
	rule = period_index_rule(period, fiscal_start_month)
	customers, new = Counter(), Counter()
	for customer, indices in active.items():
		first = first_order.get(customer)
		first_index = None if first is None else period_index(first, rule)
		for index in set(indices):
			customers[index] += 1
			new[index] += index == first_index
	out = []
	for first in periods_between(start, end, period, fiscal_start_month):
		index = period_index(first, rule)
		orders, amount = sales.get(index, (0, 0.0))
		count, fresh = customers[index], new[index]
		out.append(
			CustomerPeriod(
				first,
				count,
				fresh,
				count - fresh,
				int(orders),
				float(amount),
				average((count - fresh) * 100, count),
			)
		)
	return out


@dataclass(frozen=True)
class CustomerGroup:
	key: str | None
	customers: int
	orders: int
	amount: float
	average: float  # amount per order
	share: float
	cumulative: float


# (customer, territory, customer group, orders, amount): a customer's figures in a window, one row per
# territory and customer group they ordered under (a customer moved to another territory has two)
CustomerRow = tuple[str, str | None, str | None, int, float]
GROUPINGS = {"Territory": 1, "Customer Group": 2}


def customer_groups(rows: Iterable[CustomerRow], grouping: str) -> list[CustomerGroup]:
	"""Per territory or customer group: its customers, orders, amount, share and cumulative share."""
	position = GROUPINGS[grouping]
	people: dict = {}
	sums: dict = {}
	for row in rows:
		key = row[position]
		people.setdefault(key, set()).add(row[0])
		orders, amount = sums.get(key, (0, 0.0))
		sums[key] = (orders + int(row[3]), amount + float(row[4]))
	names = {key: "" if key is None else key for key in sums}  # shares() sorts by key on a tie
	keyed = {names[key]: key for key in sums}
	return [
		CustomerGroup(
			keyed[s.key],
			len(people[keyed[s.key]]),
			sums[keyed[s.key]][0],
			s.value,
			average(s.value, sums[keyed[s.key]][0]),
			s.share,
			s.cumulative,
		)
		for s in shares((names[key], amount) for key, (_orders, amount) in sums.items())
	]


def per_customer(rows: Iterable[CustomerRow]) -> list[tuple[str, int, float]]:
	"""(customer, orders, amount) of each customer, whatever territory or group they ordered under."""
	sums: dict = {}
	for customer, _territory, _group, orders, amount in rows:
		before = sums.get(customer, (0, 0.0))
		sums[customer] = (before[0] + int(orders), before[1] + float(amount))
	return [(customer, orders, amount) for customer, (orders, amount) in sums.items()]


@dataclass(frozen=True)
class CustomerRank:
	customer: str
	orders: int
	amount: float
	share: float  # percent of every customer's amount in the window
	cumulative: float


def top_customers(rows: Iterable[tuple[str, int, float]], total: float) -> list[CustomerRank]:
	"""The given customers (the largest, as the database ranked them) with their share of ``total``, the
	amount of every customer, and the cumulative share down the list."""
	out, running = [], 0.0
	for customer, orders, amount in sorted(rows, key=lambda row: (-row[2], row[0])):
		share = average(float(amount) * 100, total)
		running += share
		out.append(CustomerRank(customer, int(orders), float(amount), share, running))
	return out


# Fulfilment Performance ----------------------------------------------------------------------

STAGES = ("approval", "picking", "shipping", "delivery")
STAGE_LABELS = {
	"approval": "Ordered to Approved",
	"picking": "Approved to First Pick List",
	"shipping": "First Pick List to First Shipment",
	"delivery": "First Shipment to Delivered",
}


@dataclass(frozen=True)
class OrderStages:
	"""An order's way from placement to delivery: each stage's hours (None until it ends), whether it
	was delivered by the promised date (None until delivered) and whether it is past the promise and
	still not delivered."""

	approval: float | None
	picking: float | None
	shipping: float | None
	delivery: float | None
	total: float | None  # ordered to delivered
	on_time: bool | None
	overdue: bool


def _hours(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
	if start is None or end is None:
		return None
	return max((end - start).total_seconds() / 3600, 0.0)  # a stamp out of order counts as no wait


def order_stages(
	ordered: dt.datetime,
	approved: dt.datetime | None,
	picked: dt.datetime | None,
	shipped: dt.datetime | None,
	delivered: dt.datetime | None,
	promised: dt.date | None,
	today: dt.date,
) -> OrderStages:
	"""The stages from the documents' own stamps. An order that needed no approval is approved when it is
	placed; an order shipped without a Pick List has no picking stage, and its shipping stage starts at
	its approval."""
	released = approved or ordered
	return OrderStages(
		approval=_hours(ordered, approved),
		picking=_hours(released, picked),
		shipping=_hours(picked or released, shipped),
		delivery=_hours(shipped, delivered),
		total=_hours(ordered, delivered),
		on_time=None if delivered is None or promised is None else delivered.date() <= promised,
		overdue=delivered is None and promised is not None and promised < today,
	)


@dataclass(frozen=True)
class FulfilmentRow:
	key: str | None
	orders: int
	shipped: int
	delivered: int
	hours: dict  # stage -> average hours over the orders that finished it (None: none did)
	total_hours: float | None
	on_time_rate: float | None  # percent of the delivered orders that had a promise and kept it
	overdue: int


def fulfilment_row(
	key: str | None,
	orders: int,
	shipped: int,
	delivered: int,
	stage_sums: dict,
	total: tuple[float, int],
	on_time: int,
	promised_and_delivered: int,
	overdue: int,
) -> FulfilmentRow:
	"""A group's figures from the database's sums: ``stage_sums`` maps a stage to (its hours summed, the
	orders that ended it), ``total`` is the same for ordered to delivered; an average is over the orders
	that ended the stage."""

	def mean(hours_and_count) -> float | None:
		hours, count = hours_and_count or (0, 0)
		return float(hours or 0) / int(count) if count else None

	return FulfilmentRow(
		key,
		int(orders),
		int(shipped),
		int(delivered),
		{stage: mean(stage_sums.get(stage)) for stage in STAGES},
		mean(total),
		average(int(on_time) * 100, int(promised_and_delivered)) if promised_and_delivered else None,
		int(overdue),
	)


def fulfilment_rows(raw: Iterable[Sequence]) -> list[FulfilmentRow]:
	"""The groups' figures, most orders first, from the database's sums per group: ``(key, orders,
	shipped, delivered, then (hours, orders that ended it) for each of STAGES and for the whole way,
	promises kept, promises judged, overdue)``."""
	out = []
	pairs = 2 * (len(STAGES) + 1)
	for key, orders, shipped, delivered, *rest in raw:
		if not orders:
			continue
		sums = [tuple(rest[i : i + 2]) for i in range(0, pairs, 2)]
		kept, judged, late = (value or 0 for value in rest[pairs:])
		stage_sums = dict(zip(STAGES, sums[:-1], strict=True))
		out.append(fulfilment_row(key, orders, shipped, delivered, stage_sums, sums[-1], kept, judged, late))
	return sorted(out, key=lambda row: (-row.orders, row.key or ""))


def all_orders(raw: Sequence[Sequence]) -> FulfilmentRow | None:
	"""Every group's orders together: the sums add up (averages are taken after)."""
	if not raw:
		return None
	totals = [
		sum(float(value or 0) for value in column) for column in zip(*(row[1:] for row in raw), strict=True)
	]
	rows = fulfilment_rows([(None, *totals)])
	return rows[0] if rows else None

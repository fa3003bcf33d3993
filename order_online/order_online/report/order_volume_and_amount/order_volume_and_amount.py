"""Order Volume and Amount: orders, lines, amount and average order value per period and channel,
with the growth against the period before and the same period last year (from the sales summary)."""

import frappe
from frappe import _

from order_online.analytics import figures
from order_online.domain import analytics


def execute(filters: dict | None = None):
	f = figures.parse(filters)
	since = analytics.comparison_start(f.from_date, f.period, f.fiscal_start_month)
	daily = figures.daily_by_channel(f, since)
	rows = analytics.volume_by_period(daily, f.period, f.from_date, f.to_date, f.fiscal_start_month)
	currency = frappe.get_cached_value("Company", f.company, "default_currency")
	data = [_row(row, f, currency) for row in rows]
	return columns(f), data, None, chart(rows, f), summary(rows, currency, f)


def _group(group: str | None, f) -> tuple[str | None, str | None]:
	"""(channel, currency) of a row's group."""
	if f.currency_view == figures.COMPANY_CURRENCY or group is None:
		return group, None
	channel, currency = group.split("|", 1)
	return channel or None, currency


def _row(row, f, company_currency: str) -> dict:
	channel, currency = _group(row.channel, f)
	return {
		"period": analytics.period_label(row.period, f.period, f.fiscal_start_month),
		"channel": channel,
		"currency": currency or company_currency,
		"orders": row.orders,
		"lines": row.lines,
		"amount": row.amount,
		"average": row.average,
		"growth": row.growth,
		"growth_last_year": row.growth_last_year,
	}


def columns(f) -> list[dict]:
	return [
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "channel",
			"label": _("Order Channel"),
			"fieldtype": "Link",
			"options": "Order Channel",
			"width": 160,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"width": 80,
		},
		{"fieldname": "orders", "label": _("Orders"), "fieldtype": "Int", "width": 90},
		{"fieldname": "lines", "label": _("Lines"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "amount",
			"label": _("Net Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{
			"fieldname": "average",
			"label": _("Average Order Value"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{
			"fieldname": "growth",
			"label": _("Growth on Previous Period (%)"),
			"fieldtype": "Percent",
			"width": 130,
		},
		{
			"fieldname": "growth_last_year",
			"label": _("Growth on Last Year (%)"),
			"fieldtype": "Percent",
			"width": 130,
		},
	]


def chart(rows, f) -> dict | None:
	"""A line per channel: the amount per period."""
	if not rows:
		return None
	labels = list(
		dict.fromkeys(analytics.period_label(r.period, f.period, f.fiscal_start_month) for r in rows)
	)
	series: dict = {}
	for row in rows:
		series.setdefault(row.channel, []).append(row.amount)
	names = {group: _group(group, f) for group in series}
	return {
		"data": {
			"labels": labels,
			"datasets": [
				{
					"name": " ".join(filter(None, (names[g][0] or _("No channel"), names[g][1]))),
					"values": values,
				}
				for g, values in series.items()
			],
		},
		"type": "line",
		"fieldtype": "Currency",
	}


def summary(rows, currency: str, f) -> list[dict]:
	orders = sum(r.orders for r in rows)
	lines = sum(r.lines for r in rows)
	figures_ = [
		{"label": _("Orders"), "value": orders, "datatype": "Int", "indicator": "Blue"},
		{"label": _("Lines"), "value": lines, "datatype": "Int"},
	]
	if f.currency_view == figures.COMPANY_CURRENCY:
		amount = sum(r.amount for r in rows)
		figures_ += [
			{
				"label": _("Net Amount"),
				"value": amount,
				"datatype": "Currency",
				"currency": currency,
				"indicator": "Green",
			},
			{
				"label": _("Average Order Value"),
				"value": analytics.average(amount, orders),
				"datatype": "Currency",
				"currency": currency,
			},
		]
	return figures_

"""Regional Trend: the net amount per shipping region (at the country, province or city level) and
period, with each region's change on the period before and the regions that grew or fell most.
Amounts are in the company's currency (orders of different currencies are never added otherwise)."""

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

from order_online.analytics import figures
from order_online.domain import analytics


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	level = filters.get("region_level") or "Province"
	if level not in analytics.REGION_LEVELS:
		frappe.throw(_("Region level must be Country, Province or City."))
	f = figures.parse({**filters, "currency_view": figures.COMPANY_CURRENCY})
	periods = analytics.periods_between(f.from_date, f.to_date, f.period, f.fiscal_start_month)
	regions = [
		analytics.RegionNode(**r)
		for r in frappe.get_list("Shipping Region", fields=["name", "region_type", "lft", "rgt"], limit=0)
	]
	rows = analytics.regional_trend(
		read(f, periods[0]), analytics.roll_up(regions, level), periods, f.period, f.fiscal_start_month
	)
	labels = [analytics.period_label(p, f.period, f.fiscal_start_month) for p in periods]
	currency = frappe.get_cached_value("Company", f.company, "default_currency")
	data = [
		{
			"region": row.region,
			**{f"p{i}": amount for i, amount in enumerate(row.amounts)},
			"orders": row.orders,
			"total": row.total,
			"change": row.change,
			"currency": currency,
		}
		for row in rows
	]
	return columns(labels), data, movers(rows), chart(rows, labels), summary(rows, currency)


@frappe.read_only()
def read(f, since) -> list[tuple]:
	query, t = figures.source(f)
	query = (
		query.where(figures.window(t, since, f.to_date))
		.select(t.summary_date, t.shipping_region, Sum(t.orders), Sum(t.base_amount))
		.groupby(t.summary_date, t.shipping_region)
	)
	return [
		(frappe.utils.getdate(day), region, int(n or 0), float(v or 0)) for day, region, n, v in query.run()
	]


def columns(labels: list[str]) -> list[dict]:
	return [
		{
			"fieldname": "region",
			"label": _("Shipping Region"),
			"fieldtype": "Link",
			"options": "Shipping Region",
			"width": 160,
		},
		*(
			{
				"fieldname": f"p{i}",
				"label": label,
				"fieldtype": "Currency",
				"options": "currency",
				"width": 120,
			}
			for i, label in enumerate(labels)
		),
		{"fieldname": "orders", "label": _("Orders"), "fieldtype": "Int", "width": 80},
		{
			"fieldname": "total",
			"label": _("Total"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "change",
			"label": _("Growth on Previous Period (%)"),
			"fieldtype": "Percent",
			"width": 130,
		},
	]


def movers(rows) -> str | None:
	grew, fell = analytics.movers(rows)
	if not grew and not fell:
		return None

	def listed(title, items):
		names = ", ".join(
			f"{frappe.utils.escape_html(r.region or _('No region'))} ({r.change:+.1f}%)" for r in items
		)
		return f"<b>{title}</b>: {names or '-'}"

	return "<br>".join((listed(_("Grew most"), grew), listed(_("Fell most"), fell)))


def chart(rows, labels) -> dict | None:
	top = rows[:5]
	if not top:
		return None
	return {
		"data": {
			"labels": labels,
			"datasets": [{"name": r.region or _("No region"), "values": list(r.amounts)} for r in top],
		},
		"type": "line",
		"fieldtype": "Currency",
	}


def summary(rows, currency) -> list[dict]:
	grew, fell = analytics.movers(rows, 1)
	return [
		{"label": _("Regions"), "value": len(rows), "datatype": "Int"},
		{
			"label": _("Total"),
			"value": sum(r.total for r in rows),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green",
		},
		{
			"label": _("Grew most"),
			"value": grew[0].region if grew else "-",
			"datatype": "Data",
			"indicator": "Green",
		},
		{
			"label": _("Fell most"),
			"value": fell[0].region if fell else "-",
			"datatype": "Data",
			"indicator": "Red",
		},
	]

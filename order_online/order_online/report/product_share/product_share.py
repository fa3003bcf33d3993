"""Product Share: items or item groups by net amount and quantity, with their share, the Pareto view
(the fewest that make 80 % of the amount) and the change in share against the period of the same length
just before. Amounts in the company's currency, or per order currency when a currency is chosen."""

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, date_diff

from order_online.analytics import figures
from order_online.domain import analytics


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Item"
	if group_by not in ("Item", "Item Group"):
		frappe.throw(_("Group by must be Item or Item Group."))
	f = figures.parse({**filters, "currency_view": figures.COMPANY_CURRENCY})
	days = date_diff(f.to_date, f.from_date) + 1
	before_start, before_end = add_days(f.from_date, -days), add_days(f.from_date, -1)
	field = "item_code" if group_by == "Item" else "item_group"
	rows = analytics.product_share(
		read(f, field, f.from_date, f.to_date), read(f, field, before_start, before_end)
	)
	currency = frappe.get_cached_value("Company", f.company, "default_currency")
	data = [{**row.__dict__, "currency": currency} for row in rows]
	return columns(group_by), data, None, chart(rows), summary(rows, currency)


@frappe.read_only()
def read(f, field: str, start, end) -> dict[str, tuple[float, float]]:
	query, t = figures.source(f, "items")
	query = (
		query.where(figures.window(t, start, end))
		.select(t[field], Sum(t.qty), Sum(t.base_amount))
		.groupby(t[field])
	)
	return {
		key or _("No item group"): (float(qty or 0), float(amount or 0)) for key, qty, amount in query.run()
	}


def columns(group_by: str) -> list[dict]:
	return [
		{"fieldname": "key", "label": _(group_by), "fieldtype": "Link", "options": group_by, "width": 180},
		{"fieldname": "qty", "label": _("Quantity"), "fieldtype": "Float", "width": 100},
		{
			"fieldname": "amount",
			"label": _("Net Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{"fieldname": "share", "label": _("Share (%)"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "cumulative", "label": _("Cumulative Share (%)"), "fieldtype": "Percent", "width": 130},
		{"fieldname": "in_pareto", "label": _("Makes 80 %"), "fieldtype": "Check", "width": 90},
		{"fieldname": "share_before", "label": _("Share Before (%)"), "fieldtype": "Percent", "width": 120},
		{
			"fieldname": "share_change",
			"label": _("Change in Share (points)"),
			"fieldtype": "Float",
			"width": 140,
		},
	]


def chart(rows) -> dict | None:
	"""A donut of the shares: the top ten, the rest together."""
	if not rows:
		return None
	top, rest = rows[:10], rows[10:]
	labels = [r.key for r in top] + ([_("Others")] if rest else [])
	values = [r.amount for r in top] + ([sum(r.amount for r in rest)] if rest else [])
	return {
		"data": {"labels": labels, "datasets": [{"values": values}]},
		"type": "donut",
		"fieldtype": "Currency",
	}


def summary(rows, currency) -> list[dict]:
	pareto = [r for r in rows if r.in_pareto]
	return [
		{
			"label": _("Net Amount"),
			"value": sum(r.amount for r in rows),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green",
		},
		{"label": _("Products Sold"), "value": len(rows), "datatype": "Int"},
		{
			"label": _("Making 80 % of the Amount"),
			"value": len(pareto),
			"datatype": "Int",
			"indicator": "Blue",
		},
	]

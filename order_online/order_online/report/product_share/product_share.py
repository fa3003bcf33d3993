"""Product Share: items or item groups by net amount and quantity, with their share, the Pareto view
(the fewest that make 80 % of the amount) and the change in share against the period of the same length
just before. Amounts in the company's currency, or per order currency when a currency is chosen."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, date_diff, getdate

from order_online.analytics import figures
from order_online.domain import analytics


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Item"
	if group_by not in ("Item", "Item Group"):
		frappe.throw(_("Group by must be Item or Item Group."))
	f = figures.parse({**filters, "currency_view": figures.COMPANY_CURRENCY})
	days = date_diff(f.to_date, f.from_date) + 1
	before_start = add_days(f.from_date, -days)  # the window of the same length just before
	field = "item_code" if group_by == "Item" else "item_group"
	current, before = read(f, field, getdate(before_start))
	rows = analytics.product_share(current, before)
	currency = frappe.get_cached_value("Company", f.company, "default_currency")
	data = [{**row.__dict__, "currency": currency} for row in rows]
	return columns(group_by), data, None, chart(rows), summary(rows, currency)


@frappe.read_only()
def read(f, field: str, before_start) -> tuple[dict, dict]:
	"""(the window's, the window before's) qty and amount per item or item group: one pass over both."""
	query, t = figures.source(f, "items")
	now = t.summary_date >= f.from_date

	def part(value, current: bool):
		return Sum(Case().when(now if current else ~now, value).else_(0))

	rows = (
		query.where(figures.window(t, before_start, f.to_date))
		.select(
			t[field],
			part(t.qty, True),
			part(t.base_amount, True),
			part(t.qty, False),
			part(t.base_amount, False),
			Sum(Case().when(now, 1).else_(0)),
			Sum(Case().when(~now, 1).else_(0)),
		)
		.groupby(t[field])
		.run()
	)
	current, before = {}, {}
	for key, qty, amount, qty_before, amount_before, rows_now, rows_before in rows:
		key = key or _("No item group")
		if rows_now:
			current[key] = (float(qty or 0), float(amount or 0))
		if rows_before:
			before[key] = (float(qty_before or 0), float(amount_before or 0))
	return current, before


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

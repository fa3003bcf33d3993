"""Customer Distribution: the amount, orders and customers per territory or customer group, the top
customers with their share and cumulative share, and new against returning customers per period.

A customer is new in the period of their first submitted order with the company (for a salesperson
narrowed to their own orders: their first such order among those). Amounts in the company's currency.
The figures per customer read the per-order entries of the sales summary (the summary itself keeps no
customer), a few aggregate queries each."""

import frappe
from frappe import _
from frappe.query_builder import Case, CustomFunction
from frappe.query_builder.functions import Count, Floor, Min, Sum
from frappe.utils import cint

from order_online.analytics import figures
from order_online.domain import analytics

VIEWS = ("Territory", "Customer Group", "Top Customers", "New and Returning")
GROUP_FIELDS = {"Territory": "territory", "Customer Group": "customer_group"}
TOP_DEFAULT, TOP_MAX = 20, 500

_TO_DAYS = CustomFunction("TO_DAYS", ["day"])
_YEAR = CustomFunction("YEAR", ["day"])
_MONTH = CustomFunction("MONTH", ["day"])


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	view = filters.get("view") or VIEWS[0]
	if view not in VIEWS:
		frappe.throw(_("View must be one of {0}.").format(", ".join(_(v) for v in VIEWS)))
	top = TOP_DEFAULT if filters.get("top") in (None, "") else cint(filters.top)
	if not 1 <= top <= TOP_MAX:
		frappe.throw(_("Top customers must be between 1 and {0}.").format(TOP_MAX))
	f = figures.parse({**filters, "currency_view": figures.COMPANY_CURRENCY})
	currency = frappe.get_cached_value("Company", f.company, "default_currency")
	totals = read_totals(f)
	if view in GROUP_FIELDS:
		rows = groups(f, GROUP_FIELDS[view])
		data = [{**row, "currency": currency} for row in rows]
		chart = _donut([(row["key"], row["amount"]) for row in rows[:10]])
		return group_columns(view), data, None, chart, summary(totals, currency)
	if view == "Top Customers":
		rows = analytics.top_customers(read_top(f, top), totals["amount"])
		names = customer_names([row.customer for row in rows])
		data = [
			{**row.__dict__, "customer_name": names.get(row.customer), "currency": currency} for row in rows
		]
		return top_columns(), data, None, _bar(rows), summary(totals, currency, rows)
	rows = analytics.customer_periods(read_periods(f), f.period, f.from_date, f.to_date, f.fiscal_start_month)
	data = [
		{
			**row.__dict__,
			"period": analytics.period_label(row.period, f.period, f.fiscal_start_month),
			"currency": currency,
		}
		for row in rows
	]
	new = sum(row.new for row in rows)
	return period_columns(), data, None, _new_and_returning(rows, f), summary(totals, currency, new=new)


# reads ---------------------------------------------------------------------------------------


@frappe.read_only()
def read_totals(f) -> dict:
	"""Every customer's figures in the window: customers, orders, amount."""
	query, t = figures.source(f, entries=True)
	row = (
		query.where(t.summary_date[f.from_date : f.to_date])
		.select(Count(t.customer).distinct(), Sum(t.orders), Sum(t.base_amount))
		.run()
	)[0]
	return {"customers": int(row[0] or 0), "orders": int(row[1] or 0), "amount": float(row[2] or 0)}


@frappe.read_only()
def groups(f, field: str) -> list[dict]:
	"""Per territory or customer group: orders and amount (the summary), customers (the entries)."""
	query, t = figures.source(f)
	sums = (
		query.where(t.summary_date[f.from_date : f.to_date])
		.select(t[field], Sum(t.orders), Sum(t.base_amount))
		.groupby(t[field])
		.run()
	)
	query, e = figures.source(f, entries=True)
	customers = dict(
		query.where(e.summary_date[f.from_date : f.to_date])
		.select(e[field], Count(e.customer).distinct())
		.groupby(e[field])
		.run()
	)
	orders = {key: int(count or 0) for key, count, _amount in sums}
	none = _("Not set")
	out = []
	for share in analytics.shares((key or none, float(amount or 0)) for key, _count, amount in sums):
		key = None if share.key == none else share.key
		out.append(
			{
				"key": share.key,
				"orders": orders.get(key, 0),
				"customers": int(customers.get(key) or 0),
				"amount": share.value,
				"average": analytics.average(share.value, orders.get(key, 0)),
				"share": share.share,
				"cumulative": share.cumulative,
			}
		)
	return out


@frappe.read_only()
def read_top(f, top: int) -> list[tuple[str, int, float]]:
	query, t = figures.source(f, entries=True)
	amount = Sum(t.base_amount)
	return (
		query.where(t.summary_date[f.from_date : f.to_date])
		.select(t.customer, Sum(t.orders), amount)
		.groupby(t.customer)
		.orderby(amount, order=frappe.qb.desc)
		.limit(top)
		.run()
	)


def period_number(day, rule: analytics.PeriodIndex):
	"""``analytics.period_index`` as SQL, so the database groups by period."""
	base = _TO_DAYS(day) if rule.unit == "day" else _YEAR(day) * 12 + _MONTH(day) - 1
	return Floor((base - rule.offset) / rule.size)


@frappe.read_only()
def read_periods(f) -> list[tuple]:
	"""(period, customers, new customers, orders, amount, new customers' amount) per period: one query,
	each order entry beside its customer's first order date."""
	rule = analytics.period_index_rule(f.period, f.fiscal_start_month)
	company, t = figures.orders_of(f, entries=True)
	first = company.select(t.customer, Min(t.summary_date).as_("first_date")).groupby(t.customer)
	query, e = figures.source(f, entries=True)
	period = period_number(e.summary_date, rule)
	is_new = period_number(first.first_date, rule) == period
	return (
		query.join(first)
		.on(first.customer == e.customer)
		.where(e.summary_date[f.from_date : f.to_date])
		.select(
			period,
			Count(e.customer).distinct(),
			Count(Case().when(is_new, e.customer)).distinct(),
			Sum(e.orders),
			Sum(e.base_amount),
			Sum(Case().when(is_new, e.base_amount).else_(0)),
		)
		.groupby(period)
		.run()
	)


def customer_names(customers: list[str]) -> dict[str, str]:
	if not customers:
		return {}
	rows = frappe.get_list(
		"Customer", filters={"name": ("in", customers)}, fields=["name", "customer_name"], limit_page_length=0
	)
	return {row.name: row.customer_name for row in rows}


# columns, charts, summary ----------------------------------------------------------------------


def _currency(fieldname: str, label: str) -> dict:
	return {
		"fieldname": fieldname,
		"label": label,
		"fieldtype": "Currency",
		"options": "currency",
		"width": 140,
	}


def _percent(fieldname: str, label: str) -> dict:
	return {"fieldname": fieldname, "label": label, "fieldtype": "Percent", "width": 120}


def _int(fieldname: str, label: str) -> dict:
	return {"fieldname": fieldname, "label": label, "fieldtype": "Int", "width": 100}


def group_columns(view: str) -> list[dict]:
	return [
		{"fieldname": "key", "label": _(view), "fieldtype": "Link", "options": view, "width": 180},
		_int("customers", _("Customers")),
		_int("orders", _("Orders")),
		_currency("amount", _("Net Amount")),
		_currency("average", _("Average Order Value")),
		_percent("share", _("Share (%)")),
		_percent("cumulative", _("Cumulative Share (%)")),
	]


def top_columns() -> list[dict]:
	return [
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 160,
		},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 180},
		_int("orders", _("Orders")),
		_currency("amount", _("Net Amount")),
		_percent("share", _("Share (%)")),
		_percent("cumulative", _("Cumulative Share (%)")),
	]


def period_columns() -> list[dict]:
	return [
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 110},
		_int("customers", _("Customers")),
		_int("new", _("New Customers")),
		_int("returning", _("Returning Customers")),
		_int("orders", _("Orders")),
		_currency("amount", _("Net Amount")),
		_currency("new_amount", _("New Customers' Amount")),
		_percent("returning_share", _("Returning Customers' Share (%)")),
	]


def _donut(values: list[tuple[str, float]]) -> dict | None:
	if not values:
		return None
	return {
		"data": {"labels": [k for k, _v in values], "datasets": [{"values": [v for _k, v in values]}]},
		"type": "donut",
		"fieldtype": "Currency",
	}


def _bar(rows) -> dict | None:
	if not rows:
		return None
	return {
		"data": {
			"labels": [row.customer for row in rows],
			"datasets": [{"name": _("Net Amount"), "values": [row.amount for row in rows]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}


def _new_and_returning(rows, f) -> dict | None:
	if not rows:
		return None
	return {
		"data": {
			"labels": [analytics.period_label(r.period, f.period, f.fiscal_start_month) for r in rows],
			"datasets": [
				{"name": _("New Customers"), "values": [r.new for r in rows]},
				{"name": _("Returning Customers"), "values": [r.returning for r in rows]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(totals: dict, currency: str, top=None, new: int | None = None) -> list[dict]:
	out = [
		{"label": _("Customers"), "value": totals["customers"], "datatype": "Int", "indicator": "Blue"},
		{"label": _("Orders"), "value": totals["orders"], "datatype": "Int"},
		{
			"label": _("Net Amount"),
			"value": totals["amount"],
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green",
		},
	]
	if new is not None:
		out.append({"label": _("New Customers"), "value": new, "datatype": "Int"})
	if top:
		out.append(
			{"label": _("Share of the Top Customers (%)"), "value": top[-1].cumulative, "datatype": "Percent"}
		)
	return out

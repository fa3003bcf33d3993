"""Customer Distribution: the amount, orders and customers per territory or customer group, the top
customers with their share and cumulative share, and new against returning customers per period.

A customer is new in the period of their first submitted order with the company (for a salesperson
narrowed to their own orders: their first such order among those). Amounts in the company's currency.
The figures per customer read the per-order entries of the sales summary (the summary itself keeps no
customer), a few aggregate queries each."""

import frappe
from frappe import _
from frappe.query_builder import CustomFunction
from frappe.query_builder.functions import Floor, GroupConcat, Min, Sum
from frappe.utils import cint

from order_online.analytics import figures
from order_online.domain import analytics

VIEWS = ("Territory", "Customer Group", "Top Customers", "New and Returning")
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
	if view == "New and Returning":
		return new_and_returning(f, currency)
	customers = read_customers(f)
	each = analytics.per_customer(customers)
	totals = {
		"customers": len(each),
		"orders": sum(orders for _c, orders, _a in each),
		"amount": sum(amount for _c, _o, amount in each),
	}
	if view in analytics.GROUPINGS:
		rows = analytics.customer_groups(customers, view)
		data = [{**row.__dict__, "key": row.key or _("Not set"), "currency": currency} for row in rows]
		chart = _donut([(row["key"], row["amount"]) for row in data[:10]])
		return group_columns(view), data, None, chart, summary(totals, currency)
	rows = analytics.top_customers(each, totals["amount"])[:top]
	names = customer_names([row.customer for row in rows])
	data = [{**row.__dict__, "customer_name": names.get(row.customer), "currency": currency} for row in rows]
	return top_columns(), data, None, _bar(rows), summary(totals, currency, rows)


def new_and_returning(f, currency: str):
	rule = analytics.period_index_rule(f.period, f.fiscal_start_month)
	active = read_active(f, rule)
	rows = analytics.customer_periods(
		active,
		read_first_orders(f),
		read_sales(f, rule),
		f.period,
		f.from_date,
		f.to_date,
		f.fiscal_start_month,
	)
	data = [
		{
			**row.__dict__,
			"period": analytics.period_label(row.period, f.period, f.fiscal_start_month),
			"currency": currency,
		}
		for row in rows
	]
	totals = {
		"customers": len(active),
		"orders": sum(row.orders for row in rows),
		"amount": sum(row.amount for row in rows),
	}
	new = sum(row.new for row in rows)
	return period_columns(), data, None, _new_and_returning(rows, f), summary(totals, currency, new=new)


# reads: each one aggregate query over the order entries, read in the order of a customer index ---------


@frappe.read_only()
def read_customers(f) -> list[analytics.CustomerRow]:
	"""Each customer's orders and amount in the window, per territory and customer group."""
	query, e = figures.source(f, entries=True)
	keys = (e.customer, e.territory, e.customer_group)
	return (
		query.where(e.summary_date[f.from_date : f.to_date])
		.select(*keys, Sum(e.orders), Sum(e.base_amount))
		.groupby(*keys)
		.run()
	)


@frappe.read_only()
def read_first_orders(f) -> dict:
	"""Each customer's first order date with the company (among the orders the user may see)."""
	query, e = figures.orders_of(f, entries=True)
	return dict(query.select(e.customer, Min(e.summary_date)).groupby(e.customer).run())


@frappe.read_only()
def read_active(f, rule: analytics.PeriodIndex) -> dict[str, list[int]]:
	"""The periods each customer ordered in, within the window."""
	query, e = figures.source(f, entries=True)
	periods = GroupConcat(period_number(e.summary_date, rule)).distinct()
	rows = (
		query.where(e.summary_date[f.from_date : f.to_date])
		.select(e.customer, periods)
		.groupby(e.customer)
		.run()
	)
	return {customer: [int(p) for p in str(numbers).split(",")] for customer, numbers in rows if numbers}


@frappe.read_only()
def read_sales(f, rule: analytics.PeriodIndex) -> dict[int, tuple[int, float]]:
	"""Orders and amount per period (the summary)."""
	query, t = figures.source(f)
	period = period_number(t.summary_date, rule)
	rows = (
		query.where(figures.window(t, f.from_date, f.to_date))
		.select(period, Sum(t.orders), Sum(t.base_amount))
		.groupby(period)
		.run()
	)
	return {int(index): (int(orders or 0), float(amount or 0)) for index, orders, amount in rows}


def period_number(day, rule: analytics.PeriodIndex):
	"""``analytics.period_index`` as SQL, so the database groups by period."""
	base = _TO_DAYS(day) if rule.unit == "day" else _YEAR(day) * 12 + _MONTH(day) - 1
	return Floor((base - rule.offset) / rule.size)


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
		_percent("returning_rate", _("Returning Customers (%)")),
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

"""What the order reports read: their filters, checked, and the daily figures from the summary.

Every read is ``frappe.qb`` over the app's summary tables (a few aggregate queries, never one per row).
The query builder applies no permission, so the row rule is applied here explicitly: a salesperson
the rule narrows reads the per-order entries of their own orders (the Order Access index), everyone
else the summary. Both give the same figures for the same orders.
"""

import datetime as dt
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import getdate

from order_online.common.errors import throw
from order_online.domain import analytics
from order_online.domain.errors import DomainError, UnknownReportPeriod
from order_online.permissions.rows import narrowed

COMPANY_CURRENCY, ORDER_CURRENCY = "Company Currency", "Order Currency"


@dataclass(frozen=True)
class Filters:
	company: str
	from_date: dt.date
	to_date: dt.date
	period: str
	fiscal_start_month: int
	currency_view: str
	channel: str | None = None
	territory: str | None = None
	customer_group: str | None = None
	shipping_region: str | None = None


def _date(value, label: str) -> dt.date:
	try:
		day = getdate(value)
	except Exception:
		day = None
	if day is None:
		frappe.throw(_("{0} is not a date: {1}").format(_(label), frappe.utils.escape_html(str(value))))
	return day


def _known(doctype: str, name: str | None, label: str) -> str | None:
	if name and not frappe.db.exists(doctype, name):
		frappe.throw(_("There is no {0} {1}.").format(_(label), frappe.bold(frappe.utils.escape_html(name))))
	return name or None


def parse(filters: dict | None) -> Filters:
	"""The report's filters, or a clear message for the first bad one."""
	filters = frappe._dict(filters or {})
	if not filters.get("company"):
		frappe.throw(_("Choose a company."))
	company = _known("Company", filters.company, "Company")
	if not any(frappe.has_permission("Company", ptype, company) for ptype in ("select", "read")):
		# the summaries hold every company's figures: a user kept to some companies sees only theirs
		frappe.throw(
			_("You may not see the figures of {0}.").format(frappe.bold(company)), frappe.PermissionError
		)
	today = getdate()
	start = _date(filters.get("from_date") or today.replace(month=1, day=1), "From Date")
	end = _date(filters.get("to_date") or today, "To Date")
	period = filters.get("period") or "Month"
	if period not in analytics.PERIODS:
		throw(UnknownReportPeriod(period=period))
	try:
		analytics.check_range(start, end)
	except DomainError as error:
		throw(error)
	view = filters.get("currency_view") or COMPANY_CURRENCY
	if view not in (COMPANY_CURRENCY, ORDER_CURRENCY):
		frappe.throw(_("Currency view must be {0} or {1}.").format(_(COMPANY_CURRENCY), _(ORDER_CURRENCY)))
	return Filters(
		company=company,
		from_date=start,
		to_date=end,
		period=period,
		fiscal_start_month=fiscal_start_month(company),
		currency_view=view,
		channel=_known("Order Channel", filters.get("channel"), "Order Channel"),
		territory=_known("Territory", filters.get("territory"), "Territory"),
		customer_group=_known("Customer Group", filters.get("customer_group"), "Customer Group"),
		shipping_region=_known("Shipping Region", filters.get("shipping_region"), "Shipping Region"),
	)


def fiscal_start_month(company: str) -> int:
	"""The month the company's fiscal years start in (that of its latest Fiscal Year; January if none)."""
	fy = frappe.qb.DocType("Fiscal Year")
	fyc = frappe.qb.DocType("Fiscal Year Company")
	start = (
		frappe.qb.from_(fy)
		.left_join(fyc)
		.on(fyc.parent == fy.name)
		.select(fy.year_start_date)
		.where(fy.disabled == 0)
		.where(fyc.company.isnull() | (fyc.company == company))
		.orderby(fy.year_start_date, order=frappe.qb.desc)
		.limit(1)
	).run(pluck=True)
	return getdate(start[0]).month if start else 1


def _under(tree: str, name: str):
	"""The names of ``name`` and every node under it in a tree doctype."""
	node = frappe.qb.DocType(tree)
	lft, rgt = frappe.db.get_value(tree, name, ["lft", "rgt"])
	return frappe.qb.from_(node).select(node.name).where((node.lft >= lft) & (node.rgt <= rgt))


def window(table, start, end, field: str = "summary_date"):
	"""The rows of the days [start, end]: by their date, and by the range of names those days' rows have
	(``analytics.dated_name``), which the database reads as one stretch of the table."""
	low, high = analytics.names_between(getdate(start), getdate(end))
	return table[field][start:end] & (table.name >= low) & (table.name < high)


# grain -> (the summary, its per-order entries, the entries' field naming the order)
GRAINS = {
	"orders": ("Order Sales Summary", "Order Summary Entry", "sales_order"),
	"items": ("Order Item Summary", "Order Item Entry", "sales_order"),
	"fulfilment": ("Order Fulfilment Entry", "Order Fulfilment Entry", "sales_order"),  # entries only
}
TREES = (
	("territory", "Territory"),
	("customer_group", "Customer Group"),
	("shipping_region", "Shipping Region"),
)


def orders_of(f: Filters, grain: str = "orders", entries: bool = False):
	"""The company's table of the grain, the row rule applied: (query, table). A narrowed salesperson
	reads the entries of their own orders; anyone else the summary, or the entries when asked (figures
	per customer: the summary does not keep the customer)."""
	summary, entry, order_field = GRAINS[grain]
	user = frappe.session.user
	if narrowed(user):
		table = frappe.qb.DocType(entry)
		access = frappe.qb.DocType("Order Access")
		query = frappe.qb.from_(table).join(access).on(access.sales_order == table[order_field])
		query = query.where(access.user == user)
	else:
		table = frappe.qb.DocType(entry if entries else summary)
		query = frappe.qb.from_(table)
	return query.where(table.company == f.company), table


def source(f: Filters, grain: str = "orders", entries: bool = False):
	"""The table to read, with the filters and the row rule applied: (query, table)."""
	query, table = orders_of(f, grain, entries)
	if f.channel:
		query = query.where(table.channel == f.channel)
	for field, tree in TREES if grain != "items" else ():  # lines are summarised without them
		if value := getattr(f, field):
			query = query.where(table[field].isin(_under(tree, value)))
	return query, table


@frappe.read_only()
def daily_by_channel(f: Filters, since: dt.date) -> list[tuple]:
	"""(day, group, orders, lines, amount) from ``since`` to the end date; the group is the channel, or
	channel and currency in the order-currency view (amounts of different currencies are never added)."""
	query, t = source(f)
	by_currency = f.currency_view == ORDER_CURRENCY
	amount = t.amount if by_currency else t.base_amount
	groups = (t.summary_date, t.channel, *((t.currency,) if by_currency else ()))
	query = query.where(window(t, since, f.to_date)).select(*groups, Sum(t.orders), Sum(t.lines), Sum(amount))
	rows = query.groupby(*groups).run()
	if by_currency:
		rows = [(day, f"{channel or ''}|{currency}", *figures) for day, channel, currency, *figures in rows]
	return [
		(getdate(day), group, int(orders or 0), int(lines or 0), float(value or 0))
		for day, group, orders, lines, value in rows
	]

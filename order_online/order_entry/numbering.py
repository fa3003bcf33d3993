"""Order numbers from Order Number Templates, on top of Frappe's naming series.

``apply_template`` (Sales Order before_insert) sets the order's naming series from its company's
template; Frappe then names the order, calling :func:`series_part` (the ``naming_series_variables``
hook) for the app's tokens. Frappe's ``tabSeries`` row lock keeps numbers unique under concurrency.

Frappe creates a ``tabSeries`` row on the first number of a prefix, and two orders that both find
it missing deadlock (each holds a gap lock the other's insert needs). So the rows for today's and
tomorrow's prefixes are created ahead, committed: when a template is saved, and daily.
"""

import frappe
from frappe.utils import add_days, getdate, nowdate

from order_online.common.cache import CachedRows
from order_online.common.errors import throw
from order_online.domain.errors import DomainError
from order_online.domain.numbering import TemplateChoice, choose_template, parse_template, token_value

TEMPLATE_CACHE_KEY = "order_online:number_templates"


def _load_templates() -> list[dict]:
	return frappe.get_all(
		"Order Number Template",
		filters={"enabled": 1},
		fields=["name", "company", "order_channel", "template"],
	)


_templates = CachedRows(TEMPLATE_CACHE_KEY, _load_templates)
clear_template_cache = _templates.clear


def apply_template(doc) -> None:
	if doc.get("amended_from") or not doc.company:
		return  # amendments keep their original number with a suffix
	rows = _templates.get()
	choice = choose_template(
		[TemplateChoice(r["name"], r["company"], r["order_channel"], r["template"]) for r in rows],
		doc.company,
		doc.get("oo_order_channel"),
	)
	if choice:
		doc.naming_series = parse_template(choice.template).series
		doc.flags.order_number_template = choice.template


def series_part(doc, token: str) -> str:
	"""Value of one of the app's naming-series tokens for ``doc``."""
	abbr = frappe.get_cached_value("Company", doc.company, "abbr")
	channel = doc.get("oo_order_channel")
	code = channel and frappe.get_cached_value("Order Channel", channel, "channel_code")
	try:
		return token_value(
			token,
			doc.flags.order_number_template or doc.naming_series,
			getdate(doc.get("transaction_date") or doc.get("posting_date")),
			abbr,
			code,
		)
	except DomainError as error:
		throw(error)


def series_prefix(template: str, company: str, channel: str | None, date) -> str:
	"""The ``tabSeries`` key Frappe will count under for an order of ``date``."""
	from frappe.model.naming import parse_naming_series

	prefix = None

	def remember(partial, digits):
		nonlocal prefix
		prefix = partial
		return "#" * digits

	order = frappe._dict(
		company=company, oo_order_channel=channel, transaction_date=date, flags=frappe._dict()
	)
	order.flags.order_number_template = template
	parse_naming_series(parse_template(template).series, doc=order, number_generator=remember)
	return prefix


def prepare_series(template_names: list[str] | None = None) -> None:
	"""Create today's and tomorrow's counter rows of the enabled templates (INSERT IGNORE, committed)."""
	filters = {"enabled": 1} if template_names is None else {"name": ("in", template_names)}
	for row in frappe.get_all(
		"Order Number Template", filters=filters, fields=["template", "company", "order_channel"]
	):
		for date in (getdate(nowdate()), getdate(add_days(nowdate(), 1))):
			key = series_prefix(row.template, row.company, row.order_channel, date)
			frappe.db.sql("INSERT IGNORE INTO `tabSeries` (`name`, `current`) VALUES (%s, 0)", (key,))
	frappe.db.commit()

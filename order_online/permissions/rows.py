"""Salespeople see only their own orders: Frappe's two permission hooks for the order-side doctypes.

``permission_query_conditions`` narrows every list-shaped read (list view, report view, link search,
export, ``frappe.client.get_list``/``get_count``, sidebar counts); ``has_permission`` narrows every
single-document read (form, print, PDF, REST, attachments, comments). Both use the one condition of
``order_online.domain.visibility``, so a form never opens a row the list would hide. The hook only
narrows: it returns False to deny and None otherwise, never True.
"""

import frappe
from frappe.utils.caching import request_cache

from order_online.common.settings import get_settings
from order_online.domain.access import sees_only_own_orders
from order_online.domain.visibility import SCOPES, condition, customers_of

GUARDED_DOCTYPES = tuple(SCOPES)


@request_cache
def narrowed(user: str) -> bool:
	"""True when the setting is on and the user's only order work is selling."""
	setting = get_settings().get("sales_see_only_own_orders")
	return sees_only_own_orders(frappe.get_roles(user), bool(setting))


@request_cache
def sales_persons_of(user: str) -> tuple[str, ...]:
	"""The user's Sales Persons (Sales Person -> Employee -> User) and every one under them in the tree."""
	return tuple(
		frappe.db.sql_list(
			"""select distinct sp.name from `tabSales Person` sp
			join `tabSales Person` mine on sp.lft >= mine.lft and sp.rgt <= mine.rgt
			join `tabEmployee` e on e.name = mine.employee
			where e.user_id = %s""",
			user,
		)
	)


@request_cache
def customers_for(user: str) -> tuple[str, ...]:
	"""The customers assigned to the user (account manager, or a Sales Person of theirs in the
	customer's Sales Team): one query per request."""
	return tuple(frappe.db.sql_list(customers_of(user, sales_persons_of(user), frappe.db.escape)))


def condition_for(doctype: str, user: str | None = None) -> str:
	"""The SQL condition of the user's rows of ``doctype``, or "" when the user is not narrowed."""
	user = user or frappe.session.user
	if doctype not in SCOPES or not narrowed(user):
		return ""
	return condition(doctype, user, sales_persons_of(user), customers_for(user), frappe.db.escape)


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""``permission_query_conditions`` hook (Frappe passes the doctype)."""
	return condition_for(doctype, user) if doctype else ""


def has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""``has_permission`` hook: False for a saved row outside the user's orders, None (no say) otherwise."""
	where = condition_for(doc.doctype, user)
	if not where or doc.is_new():
		return None
	table = f"`tab{doc.doctype}`"
	query = f"select 1 from {table} where {table}.`name` = %s and {where}"
	# nosemgrep: oo-sql-string-building -- the condition comes from domain.visibility, every value escaped
	found = frappe.db.sql(query, doc.name)
	return None if found else False


def visible_names(doctype: str, names: set[str], user: str | None = None) -> set[str]:
	"""Which of ``names`` the user may see: one query, whatever the number of names."""
	if not names or not condition_for(doctype, user):
		return set(names)
	return set(
		frappe.get_list(doctype, filters={"name": ("in", list(names))}, pluck="name", limit=0, user=user)
	)


def has_website_permission(
	doc, ptype: str | None = None, user: str | None = None, verbose: bool = False
) -> bool:
	"""``has_website_permission`` hook, beside ERPNext's for the same doctypes (all must agree).

	ERPNext's lets any desk user who may read the doctype open any row on the website (print view,
	/orders/<name>), whatever the row; this one objects for a narrowed user's rows of others. It says
	True ("no objection") otherwise, so it is registered only where ERPNext registers its own: on a
	doctype without one, True would grant."""
	return has_permission(doc, ptype, user) is not False

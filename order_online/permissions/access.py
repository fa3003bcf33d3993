"""The Order Access index: which users may see which Sales Order, kept up to date set-based.

The rule (owner, the order's Sales Team, the customer's Sales Team and account manager, a lead above a
Sales Person in the tree) is ``order_online.domain.visibility.access_pairs``; this module runs it for the
orders a change touches, in one statement each: an order when it is saved, a customer's orders when
its team or account manager changes, every order when Sales Persons or Employees change (long queue).
Rows are named by a hash of (order, user), so writing a pair twice keeps one row.
"""

import frappe

from order_online.domain.visibility import access_pairs

# (the filter on ``so``, as SQL with named placeholders) -> the orders a rebuild covers
ONE_ORDER = "`so`.`name` = %(order)s"
ONE_CUSTOMER = "`so`.`customer` = %(customer)s"
EVERY_ORDER = "1 = 1"


def rebuild(order_filter: str, values: dict | None = None) -> None:
	"""Forget and recompute the access rows of the orders meeting ``order_filter``."""
	values = values or {}
	forget = (
		"delete `access` from `tabOrder Access` `access` join `tabSales Order` `so`"
		f" on `so`.`name` = `access`.`sales_order` where {order_filter}"
	)
	write = (
		"insert ignore into `tabOrder Access` (`name`, `sales_order`, `user`, `creation`, `modified`,"
		" `owner`, `modified_by`, `docstatus`)"
		" select sha1(concat(`pair`.`sales_order`, '|', `pair`.`user`)), `pair`.`sales_order`, `pair`.`user`,"
		f" now(6), now(6), 'Administrator', 'Administrator', 0 from ({access_pairs(order_filter)}) `pair`"
	)
	for query in (forget, write):
		# nosemgrep: oo-sql-string-building -- the filter is one of this module's constants and the rest is domain.visibility's constant text; values are bound
		frappe.db.sql(query, values)


def for_order(doc, method=None) -> None:
	rebuild(ONE_ORDER, {"order": doc.name})


def forget_order(doc, method=None) -> None:
	frappe.db.delete("Order Access", {"sales_order": doc.name})


def for_customer(doc, method=None) -> None:
	"""A customer's orders, when who looks after the customer changed."""
	before = doc.get_doc_before_save()
	if before is not None and _team(before) == _team(doc) and before.account_manager == doc.account_manager:
		return
	rebuild(ONE_CUSTOMER, {"customer": doc.name})


def _team(doc) -> list[str]:
	return sorted(row.sales_person for row in doc.get("sales_team") or [])


def for_everyone(doc=None, method=None) -> None:
	"""A Sales Person or an Employee's user changed: every order, on the long queue after the commit."""
	if doc is not None and not _people_changed(doc):
		return
	frappe.enqueue(
		"order_online.permissions.access.rebuild_all",
		queue="long",
		job_id="order_online:rebuild_order_access",
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
	)


def _people_changed(doc) -> bool:
	before = doc.get_doc_before_save()
	if before is None:
		return False  # a new Sales Person or Employee is on no order yet
	fields = {"Employee": ("user_id",), "Sales Person": ("employee", "parent_sales_person")}
	return any(before.get(field) != doc.get(field) for field in fields.get(doc.doctype, ()))


def rebuild_all() -> None:
	"""Every order (``bench --site SITE execute order_online.permissions.access.rebuild_all``)."""
	rebuild(EVERY_ORDER)


def ensure_built() -> None:
	"""After install and migrate: build the index once on a site that has orders but no rows yet."""
	has = {doctype: bool(frappe.get_all(doctype, limit=1)) for doctype in ("Sales Order", "Order Access")}
	if has["Sales Order"] and not has["Order Access"]:
		rebuild_all()

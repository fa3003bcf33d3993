"""Master data read the same way by order entry and approval (one place, constant queries)."""

import frappe
from frappe.utils import flt


def tree_paths(doctype: str, names) -> dict[str, tuple[str, ...]]:
	"""name -> (name, parent, grandparent, ...) for a nested-set doctype; two queries."""
	names = {n for n in names if n}
	if not names:
		return {}
	nodes = frappe.get_all(doctype, filters={"name": ("in", list(names))}, fields=["name", "lft", "rgt"])
	groups = frappe.get_all(
		doctype, filters={"is_group": 1}, fields=["name", "lft", "rgt"], order_by="lft desc"
	)
	return {
		node.name: (node.name, *(g.name for g in groups if g.lft < node.lft and g.rgt > node.rgt))
		for node in nodes
	}


def tree_scope(doctype: str, *names: str | None) -> tuple[str, ...]:
	"""The nodes and all their ancestors, without repeats.

	Order entry and approval pass the order's and the customer's group (or territory): both count,
	because an API-made order may carry Frappe's default ("All Territories") rather than the customer's.
	"""
	return tuple(dict.fromkeys(node for path in tree_paths(doctype, names).values() for node in path))


def customer_credit(doc) -> tuple[float, float]:
	"""(credit limit, balance before this order) of the order's customer in its company."""
	from erpnext.selling.doctype.customer.customer import get_credit_limit, get_customer_outstanding

	limit = flt(get_credit_limit(doc.customer, doc.company))
	outstanding = flt(
		get_customer_outstanding(doc.customer, doc.company, ignore_outstanding_sales_order=False)
	)
	# Once the order is submitted in the database it is among the open orders ERPNext counts.
	# (While it is being submitted, its validate still runs before that.)
	if doc.docstatus == 1 and frappe.db.get_value(doc.doctype, doc.name, "docstatus") == 1:
		outstanding -= flt(doc.base_grand_total)
	return limit, outstanding

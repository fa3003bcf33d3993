"""Whitelisted approval actions (form buttons, list bulk action, notifications all call these)."""

import frappe

from order_online import approval, fulfilment


def _order(name: str):
	doc = frappe.get_doc("Sales Order", name)
	doc.check_permission("read")
	return doc


@frappe.whitelist()
def approve(names: str | list) -> list[str]:
	"""Approve the next level of each order; all or nothing per order, in the given order."""
	names = frappe.parse_json(names) if isinstance(names, str) and names.startswith("[") else names
	names = [names] if isinstance(names, str) else list(names)
	for name in names:
		approval.approve(_order(name))
	return names


@frappe.whitelist()
def reject(name: str, reason: str) -> None:
	approval.reject(_order(name), reason)


@frappe.whitelist()
def update_status(status: str, name: str) -> None:
	"""Overrides ERPNext's Sales Order status change so that Resume cannot skip a pending approval."""
	from erpnext.selling.doctype.sales_order.sales_order import update_status as erpnext_update_status

	approval.refuse_release_while_pending(status, name)
	erpnext_update_status(status, name)
	fulfilment.follow_status_change(name, status)

"""Whitelisted approval actions (form buttons, list bulk action, notifications all call these)."""

import frappe

from order_online.approval import service as approval


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

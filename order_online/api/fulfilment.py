"""Whitelisted fulfilment actions on a Sales Order."""

import frappe

from order_online import fulfilment


@frappe.whitelist()
def make_delivery_notes(sales_order: str) -> list[str]:
	"""Draft Delivery Notes for the order, one per warehouse."""
	frappe.get_doc("Sales Order", sales_order).check_permission("read")
	frappe.has_permission("Delivery Note", "create", throw=True)
	return fulfilment.make_delivery_notes(sales_order)

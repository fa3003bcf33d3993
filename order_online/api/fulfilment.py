"""Whitelisted fulfilment actions on a Sales Order."""

import frappe

from order_online.fulfilment import service as fulfilment


@frappe.whitelist()
def make_delivery_notes(sales_order: str) -> list[str]:
	"""Draft Delivery Notes for the order, one per warehouse."""
	frappe.get_doc("Sales Order", sales_order).check_permission("read")
	frappe.has_permission("Delivery Note", "create", throw=True)
	return fulfilment.make_delivery_notes(sales_order)


@frappe.whitelist()
def make_pick_lists(sales_order: str) -> list[str]:
	"""Draft Pick Lists for the order, one per warehouse, from the warehouses it is reserved in."""
	frappe.get_doc("Sales Order", sales_order).check_permission("read")
	frappe.has_permission("Pick List", "create", throw=True)
	return fulfilment.make_pick_lists(sales_order)

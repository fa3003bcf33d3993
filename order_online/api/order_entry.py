"""Whitelisted calls of the Sales Order form."""

import json

import frappe
from frappe.utils import flt

from order_online.order_entry.rules import order_availability


@frappe.whitelist()
def get_availability(doc: str | dict) -> dict:
	"""Availability of every line of an unsaved Sales Order, in a constant number of queries."""
	values = json.loads(doc) if isinstance(doc, str) else dict(doc)
	values["doctype"] = "Sales Order"
	order = frappe.get_doc(values)
	if not frappe.has_permission("Sales Order", "create" if order.is_new() else "read", order):
		frappe.throw(frappe._("Not permitted"), frappe.PermissionError)
	factors = {d.idx: flt(d.conversion_factor) or 1.0 for d in order.get("items")}
	return {
		"lines": [
			{
				"row": line.row,
				"item_code": line.item_code,
				"warehouse": line.warehouse,
				"status": line.status,
				"required": line.required,
				"available": line.available,
				"available_uom": max(line.available, 0.0) / factors.get(line.row, 1.0),
				"company_available": line.company_available,
				"earliest_date": line.earliest_date,
				"by_warehouse": line.by_warehouse,
			}
			for line in order_availability(order)
		]
	}

"""Stock Shortage: the open shortage alerts, the orders waiting on each and what they sell for, the
earliest promised delivery among them and each alert's age."""

import frappe
from frappe import _
from frappe.utils import getdate

from order_online.domain import analytics


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	if filters.get("company") and not frappe.db.exists("Company", filters.company):
		frappe.throw(
			_("There is no {0} {1}.").format(
				_("Company"), frappe.bold(frappe.utils.escape_html(filters.company))
			)
		)
	rows = analytics.shortage_rows(*read(filters), getdate())
	currency = (
		frappe.get_cached_value("Company", filters.company, "default_currency") if filters.company else None
	)
	data = [{**row.__dict__, "currency": currency} for row in rows]
	return columns(), data, None, chart(rows), summary(rows, currency)


def read(filters) -> tuple[list, list, dict]:
	"""Three permission-checked reads: the alerts, their waiting orders, the orders' rates for the items.
	A salesperson narrowed to their own orders sees the alerts of their orders only."""
	conditions = {"status": "Open"}
	for field in ("company", "warehouse", "item_code"):
		if filters.get(field):
			conditions[field] = filters[field]
	alerts = frappe.get_list(
		"Stock Shortage Alert",
		filters=conditions,
		fields=["name", "item_code", "warehouse", "shortage_qty", "creation"],
		limit=0,
	)
	for alert in alerts:
		alert["created"] = getdate(alert.creation)
	waiting = frappe.get_list(
		"Stock Shortage Order",
		parent_doctype="Stock Shortage Alert",
		filters={"parent": ("in", [a.name for a in alerts] or [""]), "parenttype": "Stock Shortage Alert"},
		fields=["parent", "sales_order", "pending_qty", "delivery_date"],
		limit=0,
	)
	items = {a.item_code for a in alerts}
	rates: dict = {}
	order_rows = (
		frappe.get_list(
			"Sales Order Item",
			parent_doctype="Sales Order",
			filters={
				"parent": ("in", list({w.sales_order for w in waiting}) or [""]),
				"item_code": ("in", list(items) or [""]),
			},
			fields=["parent", "item_code", "base_net_rate"],
			limit=0,
		)
		if waiting
		else []
	)
	for row in order_rows:  # one rate per order and item (the first row's, as lines of an item share it)
		rates.setdefault((row.parent, row.item_code), float(row.base_net_rate or 0))
	return alerts, waiting, rates


def columns() -> list[dict]:
	return [
		{
			"fieldname": "alert",
			"label": _("Stock Shortage Alert"),
			"fieldtype": "Link",
			"options": "Stock Shortage Alert",
			"width": 150,
		},
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 150},
		{
			"fieldname": "warehouse",
			"label": _("Warehouse"),
			"fieldtype": "Link",
			"options": "Warehouse",
			"width": 150,
		},
		{"fieldname": "shortage_qty", "label": _("Shortage"), "fieldtype": "Float", "width": 90},
		{"fieldname": "orders", "label": _("Orders Waiting"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "amount_waiting",
			"label": _("Amount Waiting"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "earliest_delivery",
			"label": _("Earliest Delivery Date"),
			"fieldtype": "Date",
			"width": 130,
		},
		{"fieldname": "age_days", "label": _("Age (Days)"), "fieldtype": "Int", "width": 90},
	]


def chart(rows) -> dict | None:
	top = rows[:10]
	if not top:
		return None
	return {
		"data": {
			"labels": [r.item_code for r in top],
			"datasets": [{"name": _("Amount Waiting"), "values": [r.amount_waiting for r in top]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}


def summary(rows, currency) -> list[dict]:
	return [
		{"label": _("Open Shortages"), "value": len(rows), "datatype": "Int", "indicator": "Red"},
		{"label": _("Orders Waiting"), "value": sum(r.orders for r in rows), "datatype": "Int"},
		{
			"label": _("Amount Waiting"),
			"value": sum(r.amount_waiting for r in rows),
			"datatype": "Currency",
			"currency": currency,
		},
		{"label": _("Oldest (Days)"), "value": max((r.age_days for r in rows), default=0), "datatype": "Int"},
	]

"""A customer's own order as the portal shows it: its status in the customer's words, its lines, its
parcels with their ETA and late flag, and its timeline (``order_online.domain.portal``).

Only orders of the customers the user is a Portal User of are read; any other name, and a name that
does not exist, are the same "not found", so the answer reveals nothing. Internal fields (approval
rules and reasons, costs, warehouses, margins) are never read.
"""

import re

import frappe
from frappe import _
from frappe.query_builder.functions import Max, Min
from frappe.utils import flt, get_datetime, strip_html

from order_online.domain import portal
from order_online.domain.approval import approved_at

LINE_FIELDS = ["item_code", "item_name", "description", "qty", "uom", "rate", "amount", "oo_item_spec"]


class OrderNotFound(frappe.DoesNotExistError):
	pass


def _order(name: str, customers: list[str]) -> dict:
	row = (
		frappe.db.get_value(
			"Sales Order",
			{"name": name, "customer": ("in", customers), "docstatus": ("in", (1, 2))},
			[
				"name",
				"customer",
				"transaction_date",
				"delivery_date",
				"creation",
				"modified",
				"docstatus",
				"status",
				"per_delivered",
				"oo_approval_status",
				"currency",
				"grand_total",
				"address_display",
				"shipping_address",
			],
			as_dict=True,
		)
		if customers and name
		else None
	)
	if row is None:
		raise OrderNotFound(_("Order not found."))
	return row


def _stamps(name: str) -> tuple:
	"""(the last approval, the first Pick List) of the order."""
	log = frappe.qb.DocType("Order Approval Log")
	approved = (
		frappe.qb.from_(log)
		.select(Max(log.logged_at))
		.where((log.sales_order == name) & (log.action == "Approved"))
	).run()
	item = frappe.qb.DocType("Pick List Item")
	pick_list = frappe.qb.DocType("Pick List")
	picked = (
		frappe.qb.from_(item)
		.join(pick_list)
		.on(pick_list.name == item.parent)
		.select(Min(pick_list.creation))
		.where((item.sales_order == name) & (pick_list.docstatus < 2))
	).run()
	return approved[0][0], picked[0][0]


def _parcels(name: str) -> list[portal.Parcel]:
	trackings = frappe.get_all(
		"Shipment Tracking",
		filters={"sales_order": name},
		fields=["name", "tracking_number", "carrier_code", "shipped_at", "delivered_at", "eta", "is_late"],
		order_by="shipped_at asc, creation asc",
	)
	events: dict[str, list] = {}
	for event in frappe.get_all(
		"Shipment Tracking Event",
		filters={"parenttype": "Shipment Tracking", "parent": ("in", [t.name for t in trackings] or [""])},
		fields=["parent", "event_time", "status", "description", "location"],
		order_by="event_time asc",
	):
		events.setdefault(event.parent, []).append(
			portal.CarrierEvent(
				get_datetime(event.event_time) if event.event_time else None,
				event.status,
				event.description,
				event.location,
			)
		)
	return [
		portal.Parcel(
			t.tracking_number,
			t.carrier_code,
			get_datetime(t.shipped_at) if t.shipped_at else None,
			get_datetime(t.delivered_at) if t.delivered_at else None,
			get_datetime(t.eta) if t.eta else None,
			bool(t.is_late),
			events.get(t.name, []),
		)
		for t in trackings
	]


def address_lines(display: str | None) -> list[str]:
	"""ERPNext's formatted address (HTML, a line per ``<br>``) as plain lines of text."""
	lines = re.split(r"<br\s*/?>", display or "", flags=re.IGNORECASE)
	return [text for text in (strip_html(line).strip() for line in lines) if text]


def order_view(name: str, customers: list[str]) -> dict:
	"""What the order page shows of ``name``, an order of one of ``customers`` (else OrderNotFound)."""
	order = _order(name, customers)
	last_approval, picked = _stamps(order.name)
	approved = approved_at(order.oo_approval_status, last_approval)
	parcels = _parcels(order.name)
	state = portal.OrderState(
		order.docstatus,
		order.oo_approval_status,
		order.status,
		flt(order.per_delivered),
		len(parcels),
		sum(1 for parcel in parcels if parcel.delivered_at),
	)
	steps = portal.timeline(
		get_datetime(order.creation),
		get_datetime(approved) if approved else None,
		get_datetime(picked) if picked else None,
		parcels,
		get_datetime(order.modified) if order.docstatus == 2 else None,
	)
	lines = frappe.get_all(
		"Sales Order Item",
		filters={"parenttype": "Sales Order", "parent": order.name},
		fields=LINE_FIELDS,
		order_by="idx asc",
	)
	return {
		"name": order.name,
		"date": order.transaction_date,
		"promised": order.delivery_date,
		"status": portal.customer_status(state),
		"currency": order.currency,
		"grand_total": order.grand_total,
		"address": address_lines(order.address_display),
		"lines": lines,
		"parcels": parcels,
		"timeline": steps,
	}

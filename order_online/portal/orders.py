"""A customer's own order as the portal shows it: its status in the customer's words, its lines, its
parcels with their ETA and late flag, and its timeline (``order_online.domain.portal``).

Only orders of the customers the user is a Portal User of are read; any other name, and a name that
does not exist, are the same "not found", so the answer reveals nothing. Internal fields (approval
rules and reasons, costs, warehouses, margins) are never read.
"""

import re
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Max, Min
from frappe.utils import flt, get_datetime, getdate, nowdate, strip_html
from pypika.terms import ExistsCriterion

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
				"po_no",
				"oo_channel_order_no",
				"oo_cancel_requested_at",
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
	status = portal.customer_status(state)
	return {
		"name": order.name,
		"channel_order_no": order.oo_channel_order_no,
		"po_no": order.po_no,
		"date": order.transaction_date,
		"promised": order.delivery_date,
		"status": status,
		"cancellable": portal.cancellable(status, order.oo_cancel_requested_at),
		"cancel_requested_at": order.oo_cancel_requested_at,
		"currency": order.currency,
		"grand_total": order.grand_total,
		"address": address_lines(order.address_display),
		"lines": lines,
		"parcels": parcels,
		"timeline": steps,
		"documents": documents(order.name, customers),
	}


def order_url(name: str) -> str:
	"""The customer's page of order ``name`` (www/my_order.py)."""
	return "/my_order?" + urlencode({"name": name})


def _print_links(doctype: str, name: str) -> dict:
	query = {"doctype": doctype, "name": name}
	return {
		"doctype": doctype,
		"name": name,
		"view_url": "/printview?" + urlencode(query),
		"pdf_url": "/api/method/frappe.utils.print_format.download_pdf?" + urlencode(query),
	}


def documents(name: str, customers: list[str]) -> list[dict]:
	"""The submitted Delivery Notes and Sales Invoices of the order, to open or download as PDF (their
	print view admits the customer through ERPNext's own website permission: one of the user's
	customers). Two queries."""
	found = []
	for doctype, child, link in (
		("Delivery Note", "Delivery Note Item", "against_sales_order"),
		("Sales Invoice", "Sales Invoice Item", "sales_order"),
	):
		parent, item = frappe.qb.DocType(doctype), frappe.qb.DocType(child)
		rows = (
			frappe.qb.from_(parent)
			.join(item)
			.on(item.parent == parent.name)
			.select(parent.name, parent.posting_date)
			.distinct()
			.where(
				(item[link] == name)
				& (item.parenttype == doctype)
				& (parent.docstatus == 1)
				& parent.customer.isin(customers)
			)
			.orderby(parent.posting_date)
			.orderby(parent.name)
		).run(as_dict=True)
		found += [dict(_print_links(doctype, row.name), date=row.posting_date) for row in rows]
	return found


# The order list ------------------------------------------------------------------------------

LIST_FIELDS = (
	"name",
	"transaction_date",
	"delivery_date",
	"currency",
	"grand_total",
	"docstatus",
	"status",
	"per_delivered",
	"oo_approval_status",
	"oo_tracking_status",
	"oo_channel_order_no",
	"po_no",
)


def _like(text: str) -> str:
	"""A LIKE pattern that finds ``text`` anywhere, its own wildcards taken literally."""
	return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _listed(customers: list[str], query: portal.ListQuery) -> list[dict]:
	"""Every order of ``customers`` that the dates and the search admit, newest first (one query)."""
	so = frappe.qb.DocType("Sales Order")
	where = so.customer.isin(customers) & so.docstatus.isin((1, 2))
	if query.date_from:
		where &= so.transaction_date >= query.date_from
	if query.date_to:
		where &= so.transaction_date <= query.date_to
	if query.search:
		pattern = _like(query.search)
		item = frappe.qb.DocType("Sales Order Item")
		lines = (
			frappe.qb.from_(item)
			.select(item.parent)
			.where(
				(item.parenttype == "Sales Order")
				& (item.parent == so.name)
				& (item.item_code.like(pattern) | item.item_name.like(pattern))
			)
		)
		where &= (
			so.name.like(pattern)
			| so.oo_channel_order_no.like(pattern)
			| so.po_no.like(pattern)
			| ExistsCriterion(lines)
		)
	return (
		frappe.qb.from_(so)
		.select(*(so[field] for field in LIST_FIELDS))
		.where(where)
		.orderby(so.transaction_date, order=frappe.qb.desc)
		.orderby(so.name, order=frappe.qb.desc)
	).run(as_dict=True)


def _parcel_counts(customers: list[str]) -> dict[str, tuple[int, int, bool]]:
	"""Per order of ``customers``: (parcels, delivered parcels, any parcel late), one grouped query."""
	tracking = frappe.qb.DocType("Shipment Tracking")
	rows = (
		frappe.qb.from_(tracking)
		.select(tracking.sales_order, Count("*"), Count(tracking.delivered_at), Max(tracking.is_late))
		.where(tracking.customer.isin(customers) & tracking.sales_order.isnotnull())
		.groupby(tracking.sales_order)
	).run()
	return {order: (parcels, delivered, bool(late)) for order, parcels, delivered, late in rows}


def order_list(customers: list[str], query: portal.ListQuery) -> dict:
	"""One page of the customers' orders as the list shows them, and the page's place among all.

	The status is the customer's (``domain.portal.customer_status``), computed for every order the
	dates and search admit so the status filter and the count agree with the order page: three
	queries in all, whatever the number of orders."""
	rows = _listed(customers, query) if customers else []
	parcels = _parcel_counts(customers) if rows else {}

	def entry(row):
		count, delivered, parcel_late = parcels.get(row.name, (0, 0, False))
		state = portal.OrderState(
			row.docstatus, row.oo_approval_status, row.status, flt(row.per_delivered), count, delivered
		)
		return row, state, getdate(row.delivery_date) if row.delivery_date else None, parcel_late

	listed, total, page = portal.list_page(
		map(entry, rows), query.status, query.page, getdate(nowdate()), portal.PAGE_SIZE
	)
	orders = []
	for shown in listed:
		row = shown.order
		row.update(customer_status=shown.status, late=shown.late, url=order_url(row.name))
		orders.append(row)
	return {"orders": orders, "total": total, "page": page.number, "pages": page.pages}

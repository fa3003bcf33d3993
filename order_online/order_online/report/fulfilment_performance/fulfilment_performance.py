"""Fulfilment Performance: the hours of each stage (ordered -> approved -> first Pick List -> first
shipment -> delivered, from the documents' own stamps and the carriers' delivery events) and the
on-time rate against the promised delivery date, by warehouse, carrier, shipping region or channel.

It reads the Order Fulfilment Entry of each order (``order_online.analytics.stages``): one aggregate
query per table, the averages over the orders that finished each stage."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate, nowdate

from order_online.analytics import figures
from order_online.domain import analytics

GROUPS = {
	"Warehouse": ("warehouse", "Warehouse"),
	"Carrier": ("carrier", None),
	"Shipping Region": ("shipping_region", "Shipping Region"),
	"Order Channel": ("channel", "Order Channel"),
}


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Warehouse"
	if group_by not in GROUPS:
		frappe.throw(_("Group by must be one of {0}.").format(", ".join(_(g) for g in GROUPS)))
	f = figures.parse({**filters, "currency_view": figures.COMPANY_CURRENCY})
	field, _link = GROUPS[group_by]
	raw = read(f, field)
	rows = analytics.fulfilment_rows(raw)
	data = [_row(row) for row in rows]
	return columns(group_by), data, None, chart(rows), summary(analytics.all_orders(raw))


@frappe.read_only()
def read(f, field: str) -> list[tuple]:
	"""Per group: counts, hours summed with the orders that ended each stage, promises kept, overdue
	(the layout ``analytics.fulfilment_rows`` reads)."""
	query, t = figures.source(f, "fulfilment")
	today = getdate(nowdate())
	overdue = Case().when(t.delivered_at.isnull() & (t.promised_date < today), 1).else_(0)
	return (
		query.where(figures.window(t, f.from_date, f.to_date, "transaction_date"))
		.select(
			t[field],
			Count(t.name),
			Count(t.shipped_at),
			Count(t.delivered_at),
			*(
				Sum(t[f"{stage}_{part}"])
				for stage in (*analytics.STAGES, "total")
				for part in ("hours", "done")
			),
			Sum(t.kept_promise),
			Sum(t.promise_judged),
			Sum(overdue),
		)
		.groupby(t[field])
		.run()
	)


def _row(row: analytics.FulfilmentRow) -> dict:
	return {
		"key": row.key,
		"orders": row.orders,
		"shipped": row.shipped,
		"delivered": row.delivered,
		**{f"{stage}_hours": row.hours[stage] for stage in analytics.STAGES},
		"total_hours": row.total_hours,
		"on_time_rate": row.on_time_rate,
		"overdue": row.overdue,
	}


def columns(group_by: str) -> list[dict]:
	field, link = GROUPS[group_by]
	key = {"fieldname": "key", "label": _(group_by), "fieldtype": "Link" if link else "Data", "width": 170}
	if link:
		key["options"] = link
	hours = [
		{"fieldname": "approval_hours", "label": _("Ordered to Approved (Hours)")},
		{"fieldname": "picking_hours", "label": _("Approved to First Pick List (Hours)")},
		{"fieldname": "shipping_hours", "label": _("First Pick List to First Shipment (Hours)")},
		{"fieldname": "delivery_hours", "label": _("First Shipment to Delivered (Hours)")},
		{"fieldname": "total_hours", "label": _("Ordered to Delivered (Hours)")},
	]
	return [
		key,
		{"fieldname": "orders", "label": _("Orders"), "fieldtype": "Int", "width": 90},
		{"fieldname": "shipped", "label": _("Shipped"), "fieldtype": "Int", "width": 90},
		{"fieldname": "delivered", "label": _("Delivered"), "fieldtype": "Int", "width": 90},
		*({**column, "fieldtype": "Float", "precision": 1, "width": 150} for column in hours),
		{"fieldname": "on_time_rate", "label": _("On Time (%)"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "overdue", "label": _("Overdue, Not Delivered"), "fieldtype": "Int", "width": 120},
	]


def chart(rows: list[analytics.FulfilmentRow]) -> dict | None:
	"""The average hours of each stage, stacked, for the ten groups with the most orders."""
	rows = rows[:10]
	if not rows:
		return None
	return {
		"data": {
			"labels": [row.key or _("Not set") for row in rows],
			"datasets": [
				{"name": _(analytics.STAGE_LABELS[stage]), "values": [row.hours[stage] or 0 for row in rows]}
				for stage in analytics.STAGES
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(row: analytics.FulfilmentRow | None) -> list[dict]:
	if row is None:
		return []
	return [
		{"label": _("Orders"), "value": row.orders, "datatype": "Int", "indicator": "Blue"},
		{"label": _("Shipped"), "value": row.shipped, "datatype": "Int"},
		{"label": _("Delivered"), "value": row.delivered, "datatype": "Int", "indicator": "Green"},
		{"label": _("On Time (%)"), "value": row.on_time_rate or 0, "datatype": "Percent"},
		{"label": _("Ordered to Delivered (Hours)"), "value": row.total_hours or 0, "datatype": "Float"},
		{"label": _("Overdue, Not Delivered"), "value": row.overdue, "datatype": "Int", "indicator": "Red"},
	]

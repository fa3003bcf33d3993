"""What a customer sees of their own orders on the website: the same conditions as ERPNext's portal."""

from urllib.parse import urlencode

import frappe


def shipments_for(customers: list[str], limit: int = 50) -> list[dict]:
	"""The customers' shipments, newest first, each with its events: two queries, whatever the count.

	Shipment Tracking is a desk doctype; website users reach it only through this explicit customer
	condition (a portal user has no desk permission to ask for more)."""
	if not customers:
		return []
	shipments = frappe.get_all(
		"Shipment Tracking",
		filters={"customer": ("in", customers)},
		fields=[
			"name",
			"sales_order",
			"tracking_number",
			"carrier_code",
			"status",
			"eta",
			"eta_confidence",
			"is_late",
			"last_event",
			"last_event_at",
			"delivered_at",
			"shipped_at",
		],
		order_by="shipped_at desc",
		limit=limit,
		# nosemgrep: oo-ignore-permissions-in-endpoint -- the customer condition above replaces it: only the customers the session user is a Portal User of
		ignore_permissions=True,
	)
	events = frappe.get_all(
		"Shipment Tracking Event",
		filters={"parenttype": "Shipment Tracking", "parent": ("in", [s.name for s in shipments] or [""])},
		fields=["parent", "event_time", "status", "description", "location"],
		order_by="event_time desc",
		# nosemgrep: oo-ignore-permissions-in-endpoint -- the customer condition above replaces it: only the customers the session user is a Portal User of
		ignore_permissions=True,
	)
	by_shipment: dict[str, list] = {}
	for event in events:
		by_shipment.setdefault(event.parent, []).append(event)
	for shipment in shipments:
		shipment["events"] = by_shipment.get(shipment.name, [])
		if shipment.sales_order:  # the order's own page (www/my_order.py)
			shipment["order_url"] = "/my_order?" + urlencode({"name": shipment.sales_order})
	return shipments

"""Status back to the channel: confirmation, shipment (carrier and tracking number), delivery and
cancellation of a channel's order are POSTed to the channel's *Status Callback URL*, signed as the
intake is (X-OO-Timestamp / X-OO-Signature with the channel's secret).

Each attempt is an Order Online Integration Log row. A failed one is tried again by the scheduled
:func:`retry_due` after 2, 4, 8 and 16 minutes (five attempts in all); the last failure stays Failed,
with its Retry of the first attempt, for a person to see.
"""

from __future__ import annotations

import json

import frappe
import requests
from frappe.utils import add_to_date, now_datetime

from order_online.intake import channels
from order_online.integrations.channels.generic import signed_headers

LOG = "Order Online Integration Log"
ACTION = "channel status"
MAX_ATTEMPTS = 5
TIMEOUT_S = 10


def _channel_with_callback(sales_order: str):
	name = frappe.db.get_value("Sales Order", sales_order, "oo_order_channel")
	if not name:
		return None
	channel = frappe.get_cached_doc("Order Channel", name)
	return channel if channel.status_callback_url and channel.enabled else None


def order_event(doc, event: str, **details) -> None:
	"""Tell the order's channel (after this transaction commits, from a worker)."""
	if not doc.get("oo_order_channel") or not doc.get("oo_channel_order_no"):
		return
	if not _channel_with_callback(doc.name):
		return
	payload = {
		"event": event,
		"external_order_id": doc.oo_channel_order_no,
		"sales_order": doc.name,
		"time": now_datetime().isoformat(),
		**details,
	}
	frappe.enqueue(
		"order_online.intake.callbacks.send",
		queue="short",
		enqueue_after_commit=True,
		sales_order=doc.name,
		payload=payload,
	)


def shipped(delivery_note) -> None:
	orders = {d.against_sales_order for d in delivery_note.items if d.get("against_sales_order")}
	for name in orders:
		order = frappe.get_doc("Sales Order", name)
		order_event(
			order,
			"shipped",
			delivery_note=delivery_note.name,
			carrier=delivery_note.get("oo_carrier_code") or None,
			tracking_number=(delivery_note.get("oo_tracking_number") or "").strip() or None,
		)


def send(sales_order: str, payload: dict, retry_of: str | None = None) -> str:
	"""One signed POST; its Integration Log row's status."""
	channel = _channel_with_callback(sales_order)
	if channel is None:
		return "Skipped"
	config = channels.adapter_config(channel)
	body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
	values = {"request": body.decode("utf-8")}
	try:
		reply = requests.post(
			channel.status_callback_url,
			data=body,
			headers=signed_headers(config.secret, body),
			timeout=TIMEOUT_S,
		)
		values.update(http_status=reply.status_code, response=reply.text[:2000])
		status = "Success" if 200 <= reply.status_code < 300 else "Failed"
		if status == "Failed":
			values["error"] = f"HTTP {reply.status_code}"
	except requests.RequestException as error:
		status, values["error"] = "Failed", f"{type(error).__name__}: no answer from the channel"
	frappe.get_doc(
		{
			"doctype": LOG,
			"direction": "Outbound",
			"status": status,
			"action": ACTION,
			"reference_doctype": "Sales Order",
			"reference_name": sales_order,
			"retry_of": retry_of,
			**values,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return status


def retry_due() -> int:
	"""Scheduled: failed callbacks whose backoff has passed, sent again; how many."""
	failed = frappe.get_all(
		LOG,
		filters={"action": ACTION, "status": "Failed"},
		fields=["name", "retry_of", "reference_name", "request", "creation"],
		limit=500,
	)
	roots = {row.retry_of or row.name for row in failed}
	attempts = (
		{
			row.retry_of: row.count
			for row in frappe.get_all(
				LOG,
				filters={"retry_of": ["in", list(roots)]},
				fields=["retry_of", "count(name) as count"],
				group_by="retry_of",
			)
		}
		if roots
		else {}
	)
	sent = 0
	for row in failed:
		root = row.retry_of or row.name
		made = attempts.get(root, 0) + 1
		if made >= MAX_ATTEMPTS or row.creation > add_to_date(now_datetime(), minutes=-(2**made)):
			continue
		frappe.db.set_value(LOG, row.name, "status", "Retried")
		frappe.db.commit()
		send(row.reference_name, json.loads(row.request), retry_of=root)
		sent += 1
	return sent

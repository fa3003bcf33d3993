"""Carrier callbacks and tracking actions."""

import json

import frappe
from werkzeug.wrappers import Response

from order_online.domain.tracking import PUSH_MAX_BYTES, push_too_large
from order_online.tracking import service as tracking


@frappe.whitelist(allow_guest=True, methods=["POST"])
def push(account: str | None = None) -> Response:
	"""The URL a carrier account gives its provider. The adapter checks the signature (a missing one is
	a rejection) before anything is read; the reply is what the provider expects."""
	request = frappe.request
	too_large = push_too_large(request.content_length, 0)  # refused before the body is read
	body = b"" if too_large else request.get_data(cache=True)
	if too_large or push_too_large(None, len(body)):
		# Larger than any carrier sends: refused before anything is read or stored.
		return Response(
			json.dumps({"ok": False, "error": f"push larger than {PUSH_MAX_BYTES} bytes"}),
			status=413,
			content_type="application/json",
		)
	# A JSON body (AfterShip, the generic webhook) replaces the form, so the query string is read too.
	account = account or request.args.get("account")
	status, content_type, body = tracking.handle_push(
		account, dict(request.headers), body, request.form.to_dict()
	)
	frappe.db.commit()  # the log row stays, whatever the reply
	return Response(body, status=status, content_type=content_type)


@frappe.whitelist()
def track_delivery_note(delivery_note: str) -> str | None:
	"""Start tracking a submitted Delivery Note by hand (after its tracking number was entered)."""
	doc = frappe.get_doc("Delivery Note", delivery_note)
	doc.check_permission("write")
	tracking.start_for_delivery_note(doc)
	return frappe.db.get_value("Shipment Tracking", {"delivery_note": delivery_note})


@frappe.whitelist()
def refresh(name: str) -> str:
	"""Poll one waybill now (the Refresh button)."""
	doc = frappe.get_doc("Shipment Tracking", name)
	doc.check_permission("write")
	tracking.poll_one(doc)
	return frappe.db.get_value("Shipment Tracking", name, "status")


@frappe.whitelist()
def retry(log: str) -> str:
	"""Retry a failed call from its Order Online Integration Log (queries and subscriptions; a provider re-sends
	refused pushes itself)."""
	entry = frappe.get_doc("Order Online Integration Log", log)
	entry.check_permission("read")
	frappe.has_permission("Shipment Tracking", "write", throw=True)
	return tracking.retry_call(entry)

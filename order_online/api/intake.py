"""Orders from channels: the signed intake endpoint (any sender; the signature decides), replaying
failed rows, importing a channel's SKU mapping. The API is described in ``intake_openapi.json``."""

import frappe
from frappe import _
from werkzeug.wrappers import Response

from order_online.common.errors import domain_errors_as_validation
from order_online.domain import intake as domain
from order_online.intake import service


@frappe.whitelist(allow_guest=True, methods=["POST"])
def receive() -> Response:
	"""``POST /api/method/order_online.api.intake.receive?channel=<channel code>``: 202 and the intake
	log's name once the order is stored; 401 unsigned, 403 disabled channel, 413 too large, 422 schema
	errors (each field), 429 over the channel's rate limit (Retry-After). Guests reach it so that
	the signature can be checked; the order itself is made later as the channel's integration user."""
	request = frappe.request
	too_large = (request.content_length or 0) > domain.MAX_BODY_BYTES
	body = b"" if too_large else request.get_data(cache=True)
	reply = service.handle_order(request.args.get("channel"), request.headers, body, request.content_length)
	frappe.db.commit()
	return Response(
		service.as_json(reply),
		status=reply.status,
		headers=reply.headers,
		content_type="application/json; charset=utf-8",
	)


@frappe.whitelist(methods=["POST"])
def replay(logs: str | list[str]) -> dict[str, str]:
	"""Process failed intake rows again (after their cause was fixed), one or many."""
	names = frappe.parse_json(logs) if isinstance(logs, str) and logs.startswith("[") else logs
	names = [names] if isinstance(names, str) else list(names)
	frappe.has_permission(service.LOG, "write", throw=True)  # the doctype's rule; its rows have no other
	return service.replay(names)


@frappe.whitelist(methods=["POST"])
def import_item_mapping(channel: str, csv_text: str) -> dict[str, int]:
	"""Add or replace a channel's SKU rows from a CSV (``channel_sku,item_code[,uom]``)."""
	doc = frappe.get_doc("Order Channel", channel)
	doc.check_permission("write")
	with domain_errors_as_validation(_("Import Item Mapping")):
		rows = domain.parse_mapping_csv(csv_text)
	unknown = sorted(
		{r.item_code for r in rows}
		- set(frappe.get_list("Item", filters={"name": ["in", [r.item_code for r in rows]]}, pluck="name"))
	)
	if unknown:
		frappe.throw(_("These items do not exist: {0}").format(", ".join(unknown)))
	existing = {row.channel_sku: row for row in doc.item_mappings}
	added = updated = 0
	for mapping in rows:
		row = existing.get(mapping.sku)
		if row:
			row.item_code, row.uom = mapping.item_code, mapping.uom
			updated += 1
		else:
			doc.append(
				"item_mappings",
				{"channel_sku": mapping.sku, "item_code": mapping.item_code, "uom": mapping.uom},
			)
			added += 1
	doc.save()
	return {"added": added, "updated": updated}

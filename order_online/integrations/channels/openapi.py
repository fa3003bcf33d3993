"""The OpenAPI 3.1 description of the intake endpoint, built from the schema the endpoint checks with
(``order_online.domain.intake.IntakeOrder``), so the shipped file cannot drift from the code:
``order_online/api/intake_openapi.json`` is this document (a tier-1 test compares them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from order_online.domain.intake import MAX_BODY_BYTES, IntakeOrder
from order_online.integrations.channels.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER

PATH = "/api/method/order_online.api.intake.receive"
SHIPPED = Path(__file__).resolve().parents[2] / "api" / "intake_openapi.json"

_REFUSAL = {
	"type": "object",
	"required": ["ok", "error", "code"],
	"properties": {
		"ok": {"const": False},
		"error": {"type": "string", "description": "What is wrong, in the site's language."},
		"code": {"type": "string", "description": "A stable key, e.g. intake.invalid_payload."},
		"errors": {
			"type": "array",
			"description": "422 only: each field error.",
			"items": {
				"type": "object",
				"required": ["field", "message"],
				"properties": {"field": {"type": "string"}, "message": {"type": "string"}},
			},
		},
		"sales_order": {"type": "string"},
	},
}
_ACCEPTED = {
	"type": "object",
	"required": ["ok"],
	"properties": {
		"ok": {"const": True},
		"log": {"type": "string", "description": "The Order Intake Log row; a repeat names the first one."},
		"status": {"enum": ["Accepted", "Processed", "Failed", "Refused"]},
		"duplicate": {"type": "boolean"},
		"sales_order": {"type": "string"},
		"ignored": {"type": "boolean", "description": "A delivery that carries no order (a ping)."},
	},
}


def _reply(description: str, schema: dict, headers: dict | None = None) -> dict:
	reply: dict[str, Any] = {
		"description": description,
		"content": {"application/json": {"schema": schema}},
	}
	if headers:
		reply["headers"] = headers
	return reply


def document() -> dict[str, Any]:
	schema = IntakeOrder.model_json_schema(ref_template="#/components/schemas/{model}")
	components = schema.pop("$defs")
	components["IntakeOrder"] = schema
	refusal = {"$ref": "#/components/schemas/Refusal"}
	components["Refusal"] = _REFUSAL
	components["Accepted"] = _ACCEPTED
	return {
		"openapi": "3.1.0",
		"info": {
			"title": "order_online channel order intake",
			"version": "1",
			"description": (
				"Orders from the company's web shop, mobile apps and other senders. Sign the raw body: "
				f"`{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, {TIMESTAMP_HEADER} + '.' + body)>`, "
				f"`{TIMESTAMP_HEADER}` in epoch seconds, within 5 minutes of the site's clock. "
				"A repeated delivery of an order (same channel and external_order_id) answers with the "
				"first delivery's log and never makes a second order."
			),
		},
		"paths": {
			PATH: {
				"post": {
					"operationId": "receiveOrder",
					"parameters": [
						{
							"name": "channel",
							"in": "query",
							"required": True,
							"description": "The Order Channel's code.",
							"schema": {"type": "string", "maxLength": 10},
						},
						{
							"name": TIMESTAMP_HEADER,
							"in": "header",
							"required": True,
							"schema": {"type": "string"},
						},
						{
							"name": SIGNATURE_HEADER,
							"in": "header",
							"required": True,
							"schema": {"type": "string"},
						},
					],
					"requestBody": {
						"required": True,
						"description": f"At most {MAX_BODY_BYTES} bytes.",
						"content": {
							"application/json": {"schema": {"$ref": "#/components/schemas/IntakeOrder"}}
						},
					},
					"responses": {
						"200": _reply(
							"A repeat of a processed order, or a delivery with no order.", _ACCEPTED
						),
						"202": _reply("Stored; a worker makes the Sales Order.", _ACCEPTED),
						"401": _reply(
							"Unknown channel, or the signature is missing, wrong or stale.", refusal
						),
						"403": _reply("The channel is disabled.", refusal),
						"404": _reply("No channel of that code takes orders by API.", refusal),
						"409": _reply("A change or cancellation of an order that has shipped.", refusal),
						"413": _reply("The body is too large.", refusal),
						"422": _reply(
							"The body does not match the schema; each field error listed.", refusal
						),
						"429": _reply(
							"Over the channel's rate limit.",
							refusal,
							{"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
						),
					},
				}
			}
		},
		"components": {"schemas": components},
	}


def rendered() -> str:
	return json.dumps(document(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":  # python -m order_online.integrations.channels.openapi > the shipped file
	print(rendered(), end="")

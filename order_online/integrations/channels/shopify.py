"""Shopify order webhooks (``orders/create``, ``orders/updated``, ``orders/cancelled``).

Shopify POSTs the order's REST JSON with these headers::

    X-Shopify-Topic: orders/create
    X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(webhook secret, raw body)>
    X-Shopify-Webhook-Id: <one id per event, the same on every retry>

Shopify signs no timestamp, so a replay cannot be told from a retry by the signature; the webhook id
becomes the intake's ``delivery_id``, which makes a replayed change one intake row, and a replayed new
order is one row per order id anyway.

What each topic becomes:

- ``orders/create``: a new order. A line's SKU is its ``sku``; a line without one is
  ``variant:<variant_id>`` (else ``title:<title>`` for a custom line or tip), a key the channel's Item
  Mapping can name, so such an order can be mapped and replayed instead of refused for good.
- ``orders/updated``: the new shipping address, for an order that has not shipped. Shopify sends it
  for every change (payment, tags, fulfilment); an update without a shipping address, of a cancelled
  order (``orders/cancelled`` carries that) or of a fulfilled one (too late to change) is nothing to
  apply, and ``parse`` returns None rather than an intake row the shell would have to refuse.
- ``orders/cancelled``: the cancellation, with ``cancel_reason`` as the note.
- any other topic: None.

The line rate is Shopify's ``price`` (before line discounts; the channel's price list or taxes template
decide the rest); the shipping charge is what the buyer paid, ``discounted_price`` where Shopify gives
it, so a free-shipping code does not bill the shipping a second time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from order_online.domain.errors import InvalidIntakePayload
from order_online.domain.intake import IntakeOrder, parse_order
from order_online.integrations.channels.base import (
	ChannelConfig,
	Clock,
	check_signature,
	header,
	require_signature,
)

SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
TOPICS = {"orders/create": "create", "orders/updated": "update", "orders/cancelled": "cancel"}
SHIPPED = ("fulfilled", "partial")  # fulfillment_status of an order that has (partly) left
NOTE_LIMIT = 2000


def signature(secret: str, body: bytes) -> str:
	"""The X-Shopify-Hmac-Sha256 header Shopify sends with ``body``."""
	digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
	return base64.b64encode(digest).decode("ascii")


class ShopifyAdapter:
	platform = "Shopify"

	def __init__(self, config: ChannelConfig, *, clock: Clock = time.time) -> None:
		self.config = config
		self.clock = clock  # unused: Shopify signs no timestamp; kept for the adapters' common signature

	def verify(self, headers: Mapping[str, str], body: bytes) -> None:
		given = require_signature(self.config, header(headers, SIGNATURE_HEADER))
		check_signature(self.config, signature(self.config.secret, body), given)

	def parse(self, headers: Mapping[str, str], body: bytes) -> IntakeOrder | None:
		action = TOPICS.get((header(headers, TOPIC_HEADER) or "").strip().lower())
		if action is None:
			return None
		order = json_object(body)
		values = order_values(order, action)
		if values is None:
			return None
		values["delivery_id"] = (header(headers, WEBHOOK_ID_HEADER) or "").strip() or None
		return parse_order(values)


def json_object(body: bytes) -> dict[str, Any]:
	"""The body as a JSON object, or the schema's own "not JSON" refusal."""
	try:
		data = json.loads(body)
	except (ValueError, UnicodeDecodeError):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not JSON"}]) from None
	if not isinstance(data, dict):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not a JSON object"}])
	return data


def order_values(order: Mapping[str, Any], action: str) -> dict[str, Any] | None:
	"""The intake fields of a Shopify order for ``action``; None when the delivery has nothing to apply."""
	values: dict[str, Any] = {"external_order_id": order_id(order), "action": action}
	if action == "cancel":
		reason = order.get("cancel_reason")
		values["note"] = f"Cancelled in Shopify ({reason})" if reason else "Cancelled in Shopify"
		return values
	address = shipping_address(order)
	if action == "update":
		if address is None or order.get("cancelled_at") or order.get("fulfillment_status") in SHIPPED:
			return None
		values["shipping_address"] = address
		return values
	values.update(
		ordered_at=order.get("created_at"),
		currency=order.get("currency"),
		customer=customer(order, address),
		shipping_address=address,
		lines=lines(order.get("line_items")),
		shipping_charge=shipping_charge(order),
		note=note(order),
	)
	return values


def order_id(order: Mapping[str, Any]) -> str | None:
	if order.get("id") is not None:
		return str(order["id"])
	gid = order.get("admin_graphql_api_id")  # gid://shopify/Order/450789469
	return str(gid).rsplit("/", 1)[-1] if gid else None


def _list(value: Any) -> list:
	return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
	return value if isinstance(value, dict) else {}


def _name(first: Any, last: Any) -> str | None:
	return " ".join(str(part).strip() for part in (first, last) if part and str(part).strip()) or None


def shipping_address(order: Mapping[str, Any]) -> dict[str, Any] | None:
	address = order.get("shipping_address")
	if not isinstance(address, dict) or not any(address.get(f) for f in ("address1", "city")):
		return None  # a digital order, or a pickup: nothing to ship to
	return {
		"name": address.get("name") or _name(address.get("first_name"), address.get("last_name")),
		"line1": address.get("address1"),
		"line2": address.get("address2") or None,
		"city": address.get("city"),
		"state": address.get("province") or address.get("province_code") or None,
		"pincode": address.get("zip") or None,
		"country": address.get("country_code") or address.get("country"),
		"phone": address.get("phone") or None,
	}


def customer(order: Mapping[str, Any], address: Mapping[str, Any] | None) -> dict[str, Any] | None:
	buyer = _dict(order.get("customer"))
	email = buyer.get("email") or order.get("email") or order.get("contact_email") or None
	phone = buyer.get("phone") or order.get("phone") or None
	billing = _dict(order.get("billing_address"))
	name = (
		_name(buyer.get("first_name"), buyer.get("last_name"))
		or (address or {}).get("name")
		or billing.get("name")
		or email
		or phone
	)
	if not (buyer or name):
		return None
	return {
		"external_id": str(buyer["id"]) if buyer.get("id") is not None else None,
		"name": name,
		"email": email,
		"phone": phone,
	}


def lines(items: Any) -> Any:
	# Anything but a list goes to the schema as it is, which names "lines" as the field in error.
	return [line(item) for item in items] if isinstance(items, list) else (items or [])


def line(item: Any) -> dict[str, Any]:
	item = _dict(item)
	sku = (str(item.get("sku") or "")).strip()
	if not sku and item.get("variant_id") is not None:
		sku = f"variant:{item['variant_id']}"
	if not sku and item.get("title"):
		sku = f"title:{item['title']}"
	return {"sku": sku or None, "qty": item.get("quantity"), "rate": item.get("price")}


def shipping_charge(order: Mapping[str, Any]) -> Any:
	total = Decimal(0)
	for row in _list(order.get("shipping_lines")):
		row = _dict(row)
		paid = row.get("discounted_price", row.get("price"))
		try:
			total += Decimal(str(paid or 0))
		except InvalidOperation:
			return paid  # the schema names shipping_charge as not a number
	return total


def note(order: Mapping[str, Any]) -> str | None:
	parts = [f"Shopify order {order['name']}" if order.get("name") else None, order.get("note") or None]
	text = "\n".join(str(p) for p in parts if p)
	return text[:NOTE_LIMIT] or None

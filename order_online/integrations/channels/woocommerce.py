"""WooCommerce order webhooks (``order.created``, ``order.updated``, ``order.deleted``).

WooCommerce (``WC_Webhook::deliver``) POSTs the REST API's order JSON with these headers::

    X-WC-Webhook-Topic: order.created
    X-WC-Webhook-Signature: <base64 HMAC-SHA256(webhook secret, raw body)>
    X-WC-Webhook-Delivery-ID: <one id per delivery>

It signs no timestamp; the delivery id becomes the intake's ``delivery_id``.

**The ping.** When a webhook is saved active, WooCommerce (``WC_Webhook::deliver_ping``) POSTs the
form body ``webhook_id=12`` with no ``X-WC-Webhook-*`` header at all, so no signature either, and
shows the merchant "Delivery URL returned response code: 401" unless it is answered 200. ``verify``
therefore lets exactly that body through unsigned *when the channel has a secret* (a channel without
one still refuses it, which tells the merchant at setup that the secret is missing), checks it like any
delivery when it does come signed, and ``parse`` returns None for it: it carries nothing to store.

What each topic becomes:

- ``order.created``: a new order. A line without a SKU is ``variation:<id>`` (else ``product:<id>``),
  a key the channel's Item Mapping can name. The rate is the line's ``price`` (after the line's
  discounts, as WooCommerce computes it: ``total / quantity``), rounded to 6 decimals.
- ``order.updated``: status ``cancelled`` is the cancellation; ``completed`` and ``refunded`` are
  nothing to apply (shipped, or money returned: no address change can follow), None; any other status
  is the new shipping address (the billing address when the order has no separate shipping address;
  None without either).
- ``order.deleted`` (also moving an order to the trash): the cancellation; the body is only ``{"id"}``.
- any other topic: None.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
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

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"
DELIVERY_ID_HEADER = "X-WC-Webhook-Delivery-ID"
PING = re.compile(rb"webhook_id=\d{1,20}")
NOTHING_TO_UPDATE = ("completed", "refunded")
NOTE_LIMIT = 2000
SIX_PLACES = Decimal("0.000001")


def signature(secret: str, body: bytes) -> str:
	"""The X-WC-Webhook-Signature header WooCommerce sends with ``body``."""
	digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
	return base64.b64encode(digest).decode("ascii")


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
	"""WooCommerce's setup ping: the bare form body, no topic."""
	return PING.fullmatch(body.strip()) is not None and not header(headers, TOPIC_HEADER)


class WooCommerceAdapter:
	platform = "WooCommerce"

	def __init__(self, config: ChannelConfig, *, clock: Clock = time.time) -> None:
		self.config = config
		self.clock = clock  # unused: WooCommerce signs no timestamp; kept for the adapters' common signature

	def verify(self, headers: Mapping[str, str], body: bytes) -> None:
		given = header(headers, SIGNATURE_HEADER)
		if self.config.secret and not given and is_ping(headers, body):
			return  # WooCommerce never signs its ping (see the module's docstring); it carries nothing
		given = require_signature(self.config, given)
		check_signature(self.config, signature(self.config.secret, body), given)

	def parse(self, headers: Mapping[str, str], body: bytes) -> IntakeOrder | None:
		if is_ping(headers, body):
			return None
		topic = (header(headers, TOPIC_HEADER) or "").strip().lower()
		if topic not in ("order.created", "order.updated", "order.deleted"):
			return None
		values = order_values(json_object(body), topic)
		if values is None:
			return None
		values["delivery_id"] = (header(headers, DELIVERY_ID_HEADER) or "").strip() or None
		return parse_order(values)


def json_object(body: bytes) -> dict[str, Any]:
	"""The body as a JSON object; decimals stay exact (WooCommerce sends a line's price as a float)."""
	try:
		data = json.loads(body, parse_float=Decimal)
	except (ValueError, UnicodeDecodeError):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not JSON"}]) from None
	if not isinstance(data, dict):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not a JSON object"}])
	return data


def order_values(order: Mapping[str, Any], topic: str) -> dict[str, Any] | None:
	"""The intake fields of a WooCommerce order for ``topic``; None when there is nothing to apply."""
	values: dict[str, Any] = {"external_order_id": str(order["id"]) if order.get("id") is not None else None}
	status = str(order.get("status") or "").lower()
	if topic == "order.deleted" or (topic == "order.updated" and status == "cancelled"):
		values.update(action="cancel", note="Deleted in WooCommerce" if topic == "order.deleted" else None)
		return values
	address = shipping_address(order)
	if topic == "order.updated":
		if status in NOTHING_TO_UPDATE or address is None:
			return None
		values.update(action="update", shipping_address=address)
		return values
	items = order.get("line_items")
	values.update(
		action="create",
		ordered_at=ordered_at(order),
		currency=order.get("currency"),
		customer=customer(order, address),
		shipping_address=address,
		lines=[line(item) for item in items] if isinstance(items, list) else (items or []),
		shipping_charge=order.get("shipping_total") or 0,
		note=note(order),
	)
	return values


def _dict(value: Any) -> dict:
	return value if isinstance(value, dict) else {}


def _name(first: Any, last: Any) -> str | None:
	return " ".join(str(part).strip() for part in (first, last) if part and str(part).strip()) or None


def ordered_at(order: Mapping[str, Any]) -> str | None:
	# date_created is the shop's local time without an offset; the _gmt twin is the same instant in UTC.
	stamp = order.get("date_created_gmt")
	if isinstance(stamp, str) and stamp and not stamp.endswith(("Z", "z")) and "+" not in stamp[10:]:
		return stamp + "Z"
	return stamp or order.get("date_created") or None


def shipping_address(order: Mapping[str, Any]) -> dict[str, Any] | None:
	billing = _dict(order.get("billing"))
	for address in (_dict(order.get("shipping")), billing):
		if address.get("address_1") or address.get("city"):
			return {
				"name": _name(address.get("first_name"), address.get("last_name")) or address.get("company"),
				"line1": address.get("address_1"),
				"line2": address.get("address_2") or None,
				"city": address.get("city"),
				"state": address.get("state") or None,
				"pincode": address.get("postcode") or None,
				"country": address.get("country"),
				"phone": address.get("phone") or billing.get("phone") or None,
			}
	return None


def customer(order: Mapping[str, Any], address: Mapping[str, Any] | None) -> dict[str, Any] | None:
	billing = _dict(order.get("billing"))
	email = billing.get("email") or None
	phone = billing.get("phone") or None
	name = (
		_name(billing.get("first_name"), billing.get("last_name"))
		or billing.get("company")
		or (address or {}).get("name")
		or email
		or phone
	)
	customer_id = order.get("customer_id")
	if not name and not customer_id:
		return None
	return {
		# 0 is WooCommerce's guest: no account, so nothing to match a later order by but email and phone
		"external_id": str(customer_id) if customer_id not in (None, 0, "0", "") else None,
		"name": name,
		"email": email,
		"phone": phone,
	}


def line(item: Any) -> dict[str, Any]:
	item = _dict(item)
	sku = str(item.get("sku") or "").strip()
	if not sku and item.get("variation_id"):
		sku = f"variation:{item['variation_id']}"
	if not sku and item.get("product_id"):
		sku = f"product:{item['product_id']}"
	return {"sku": sku or None, "qty": item.get("quantity"), "rate": rate(item)}


def rate(item: Mapping[str, Any]) -> Any:
	price = item.get("price")
	try:
		if price is None or price == "":
			quantity = Decimal(str(item.get("quantity")))
			if not quantity or item.get("total") in (None, ""):
				return None  # no price to give: the channel's price list decides
			price = Decimal(str(item["total"])) / quantity
		return Decimal(str(price)).quantize(SIX_PLACES)
	except (InvalidOperation, ArithmeticError):
		return price  # not a number: the schema names the line's rate


def note(order: Mapping[str, Any]) -> str | None:
	number = order.get("number") or order.get("id")
	parts = [f"WooCommerce order #{number}" if number else None, order.get("customer_note") or None]
	text = "\n".join(str(p) for p in parts if p)
	return text[:NOTE_LIMIT] or None

"""Shopify order webhooks: signed as Shopify signs them, parsed from Shopify's own order JSON.

One round trip goes over loopback HTTP (a "Shopify" posting to a receiver that verifies and parses as
the site's intake endpoint does); the rest hands the exact bytes and headers Shopify sends to the
adapter.
"""

import copy
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from order_online.domain.errors import (
	SIGNATURE_MISSING,
	SIGNATURE_NO_SECRET,
	SIGNATURE_WRONG,
	ChannelSignatureRejected,
	IntakeError,
	InvalidIntakePayload,
)
from order_online.integrations.channels import ChannelConfig, ShopifyAdapter, get_adapter
from order_online.integrations.channels.shopify import signature
from order_online.tests.carrier_servers import FakeServer, json_body

SECRET = "shpss_0a1b2c3d4e5f"
# Shopify's documented orders/create sample, trimmed to what an order needs (and a few fields it ignores).
ORDER = {
	"id": 820982911946154508,
	"admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
	"email": "jon@example.com",
	"created_at": "2021-12-31T19:00:00-05:00",
	"name": "#9999",
	"note": "Leave at the back door",
	"currency": "USD",
	"financial_status": "paid",
	"fulfillment_status": None,
	"cancelled_at": None,
	"cancel_reason": None,
	"total_price": "408.00",
	"customer": {
		"id": 115310627314723954,
		"email": "john@example.com",
		"first_name": "John",
		"last_name": "Smith",
		"phone": None,
	},
	"billing_address": {"name": "Bob Biller", "address1": "123 Billing Street", "city": "Billtown"},
	"shipping_address": {
		"first_name": "Steve",
		"address1": "123 Shipping Street",
		"phone": "555-555-SHIP",
		"city": "Shippington",
		"zip": "40003",
		"province": "Kentucky",
		"country": "United States",
		"last_name": "Shipper",
		"address2": None,
		"company": "Shipping Company",
		"name": "Steve Shipper",
		"country_code": "US",
		"province_code": "KY",
	},
	"line_items": [
		{
			"id": 866550311766439020,
			"variant_id": 808950810,
			"product_id": 632910392,
			"title": "IPod Nano - 8GB",
			"quantity": 1,
			"sku": "IPOD2008PINK",
			"price": "199.00",
		},
		{
			"id": 141249953214522974,
			"variant_id": 49148385,
			"product_id": 632910392,
			"title": "IPod Nano - 8GB",
			"quantity": 2,
			"sku": "",
			"price": "199.00",
		},
	],
	"shipping_lines": [
		{"id": 271878346596884015, "title": "Generic Shipping", "price": "10.00", "discounted_price": "10.00"}
	],
}


def config(**changes) -> ChannelConfig:
	values = {"platform": "Shopify", "channel": "Shopify Store", "secret": SECRET}
	values.update(changes)
	return ChannelConfig(**values)


def body_of(order: dict) -> bytes:
	return json.dumps(order, separators=(",", ":")).encode("utf-8")


def shopify_headers(body: bytes, topic: str = "orders/create", secret: str = SECRET) -> dict[str, str]:
	"""The headers Shopify sends with a webhook."""
	return {
		"Content-Type": "application/json",
		"X-Shopify-Topic": topic,
		"X-Shopify-Hmac-Sha256": signature(secret, body),
		"X-Shopify-Shop-Domain": "example.myshopify.com",
		"X-Shopify-API-Version": "2025-01",
		"X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		"X-Shopify-Triggered-At": "2025-01-05T11:00:00.000Z",
	}


def deliver(order: dict, topic: str = "orders/create", adapter: ShopifyAdapter | None = None):
	body = body_of(order)
	headers = shopify_headers(body, topic)
	adapter = adapter or ShopifyAdapter(config())
	adapter.verify(headers, body)
	return adapter.parse(headers, body)


class Receiver(FakeServer):
	"""The site's end: verify, then parse, answering as the intake endpoint does."""

	def __init__(self, adapter) -> None:
		super().__init__()
		self.adapter = adapter
		self.orders: list = []

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes):
		try:
			self.adapter.verify(headers, body)
			self.orders.append(self.adapter.parse(headers, body))
		except IntakeError as error:
			return json_body(error.http_status, {"error": error.key, "message": str(error)})
		return json_body(200, {"ok": True})


# Signatures --------------------------------------------------------------------------------------


def test_a_signed_order_crosses_http_and_arrives_whole():
	with Receiver(get_adapter(config())) as receiver:
		body = body_of(ORDER)
		answer = requests.post(receiver.url, data=body, headers=shopify_headers(body), timeout=5)
		forged = requests.post(
			receiver.url, data=body, headers=shopify_headers(body, secret="another-shop"), timeout=5
		)
	assert answer.status_code == 200
	assert forged.status_code == 401 and forged.json()["error"] == "intake.signature_rejected"
	(order,) = receiver.orders
	assert (order.external_order_id, order.action, order.currency) == ("820982911946154508", "create", "USD")
	assert order.delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
	assert order.ordered_at == datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)
	assert order.ordered_at.utcoffset() == timedelta(hours=-5)


def test_missing_signature_is_refused_as_missing():
	body = body_of(ORDER)
	headers = shopify_headers(body)
	del headers["X-Shopify-Hmac-Sha256"]
	with pytest.raises(ChannelSignatureRejected) as caught:
		ShopifyAdapter(config()).verify(headers, body)
	assert caught.value.params["reason"] == SIGNATURE_MISSING


def test_one_changed_byte_is_refused():
	body = body_of(ORDER)
	headers = shopify_headers(body)
	tampered = body.replace(b'"quantity":2', b'"quantity":9')
	assert tampered != body
	with pytest.raises(ChannelSignatureRejected) as caught:
		ShopifyAdapter(config()).verify(headers, tampered)
	assert caught.value.params["reason"] == SIGNATURE_WRONG


def test_a_hex_digest_is_not_shopifys_signature():
	# Shopify sends base64; a hex HMAC of the right secret must not pass either.
	body = body_of(ORDER)
	headers = shopify_headers(body)
	headers["X-Shopify-Hmac-Sha256"] = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
	with pytest.raises(ChannelSignatureRejected):
		ShopifyAdapter(config()).verify(headers, body)


def test_without_a_secret_every_delivery_is_refused():
	body = body_of(ORDER)
	with pytest.raises(ChannelSignatureRejected) as caught:
		ShopifyAdapter(config(secret="")).verify(shopify_headers(body), body)
	assert caught.value.params["reason"] == SIGNATURE_NO_SECRET


def test_header_names_are_read_whatever_their_case():
	body = body_of(ORDER)
	headers = {k.lower(): v for k, v in shopify_headers(body).items()}
	adapter = ShopifyAdapter(config())
	adapter.verify(headers, body)
	assert adapter.parse(headers, body).action == "create"


# Topics ------------------------------------------------------------------------------------------


def test_a_new_order_maps_shopifys_fields():
	order = deliver(ORDER)
	assert order.customer.model_dump() == {
		"external_id": "115310627314723954",
		"name": "John Smith",
		"email": "john@example.com",
		"phone": None,
	}
	assert order.shipping_address.model_dump() == {
		"name": "Steve Shipper",
		"line1": "123 Shipping Street",
		"line2": None,
		"city": "Shippington",
		"state": "Kentucky",
		"pincode": "40003",
		"country": "US",
		"phone": "555-555-SHIP",
	}
	# The second line has no SKU: its variant is the key the Item Mapping names.
	assert [(line.sku, line.qty, line.rate) for line in order.lines] == [
		("IPOD2008PINK", Decimal(1), Decimal("199.00")),
		("variant:49148385", Decimal(2), Decimal("199.00")),
	]
	assert order.shipping_charge == Decimal("10.00")
	assert order.note == "Shopify order #9999\nLeave at the back door"


def test_a_guest_without_a_customer_record_is_named_from_the_order():
	guest = copy.deepcopy(ORDER)
	guest["customer"] = None
	guest["phone"] = "+1 502 555 0100"
	order = deliver(guest)
	assert (order.customer.external_id, order.customer.name) == (None, "Steve Shipper")
	assert (order.customer.email, order.customer.phone) == ("jon@example.com", "+1 502 555 0100")


def test_shipping_is_what_the_buyer_paid_after_a_free_shipping_code():
	free = copy.deepcopy(ORDER)
	free["shipping_lines"] = [
		{"title": "Standard", "price": "10.00", "discounted_price": "0.00"},
		{"title": "Insurance", "price": "2.50"},
	]
	assert deliver(free).shipping_charge == Decimal("2.50")


def test_an_update_carries_the_new_shipping_address():
	moved = copy.deepcopy(ORDER)
	moved["shipping_address"].update(address1="9 New Road", city="Louisville", zip="40202")
	order = deliver(moved, "orders/updated")
	assert (order.action, order.external_order_id) == ("update", "820982911946154508")
	assert (order.shipping_address.line1, order.shipping_address.city) == ("9 New Road", "Louisville")
	assert order.delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
	assert order.lines == []  # an update changes the address, not what was ordered


@pytest.mark.parametrize(
	"change",
	[
		{"shipping_address": None},  # a digital order: nothing to ship, nothing to update
		{"fulfillment_status": "fulfilled"},  # already shipped: too late to change
		{"cancelled_at": "2022-01-02T10:00:00-05:00"},  # orders/cancelled carries the cancellation
	],
)
def test_an_update_with_nothing_to_apply_is_no_order(change):
	assert deliver({**ORDER, **change}, "orders/updated") is None


def test_a_cancellation():
	cancelled = {**ORDER, "cancelled_at": "2022-01-02T10:00:00-05:00", "cancel_reason": "customer"}
	order = deliver(cancelled, "orders/cancelled")
	assert (order.action, order.external_order_id) == ("cancel", "820982911946154508")
	assert order.note == "Cancelled in Shopify (customer)"


@pytest.mark.parametrize("topic", ["orders/paid", "products/update", "app/uninstalled", ""])
def test_other_topics_are_no_order(topic):
	assert deliver(ORDER, topic) is None


# Bad orders --------------------------------------------------------------------------------------


def test_a_zero_quantity_names_the_line():
	bad = copy.deepcopy(ORDER)
	bad["line_items"][1]["quantity"] = 0
	with pytest.raises(InvalidIntakePayload) as caught:
		deliver(bad)
	assert [e["field"] for e in caught.value.errors] == ["lines.1.qty"]
	assert caught.value.http_status == 422


def test_a_new_order_without_lines_or_buyer_is_refused():
	bare = {"id": 1, "created_at": "2022-01-01T00:00:00Z", "line_items": []}
	with pytest.raises(InvalidIntakePayload) as caught:
		deliver(bare)
	assert "needs customer and lines" in str(caught.value)


def test_a_body_that_is_not_json_is_refused_as_such():
	body = b"<html>not json</html>"
	adapter = ShopifyAdapter(config())
	headers = shopify_headers(body)
	adapter.verify(headers, body)  # signed, so it is Shopify's; still not an order
	with pytest.raises(InvalidIntakePayload) as caught:
		adapter.parse(headers, body)
	assert caught.value.errors == [{"field": "", "message": "the body is not JSON"}]


def test_the_graphql_id_stands_in_for_a_missing_id():
	order = {k: v for k, v in ORDER.items() if k != "id"}
	assert deliver(order).external_order_id == "820982911946154508"

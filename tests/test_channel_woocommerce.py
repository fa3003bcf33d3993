"""WooCommerce order webhooks: signed as ``WC_Webhook::deliver`` signs them, parsed from the REST API's
order JSON, and the unsigned setup ping ``WC_Webhook::deliver_ping`` sends answered 200.

Round trips go over loopback HTTP (a "WooCommerce" posting to a receiver that verifies and parses as the
site's intake endpoint does); the rest hands the exact bytes and headers WooCommerce sends to the adapter.
"""

import copy
import json
from collections.abc import Mapping
from datetime import datetime, timezone
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
from order_online.integrations.channels import ChannelConfig, WooCommerceAdapter, get_adapter
from order_online.integrations.channels.woocommerce import signature
from order_online.tests.carrier_servers import FakeServer, json_body

SECRET = "wc_secret_7f3a9c1e"
USER_AGENT = "WooCommerce/9.5.1 Hookshot (WordPress/6.7.1)"
# The REST API documentation's order 727, trimmed.
ORDER = {
	"id": 727,
	"parent_id": 0,
	"number": "727",
	"status": "processing",
	"currency": "USD",
	"date_created": "2017-03-22T16:28:02",
	"date_created_gmt": "2017-03-22T19:28:02",
	"discount_total": "0.00",
	"shipping_total": "10.00",
	"total": "29.35",
	"customer_id": 0,
	"customer_note": "",
	"billing": {
		"first_name": "John",
		"last_name": "Doe",
		"company": "",
		"address_1": "969 Market",
		"address_2": "",
		"city": "San Francisco",
		"state": "CA",
		"postcode": "94103",
		"country": "US",
		"email": "john.doe@example.com",
		"phone": "(555) 555-5555",
	},
	"shipping": {
		"first_name": "Jane",
		"last_name": "Doe",
		"company": "",
		"address_1": "1 Mission St",
		"address_2": "Apt 4",
		"city": "San Francisco",
		"state": "CA",
		"postcode": "94105",
		"country": "US",
	},
	"line_items": [
		{
			"id": 315,
			"name": "Woo Single #1",
			"product_id": 93,
			"variation_id": 0,
			"quantity": 2,
			"subtotal": "6.00",
			"total": "6.00",
			"sku": "",
			"price": 3,
		},
		{
			"id": 316,
			"name": "Ship Your Idea - Color: Black, Size: M Test",
			"product_id": 22,
			"variation_id": 23,
			"quantity": 3,
			"subtotal": "20.00",
			"total": "20.00",
			"sku": "Bar3",
			"price": 6.666666666666667,  # total / quantity, as PHP's json_encode writes it
		},
	],
	"shipping_lines": [{"id": 317, "method_title": "Flat Rate", "method_id": "flat_rate", "total": "10.00"}],
}


def config(**changes) -> ChannelConfig:
	values = {"platform": "WooCommerce", "channel": "Woo Store", "secret": SECRET}
	values.update(changes)
	return ChannelConfig(**values)


def body_of(order: dict) -> bytes:
	return json.dumps(order).encode("utf-8")


def wc_headers(body: bytes, topic: str = "order.created", secret: str = SECRET) -> dict[str, str]:
	"""The headers ``WC_Webhook::deliver`` adds."""
	resource, event = topic.split(".", 1) if "." in topic else (topic, "")
	return {
		"Content-Type": "application/json",
		"User-Agent": USER_AGENT,
		"X-WC-Webhook-Source": "https://shop.example.com/",
		"X-WC-Webhook-Topic": topic,
		"X-WC-Webhook-Resource": resource,
		"X-WC-Webhook-Event": event,
		"X-WC-Webhook-Signature": signature(secret, body),
		"X-WC-Webhook-ID": "12",
		"X-WC-Webhook-Delivery-ID": "c2b1f0e9d8a7b6c5d4e3f2a1b0c9d8e7",
	}


PING_BODY = b"webhook_id=12"
PING_HEADERS = {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}


def deliver(order: dict, topic: str = "order.created"):
	body = body_of(order)
	headers = wc_headers(body, topic)
	adapter = WooCommerceAdapter(config())
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


# Signatures and the ping -------------------------------------------------------------------------


def test_a_signed_order_and_the_setup_ping_cross_http():
	with Receiver(get_adapter(config())) as receiver:
		ping = requests.post(receiver.url, data=PING_BODY, headers=PING_HEADERS, timeout=5)
		body = body_of(ORDER)
		answer = requests.post(receiver.url, data=body, headers=wc_headers(body), timeout=5)
	# WooCommerce shows the merchant an error unless its ping is answered exactly 200.
	assert (ping.status_code, answer.status_code) == (200, 200)
	ping_result, order = receiver.orders
	assert ping_result is None
	assert (order.external_order_id, order.action, order.currency) == ("727", "create", "USD")
	assert order.delivery_id == "c2b1f0e9d8a7b6c5d4e3f2a1b0c9d8e7"
	assert order.ordered_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=timezone.utc)


def test_a_ping_to_a_channel_without_a_secret_is_refused():
	# The merchant learns at setup, not at the first lost order, that the secret is missing.
	with pytest.raises(ChannelSignatureRejected) as caught:
		WooCommerceAdapter(config(secret="")).verify(PING_HEADERS, PING_BODY)
	assert caught.value.params["reason"] == SIGNATURE_NO_SECRET


def test_a_signed_ping_must_be_signed_right():
	adapter = WooCommerceAdapter(config())
	adapter.verify({**PING_HEADERS, "X-WC-Webhook-Signature": signature(SECRET, PING_BODY)}, PING_BODY)
	with pytest.raises(ChannelSignatureRejected) as caught:
		adapter.verify({**PING_HEADERS, "X-WC-Webhook-Signature": signature("x", PING_BODY)}, PING_BODY)
	assert caught.value.params["reason"] == SIGNATURE_WRONG


@pytest.mark.parametrize(
	"headers, body",
	[
		({**PING_HEADERS, "X-WC-Webhook-Topic": "order.created"}, PING_BODY),  # a topic: not the ping
		(PING_HEADERS, b"webhook_id=12&id=727"),
		(PING_HEADERS, body_of(ORDER)),
	],
)
def test_only_the_bare_ping_goes_unsigned(headers, body):
	with pytest.raises(ChannelSignatureRejected) as caught:
		WooCommerceAdapter(config()).verify(headers, body)
	assert caught.value.params["reason"] == SIGNATURE_MISSING


def test_one_changed_byte_is_refused():
	body = body_of(ORDER)
	headers = wc_headers(body)
	tampered = body.replace(b'"total": "29.35"', b'"total": "29.36"')
	assert tampered != body
	with pytest.raises(ChannelSignatureRejected) as caught:
		WooCommerceAdapter(config()).verify(headers, tampered)
	assert caught.value.params["reason"] == SIGNATURE_WRONG


def test_without_a_secret_an_order_is_refused():
	body = body_of(ORDER)
	with pytest.raises(ChannelSignatureRejected) as caught:
		WooCommerceAdapter(config(secret="")).verify(wc_headers(body), body)
	assert caught.value.params["reason"] == SIGNATURE_NO_SECRET


# Topics ------------------------------------------------------------------------------------------


def test_a_new_order_maps_woocommerces_fields():
	order = deliver(ORDER)
	assert order.customer.model_dump() == {
		"external_id": None,  # customer_id 0: a guest checkout
		"name": "John Doe",
		"email": "john.doe@example.com",
		"phone": "(555) 555-5555",
	}
	assert order.shipping_address.model_dump() == {
		"name": "Jane Doe",
		"line1": "1 Mission St",
		"line2": "Apt 4",
		"city": "San Francisco",
		"state": "CA",
		"pincode": "94105",
		"country": "US",
		"phone": "(555) 555-5555",
	}
	assert [(line.sku, line.qty, line.rate) for line in order.lines] == [
		("product:93", Decimal(2), Decimal(3)),
		("Bar3", Decimal(3), Decimal("6.666667")),  # a float price rounded, not refused
	]
	assert order.shipping_charge == Decimal("10.00")
	assert order.note == "WooCommerce order #727"


def test_a_registered_customer_and_a_billing_only_address():
	registered = copy.deepcopy(ORDER)
	registered["customer_id"] = 26
	registered["shipping"] = {k: "" for k in registered["shipping"]}
	registered["line_items"][1]["sku"] = ""
	order = deliver(registered)
	assert order.customer.external_id == "26"
	assert (order.shipping_address.name, order.shipping_address.line1) == ("John Doe", "969 Market")
	assert order.lines[1].sku == "variation:23"


def test_an_update_carries_the_new_shipping_address():
	moved = copy.deepcopy(ORDER)
	moved["shipping"]["address_1"] = "500 Howard St"
	order = deliver(moved, "order.updated")
	assert (order.action, order.shipping_address.line1) == ("update", "500 Howard St")
	assert order.delivery_id == "c2b1f0e9d8a7b6c5d4e3f2a1b0c9d8e7"


@pytest.mark.parametrize("status", ["completed", "refunded"])
def test_an_update_after_shipping_or_refund_is_no_order(status):
	assert deliver({**ORDER, "status": status}, "order.updated") is None


def test_a_cancelled_status_is_the_cancellation():
	order = deliver({**ORDER, "status": "cancelled"}, "order.updated")
	assert (order.action, order.external_order_id) == ("cancel", "727")


def test_a_deleted_order_is_cancelled_from_its_id_alone():
	order = deliver({"id": 727}, "order.deleted")  # WooCommerce sends only the id of a deleted order
	assert (order.action, order.external_order_id) == ("cancel", "727")


@pytest.mark.parametrize("topic", ["order.restored", "product.updated", "customer.created", "action.woo"])
def test_other_topics_are_no_order(topic):
	assert deliver(ORDER, topic) is None


# Bad orders --------------------------------------------------------------------------------------


def test_a_zero_quantity_names_the_line():
	bad = copy.deepcopy(ORDER)
	bad["line_items"][0]["quantity"] = 0
	bad["line_items"][0]["price"] = None  # WooCommerce cannot divide by 0 either
	with pytest.raises(InvalidIntakePayload) as caught:
		deliver(bad)
	assert [e["field"] for e in caught.value.errors] == ["lines.0.qty"]


def test_a_bad_email_names_the_customers_email():
	bad = copy.deepcopy(ORDER)
	bad["billing"]["email"] = "not-an-address"
	with pytest.raises(InvalidIntakePayload) as caught:
		deliver(bad)
	assert [e["field"] for e in caught.value.errors] == ["customer.email"]

"""The app's own signed order API, against a loopback receiver that checks as the site does."""

import json
import time

import pytest
import requests

from order_online.domain import errors
from order_online.domain.errors import ChannelNotConfigured, ChannelSignatureRejected, InvalidIntakePayload
from order_online.integrations.channels import REGISTRY, ChannelConfig, GenericApiAdapter, get_adapter
from order_online.integrations.channels.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from order_online.tests.carrier_servers import FakeServer

SECRET = "shop-secret"
NOW = 1_800_000_000.0
BODY = json.dumps(
	{"external_order_id": "A1", "customer": {"name": "Li"}, "lines": [{"sku": "S", "qty": 1}]}
).encode()


def adapter(secret: str = SECRET, now: float = NOW) -> GenericApiAdapter:
	return GenericApiAdapter(ChannelConfig("Generic API", "Web Shop", secret=secret), clock=lambda: now)


def reason(headers, body=BODY, **kwargs) -> str:
	with pytest.raises(ChannelSignatureRejected) as caught:
		adapter(**kwargs).verify(headers, body)
	return caught.value.params["reason"]


class IntakeReceiver(FakeServer):
	"""Verifies and parses each POST as the site's endpoint does; answers 202, 401 or 422."""

	def __init__(self, adapter) -> None:
		super().__init__()
		self.adapter, self.orders = adapter, []

	def handle(self, method, path, headers, body):
		try:
			self.adapter.verify(dict(headers.items()), body)
			self.orders.append(self.adapter.parse(dict(headers.items()), body))
		except ChannelSignatureRejected as error:
			return 401, {}, str(error).encode()
		except InvalidIntakePayload as error:
			return 422, {}, json.dumps(error.errors).encode()
		return 202, {}, b"{}"


def test_a_signed_order_goes_through_a_loopback_round_trip_and_a_tampered_one_does_not():
	with IntakeReceiver(GenericApiAdapter(ChannelConfig("Generic API", "Web", secret=SECRET))) as server:
		good = requests.post(server.url, data=BODY, headers=signed_headers(SECRET, BODY), timeout=5)
		tampered = BODY.replace(b'"qty": 1', b'"qty": 9')
		forged = requests.post(server.url, data=tampered, headers=signed_headers(SECRET, BODY), timeout=5)
		bad = json.dumps(
			{"external_order_id": "A2", "customer": {"name": "Li"}, "lines": [{"sku": "S", "qty": 0}]}
		)
		invalid = requests.post(server.url, data=bad, headers=signed_headers(SECRET, bad.encode()), timeout=5)
	assert (good.status_code, forged.status_code, invalid.status_code) == (202, 401, 422)
	assert [o.external_order_id for o in server.orders] == ["A1"]
	assert invalid.json()[0]["field"] == "lines.0.qty"


def test_each_refusal_says_why():
	headers = signed_headers(SECRET, BODY, now=NOW)
	assert reason({TIMESTAMP_HEADER: headers[TIMESTAMP_HEADER]}) == errors.SIGNATURE_MISSING
	assert reason({**headers, SIGNATURE_HEADER: " "}) == errors.SIGNATURE_MISSING
	assert reason(signed_headers("other", BODY, now=NOW)) == errors.SIGNATURE_WRONG
	assert reason(headers, secret="") == errors.SIGNATURE_NO_SECRET
	assert reason(headers, body=BODY + b" ") == errors.SIGNATURE_WRONG


@pytest.mark.parametrize("offset", [-301, 301, 3600])
def test_a_timestamp_more_than_five_minutes_away_is_a_replay(offset):
	assert reason(signed_headers(SECRET, BODY, now=NOW + offset)) == errors.SIGNATURE_STALE


@pytest.mark.parametrize("stamp", ["", "nan", "inf", "-inf", "1e400", "１８００", "soon"])
def test_a_timestamp_that_is_not_a_time_is_refused(stamp):
	headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: "sha256=00"}
	assert reason(headers) == errors.SIGNATURE_STALE


def test_within_the_window_and_any_header_case_is_accepted():
	headers = {k.lower(): v for k, v in signed_headers(SECRET, BODY, now=NOW - 299).items()}
	adapter().verify(headers, BODY)
	assert adapter().parse(headers, BODY).lines[0].sku == "S"


def test_a_non_ascii_forgery_is_a_mismatch_not_a_crash():
	headers = {**signed_headers(SECRET, BODY, now=NOW), SIGNATURE_HEADER: "sha256=签名"}
	assert reason(headers) == errors.SIGNATURE_WRONG


def test_the_registry_names_platforms_and_refuses_unknown_ones():
	assert REGISTRY["Generic API"] is GenericApiAdapter
	assert isinstance(get_adapter(ChannelConfig("Generic API", "Web", secret="s")), GenericApiAdapter)
	with pytest.raises(ChannelNotConfigured):
		get_adapter(ChannelConfig("Carrier Pigeon", "Web"))


def test_the_secret_is_not_in_the_configs_repr():
	assert SECRET not in repr(ChannelConfig("Generic API", "Web", secret=SECRET))


def test_signed_headers_use_the_current_time_by_default():
	stamp = float(signed_headers(SECRET, BODY)[TIMESTAMP_HEADER])
	assert abs(stamp - time.time()) < 5


def test_the_shipped_openapi_file_is_the_schema_the_endpoint_checks_with():
	from order_online.integrations.channels import openapi

	assert (
		openapi.SHIPPED.read_text(encoding="utf-8") == openapi.rendered()
	), "regenerate: python -m order_online.integrations.channels.openapi > order_online/api/intake_openapi.json"
	spec = openapi.document()
	operation = spec["paths"][openapi.PATH]["post"]
	assert {"202", "401", "403", "422", "429"} <= set(operation["responses"])
	assert spec["components"]["schemas"]["IntakeLine"]["required"] == ["sku", "qty"]

"""The generic signed webhook carrier, and what all adapters share: registry, masking, Retry-After."""

import json
from datetime import datetime, timezone

import pytest
import requests

from order_online.domain import errors
from order_online.domain.tracking import ETA_BASES
from order_online.integrations.carriers import (
	REGISTRY,
	AfterShipAdapter,
	CarrierConfig,
	CarrierError,
	GenericWebhookAdapter,
	Kuaidi100Adapter,
	MalformedPush,
	PushOnlyCarrier,
	SignatureRejected,
	TemporaryCarrierError,
	UnknownCarrierProvider,
	get_adapter,
	mask_secrets,
)
from order_online.integrations.carriers import (
	TrackingStatus as S,
)
from order_online.integrations.carriers.base import retry_after
from order_online.integrations.carriers.webhook import parse_status, signature
from order_online.tests.carrier_servers import WebhookReceiver
from tests.translations import load_translations

SECRET = "hmac-secret-1"
NOW = 1_800_000_000.0
PAYLOAD = {
	"tracking_number": "LP0001",
	"carrier": "local-post",
	"eta": "2026-11-23T18:00:00+08:00",
	"events": [
		{"time": "2026-11-21T09:00:00+01:00", "status": "out_for_delivery", "description": "With courier"},
		{
			"time": "2026-11-20T10:00:00+08:00",
			"status": "Picked Up",
			"description": "Collected",
			"location": "Hangzhou",
		},
	],
}


def utc(*args) -> datetime:
	return datetime(*args, tzinfo=timezone.utc)


def adapter(secret: str = SECRET, now: float = NOW) -> GenericWebhookAdapter:
	return GenericWebhookAdapter(CarrierConfig("Generic Webhook", "", secret=secret), clock=lambda: now)


def signed(payload, secret: str = SECRET, timestamp: float = NOW) -> tuple[dict, bytes]:
	body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
	stamp = str(int(timestamp))
	return {"X-Timestamp": stamp, "X-Signature": signature(secret, stamp, body)}, body


def test_signed_push_is_parsed_to_utc_events():
	headers, body = signed(PAYLOAD)
	(result,) = adapter().parse_push(headers, body, {})
	assert (result.tracking_number, result.carrier_code) == ("LP0001", "local-post")
	assert [(e.time, e.status, e.location) for e in result.events] == [
		(utc(2026, 11, 20, 2), S.PICKED_UP, "Hangzhou"),
		(utc(2026, 11, 21, 8), S.OUT_FOR_DELIVERY, None),
	]
	assert result.status is S.OUT_FOR_DELIVERY
	assert result.eta == utc(2026, 11, 23, 10)


def test_signature_is_over_timestamp_dot_body():
	body = b'{"a": 1}'
	import hashlib
	import hmac

	expected = hmac.new(SECRET.encode(), b"1800000000." + body, hashlib.sha256).hexdigest()
	assert signature(SECRET, "1800000000", body) == f"sha256={expected}"


@pytest.mark.parametrize(
	"text, status",
	[
		("out_for_delivery", S.OUT_FOR_DELIVERY),
		("OUT FOR DELIVERY", S.OUT_FOR_DELIVERY),
		("Out-for-Delivery", S.OUT_FOR_DELIVERY),
		("info_received", S.INFO_RECEIVED),
		("delivered", S.DELIVERED),
		("Returned", S.RETURNED),
		(" in  transit ", S.IN_TRANSIT),
		("EXCEPTION", S.EXCEPTION),
	],
)
def test_status_spellings(text, status):
	assert parse_status(text) is status


def test_unknown_status_is_refused():
	with pytest.raises(ValueError):
		parse_status("lost in space")


def _rejection(headers, body, now=NOW, secret=SECRET) -> str:
	with pytest.raises(SignatureRejected) as caught:
		adapter(secret, now).parse_push(headers, body, {})
	return caught.value.params["reason"]


def test_missing_signature_or_timestamp_is_refused():
	headers, body = signed(PAYLOAD)
	assert _rejection({"X-Timestamp": headers["X-Timestamp"]}, body) == errors.SIGNATURE_MISSING
	assert _rejection({"X-Signature": headers["X-Signature"]}, body) == errors.SIGNATURE_STALE
	assert _rejection({}, body) == errors.SIGNATURE_MISSING


def test_wrong_secret_or_changed_body_is_refused():
	headers, body = signed(PAYLOAD, secret="not-the-secret")
	assert _rejection(headers, body) == errors.SIGNATURE_WRONG
	headers, body = signed(PAYLOAD)
	assert _rejection(headers, body.replace(b"LP0001", b"LP0002")) == errors.SIGNATURE_WRONG


def test_timestamp_cannot_be_swapped_without_re_signing():
	headers, body = signed(PAYLOAD, timestamp=NOW - 100)
	headers["X-Timestamp"] = str(int(NOW))
	assert _rejection(headers, body) == errors.SIGNATURE_WRONG


@pytest.mark.parametrize("offset, accepted", [(-300, True), (300, True), (-301, False), (301, False)])
def test_timestamps_older_or_newer_than_five_minutes_are_refused(offset, accepted):
	headers, body = signed(PAYLOAD, timestamp=NOW + offset)
	if accepted:
		assert adapter().parse_push(headers, body, {})
	else:
		assert _rejection(headers, body) == errors.SIGNATURE_STALE


@pytest.mark.parametrize("stamp", ["nan", "inf", "yesterday", ""])
def test_unreadable_timestamps_are_refused(stamp):
	body = json.dumps(PAYLOAD).encode()
	headers = {"X-Timestamp": stamp, "X-Signature": signature(SECRET, stamp, body)}
	assert _rejection(headers, body) == errors.SIGNATURE_STALE


def test_non_ascii_signature_is_a_mismatch():
	headers, body = signed(PAYLOAD)
	headers["X-Signature"] = "sha256=签名"
	assert _rejection(headers, body) == errors.SIGNATURE_WRONG


def test_no_secret_configured_refuses_even_a_push_signed_with_an_empty_key():
	headers, body = signed(PAYLOAD, secret="")
	assert _rejection(headers, body, secret="") == errors.SIGNATURE_NO_SECRET


@pytest.mark.parametrize(
	"payload",
	[
		b"{not json",
		{"carrier": "x", "events": []},  # no tracking number
		{**PAYLOAD, "events": [{"time": "2026-11-20T10:00:00", "status": "delivered"}]},  # no offset
		{**PAYLOAD, "events": [{"time": "2026-11-20T10:00:00Z", "status": "teleported"}]},
		{**PAYLOAD, "events": "not a list"},
		[PAYLOAD],
	],
)
def test_malformed_push_after_a_good_signature(payload):
	headers, body = signed(payload)
	with pytest.raises(MalformedPush):
		adapter().parse_push(headers, body, {})


def test_push_with_no_events_has_no_status():
	headers, body = signed({"tracking_number": "LP9", "events": [], "eta": None})
	(result,) = adapter().parse_push(headers, body, {})
	assert (result.status, result.events, result.eta) == (None, (), None)


def test_query_is_refused_as_push_only_and_subscribe_does_nothing():
	with pytest.raises(PushOnlyCarrier) as caught:
		adapter().query("LP0001", "local-post")
	assert isinstance(caught.value, CarrierError) and not isinstance(caught.value, TemporaryCarrierError)
	assert adapter().subscribe("LP0001", "local-post") is None


def test_over_http_the_reply_tells_the_sender_whether_to_retry():
	import time

	with WebhookReceiver(adapter(now=time.time())) as site:
		headers, body = signed(PAYLOAD, timestamp=time.time())
		reply = requests.post(
			site.url, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=5
		)
		assert (reply.status_code, reply.json()) == (200, {"ok": True})
		headers["X-Signature"] = "sha256=" + "0" * 64
		reply = requests.post(site.url, data=body, headers=headers, timeout=5)
		assert (reply.status_code, reply.json()) == (500, {"ok": False})
		assert len(site.results) == 1 and isinstance(site.errors[0], SignatureRejected)


# Registry ------------------------------------------------------------------------------------------


def test_registry_and_get_adapter():
	assert REGISTRY == {
		"Kuaidi100": Kuaidi100Adapter,
		"AfterShip": AfterShipAdapter,
		"Generic Webhook": GenericWebhookAdapter,
	}
	session = requests.Session()
	for provider, cls in REGISTRY.items():
		made = get_adapter(CarrierConfig(provider, "http://127.0.0.1:1"), session)
		assert type(made) is cls and made.provider == provider
	assert get_adapter(CarrierConfig("Kuaidi100", "")).session is not None


def test_unknown_provider_is_a_clear_error():
	with pytest.raises(UnknownCarrierProvider) as caught:
		get_adapter(CarrierConfig("Pigeon Post", ""))
	assert "Pigeon Post" in str(caught.value)


# Masking -------------------------------------------------------------------------------------------


def test_mask_secrets_in_a_mapping():
	payload = {
		"customer": "CUST-9",
		"sign": "ABCDEF",
		"headers": {"as-api-key": "as-123", "Authorization": "Bearer t", "X-Signature": "sha256=1"},
		"note": "key as-123 leaked into text",
		"items": [{"token": "tok"}, {"n": 1}],
	}
	masked = json.loads(mask_secrets(payload, ["as-123", "CUST-9", ""]))
	assert masked == {
		"customer": "***",
		"sign": "***",
		"headers": {"as-api-key": "***", "Authorization": "***", "X-Signature": "***"},
		"note": "key *** leaked into text",
		"items": [{"token": "***"}, {"n": 1}],
	}


def test_mask_secrets_in_text_json_form_and_bytes():
	assert mask_secrets('{"api_key": "x1", "n": "ok"}', []) == '{"api_key": "***", "n": "ok"}'
	assert mask_secrets("customer=C1&sign=ABC&param=%7B%7D", ["C1"]) == "customer=***&sign=***&param=%7B%7D"
	assert mask_secrets(b"salt-in-bytes: s3cr3t", ["s3cr3t"]) == "salt-in-bytes: ***"
	assert mask_secrets("", ["x"]) == "" and mask_secrets(None, ["x"]) == ""


def test_mask_secrets_replaces_the_longest_secret_whole():
	assert mask_secrets("abc-123-xyz", ["abc", "abc-123-xyz"]) == "***"


def test_empty_secrets_do_not_mangle_the_text():
	assert mask_secrets("plain text", ["", ""]) == "plain text"


# Retry-After ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"headers, seconds",
	[
		({"Retry-After": "12"}, 12.0),
		({"retry-after": "2.5"}, 2.5),
		({"Retry-After": "Wed, 21 Oct 2026 07:28:20 GMT"}, 20.0),
		({"X-RateLimit-Reset": str(int(NOW) + 30)}, 30.0),
		({"X-RateLimit-Reset": "45"}, 45.0),  # seconds left, not an epoch
		({"X-RateLimit-Reset": str(int(NOW) - 5)}, 0.0),
		({"X-RateLimit-Reset": "soon"}, 1.0),
		({}, 1.0),
	],
)
def test_retry_after(headers, seconds):
	now = NOW
	if "Wed" in headers.get("Retry-After", ""):
		now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=timezone.utc).timestamp()
	assert retry_after(headers, now) == pytest.approx(seconds)


# Messages ------------------------------------------------------------------------------------------


def test_carrier_errors_render_clearly():
	assert str(errors.RateLimited(provider="AfterShip", retry_after=2.2)) == (
		"The carrier service AfterShip asks to slow down; tracking goes on in 3 seconds."
	)
	assert errors.RateLimited(provider="AfterShip", retry_after=-4).retry_after == 0.0
	rejected = SignatureRejected(provider="Kuaidi100", reason=errors.SIGNATURE_WRONG)
	assert str(rejected) == (
		"A tracking update claiming to come from Kuaidi100 was refused: the signature does not match."
	)


def test_vocabulary_in_carrier_messages_and_eta_bases_is_translated():
	zh = load_translations("zh")
	for text in (*errors.SIGNATURE_PROBLEMS, *errors.CARRIER_SETTINGS, *ETA_BASES):
		assert zh.get(text, text) != text, text
	rejected = SignatureRejected(provider="Kuaidi100", reason=errors.SIGNATURE_MISSING)
	assert zh[errors.SIGNATURE_MISSING] in rejected.render(lambda s: zh.get(s, s))

"""AfterShip adapter against a loopback server speaking its REST API and signing its webhooks."""

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from order_online.domain import errors
from order_online.integrations.carriers import (
	AfterShipAdapter,
	CarrierConfig,
	CarrierError,
	CarrierNotConfigured,
	MalformedPush,
	RateLimited,
	SignatureRejected,
	TemporaryCarrierError,
	UnknownTrackingNumber,
)
from order_online.integrations.carriers import (
	TrackingStatus as S,
)
from order_online.integrations.carriers.aftership import TAGS
from order_online.tests.carrier_servers import AfterShipServer, WebhookReceiver, aftership_signature

SECRET = "whsec-42"
TRACKING = {
	"tracking_number": "1Z999",
	"slug": "ups",
	"tag": "OutForDelivery",
	"expected_delivery": "2026-11-22",
	"checkpoints": [
		{
			"checkpoint_time": "2026-11-21T08:00:00-05:00",
			"tag": "OutForDelivery",
			"subtag": "OutForDelivery_001",
			"message": "Out for delivery",
			"location": "Atlanta, GA",
		},
		{
			"checkpoint_time": "2026-11-19T18:30:00+08:00",
			"tag": "InfoReceived",
			"message": "Shipment information received",
			"location": None,
		},
		{
			"checkpoint_time": "2026-11-20T03:00:00Z",
			"tag": "InTransit",
			"message": "Departed facility",
			"location": "Louisville, KY",
		},
	],
}


def utc(*args) -> datetime:
	return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def server():
	with AfterShipServer(trackings={("ups", "1Z999"): json.loads(json.dumps(TRACKING))}) as fake:
		yield fake


def adapter(server, **changes) -> AfterShipAdapter:
	values = dict(provider="AfterShip", base_url=server.base_url, api_key=server.api_key, secret=SECRET)
	values.update(changes)
	return AfterShipAdapter(CarrierConfig(**values))


# Query ---------------------------------------------------------------------------------------------


def test_query_normalises_checkpoints_to_utc_in_time_order(server):
	result = adapter(server).query("1Z999", "ups")
	assert (result.tracking_number, result.carrier_code, result.status) == (
		"1Z999",
		"ups",
		S.OUT_FOR_DELIVERY,
	)
	assert [(e.time, e.status) for e in result.events] == [
		(utc(2026, 11, 19, 10, 30), S.INFO_RECEIVED),
		(utc(2026, 11, 20, 3, 0), S.IN_TRANSIT),
		(utc(2026, 11, 21, 13, 0), S.OUT_FOR_DELIVERY),
	]
	assert (result.events[0].location, result.events[2].raw_status) == (None, "OutForDelivery_001")
	assert result.eta == utc(2026, 11, 22, 12, 0)  # a date alone: noon UTC of that day


def test_query_sends_the_api_key_header_to_the_documented_path(server):
	adapter(server).query("1Z999", "ups")
	method, path, headers, _ = server.requests[-1]
	assert (method, path) == ("GET", "/tracking/2024-04/trackings/ups/1Z999")
	assert headers["as-api-key"] == server.api_key


def test_expected_delivery_with_time_and_offset(server):
	server.trackings[("ups", "1Z999")]["expected_delivery"] = "2026-11-22T18:00:00+08:00"
	assert adapter(server).query("1Z999", "ups").eta == utc(2026, 11, 22, 10, 0)
	server.trackings[("ups", "1Z999")]["expected_delivery"] = "soon"
	assert adapter(server).query("1Z999", "ups").eta is None


def test_unknown_tracking_is_4004(server):
	with pytest.raises(UnknownTrackingNumber) as caught:
		adapter(server).query("NOPE", "ups")
	assert caught.value.params == {"provider": "AfterShip", "tracking_number": "NOPE"}


def test_wrong_api_key_is_a_refusal_not_a_retry(server):
	with pytest.raises(CarrierError) as caught:
		adapter(server, api_key="wrong").query("1Z999", "ups")
	assert type(caught.value) is CarrierError
	assert "Invalid API key" in str(caught.value)


def test_missing_api_key_is_a_setting_error_without_a_call(server):
	with pytest.raises(CarrierNotConfigured):
		adapter(server, api_key="").query("1Z999", "ups")
	assert server.requests == []


def test_429_retry_after_comes_from_x_ratelimit_reset(server):
	server.mode = "429"
	with pytest.raises(RateLimited) as caught:
		adapter(server).query("1Z999", "ups")
	assert server.reset_in - 1 <= caught.value.retry_after <= server.reset_in
	assert "seconds" in str(caught.value)


@pytest.mark.parametrize("mode", ["5xx", "malformed"])
def test_server_trouble_is_temporary(server, mode):
	server.mode = mode
	with pytest.raises(TemporaryCarrierError):
		adapter(server).query("1Z999", "ups")


def test_hanging_server_times_out(server):
	server.mode = "hang"
	start = time.monotonic()
	with pytest.raises(TemporaryCarrierError):
		adapter(server, timeout_s=0.3).query("1Z999", "ups")
	assert time.monotonic() - start < 3


@pytest.mark.parametrize("tag, status", sorted(TAGS.items()))
def test_tags(server, tag, status):
	server.trackings[("ups", "1Z999")]["tag"] = tag
	assert adapter(server).query("1Z999", "ups").status is status


def test_expected_mapping_of_tags():
	assert TAGS["AvailableForPickup"] is S.OUT_FOR_DELIVERY
	assert TAGS["AttemptFail"] is TAGS["Expired"] is S.EXCEPTION
	assert TAGS["Pending"] is S.INFO_RECEIVED


def test_an_unknown_checkpoint_tag_counts_as_in_transit_and_is_kept(server):
	server.trackings[("ups", "1Z999")]["checkpoints"][0]["tag"] = "Teleported"
	server.trackings[("ups", "1Z999")]["checkpoints"][0].pop("subtag")
	event = adapter(server).query("1Z999", "ups").events[-1]
	assert (event.status, event.raw_status) == (S.IN_TRANSIT, "Teleported")


def test_expired_means_aftership_stopped_following(server):
	server.trackings[("ups", "1Z999")]["tag"] = "Expired"
	result = adapter(server).query("1Z999", "ups")
	assert (result.status, result.carrier_finished) == (S.EXCEPTION, True)


# Create ----------------------------------------------------------------------------------------------


def test_subscribe_creates_the_tracking_and_a_repeat_4009_is_fine(server):
	target = adapter(server)
	target.subscribe("JD0001", "jd")
	target.subscribe("JD0001", "jd")
	method, path, headers, body = server.requests[0]
	assert (method, path, headers["as-api-key"]) == ("POST", "/tracking/2024-04/trackings", server.api_key)
	assert json.loads(body) == {"tracking_number": "JD0001", "slug": "jd"}
	assert ("jd", "JD0001") in server.trackings
	assert adapter(server).query("JD0001", "jd").status is S.INFO_RECEIVED


def test_subscribe_refused(server):
	with pytest.raises(CarrierError):
		adapter(server, api_key="bad").subscribe("JD0001", "jd")


# Webhook ---------------------------------------------------------------------------------------------


@pytest.fixture
def receiver(server):
	with WebhookReceiver(adapter(server)) as site:
		yield site


def test_signed_webhook_is_parsed(receiver):
	reply = AfterShipServer.push(receiver.url, TRACKING, SECRET)
	assert reply.status_code == 200
	(result,) = receiver.results
	assert (result.tracking_number, result.status, len(result.events)) == ("1Z999", S.OUT_FOR_DELIVERY, 3)


@pytest.mark.parametrize(
	"signature, reason",
	[
		("", errors.SIGNATURE_MISSING),
		(aftership_signature("other-secret", b"{}"), errors.SIGNATURE_WRONG),
		("not base64 at all", errors.SIGNATURE_WRONG),
	],
)
def test_unsigned_or_forged_webhook_is_refused_with_a_retryable_reply(receiver, signature, reason):
	reply = AfterShipServer.push(receiver.url, TRACKING, SECRET, signature=signature)
	assert reply.status_code == 500
	assert receiver.results == []
	assert receiver.errors == [SignatureRejected(provider="AfterShip", reason=reason)]


def test_body_changed_after_signing_is_refused(server):
	body = json.dumps({"event": "tracking_update", "msg": TRACKING}).encode()
	signature = aftership_signature(SECRET, body)
	forged = body.replace(b"OutForDelivery", b"Delivered")
	with pytest.raises(SignatureRejected):
		adapter(server).parse_push({"aftership-hmac-sha256": signature}, forged, {})


def test_header_name_is_case_insensitive(server):
	body = json.dumps({"event": "tracking_update", "msg": TRACKING}).encode()
	headers = {"Aftership-Hmac-Sha256": aftership_signature(SECRET, body)}
	assert len(adapter(server).parse_push(headers, body, {})) == 1


@pytest.mark.parametrize(
	"body, error",
	[
		(b"{not json", MalformedPush),
		(b"[1, 2]", MalformedPush),
		(json.dumps({"event": "tracking_update", "msg": {"tag": "Delivered"}}).encode(), MalformedPush),
		(
			json.dumps(
				{"event": "tracking_update", "msg": {**TRACKING, "checkpoints": [{"tag": "x"}]}}
			).encode(),
			MalformedPush,
		),
	],
)
def test_malformed_webhook(server, body, error):
	with pytest.raises(error):
		adapter(server).parse_push({"aftership-hmac-sha256": aftership_signature(SECRET, body)}, body, {})


def test_other_webhook_events_carry_nothing(server):
	body = json.dumps({"event": "tracking_deleted", "msg": {"id": "x"}}).encode()
	assert (
		adapter(server).parse_push({"aftership-hmac-sha256": aftership_signature(SECRET, body)}, body, {})
		== []
	)


def test_webhook_without_a_configured_secret_is_refused(server):
	body = json.dumps({"event": "tracking_update", "msg": TRACKING}).encode()
	with pytest.raises(SignatureRejected) as caught:
		adapter(server, secret="").parse_push(
			{"aftership-hmac-sha256": aftership_signature("", body)}, body, {}
		)
	assert caught.value.params["reason"] == errors.SIGNATURE_NO_SECRET


def test_naive_checkpoint_time_is_taken_as_utc(server):
	server.trackings[("ups", "1Z999")]["checkpoints"] = [
		{"checkpoint_time": "2026-11-20T03:00:00", "tag": "InTransit", "message": "m"}
	]
	(event,) = adapter(server).query("1Z999", "ups").events
	assert event.time == utc(2026, 11, 20, 3) and event.time.utcoffset() == timedelta(0)

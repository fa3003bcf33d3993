"""Kuaidi100 adapter against a loopback server speaking its documented protocol."""

import json
import socket
import time
from datetime import datetime, timezone

import pytest

from order_online.domain import errors
from order_online.integrations.carriers import (
	CarrierConfig,
	CarrierError,
	CarrierNotConfigured,
	Kuaidi100Adapter,
	MalformedPush,
	RateLimited,
	SignatureRejected,
	TemporaryCarrierError,
	UnknownTrackingNumber,
	mask_secrets,
)
from order_online.integrations.carriers import (
	TrackingStatus as S,
)
from order_online.integrations.carriers.kuaidi100 import event_status, md5_sign
from order_online.tests.carrier_servers import (
	Kuaidi100Server,
	WebhookReceiver,
	form_fields,
	kuaidi100_result,
	kuaidi100_row,
	md5_upper,
)

SALT = "salt-0123"
ROWS = [  # newest first, as Kuaidi100 lists them
	kuaidi100_row("2026-11-21 09:30:00", "[深圳市] 快件已签收，签收人：本人", "签收", "301", "广东,深圳市"),
	kuaidi100_row("2026-11-21 07:10:00", "[深圳市] 快递员正在派件", "派件", "5", "广东,深圳市"),
	kuaidi100_row("2026-11-20 22:00:00", "[广州市] 快件已到达 广州转运中心", "在途", "1002", "广东,广州市"),
	kuaidi100_row("2026-11-20 10:00:00", "[上海市] 顺丰速运 已收取快件", "揽收", "103", "上海,上海市"),
]


def utc(*args) -> datetime:
	return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def server():
	waybills = {
		"SF1001": kuaidi100_result("SF1001", "shunfeng", "3", ROWS, arrivalTime="2026-11-21 12"),
		"SF1002": kuaidi100_result("SF1002", "shunfeng", "0", []),
		"BUSY": {"result": False, "returnCode": "502", "message": "服务器繁忙"},
		"EXPIRED": {"result": False, "returnCode": "601", "message": "POLL:KEY已过期"},
	}
	with Kuaidi100Server(waybills=waybills) as fake:
		yield fake


def adapter(server, **changes) -> Kuaidi100Adapter:
	values = dict(
		provider="Kuaidi100",
		base_url=server.url,
		api_key=server.key,
		customer=server.customer,
		secret=SALT,
		callback_url="http://127.0.0.1:9/never",
		timeout_s=2.0,
	)
	values.update(changes)
	return Kuaidi100Adapter(CarrierConfig(**values))


# Query -------------------------------------------------------------------------------------------


def test_query_normalises_events_to_utc_in_time_order(server):
	result = adapter(server).query("SF1001", "shunfeng", phone="5678")
	assert (result.tracking_number, result.carrier_code, result.status) == ("SF1001", "shunfeng", S.DELIVERED)
	assert [e.time for e in result.events] == [
		utc(2026, 11, 20, 2, 0),  # 10:00 China time
		utc(2026, 11, 20, 14, 0),
		utc(2026, 11, 20, 23, 10),
		utc(2026, 11, 21, 1, 30),
	]
	assert [e.status for e in result.events] == [S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]
	first = result.events[0]
	assert (first.description, first.location, first.raw_status) == (
		"[上海市] 顺丰速运 已收取快件",
		"上海,上海市",
		"103",
	)
	assert result.eta == utc(2026, 11, 21, 4, 0)  # arrivalTime "2026-11-21 12" China time


def test_query_sends_the_documented_signed_form(server):
	adapter(server).query("SF1001", "shunfeng", phone="5678")
	method, path, _, body = server.requests[-1]
	fields = form_fields(body)
	assert (method, path) == ("POST", "/poll/query.do")
	assert json.loads(fields["param"]) == {
		"com": "shunfeng",
		"num": "SF1001",
		"phone": "5678",
		"resultv2": "4",
	}
	assert fields["customer"] == server.customer
	assert fields["sign"] == md5_upper(fields["param"] + server.key + server.customer)


def test_a_waybill_without_events_yet_has_its_state_and_no_events(server):
	result = adapter(server).query("SF1002", "shunfeng")
	assert (result.status, result.events, result.eta) == (S.IN_TRANSIT, (), None)


def test_bad_key_is_refused_by_the_server_and_is_not_retried_as_temporary(server):
	with pytest.raises(CarrierError) as caught:
		adapter(server, api_key="wrong").query("SF1001", "shunfeng")
	assert type(caught.value) is CarrierError
	assert "503" in str(caught.value) and "验证签名失败" in str(caught.value)


def test_unknown_waybill(server):
	with pytest.raises(UnknownTrackingNumber) as caught:
		adapter(server).query("NOPE", "shunfeng")
	assert caught.value.params["tracking_number"] == "NOPE"


@pytest.mark.parametrize("number, kind", [("BUSY", TemporaryCarrierError), ("EXPIRED", CarrierError)])
def test_return_codes(server, number, kind):
	with pytest.raises(CarrierError) as caught:
		adapter(server).query(number, "shunfeng")
	assert type(caught.value) is kind


@pytest.mark.parametrize("mode", ["5xx", "malformed"])
def test_server_trouble_is_temporary(server, mode):
	server.mode = mode
	with pytest.raises(TemporaryCarrierError):
		adapter(server).query("SF1001", "shunfeng")


def test_a_hanging_server_times_out_quickly(server):
	server.mode = "hang"
	start = time.monotonic()
	with pytest.raises(TemporaryCarrierError) as caught:
		adapter(server, timeout_s=0.3).query("SF1001", "shunfeng")
	assert time.monotonic() - start < 3
	assert "0.3 s" in str(caught.value)


def test_429_is_rate_limited_with_retry_after(server):
	server.mode = "429"
	with pytest.raises(RateLimited) as caught:
		adapter(server).query("SF1001", "shunfeng")
	assert caught.value.retry_after == 1.0


def test_connection_refused_is_temporary():
	with socket.socket() as sock:  # a port nobody listens on
		sock.bind(("127.0.0.1", 0))
		port = sock.getsockname()[1]
	config = CarrierConfig("Kuaidi100", f"http://127.0.0.1:{port}", api_key="k", customer="c", timeout_s=2)
	with pytest.raises(TemporaryCarrierError):
		Kuaidi100Adapter(config).query("SF1", "shunfeng")


@pytest.mark.parametrize("missing", ["api_key", "customer"])
def test_query_needs_key_and_customer_before_calling(server, missing):
	with pytest.raises(CarrierNotConfigured):
		adapter(server, **{missing: ""}).query("SF1001", "shunfeng")
	assert server.requests == []


@pytest.mark.parametrize(
	"state, status",
	[
		("0", S.IN_TRANSIT),
		("1", S.PICKED_UP),
		("2", S.EXCEPTION),
		("3", S.DELIVERED),
		("4", S.RETURNED),
		("5", S.OUT_FOR_DELIVERY),
		("6", S.RETURNED),
		("7", S.IN_TRANSIT),
		("8", S.IN_TRANSIT),
	],
)
def test_waybill_states(server, state, status):
	server.waybills["X"] = kuaidi100_result("X", "yuantong", state, [])
	assert adapter(server).query("X", "yuantong").status is status


@pytest.mark.parametrize(
	"row, status",
	[
		({"statusCode": "1001"}, S.IN_TRANSIT),
		({"statusCode": "101"}, S.INFO_RECEIVED),
		({"statusCode": "103"}, S.PICKED_UP),
		({"statusCode": "204"}, S.EXCEPTION),
		({"statusCode": "304"}, S.DELIVERED),
		({"statusCode": "501"}, S.OUT_FOR_DELIVERY),
		({"statusCode": "14"}, S.EXCEPTION),
		({"status": "退回"}, S.RETURNED),
		({"status": "派件"}, S.OUT_FOR_DELIVERY),
		({"status": "something new"}, S.IN_TRANSIT),
	],
)
def test_event_status_codes_and_words(row, status):
	assert event_status(row, None) is status


def test_rows_without_status_take_the_waybill_state_for_the_newest_only(server):
	rows = [kuaidi100_row("2026-11-21 08:00:00", "派送中"), kuaidi100_row("2026-11-20 18:00:00", "已揽收")]
	for row in rows:
		del row["status"], row["statusCode"]
	server.waybills["Y"] = kuaidi100_result("Y", "shunfeng", "5", rows)
	assert [e.status for e in adapter(server).query("Y", "shunfeng").events] == [
		S.IN_TRANSIT,
		S.OUT_FOR_DELIVERY,
	]
	server.waybills["Y"] = kuaidi100_result("Y", "shunfeng", "1", rows)
	assert {e.status for e in adapter(server).query("Y", "shunfeng").events} == {S.PICKED_UP}


def test_unreadable_event_time_is_temporary(server):
	server.waybills["Z"] = kuaidi100_result("Z", "shunfeng", "0", [kuaidi100_row("yesterday", "?")])
	with pytest.raises(TemporaryCarrierError):
		adapter(server).query("Z", "shunfeng")


# Subscribe ----------------------------------------------------------------------------------------


def test_subscribe_sends_the_documented_param_and_a_repeat_is_fine(server):
	target = adapter(server, callback_url="https://erp.example/api/method/push?account=K1")
	target.subscribe("SF1001", "shunfeng", phone="5678")
	target.subscribe("SF1001", "shunfeng", phone="5678")  # 501 already subscribed
	fields = form_fields(server.requests[0][3])
	assert fields["schema"] == "json"
	assert json.loads(fields["param"]) == {
		"company": "shunfeng",
		"number": "SF1001",
		"key": server.key,
		"parameters": {
			"callbackurl": "https://erp.example/api/method/push?account=K1",
			"salt": SALT,
			"resultv2": "4",
			"phone": "5678",
		},
	}
	assert len(server.subscriptions) == 1


def test_subscribe_with_a_wrong_key_is_refused(server):
	with pytest.raises(CarrierError) as caught:
		adapter(server, api_key="wrong").subscribe("SF1001", "shunfeng")
	assert "600" in str(caught.value)


@pytest.mark.parametrize("missing", ["api_key", "callback_url", "secret"])
def test_subscribe_needs_settings(server, missing):
	with pytest.raises(CarrierNotConfigured) as caught:
		adapter(server, **{missing: ""}).subscribe("SF1001", "shunfeng")
	assert caught.value.params["setting"] in errors.CARRIER_SETTINGS
	assert server.requests == []


def test_subscribe_param_is_masked_in_logs(server):
	target = adapter(server)
	target.subscribe("SF1001", "shunfeng")
	logged = mask_secrets(server.requests[0][3].decode(), [server.key, SALT])
	assert server.key not in logged and SALT not in logged
	fields = {"schema": "json", "param": form_fields(server.requests[0][3])["param"]}
	masked = json.loads(json.loads(mask_secrets(fields, []))["param"])
	assert masked["key"] == "***" and masked["parameters"]["salt"] == "***"
	assert masked["number"] == "SF1001"


# Push ---------------------------------------------------------------------------------------------


@pytest.fixture
def pushed(server):
	"""A subscription whose callback is a receiver running the adapter, as the site would."""
	receiver = WebhookReceiver(None).start()
	receiver.adapter = adapter(server, callback_url=receiver.url + "/push")
	receiver.adapter.subscribe("SF1001", "shunfeng")
	yield server, receiver
	receiver.stop()


def test_signed_push_is_accepted_and_parsed(pushed):
	server, receiver = pushed
	last = kuaidi100_result("SF1001", "shunfeng", "3", ROWS)
	reply = server.push("SF1001", server.push_form("SF1001", last))
	assert reply == {"result": True, "returnCode": "200", "message": "成功"}
	(result,) = receiver.results
	assert result.status is S.DELIVERED and len(result.events) == 4
	assert not result.carrier_finished and not result.resubscribe


@pytest.mark.parametrize("status, finished, resubscribe", [("shutdown", True, False), ("abort", False, True)])
def test_push_end_of_tracking(pushed, status, finished, resubscribe):
	server, receiver = pushed
	last = kuaidi100_result("SF1001", "shunfeng", "3", ROWS[:1])
	server.push("SF1001", server.push_form("SF1001", last, status=status))
	(result,) = receiver.results
	assert (result.carrier_finished, result.resubscribe) == (finished, resubscribe)


def test_push_with_the_wrong_salt_is_refused_so_kuaidi100_pushes_again(pushed):
	server, receiver = pushed
	form = server.push_form("SF1001", kuaidi100_result("SF1001", "shunfeng", "3", ROWS), salt="guess")
	reply = server.push("SF1001", form)
	assert reply == {"result": False, "returnCode": "500", "message": "失败"}
	assert receiver.results == []
	assert receiver.errors == [SignatureRejected(provider="Kuaidi100", reason=errors.SIGNATURE_WRONG)]


def test_push_without_sign_is_refused(pushed):
	server, receiver = pushed
	form = server.push_form("SF1001", kuaidi100_result("SF1001", "shunfeng", "3", ROWS))
	del form["sign"]
	assert server.push("SF1001", form)["result"] is False
	assert receiver.errors == [SignatureRejected(provider="Kuaidi100", reason=errors.SIGNATURE_MISSING)]


def test_tampered_param_is_refused(pushed):
	server, receiver = pushed
	form = server.push_form("SF1001", kuaidi100_result("SF1001", "shunfeng", "0", ROWS[1:]))
	form["param"] = form["param"].replace('"state": "0"', '"state": "3"')
	assert server.push("SF1001", form)["result"] is False
	assert isinstance(receiver.errors[0], SignatureRejected)


def test_push_checks_the_signature_before_reading_the_body(server):
	target = adapter(server)
	with pytest.raises(SignatureRejected):
		target.parse_push({}, b"", {"param": "{not json", "sign": "00"})
	param = "{not json"
	with pytest.raises(MalformedPush):
		target.parse_push({}, b"", {"param": param, "sign": md5_sign(param + SALT)})
	param = json.dumps({"status": "polling", "message": ""})  # no lastResult
	with pytest.raises(MalformedPush):
		target.parse_push({}, b"", {"param": param, "sign": md5_sign(param + SALT)})


def test_no_salt_configured_refuses_every_push(server):
	param = json.dumps({"status": "polling", "lastResult": kuaidi100_result("A", "shunfeng", "3", [])})
	with pytest.raises(SignatureRejected) as caught:
		adapter(server, secret="").parse_push({}, b"", {"param": param, "sign": md5_sign(param)})
	assert caught.value.params["reason"] == errors.SIGNATURE_NO_SECRET


def test_push_read_from_the_raw_body_and_lower_case_sign(server):
	param = json.dumps({"status": "polling", "lastResult": kuaidi100_result("A1", "zto", "1", ROWS[-1:])})
	from urllib.parse import urlencode

	body = urlencode({"param": param, "sign": md5_sign(param + SALT).lower()}).encode()
	(result,) = adapter(server).parse_push({"Content-Type": "application/x-www-form-urlencoded"}, body, {})
	assert (result.tracking_number, result.carrier_code, result.status) == ("A1", "zto", S.PICKED_UP)


def test_non_ascii_sign_is_a_mismatch_not_a_crash(server):
	with pytest.raises(SignatureRejected):
		adapter(server).parse_push({}, b"", {"param": "{}", "sign": "签名"})


def test_push_reply_bodies(server):
	status, content_type, body = adapter(server).push_reply(True)
	assert (status, content_type.split(";")[0]) == (200, "application/json")
	assert json.loads(body) == {"result": True, "returnCode": "200", "message": "成功"}
	assert json.loads(adapter(server).push_reply(False)[2])["result"] is False


def test_a_wrong_base_url_is_a_refusal(server):
	with pytest.raises(CarrierError) as caught:
		adapter(server, base_url=server.url + "/nowhere").query("SF1001", "shunfeng")
	assert type(caught.value) is CarrierError and "HTTP 404" in str(caught.value)

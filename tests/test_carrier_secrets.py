"""Credentials never leave the adapters unmasked: the config's repr, the recorded HTTP call (URL, headers,
form and JSON bodies, answer) and any text passed through ``mask_secrets``."""

import json
import socket

import pytest

from order_online.integrations.carriers import (
	AfterShipAdapter,
	CarrierConfig,
	Kuaidi100Adapter,
	RecordingSession,
	TemporaryCarrierError,
	get_adapter,
	mask_secrets,
	take_call,
)
from order_online.tests.carrier_servers import AfterShipServer, Kuaidi100Server, kuaidi100_result

# Characters that URL-encoding and JSON change, so every spelling of the secret is tried.
KEY, CUSTOMER, SALT = 'K3y/+=&"x', "CUST-42", "s@lt 9"


def config(provider, url, **values):
	return CarrierConfig(
		provider, url, api_key=KEY, customer=CUSTOMER, secret=SALT, callback_url="http://site/cb", **values
	)


def assert_masked(text: str) -> None:
	for secret in (KEY, CUSTOMER, SALT):
		for spelling in (secret, json.dumps(secret)[1:-1]):
			assert spelling not in text, (spelling, text)
	assert "K3y" not in text and "s@lt" not in text  # nor a part of a URL-encoded one


def test_the_config_repr_names_no_credential():
	shown = repr(config("Kuaidi100", "http://x"))
	assert "Kuaidi100" in shown and "http://x" in shown
	assert_masked(shown)
	assert config("Kuaidi100", "").secrets == (KEY, SALT, CUSTOMER)
	assert CarrierConfig("AfterShip", "").secrets == ()


@pytest.mark.parametrize(
	"payload",
	[
		f"https://api.example.com/track?num=SF1&key={KEY}&x=1",
		"https://api.example.com/track?num=SF1&key=K3y%2F%2B%3D%26%22x",
		{"url": "https://api.example.com/track?apikey=abc&num=SF1", "n": KEY},
		{"headers": {"AS-API-KEY": "abc", "Authorization": "Bearer abc"}},
		{"body": {"customer": CUSTOMER, "param": json.dumps({"key": "abc", "parameters": {"salt": "abc"}})}},
		'{"sign": "abc", "n": "SF1", "param": "{\\"com',  # cut short: no longer JSON
		f"customer={CUSTOMER}&sign=abc&param=%7B%7D",
		f"refused: key {json.dumps(KEY)} is invalid",
		b"X-Signature: sha256=abc",
	],
	ids=["url", "url-encoded", "url-in-json", "headers", "form", "cut-json", "form-text", "message", "bytes"],
)
def test_every_spelling_of_a_secret_is_masked(payload):
	masked = mask_secrets(payload, [KEY, CUSTOMER, SALT])
	assert_masked(masked)
	assert "abc" not in masked.replace("sha256=***", "")
	assert "***" in masked


def test_what_is_not_secret_stays_readable():
	masked = json.loads(mask_secrets({"tracking_number": "SF1", "url": "https://x/t?num=SF1&com=sf"}, [KEY]))
	assert masked == {"tracking_number": "SF1", "url": "https://x/t?num=SF1&com=sf"}


def test_get_adapter_records_its_calls():
	assert isinstance(get_adapter(config("Kuaidi100", "")).session, RecordingSession)


def test_a_kuaidi100_query_and_subscription_are_recorded_masked():
	waybill = kuaidi100_result("SF1", "shunfeng", "0", [])
	with Kuaidi100Server(customer=CUSTOMER, key=KEY, waybills={"SF1": waybill}) as server:
		adapter = Kuaidi100Adapter(config("Kuaidi100", server.url), RecordingSession())
		adapter.query("SF1", "shunfeng")
		call = take_call(adapter)
		assert (call["request"]["method"], call["http_status"]) == ("POST", 200)
		assert set(call["request"]["body"]) == {"customer", "param", "sign"}  # the form, field by field
		logged = mask_secrets(call["request"], adapter.config.secrets)
		assert_masked(logged)
		assert json.loads(logged)["body"]["sign"] == "***"
		assert json.loads(mask_secrets(call["response"], []))["nu"] == "SF1"
		assert take_call(adapter) == {}  # taken once: the next log row cannot show this call again
		adapter.subscribe("SF1", "shunfeng")
		logged = mask_secrets(take_call(adapter)["request"], adapter.config.secrets)
		assert_masked(logged)
		param = json.loads(json.loads(logged)["body"]["param"])
		assert (param["key"], param["parameters"]["salt"], param["number"]) == ("***", "***", "SF1")


def test_an_aftership_call_is_recorded_with_its_key_header_masked():
	with AfterShipServer(api_key=KEY) as server:
		adapter = AfterShipAdapter(config("AfterShip", server.base_url), RecordingSession())
		adapter.subscribe("SF1", "sf-express")
		call = take_call(adapter)
		assert call["request"]["headers"]["as-api-key"] == KEY  # recorded as sent...
		logged = json.loads(mask_secrets(call["request"], adapter.config.secrets))
		assert logged["headers"]["as-api-key"] == "***"  # ...and logged masked
		assert logged["body"] == json.dumps({"tracking_number": "SF1", "slug": "sf-express"})
		assert_masked(json.dumps(logged))


def test_a_call_without_an_answer_is_recorded_without_one():
	with socket.socket() as unused:
		unused.bind(("127.0.0.1", 0))
		port = unused.getsockname()[1]
	adapter = Kuaidi100Adapter(config("Kuaidi100", f"http://127.0.0.1:{port}"), RecordingSession())
	with pytest.raises(TemporaryCarrierError) as caught:
		adapter.query("SF1", "shunfeng")
	assert_masked(caught.value.render())
	call = take_call(adapter)
	assert set(call) == {"request"}
	assert_masked(mask_secrets(call["request"], adapter.config.secrets))


def test_an_adapter_with_a_plain_session_records_nothing():
	assert take_call(Kuaidi100Adapter(config("Kuaidi100", "http://x"))) == {}
	assert take_call(object()) == {}

"""Kuaidi100 (快递100): real-time query, subscription and pushed results.

- Query: form POST to ``{base}/poll/query.do`` with ``customer``, ``param`` (JSON: com, num, phone,
  resultv2=4) and ``sign = upper(md5(param + key + customer))`` over exactly the ``param`` sent.
  Errors come as ``{"result": false, "returnCode": ..., "message": ...}``: 500 is "no tracking
  information", 501/502 are server trouble, 503 is a signature the server rejected (the key or
  customer is wrong, so it is not worth retrying), 400/408/601/... are refusals.
- Subscribe: form POST to ``{base}/poll`` with ``schema=json`` and ``param`` (company, number, key,
  parameters: callbackurl, salt, resultv2, phone). 501 means "already subscribed": success.
- Push: form fields ``param`` (JSON: status polling|shutdown|abort|updateall, lastResult shaped like a
  query answer) and ``sign = upper(md5(param + salt))``; the reply says whether to push again.

Times are China time (UTC+8) and come back in UTC. Querying one waybill more than 48 times in 24 h
locks it; ``order_online.domain.tracking.next_poll_at`` keeps under that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

import requests

from order_online.domain import errors
from order_online.integrations.carriers.base import (
	CarrierConfig,
	CarrierError,
	CarrierNotConfigured,
	MalformedPush,
	SignatureRejected,
	TemporaryCarrierError,
	TrackingEvent,
	TrackingResult,
	TrackingStatus,
	UnknownTrackingNumber,
	json_reply,
	request_json,
	same_signature,
)

S = TrackingStatus
DEFAULT_BASE_URL = "https://poll.kuaidi100.com"
# China has kept UTC+8 without daylight saving since 1991, so a fixed offset needs no tz database.
CHINA_TIME = timezone(timedelta(hours=8), "CST")

# Waybill ``state`` and, with resultv2=4, each event's ``statusCode``.
STATES = {
	"0": S.IN_TRANSIT,  # 在途
	"1": S.PICKED_UP,  # 揽收
	"2": S.EXCEPTION,  # 疑难
	"3": S.DELIVERED,  # 签收
	"4": S.RETURNED,  # 退签
	"5": S.OUT_FOR_DELIVERY,  # 派件
	"6": S.RETURNED,  # 退回
	"7": S.IN_TRANSIT,  # 转投
	"8": S.IN_TRANSIT,  # 清关
	"10": S.IN_TRANSIT,  # 待清关
	"11": S.IN_TRANSIT,  # 清关中
	"12": S.IN_TRANSIT,  # 已清关
	"13": S.EXCEPTION,  # 清关异常
	"14": S.EXCEPTION,  # 拒签
	"101": S.INFO_RECEIVED,  # 已下单
	"102": S.INFO_RECEIVED,  # 待揽收
}
# Each event's ``status`` word, when it has no code.
STATUS_WORDS = {
	"在途": S.IN_TRANSIT,
	"揽收": S.PICKED_UP,
	"疑难": S.EXCEPTION,
	"签收": S.DELIVERED,
	"退签": S.RETURNED,
	"派件": S.OUT_FOR_DELIVERY,
	"退回": S.RETURNED,
	"转投": S.IN_TRANSIT,
	"清关": S.IN_TRANSIT,
	"拒签": S.EXCEPTION,
}
NO_DATA = "500"  # no tracking information for this waybill (yet)
SERVER_TROUBLE = {"501", "502"}
ALREADY_SUBSCRIBED = "501"
PUSH_OK = {"result": True, "returnCode": "200", "message": "成功"}
PUSH_AGAIN = {"result": False, "returnCode": "500", "message": "失败"}


def md5_sign(text: str) -> str:
	return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def dumps(value: Any) -> str:
	# Compact and unescaped: the exact string sent is the one signed.
	return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Adapter:
	provider = "Kuaidi100"

	def __init__(self, config: CarrierConfig, session: requests.Session | None = None) -> None:
		self.config = config
		self.session = session or requests.Session()
		self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")

	def query(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> TrackingResult:
		self._require(api_key=errors.SETTING_API_KEY, customer=errors.SETTING_CUSTOMER)
		param = dumps({"com": carrier_code, "num": tracking_number, "phone": phone or "", "resultv2": "4"})
		form = {
			"customer": self.config.customer,
			"param": param,
			"sign": md5_sign(param + self.config.api_key + self.config.customer),
		}
		data = self._post("/poll/query.do", form)
		if str(data.get("status")) != "200" or data.get("result") is False:
			raise self._refusal(data, tracking_number)
		try:
			return parse_result(data, tracking_number, carrier_code)
		except (KeyError, TypeError, ValueError) as error:
			raise TemporaryCarrierError(
				provider=self.provider, detail=f"unreadable answer: {error}"
			) from None

	def subscribe(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> None:
		self._require(
			api_key=errors.SETTING_API_KEY,
			callback_url=errors.SETTING_CALLBACK_URL,
			# Without a salt the pushes come unsigned, and every one of them would be refused.
			secret=errors.SETTING_SECRET,
		)
		param = dumps(
			{
				"company": carrier_code,
				"number": tracking_number,
				"key": self.config.api_key,
				"parameters": {
					"callbackurl": self.config.callback_url,
					"salt": self.config.secret,
					"resultv2": "4",
					"phone": phone or "",
				},
			}
		)
		data = self._post("/poll", {"schema": "json", "param": param})
		code = str(data.get("returnCode", ""))
		if data.get("result") is True or code in ("200", ALREADY_SUBSCRIBED):
			return
		if code in ("500", "502"):  # for subscriptions 500 is a server error, not "no data"
			raise TemporaryCarrierError(provider=self.provider, detail=f"{code} {data.get('message', '')}")
		raise CarrierError(provider=self.provider, detail=f"{code} {data.get('message', '')}".strip())

	def parse_push(
		self, headers: Mapping[str, str], body: bytes, form: Mapping[str, str]
	) -> list[TrackingResult]:
		fields = dict(form or {})
		if "param" not in fields and body:
			# The site may hand over the raw urlencoded body rather than parsed form fields.
			parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
			fields = {k: v[0] for k, v in parsed.items()}
		param, sign = fields.get("param", ""), fields.get("sign", "")
		if not self.config.secret:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_NO_SECRET)
		if not sign:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_MISSING)
		if not same_signature(md5_sign(param + self.config.secret), sign.strip().upper()):
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_WRONG)
		try:
			payload = json.loads(param)
			last = payload["lastResult"]
			number = str(last["nu"])
			result = parse_result(last, number, str(last.get("com") or ""))
		except (KeyError, TypeError, ValueError) as error:
			raise MalformedPush(provider=self.provider, detail=f"{type(error).__name__}: {error}") from None
		status = payload.get("status")
		return [
			TrackingResult(
				result.tracking_number,
				result.carrier_code,
				result.status,
				result.events,
				result.eta,
				carrier_finished=status == "shutdown",
				resubscribe=status == "abort",
			)
		]

	def push_reply(self, ok: bool) -> tuple[int, str, bytes]:
		# Kuaidi100 reads the body, not the HTTP status: result false makes it push again.
		return json_reply(200, PUSH_OK if ok else PUSH_AGAIN)

	# Internals

	def _require(self, **settings: str) -> None:
		for attribute, label in settings.items():
			if not getattr(self.config, attribute):
				raise CarrierNotConfigured(provider=self.provider, setting=label)

	def _post(self, path: str, form: dict[str, str]) -> dict:
		status, data = request_json(
			self.session,
			"POST",
			self.base_url + path,
			provider=self.provider,
			timeout=self.config.timeout_s,
			data=form,
		)
		if status >= 400:  # Kuaidi100 answers its own errors with 200: this is a wrong URL or a proxy
			raise CarrierError(provider=self.provider, detail=f"HTTP {status}")
		if not isinstance(data, dict):
			raise TemporaryCarrierError(provider=self.provider, detail="unexpected answer")
		return data

	def _refusal(self, data: dict, tracking_number: str) -> CarrierError:
		code = str(data.get("returnCode", ""))
		message = str(data.get("message", ""))
		if code == NO_DATA:
			return UnknownTrackingNumber(provider=self.provider, tracking_number=tracking_number)
		if code in SERVER_TROUBLE:
			return TemporaryCarrierError(provider=self.provider, detail=f"{code} {message}")
		return CarrierError(provider=self.provider, detail=f"{code} {message}".strip())


def parse_result(data: Mapping[str, Any], tracking_number: str, carrier_code: str) -> TrackingResult:
	"""A query answer or a push's ``lastResult`` as a result (ValueError/KeyError/TypeError if bad)."""
	state = STATES.get(str(data.get("state", "")))
	rows = data.get("data") or []
	if not isinstance(rows, list):
		raise TypeError("data is not a list")
	times = [china_time(row.get("time") or row["ftime"]) for row in rows]
	newest = max(range(len(rows)), key=times.__getitem__, default=None)
	events = []
	for index, (row, moment) in enumerate(zip(rows, times, strict=True)):
		fallback = state if index == newest else _older_fallback(state)
		events.append(
			TrackingEvent(
				time=moment,
				status=event_status(row, fallback),
				description=str(row.get("context") or "").strip(),
				location=str(row.get("location") or row.get("areaName") or "").strip() or None,
				raw_status=str(row.get("statusCode") or row.get("status") or ""),
			)
		)
	events.sort(key=lambda e: e.time)
	if state is None and events:
		state = events[-1].status
	return TrackingResult(
		tracking_number=str(data.get("nu") or tracking_number),
		carrier_code=str(data.get("com") or carrier_code),
		status=state,
		events=tuple(events),
		eta=_arrival_time(data.get("arrivalTime")),
	)


def _older_fallback(state: TrackingStatus | None) -> TrackingStatus:
	# Rows without a status of their own: earlier than the waybill's state, at most In Transit.
	if state in (S.INFO_RECEIVED, S.PICKED_UP):
		return state
	return S.IN_TRANSIT


def event_status(row: Mapping[str, Any], fallback: TrackingStatus | None) -> TrackingStatus:
	code = str(row.get("statusCode") or "")
	if code in STATES:
		return STATES[code]
	if len(code) == 4 and code.startswith("10"):  # 1001-1003: stages of 在途
		return S.IN_TRANSIT
	if len(code) == 3 and code[0] in STATES:  # 103 已揽收, 201 超时未签收, 301 本人签收 ...
		return STATES[code[0]]
	word = str(row.get("status") or "")
	return STATUS_WORDS.get(word) or fallback or S.IN_TRANSIT


def china_time(text: str) -> datetime:
	"""'2026-11-20 10:00:00' in China time, as UTC."""
	for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
		try:
			moment = datetime.strptime(str(text).strip(), pattern)
		except ValueError:
			continue
		return moment.replace(tzinfo=CHINA_TIME).astimezone(timezone.utc)
	raise ValueError(f"unreadable time {text!r}")


def _arrival_time(text: Any) -> datetime | None:
	# Kuaidi100's predicted arrival (resultv2=4) is optional and sometimes only to the hour.
	if not text:
		return None
	for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H", "%Y-%m-%d"):
		try:
			return (
				datetime.strptime(str(text).strip(), pattern)
				.replace(tzinfo=CHINA_TIME)
				.astimezone(timezone.utc)
			)
		except ValueError:
			continue
	return None

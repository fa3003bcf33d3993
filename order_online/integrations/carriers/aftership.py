"""AfterShip tracking API (REST, JSON, header ``as-api-key``) and its signed webhooks.

- Create: POST ``{base}/trackings`` ``{"tracking_number", "slug"}``; meta code 4009 (already exists)
  is success.
- Get: GET ``{base}/trackings/{slug}/{tracking_number}``; meta code 4004 is an unknown waybill.
- 429 carries ``X-RateLimit-Reset`` (epoch seconds) or ``Retry-After``.
- Webhook: ``aftership-hmac-sha256 = base64(HMAC-SHA256(secret, raw body))``, body
  ``{"event": "tracking_update", "msg": <tracking>}``; any 2xx reply acknowledges it.

Checkpoint times carry their offset and come back in UTC (one without an offset is taken as UTC);
an expected delivery given as a date alone becomes noon UTC of that date, which is the same
calendar day in nearly every time zone. An "Expired" tracking is one AfterShip stopped following.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any
from urllib.parse import quote

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
	header,
	json_reply,
	load_json,
	request_json,
	same_signature,
)

S = TrackingStatus
DEFAULT_BASE_URL = "https://api.aftership.com/tracking/2024-04"
SIGNATURE_HEADER = "aftership-hmac-sha256"
TAGS = {
	"Pending": S.INFO_RECEIVED,
	"InfoReceived": S.INFO_RECEIVED,
	"InTransit": S.IN_TRANSIT,
	"OutForDelivery": S.OUT_FOR_DELIVERY,
	"AvailableForPickup": S.OUT_FOR_DELIVERY,
	"AttemptFail": S.EXCEPTION,
	"Exception": S.EXCEPTION,
	"Expired": S.EXCEPTION,
	"Delivered": S.DELIVERED,
}
NOT_FOUND = 4004
ALREADY_EXISTS = 4009


class AfterShipAdapter:
	provider = "AfterShip"

	def __init__(self, config: CarrierConfig, session: requests.Session | None = None) -> None:
		self.config = config
		self.session = session or requests.Session()
		self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")

	def query(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> TrackingResult:
		path = f"/trackings/{quote(carrier_code, safe='')}/{quote(tracking_number, safe='')}"
		status, data = self._call("GET", path)
		code = _meta_code(data)
		if code == NOT_FOUND or status == 404:
			raise UnknownTrackingNumber(provider=self.provider, tracking_number=tracking_number)
		if status >= 400 or code not in (200, None):
			raise self._refusal(status, data)
		try:
			body = data["data"]
			# The 2024-04 answer is the tracking itself; older versions wrap it in "tracking".
			tracking = body.get("tracking", body)
			return parse_tracking(tracking, tracking_number, carrier_code)
		except (KeyError, TypeError, ValueError, AttributeError) as error:
			raise TemporaryCarrierError(
				provider=self.provider, detail=f"unreadable answer: {error}"
			) from None

	def subscribe(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> None:
		# AfterShip webhooks are set up once per account in its admin, so creating the tracking is all.
		status, data = self._call(
			"POST", "/trackings", json={"tracking_number": tracking_number, "slug": carrier_code}
		)
		if _meta_code(data) == ALREADY_EXISTS or status < 400:
			return
		raise self._refusal(status, data)

	def parse_push(
		self, headers: Mapping[str, str], body: bytes, form: Mapping[str, str]
	) -> list[TrackingResult]:
		if not self.config.secret:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_NO_SECRET)
		given = header(headers, SIGNATURE_HEADER)
		if not given:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_MISSING)
		digest = hmac.new(self.config.secret.encode("utf-8"), body or b"", hashlib.sha256).digest()
		if not same_signature(base64.b64encode(digest).decode("ascii"), given.strip()):
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_WRONG)
		payload = load_json(body, self.provider)
		if not isinstance(payload, dict):
			raise MalformedPush(provider=self.provider, detail="the body is not a JSON object")
		if payload.get("event") != "tracking_update":
			return []  # other notifications carry no checkpoints
		try:
			tracking = payload["msg"]
			return [
				parse_tracking(tracking, str(tracking["tracking_number"]), str(tracking.get("slug") or ""))
			]
		except (KeyError, TypeError, ValueError, AttributeError) as error:
			raise MalformedPush(provider=self.provider, detail=f"{type(error).__name__}: {error}") from None

	def push_reply(self, ok: bool) -> tuple[int, str, bytes]:
		# AfterShip retries a webhook that is not answered with a 2xx.
		return json_reply(200, {"ok": True}) if ok else json_reply(500, {"ok": False})

	# Internals

	def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
		if not self.config.api_key:
			raise CarrierNotConfigured(provider=self.provider, setting=errors.SETTING_API_KEY)
		status, data = request_json(
			self.session,
			method,
			self.base_url + path,
			provider=self.provider,
			timeout=self.config.timeout_s,
			headers={"as-api-key": self.config.api_key, "Content-Type": "application/json"},
			**kwargs,
		)
		if not isinstance(data, dict):
			raise TemporaryCarrierError(provider=self.provider, detail="unexpected answer")
		return status, data

	def _refusal(self, status: int, data: dict) -> CarrierError:
		meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
		detail = f"{meta.get('code', status)} {meta.get('message', '')}".strip()
		return CarrierError(provider=self.provider, detail=detail)


def _meta_code(data: dict) -> int | None:
	meta = data.get("meta")
	try:
		return int(meta["code"]) if isinstance(meta, dict) and "code" in meta else None
	except (TypeError, ValueError):
		return None


def parse_tracking(tracking: Mapping[str, Any], tracking_number: str, carrier_code: str) -> TrackingResult:
	events = []
	for checkpoint in tracking.get("checkpoints") or []:
		tag = str(checkpoint.get("tag") or "")
		events.append(
			TrackingEvent(
				time=_instant(checkpoint["checkpoint_time"]),
				# A tag AfterShip adds later is news, not a step back: In Transit until mapped.
				status=TAGS.get(tag, S.IN_TRANSIT),
				description=str(checkpoint.get("message") or "").strip(),
				location=str(checkpoint.get("location") or "").strip() or None,
				raw_status=str(checkpoint.get("subtag") or tag),
			)
		)
	events.sort(key=lambda e: e.time)
	tag = str(tracking.get("tag") or "")
	return TrackingResult(
		tracking_number=str(tracking.get("tracking_number") or tracking_number),
		carrier_code=str(tracking.get("slug") or carrier_code),
		status=TAGS.get(tag),
		events=tuple(events),
		eta=_expected_delivery(tracking),
		carrier_finished=tag == "Expired",
	)


def _instant(text: str) -> datetime:
	moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
	return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _expected_delivery(tracking: Mapping[str, Any]) -> datetime | None:
	value = tracking.get("expected_delivery")
	if not value and isinstance(tracking.get("courier_estimated_delivery_date"), dict):
		value = tracking["courier_estimated_delivery_date"].get("estimated_delivery_date")
	if not value:
		return None
	text = str(value).strip()
	try:
		if len(text) == 10:
			return datetime.combine(date.fromisoformat(text), time(12), tzinfo=timezone.utc)
		return _instant(text)
	except ValueError:
		return None  # an unreadable estimate is no reason to drop the checkpoints

"""A generic signed webhook, for carriers without an adapter of their own (push only).

The carrier POSTs JSON::

    {
        "tracking_number": "...",
        "carrier": "...",
        "eta": "2026-11-22T18:00:00+08:00" | null,
        "events": [
            {
                "time": "2026-11-20T10:00:00+08:00",
                "status": "out_for_delivery",
                "description": "...",
                "location": "...",
            }
        ],
    }

with ``X-Timestamp: <epoch seconds>`` and ``X-Signature: sha256=<hex HMAC-SHA256(secret,
timestamp + "." + raw body)>``. Signing the timestamp with the body, and refusing timestamps more
than 5 minutes from now, stops a captured push from being replayed later. ``status`` is one of the
seven normalised values, in any case, with spaces, ``_`` or ``-`` between words. Times need an offset.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests

from order_online.domain import errors
from order_online.integrations.carriers.base import (
	CarrierConfig,
	Clock,
	MalformedPush,
	PushOnlyCarrier,
	SignatureRejected,
	TrackingEvent,
	TrackingResult,
	TrackingStatus,
	header,
	json_reply,
	load_json,
)

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
MAX_SKEW_S = 300
_STATUS_BY_WORDS = {s.value.lower(): s for s in TrackingStatus}


def signature(secret: str, timestamp: str, body: bytes) -> str:
	"""The X-Signature header value for a body sent at ``timestamp``."""
	digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
	return "sha256=" + digest.hexdigest()


def parse_status(text: str) -> TrackingStatus:
	words = " ".join(str(text).replace("_", " ").replace("-", " ").lower().split())
	try:
		return _STATUS_BY_WORDS[words]
	except KeyError:
		raise ValueError(f"unknown status {text!r}") from None


class GenericWebhookAdapter:
	provider = "Generic Webhook"

	def __init__(
		self, config: CarrierConfig, session: requests.Session | None = None, *, clock: Clock = time.time
	) -> None:
		self.config = config
		self.session = session  # unused: this carrier is never called
		self.clock = clock

	def query(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> TrackingResult:
		raise PushOnlyCarrier(provider=self.provider)

	def subscribe(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> None:
		"""Nothing to ask for: the carrier pushes every waybill it was given the URL for."""

	def parse_push(
		self, headers: Mapping[str, str], body: bytes, form: Mapping[str, str]
	) -> list[TrackingResult]:
		body = body or b""
		if not self.config.secret:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_NO_SECRET)
		given, stamp = header(headers, SIGNATURE_HEADER), header(headers, TIMESTAMP_HEADER)
		if not given:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_MISSING)
		try:
			sent_at = float(stamp or "")
		except ValueError:
			sent_at = None
		# float() also reads 'nan' and 'inf', which must not slip past the age check.
		if sent_at is None or not math.isfinite(sent_at) or abs(self.clock() - sent_at) > MAX_SKEW_S:
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_STALE)
		if not stamp.isascii() or not hmac.compare_digest(
			signature(self.config.secret, stamp.strip(), body).encode(), given.strip().encode("utf-8")
		):
			raise SignatureRejected(provider=self.provider, reason=errors.SIGNATURE_WRONG)
		payload = load_json(body, self.provider)
		try:
			return [_result(payload)]
		except (KeyError, TypeError, ValueError, AttributeError) as error:
			raise MalformedPush(provider=self.provider, detail=f"{type(error).__name__}: {error}") from None

	def push_reply(self, ok: bool) -> tuple[int, str, bytes]:
		return json_reply(200, {"ok": True}) if ok else json_reply(500, {"ok": False})


def _result(payload: Mapping[str, Any]) -> TrackingResult:
	number = str(payload["tracking_number"]).strip()
	if not number:
		raise ValueError("tracking_number is empty")
	events = sorted(
		(
			TrackingEvent(
				time=_instant(event["time"]),
				status=parse_status(event["status"]),
				description=str(event.get("description") or "").strip(),
				location=str(event.get("location") or "").strip() or None,
				raw_status=str(event["status"]),
			)
			for event in payload.get("events") or []
		),
		key=lambda e: e.time,
	)
	eta = payload.get("eta")
	return TrackingResult(
		tracking_number=number,
		carrier_code=str(payload.get("carrier") or ""),
		status=events[-1].status if events else None,
		events=tuple(events),
		eta=_instant(eta) if eta else None,
	)


def _instant(text: str) -> datetime:
	moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
	if moment.tzinfo is None:
		raise ValueError(f"time {text!r} has no UTC offset")
	return moment

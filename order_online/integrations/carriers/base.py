"""What every carrier adapter shares: configuration, results, errors, one HTTP call, secret masking.

An adapter turns a provider's protocol (Kuaidi100, AfterShip, a signed generic webhook) into
``TrackingResult``s of normalised ``TrackingEvent``s, and the provider's failures into the errors
below, so the caller never sees a ``requests`` exception:

- ``RateLimited`` (HTTP 429; ``retry_after`` seconds): pause the account, then retry;
- ``TemporaryCarrierError`` (5xx, timeout, refused connection, an answer that is not JSON): retry later;
- ``UnknownTrackingNumber``: the provider knows no such waybill (yet);
- ``CarrierError``: anything else the provider refused (bad key, bad parameters): fix the settings;
- ``SignatureRejected`` / ``MalformedPush``: a push that must not be believed or cannot be read.
"""

from __future__ import annotations

import email.utils
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, quote_plus

import requests

from order_online.domain.errors import (
	CarrierError,
	CarrierNotConfigured,
	MalformedPush,
	PushOnlyCarrier,
	RateLimited,
	SignatureRejected,
	TemporaryCarrierError,
	UnknownCarrierProvider,
	UnknownTrackingNumber,
)
from order_online.domain.tracking import TrackingEvent, TrackingStatus

__all__ = [
	"CarrierAdapter",
	"CarrierConfig",
	"CarrierError",
	"CarrierNotConfigured",
	"MalformedPush",
	"PushOnlyCarrier",
	"RateLimited",
	"RecordingSession",
	"SignatureRejected",
	"TemporaryCarrierError",
	"TrackingEvent",
	"TrackingResult",
	"TrackingStatus",
	"UnknownCarrierProvider",
	"UnknownTrackingNumber",
	"mask_secrets",
	"take_call",
]

Clock = Callable[[], float]


@dataclass(frozen=True)
class CarrierConfig:
	provider: str  # a key of REGISTRY
	base_url: str
	# Credentials are left out of repr: an Error Log's traceback prints the variables of every frame.
	api_key: str = field(default="", repr=False)
	customer: str = field(default="", repr=False)  # Kuaidi100 customer id
	secret: str = field(default="", repr=False)  # Kuaidi100 salt / AfterShip webhook secret / HMAC secret
	callback_url: str = ""
	timeout_s: float = 10.0
	rate_limit_per_s: float = 10.0

	@property
	def secrets(self) -> tuple[str, ...]:
		"""What no log, error or message may show (``mask_secrets`` hides them)."""
		return tuple(s for s in (self.api_key, self.secret, self.customer) if s)


@dataclass(frozen=True)
class TrackingResult:
	tracking_number: str
	carrier_code: str
	status: TrackingStatus | None  # the provider's overall status, normalised
	events: tuple[TrackingEvent, ...]  # sorted by time
	eta: datetime | None = None
	carrier_finished: bool = False  # the provider will send nothing more (Kuaidi100 "shutdown")
	resubscribe: bool = False  # the provider dropped the subscription (Kuaidi100 "abort")


class CarrierAdapter(Protocol):
	provider: str

	def query(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> TrackingResult: ...

	def subscribe(self, tracking_number: str, carrier_code: str, phone: str | None = None) -> None: ...

	def parse_push(
		self, headers: Mapping[str, str], body: bytes, form: Mapping[str, str]
	) -> list[TrackingResult]: ...

	def push_reply(self, ok: bool) -> tuple[int, str, bytes]: ...


# HTTP -------------------------------------------------------------------------------------------


def request_json(
	session: requests.Session,
	method: str,
	url: str,
	*,
	provider: str,
	timeout: float,
	clock: Clock = time.time,
	**kwargs: Any,
) -> tuple[int, Any]:
	"""One call; (HTTP status, parsed JSON) for 2xx-4xx answers, the carrier errors otherwise.

	4xx answers are returned, not raised: providers explain them in the body (AfterShip 4004)."""
	try:
		response = session.request(method, url, timeout=timeout, **kwargs)
	except requests.Timeout:
		raise TemporaryCarrierError(provider=provider, detail=f"no answer within {timeout:g} s") from None
	except requests.ConnectionError:
		raise TemporaryCarrierError(provider=provider, detail="connection failed") from None
	except requests.RequestException as error:
		raise TemporaryCarrierError(provider=provider, detail=type(error).__name__) from None
	status = response.status_code
	if status == 429:
		raise RateLimited(provider=provider, retry_after=retry_after(response.headers, clock()))
	if status >= 500:
		raise TemporaryCarrierError(provider=provider, detail=f"HTTP {status}")
	try:
		return status, response.json()
	except ValueError:
		if status >= 400:
			raise CarrierError(provider=provider, detail=f"HTTP {status}") from None
		raise TemporaryCarrierError(provider=provider, detail="the answer is not JSON") from None


DEFAULT_RETRY_AFTER = 1.0


def retry_after(headers: Mapping[str, str], now: float) -> float:
	"""Seconds to wait after a 429: Retry-After (seconds or an HTTP date), else X-RateLimit-Reset."""
	value = header(headers, "Retry-After")
	if value:
		try:
			return max(0.0, float(value))
		except ValueError:
			try:
				return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
			except (TypeError, ValueError):
				pass
	value = header(headers, "X-RateLimit-Reset")
	if value:
		try:
			reset = float(value)
		except ValueError:
			return DEFAULT_RETRY_AFTER
		# Epoch seconds (AfterShip) or, from some gateways, seconds left: tell them apart by size.
		return max(0.0, reset - now if reset > 1e9 else reset)
	return DEFAULT_RETRY_AFTER


def header(headers: Mapping[str, str], name: str) -> str | None:
	"""A header by name, whatever its case (a plain dict from tests, werkzeug's headers on a site)."""
	value = headers.get(name)
	if value is not None:
		return value
	lowered = name.lower()
	return next((v for k, v in headers.items() if k.lower() == lowered), None)


def same_signature(expected: str, given: str) -> bool:
	"""Constant-time comparison; bytes so that a non-ASCII forgery is a mismatch, not a TypeError."""
	return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def load_json(body: bytes | str, provider: str) -> Any:
	try:
		return json.loads(body)
	except (ValueError, UnicodeDecodeError):
		raise MalformedPush(provider=provider, detail="the body is not JSON") from None


def json_reply(status: int, payload: Any) -> tuple[int, str, bytes]:
	body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
	return status, "application/json; charset=utf-8", body


# Logs --------------------------------------------------------------------------------------------

MASK = "***"
SECRET_KEYS = frozenset(
	{
		"key",
		"sign",
		"salt",
		"secret",
		"api_key",
		"apikey",
		"as-api-key",
		"token",
		"password",
		"authorization",
		"aftership-hmac-sha256",
		"x-signature",
	}
)
_NAMES = "|".join(re.escape(k) for k in sorted(SECRET_KEYS))
# key=value in a form body or a URL's query, "Key: value" in a header line, and "key": "value" in
# JSON too cut or broken to be parsed.
_FORM_SECRET = re.compile(rf"(?i)(^|[&?\s])({_NAMES})(=|:[ \t]*)[^&\s]*")
_JSON_SECRET = re.compile(rf'(?i)"({_NAMES})"(\s*:\s*)"(?:[^"\\]|\\.)*"')


def mask_secrets(payload: str | bytes | Mapping | None, secrets: Iterable[str]) -> str:
	"""Text for an integration log or an error: values of secret-looking keys (in JSON, nested JSON
	strings, form bodies and URLs) and every occurrence of the given secrets, raw, URL-encoded or
	JSON-escaped, become ***. The one place where the app masks credentials."""
	if payload is None:
		return ""
	if isinstance(payload, bytes):
		payload = payload.decode("utf-8", "replace")
	parsed = _json_container(payload) if isinstance(payload, str) else payload
	text = _dump(_mask(parsed)) if parsed is not None else _mask_text(payload)
	# Longest first, so a secret containing another is replaced whole.
	for secret in sorted({form for s in secrets if s for form in _spellings(s)}, key=len, reverse=True):
		text = text.replace(secret, MASK)
	return text


def _spellings(secret: str) -> set[str]:
	"""A secret as it may appear in a logged request: as is, URL-encoded, escaped in JSON."""
	return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], _dump(secret)[1:-1]}


def _mask_text(text: str) -> str:
	return _JSON_SECRET.sub(rf'"\1"\2"{MASK}"', _FORM_SECRET.sub(rf"\1\2\3{MASK}", text))


def _json_container(text: str) -> Any:
	if not text.lstrip().startswith(("{", "[")):
		return None
	try:
		return json.loads(text)
	except ValueError:
		return None


def _mask(value: Any) -> Any:
	if isinstance(value, Mapping):
		return {k: MASK if str(k).lower() in SECRET_KEYS else _mask(v) for k, v in value.items()}
	if isinstance(value, list | tuple):
		return [_mask(v) for v in value]
	if isinstance(value, str):
		# Kuaidi100 sends JSON inside a form field (``param``), with the key in it.
		inner = _json_container(value)
		return _dump(_mask(inner)) if inner is not None else _mask_text(value)
	return value


def _dump(value: Any) -> str:
	return json.dumps(value, ensure_ascii=False, default=str)


class RecordingSession(requests.Session):
	"""A session that keeps the last request it sent and its answer, for the integration log."""

	last_request: requests.PreparedRequest | None = None
	last_response: requests.Response | None = None

	def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
		self.last_request, self.last_response = request, None
		self.last_response = super().send(request, **kwargs)
		return self.last_response


def take_call(adapter: Any) -> dict[str, Any]:
	"""The adapter's last HTTP call as integration log values (``request``: method, URL, headers and
	body; ``http_status``; ``response``), forgotten once taken; {} when it made none. Not masked yet:
	pass ``request`` and ``response`` through ``mask_secrets``."""
	session = getattr(adapter, "session", None)
	request = getattr(session, "last_request", None)
	if request is None:
		return {}
	response, session.last_request, session.last_response = session.last_response, None, None
	body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
	if body and "x-www-form-urlencoded" in request.headers.get("Content-Type", ""):
		body = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
	call = {"method": request.method, "url": request.url, "headers": dict(request.headers), "body": body}
	if response is None:  # no answer: a timeout or a refused connection
		return {"request": call}
	return {"request": call, "http_status": response.status_code, "response": response.text}

"""Loopback HTTP servers that speak the carriers' documented protocols, for tests and benchmarks.

Each server runs ``http.server.ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a daemon thread
and is a context manager. ``mode`` makes it misbehave like a real service on a bad day:
"ok", "5xx" (502 with an HTML page), "hang" (answers nothing until stopped), "malformed" (200 with
an HTML body) or "429" (rate limited, with the provider's headers). ``rate_limit=(rate, burst)``
enforces a token bucket instead and counts the requests it refused.

- ``Kuaidi100Server``: poll/query.do checks ``sign = upper(md5(param + key + customer))`` and answers
  503 "验证签名失败" to a bad one (as the real service does); 500 for an unknown waybill; poll
  subscribes (501 when already subscribed); ``push`` posts a signed callback to the subscriber.
- ``AfterShipServer``: checks ``as-api-key``; GET/POST trackings with 4004 / 4009; ``push`` posts a
  webhook signed with base64 HMAC-SHA256.
- ``WebhookReceiver``: the site's end of a push: hands the request to an adapter's ``parse_push``
  and answers with its ``push_reply``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests

Reply = tuple[int, dict[str, str], bytes]
CHINA_FORMAT = "%Y-%m-%d %H:%M:%S"


def json_body(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
	body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
	return status, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}, body


def form_fields(body: bytes) -> dict[str, str]:
	return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}


class _Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"  # keep-alive, as the real services allow

	def _serve(self) -> None:
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length) if length else b""
		status, headers, payload = self.server.app.dispatch(self.command, self.path, self.headers, body)
		self.send_response(status)
		for name, value in headers.items():
			self.send_header(name, value)
		self.send_header("Content-Length", str(len(payload)))
		self.end_headers()
		self.wfile.write(payload)

	do_GET = do_POST = _serve

	def log_message(self, format: str, *args: Any) -> None:  # quiet
		pass


class FakeServer:
	def __init__(self, rate_limit: tuple[float, float] | None = None) -> None:
		self.mode = "ok"
		self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
		self.served = 0
		self.refused = 0  # requests answered 429 by the rate limit
		self._lock = threading.Lock()
		self._released = threading.Event()
		self._limit = rate_limit
		self._tokens = rate_limit[1] if rate_limit else 0.0
		self._refilled = time.monotonic()
		self.record = True  # keep every request (off for benchmarks)
		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
		self.httpd.daemon_threads = True
		self.httpd.app = self
		self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

	@property
	def url(self) -> str:
		host, port = self.httpd.server_address[:2]
		return f"http://{host}:{port}"

	def start(self) -> FakeServer:
		self._thread.start()
		return self

	def stop(self) -> None:
		self._released.set()  # let hanging handlers finish
		self.httpd.shutdown()
		self.httpd.server_close()

	def __enter__(self) -> FakeServer:
		return self.start()

	def __exit__(self, *exc: object) -> None:
		self.stop()

	def dispatch(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
		if self.record:
			with self._lock:
				self.requests.append((method, path, dict(headers), body))
		if path == "/stats":
			return json_body(200, {"served": self.served, "refused": self.refused})
		if self._limit:
			wait = self._take_token()
			if wait:
				return self.rate_limited(wait)
		if self.mode == "5xx":
			return 502, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"
		if self.mode == "hang":
			self._released.wait(30)
			return 504, {}, b""
		if self.mode == "malformed":
			return 200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"
		if self.mode == "429":
			return self.rate_limited()
		with self._lock:
			self.served += 1
		return self.handle(method, urlsplit(path).path, headers, body)

	def _take_token(self) -> float:
		"""0 if the request is within the limit, else the seconds until it would be."""
		rate, burst = self._limit
		with self._lock:
			now = time.monotonic()
			self._tokens = min(burst, self._tokens + (now - self._refilled) * rate)
			self._refilled = now
			if self._tokens >= 1:
				self._tokens -= 1
				return 0.0
			self.refused += 1
			return (1 - self._tokens) / rate

	def rate_limited(self, wait: float = 1.0) -> Reply:
		return json_body(429, {"message": "too many requests"}, {"Retry-After": f"{wait:.3f}"})

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
		raise NotImplementedError


# Kuaidi100 ---------------------------------------------------------------------------------------


def md5_upper(text: str) -> str:
	return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def kuaidi100_result(number: str, com: str, state: str, rows: list[dict[str, str]], **extra: str) -> dict:
	"""A query answer / push ``lastResult`` as documented; ``rows`` newest first, China time."""
	return {
		"message": "ok",
		"nu": number,
		"ischeck": "1" if state in ("3", "4") else "0",
		"condition": "F00",
		"com": com,
		"status": "200",
		"state": state,
		"data": rows,
		**extra,
	}


def kuaidi100_row(when: str, context: str, status: str = "", code: str = "", location: str = "") -> dict:
	return {
		"time": when,
		"ftime": when,
		"context": context,
		"location": location,
		"areaName": location,
		"status": status,
		"statusCode": code,
	}


class Kuaidi100Server(FakeServer):
	def __init__(
		self,
		customer: str = "CUSTOMER-1",
		key: str = "KEY-1",
		waybills: dict[str, dict] | None = None,
		lookup: Callable[[str, str], dict | None] | None = None,
		rate_limit: tuple[float, float] | None = None,
	) -> None:
		super().__init__(rate_limit)
		self.customer, self.key = customer, key
		self.waybills = waybills if waybills is not None else {}
		self.lookup = lookup or (lambda com, num: self.waybills.get(num))
		self.subscriptions: dict[str, dict] = {}

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
		fields = form_fields(body)
		if method == "POST" and path == "/poll/query.do":
			return self._query(fields)
		if method == "POST" and path == "/poll":
			return self._subscribe(fields)
		return 404, {}, b""

	def _query(self, fields: dict[str, str]) -> Reply:
		if not all(fields.get(k) for k in ("customer", "param", "sign")):
			return json_body(200, {"result": False, "returnCode": "400", "message": "提交的数据不完整"})
		expected = md5_upper(fields["param"] + self.key + self.customer)
		if fields["customer"] != self.customer or fields["sign"] != expected:
			return json_body(200, {"result": False, "returnCode": "503", "message": "验证签名失败"})
		try:
			param = json.loads(fields["param"])
		except ValueError:
			return json_body(200, {"result": False, "returnCode": "400", "message": "参数错误"})
		found = self.lookup(param.get("com", ""), param.get("num", ""))
		if found is None:
			return json_body(
				200, {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
			)
		return json_body(200, found)

	def _subscribe(self, fields: dict[str, str]) -> Reply:
		try:
			param = json.loads(fields.get("param", ""))
		except ValueError:
			return json_body(
				200, {"result": False, "returnCode": "700", "message": "订阅方的订阅数据存在错误"}
			)
		if fields.get("schema") != "json" or param.get("key") != self.key:
			return json_body(200, {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
		number = param.get("number", "")
		if not number or not param.get("parameters", {}).get("callbackurl"):
			return json_body(
				200, {"result": False, "returnCode": "700", "message": "订阅方的订阅数据存在错误"}
			)
		if number in self.subscriptions:
			return json_body(200, {"result": False, "returnCode": "501", "message": "重复订阅"})
		self.subscriptions[number] = param
		return json_body(200, {"result": True, "returnCode": "200", "message": "提交成功"})

	def push_form(
		self, number: str, last_result: dict, status: str = "polling", salt: str | None = None
	) -> dict[str, str]:
		"""The form Kuaidi100 posts to a subscriber, signed with the subscription's salt."""
		subscription = self.subscriptions[number]
		param = json.dumps(
			{"status": status, "billstatus": "got", "message": "", "lastResult": last_result},
			ensure_ascii=False,
		)
		salt = subscription["parameters"]["salt"] if salt is None else salt
		return {"param": param, "sign": md5_upper(param + salt)}

	def push(self, number: str, form: dict[str, str]) -> dict:
		"""Post a callback to the subscriber's URL; the subscriber's JSON reply."""
		url = self.subscriptions[number]["parameters"]["callbackurl"]
		return requests.post(url, data=form, timeout=5).json()


# AfterShip ---------------------------------------------------------------------------------------

AFTERSHIP_PREFIX = "/tracking/2024-04"


def aftership_signature(secret: str, body: bytes) -> str:
	return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class AfterShipServer(FakeServer):
	def __init__(
		self, api_key: str = "AS-KEY-1", trackings: dict[tuple[str, str], dict] | None = None
	) -> None:
		super().__init__()
		self.api_key = api_key
		self.trackings = trackings if trackings is not None else {}
		self.reset_in = 7  # seconds until the rate limit resets, for 429 answers

	@property
	def base_url(self) -> str:
		return self.url + AFTERSHIP_PREFIX

	def rate_limited(self, wait: float = 1.0) -> Reply:
		reset = str(int(time.time()) + self.reset_in)
		headers = {"X-RateLimit-Reset": reset, "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"}
		meta = {
			"code": 429,
			"message": "You have exceeded the API call rate limit.",
			"type": "TooManyRequests",
		}
		return json_body(429, {"meta": meta, "data": {}}, headers)

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
		if headers.get("as-api-key") != self.api_key:
			meta = {"code": 401, "message": "Invalid API key.", "type": "Unauthorized"}
			return json_body(401, {"meta": meta, "data": {}})
		if not path.startswith(AFTERSHIP_PREFIX + "/trackings"):
			return json_body(404, {"meta": {"code": 4040, "message": "Not found"}, "data": {}})
		parts = [unquote(p) for p in path[len(AFTERSHIP_PREFIX) :].strip("/").split("/")]
		if method == "GET" and len(parts) == 3:
			tracking = self.trackings.get((parts[1], parts[2]))
			if tracking is None:
				meta = {"code": 4004, "message": "Tracking does not exist.", "type": "NotFound"}
				return json_body(404, {"meta": meta, "data": {}})
			return json_body(200, {"meta": {"code": 200}, "data": {"tracking": tracking}})
		if method == "POST" and len(parts) == 1:
			try:
				request = json.loads(body)
				key = (request["slug"], request["tracking_number"])
			except (ValueError, KeyError):
				return json_body(
					400, {"meta": {"code": 4003, "message": "Invalid JSON or field"}, "data": {}}
				)
			if key in self.trackings:
				meta = {"code": 4009, "message": "Tracking already exists.", "type": "BadRequest"}
				return json_body(400, {"meta": meta, "data": {}})
			self.trackings[key] = {
				"tracking_number": key[1],
				"slug": key[0],
				"tag": "Pending",
				"checkpoints": [],
			}
			return json_body(201, {"meta": {"code": 201}, "data": {"tracking": self.trackings[key]}})
		return json_body(404, {"meta": {"code": 4040, "message": "Not found"}, "data": {}})

	@staticmethod
	def push(url: str, tracking: dict, secret: str, signature: str | None = None) -> requests.Response:
		"""Post a tracking_update webhook; ``signature`` overrides the correct one ("" omits it)."""
		body = json.dumps({"event": "tracking_update", "event_id": "e-1", "msg": tracking}).encode()
		sig = aftership_signature(secret, body) if signature is None else signature
		headers = {"Content-Type": "application/json", **({"aftership-hmac-sha256": sig} if sig else {})}
		return requests.post(url, data=body, headers=headers, timeout=5)


# The site's end of a push -----------------------------------------------------------------------


class WebhookReceiver(FakeServer):
	"""Hands each POST to ``adapter.parse_push`` and answers with ``adapter.push_reply``."""

	def __init__(self, adapter: Any) -> None:
		super().__init__()
		self.adapter = adapter
		self.results: list = []
		self.errors: list[Exception] = []

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
		content_type = headers.get("Content-Type", "")
		form = form_fields(body) if content_type.startswith("application/x-www-form-urlencoded") else {}
		try:
			self.results.extend(self.adapter.parse_push(dict(headers.items()), body, form))
			ok = True
		except Exception as error:  # recorded for the test to inspect
			self.errors.append(error)
			ok = False
		status, content_type, payload = self.adapter.push_reply(ok)
		return status, {"Content-Type": content_type}, payload

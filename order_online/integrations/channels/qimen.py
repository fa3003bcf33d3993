"""Taobao / Tmall orders pulled through the TOP (Qimen) signed REST API, as Chinese OMS products use it.

**The call.** A form POST to the router (``https://eco.taobao.com/router/rest`` unless the channel's API
Address says otherwise) with the common parameters ``method, app_key, session, timestamp`` (China time,
``YYYY-MM-DD HH:MM:SS``), ``format=json, v=2.0, sign_method`` and ``sign``: every other parameter sorted
by name and concatenated as name + value, then ``upper(hex(HMAC-SHA256(secret, text)))`` for
``hmac-sha256`` or ``upper(hex(MD5(secret + text + secret)))`` for ``md5``. The method is
``taobao.trades.sold.increment.get`` over a window of modification times (``start_modified``,
``end_modified``, China time, at most one day apart) with ``page_no``, ``page_size`` and
``use_has_next=true``. A refusal is ``{"error_response": {"code", "msg", "sub_code", "sub_msg"}}``: a
wrong app key, secret or session, or a missing permission, is :class:`ChannelNotConfigured` (a retry
cannot help); anything else, and HTTP trouble, is :class:`ChannelPullFailed` (the next pull retries).

**Nothing missed, nothing read twice.** Paging through a result set that changes is what loses
orders: a trade modified while we page leaves the window (its new time is after the window's end),
every row behind it moves up a place, and the row that moves from page 2 onto the already-read page 1
is never seen. So the adapter reads each window as *one* page: a window whose first page says
``has_next`` is halved (the halves share their boundary second, so whether the API's end is inclusive
does not matter), until each part fits in a page. One answer is one consistent snapshot. Only a
two-second window with more trades than a page (a bulk shipment of hundreds at once) is paged, with
``use_has_next=false`` so that each page reports ``total_results``: the window's trades can only leave
it while we read (anything modified now is after its end), so a pass whose every page reports the same
total saw an unchanged set, every row of it; a pass whose total moved is read again.
Each part's trades are yielded as a :class:`QimenPage` whose cursor is the part's end time and the
(tid, modified) of the trades read at that very second, so the next window, which starts at that
second, skips exactly them. A trade version is yielded once; its ``delivery_id`` is ``tid:modified``,
so even a re-read (a cursor not stored after a crash) is one intake row. The window ends ``lag_s``
(60 s) before now: Taobao indexes a change a few seconds after it happens.

**Which trades become orders.** ``WAIT_SELLER_SEND_GOODS`` (paid, waiting to ship) is a new order;
``TRADE_CLOSED`` (refunded after payment, so closed) is its cancellation. Everything else is skipped,
deliberately: unpaid states (``WAIT_BUYER_PAY``, ``TRADE_NO_CREATE_PAY``, ``PAY_PENDING``,
``WAIT_PRE_AUTH_CONFIRM``) and ``PAID_FORBID_CONSIGN`` (paid but not yet allowed to ship) come back
as ``WAIT_SELLER_SEND_GOODS`` when they may ship; ``TRADE_CLOSED_BY_TAOBAO`` is closed *before*
payment, so no order was ever made for it and a cancellation would wait for one forever; shipped
states (``SELLER_CONSIGNED_PART``, ``WAIT_BUYER_CONFIRM_GOODS``, ``TRADE_BUYER_SIGNED``,
``TRADE_FINISHED``) first seen here were shipped outside this app, and making an order of them would
ship them twice. A line's SKU is ``outer_sku_id``, else ``outer_iid``, else ``sku:<sku_id>`` /
``item:<num_iid>`` (keys the Item Mapping can name). A trade the intake schema refuses does not stop the
pull (every later order would wait behind it): it is in :attr:`QimenPage.rejected` with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from order_online.domain.errors import ChannelNotConfigured, ChannelPullFailed, InvalidIntakePayload
from order_online.domain.intake import IntakeOrder, parse_order
from order_online.integrations.channels.base import ChannelConfig, Clock, PulledPage

DEFAULT_BASE_URL = "https://eco.taobao.com/router/rest"
METHOD = "taobao.trades.sold.increment.get"
RESPONSE_KEY = "trades_sold_increment_get_response"
# China has kept UTC+8 without daylight saving since 1991, so a fixed offset needs no tz database.
CHINA_TIME = timezone(timedelta(hours=8), "CST")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_SPAN_S = 86400  # TOP refuses a window longer than one day
MAX_PASSES = 8  # re-reads of a crowded window whose trades keep changing, before the next pull tries
FIELDS = (
	"tid,status,modified,created,pay_time,buyer_open_uid,buyer_nick,buyer_message,post_fee,"
	"receiver_name,receiver_mobile,receiver_phone,receiver_country,receiver_state,receiver_city,"
	"receiver_district,receiver_town,receiver_address,receiver_zip,"
	"orders.oid,orders.num_iid,orders.sku_id,orders.outer_iid,orders.outer_sku_id,orders.num,orders.price"
)
ACTIONS = {"WAIT_SELLER_SEND_GOODS": "create", "TRADE_CLOSED": "cancel"}
# The setting a credentials refusal names (the Order Channel's API Key / App Key, API Secret, Seller
# Session Key).
SETTING_CREDENTIALS = "App Key and Session"
SETTING_CURSOR = "Pulled Up To"
# TOP's platform errors that a retry cannot mend: permissions (11-13), signature (25: the secret),
# session (26, 27), app key (28, 29).
CREDENTIAL_CODES = frozenset({"11", "12", "13", "25", "26", "27", "28", "29"})
CREDENTIAL_SUB_CODES = ("session", "permission", "appkey", "app-key")  # e.g. invalid-sessionkey
SIGN_METHODS = ("hmac-sha256", "md5")


def sign(params: Mapping[str, str], secret: str, sign_method: str = "hmac-sha256") -> str:
	"""TOP's ``sign`` of ``params`` (all but ``sign`` itself, sorted by name, name + value)."""
	text = "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")
	if sign_method == "md5":
		return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()
	if sign_method == "hmac-sha256":
		return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest().upper()
	raise ValueError(f"unknown sign_method {sign_method}")


def china_time(epoch: float) -> str:
	return datetime.fromtimestamp(int(epoch), CHINA_TIME).strftime(TIME_FORMAT)


def epoch_of(text: str) -> int:
	"""Epoch seconds of a China-time ``YYYY-MM-DD HH:MM:SS``; ValueError otherwise."""
	return int(datetime.strptime(str(text).strip(), TIME_FORMAT).replace(tzinfo=CHINA_TIME).timestamp())


@dataclass(frozen=True)
class QimenPage(PulledPage):
	# (delivery id "tid:modified", the schema's refusal) of each trade that could not be an order
	rejected: tuple[tuple[str, InvalidIntakePayload], ...] = ()


@dataclass(frozen=True)
class _Answer:
	trades: list[dict[str, Any]]
	has_next: bool
	total: int | None


class QimenAdapter:
	platform = "Qimen"

	def __init__(
		self,
		config: ChannelConfig,
		*,
		clock: Clock = time.time,
		session: requests.Session | None = None,
		look_back_s: float = 86400,
		lag_s: float = 60,
		sign_method: str = "hmac-sha256",
	) -> None:
		if sign_method not in SIGN_METHODS:
			raise ValueError(f"sign_method is one of {SIGN_METHODS}")
		self.config = config
		self.clock = clock
		self.session = session or requests.Session()
		self.base_url = config.base_url or DEFAULT_BASE_URL
		self.look_back_s = look_back_s
		self.lag_s = lag_s
		self.sign_method = sign_method

	# The pull ------------------------------------------------------------------------------------

	def pull(self, cursor: str | None) -> Iterator[PulledPage]:
		"""Pages of the trades modified since ``cursor``, oldest window first; each page's cursor covers
		everything yielded up to it, and nothing after it."""
		if not (self.config.api_key and self.config.secret and self.config.session_key):
			raise ChannelNotConfigured(channel=self.config.channel, setting=SETTING_CREDENTIALS)
		end = int(self.clock() - self.lag_s)
		since, seen = self._read_cursor(cursor, default=end - int(self.look_back_s))
		start = since
		while start < end:
			window_end = min(start + MAX_SPAN_S, end)
			for part_end, trades in self._parts(start, window_end):
				yield self._page(trades, part_end, seen)
			start = window_end

	def _read_cursor(self, cursor: str | None, default: int) -> tuple[int, set[str]]:
		if not cursor:
			return default, set()
		try:
			state = json.loads(cursor)
			return epoch_of(state["since"]), {str(key) for key in state.get("seen", [])}
		except (ValueError, TypeError, KeyError, AttributeError):
			# A cursor this adapter did not write; guessing a start could skip orders or re-read months.
			raise ChannelNotConfigured(channel=self.config.channel, setting=SETTING_CURSOR) from None

	def _parts(self, start: int, end: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
		"""(part end, its trades) for [start, end], in time order, each part read as one snapshot."""
		answer = self._call(start, end, page_no=1, use_has_next=True)
		if not answer.has_next:
			yield end, answer.trades
		elif end - start >= 2:
			middle = start + (end - start) // 2
			yield from self._parts(start, middle)
			yield from self._parts(middle, end)
		else:
			yield end, self._crowded(start, end)

	def _crowded(self, start: int, end: int) -> list[dict[str, Any]]:
		"""Every trade of a window too full for one page, from a pass over which nothing changed."""
		for _ in range(MAX_PASSES):
			trades, totals, page_no = [], set(), 1
			while True:
				answer = self._call(start, end, page_no=page_no, use_has_next=False)
				totals.add(answer.total)
				trades.extend(answer.trades)
				if (
					not answer.trades
					or answer.total is None
					or page_no * self.config.page_size >= answer.total
				):
					break
				page_no += 1
			if len(totals) == 1 and None not in totals:
				return trades
		raise ChannelPullFailed(
			channel=self.config.channel,
			detail=f"the trades modified at {china_time(start)} kept changing while they were read",
		)

	def _page(self, trades: list[dict[str, Any]], part_end: int, seen: set[str]) -> QimenPage:
		orders, rejected = [], []
		for trade in trades:
			key = version_key(trade)
			if key in seen:
				continue
			seen.add(key)
			try:
				order = trade_order(trade)
			except InvalidIntakePayload as error:
				rejected.append((delivery_id(trade), error))
				continue
			if order is not None:
				orders.append(order)
		# Versions read at the part's last second; the next window starts at that second.
		at_end = sorted(key for key in seen if key.rsplit(":", 1)[-1] == str(part_end))
		seen.intersection_update(at_end)
		cursor = json.dumps({"since": china_time(part_end), "seen": at_end}, separators=(",", ":"))
		return QimenPage(tuple(orders), cursor, tuple(rejected))

	# The API -------------------------------------------------------------------------------------

	def _call(self, start: int, end: int, *, page_no: int, use_has_next: bool) -> _Answer:
		params = {
			"method": METHOD,
			"app_key": self.config.api_key,
			"session": self.config.session_key,
			"timestamp": china_time(self.clock()),
			"format": "json",
			"v": "2.0",
			"sign_method": self.sign_method,
			"fields": FIELDS,
			"start_modified": china_time(start),
			"end_modified": china_time(end),
			"page_no": str(page_no),
			"page_size": str(self.config.page_size),
			"use_has_next": "true" if use_has_next else "false",
		}
		params["sign"] = sign(params, self.config.secret, self.sign_method)
		try:
			response = self.session.post(self.base_url, data=params, timeout=self.config.timeout_s)
		except requests.Timeout:
			raise self._failed(f"no answer within {self.config.timeout_s:g} s") from None
		except requests.RequestException as error:
			raise self._failed(f"cannot reach the API: {type(error).__name__}") from None
		try:
			data = response.json()
		except ValueError:
			data = None
		if not isinstance(data, dict):
			raise self._failed(f"HTTP {response.status_code}, the answer is not JSON")
		if "error_response" in data:
			raise self._refusal(data["error_response"])
		if response.status_code >= 400:
			raise self._failed(f"HTTP {response.status_code}")
		return self._answer(data)

	def _answer(self, data: Mapping[str, Any]) -> _Answer:
		body = data.get(RESPONSE_KEY)
		trades = (body or {}).get("trades") if isinstance(body, dict) else None
		rows = trades.get("trade", []) if isinstance(trades, dict) else [] if trades in (None, "") else None
		if (
			not isinstance(body, dict)
			or not isinstance(rows, list)
			or not all(isinstance(r, dict) for r in rows)
		):
			raise self._failed(f"the answer has no {RESPONSE_KEY}.trades")
		total = body.get("total_results")
		return _Answer(
			trades=rows,
			has_next=body.get("has_next") in (True, "true"),
			total=int(total) if isinstance(total, int | str) and str(total).isdigit() else None,
		)

	def _refusal(self, error: Any) -> Exception:
		error = error if isinstance(error, dict) else {}
		code, sub_code = str(error.get("code", "")), str(error.get("sub_code") or "")
		if code in CREDENTIAL_CODES or any(word in sub_code.lower() for word in CREDENTIAL_SUB_CODES):
			return ChannelNotConfigured(channel=self.config.channel, setting=SETTING_CREDENTIALS)
		words = " ".join(str(error[k]) for k in ("code", "msg", "sub_code", "sub_msg") if error.get(k))
		return self._failed(words[:300] or "an error without a code")

	def _failed(self, detail: str) -> ChannelPullFailed:
		return ChannelPullFailed(channel=self.config.channel, detail=detail)


# Trades -------------------------------------------------------------------------------------------


def version_key(trade: Mapping[str, Any]) -> str:
	"""``tid:modified`` (modified as epoch seconds): one trade version, the same however often read."""
	tid = str(trade.get("tid_str") or trade.get("tid") or "")
	try:
		modified = str(epoch_of(trade.get("modified") or ""))
	except ValueError:
		modified = str(trade.get("modified") or "")
	return f"{tid}:{modified}"


def delivery_id(trade: Mapping[str, Any]) -> str:
	"""``tid:modified`` as Taobao wrote them: the intake row of this one trade version."""
	return f"{trade.get('tid_str') or trade.get('tid') or ''}:{trade.get('modified') or ''}"


def trade_order(trade: Mapping[str, Any]) -> IntakeOrder | None:
	"""The intake order of one trade version; None for a state that is not one (the module's docstring)."""
	action = ACTIONS.get(str(trade.get("status") or ""))
	if action is None:
		return None
	tid = str(trade.get("tid_str") or trade.get("tid") or "")
	values: dict[str, Any] = {
		"external_order_id": tid or None,
		"action": action,
		"delivery_id": delivery_id(trade),
	}
	if action == "cancel":
		values["note"] = "Closed in Taobao after a refund"
		return parse_order(values)
	phone = trade.get("receiver_mobile") or trade.get("receiver_phone") or None
	name = trade.get("receiver_name") or trade.get("buyer_nick") or None
	street = "".join(
		str(trade.get(f) or "") for f in ("receiver_district", "receiver_town", "receiver_address")
	)
	orders = (trade.get("orders") or {}).get("order") if isinstance(trade.get("orders"), dict) else None
	values.update(
		ordered_at=_china_iso(trade.get("created")),
		currency="CNY",
		customer={"external_id": trade.get("buyer_open_uid") or None, "name": name, "phone": phone},
		shipping_address={
			"name": trade.get("receiver_name") or None,
			"line1": street or None,
			"city": trade.get("receiver_city") or trade.get("receiver_state"),
			"state": trade.get("receiver_state") or None,
			"pincode": trade.get("receiver_zip") or None,
			"country": trade.get("receiver_country") or "China",
			"phone": phone,
		},
		lines=[_line(row) for row in orders] if isinstance(orders, list) else [],
		shipping_charge=trade.get("post_fee") or 0,
		note=str(trade.get("buyer_message") or "")[:2000] or None,
	)
	return parse_order(values)


def _china_iso(text: Any) -> Any:
	# TOP's times carry no offset; they are China time. Anything else goes to the schema as it is.
	try:
		return datetime.strptime(str(text).strip(), TIME_FORMAT).replace(tzinfo=CHINA_TIME).isoformat()
	except ValueError:
		return text or None


def _line(row: Any) -> dict[str, Any]:
	row = row if isinstance(row, dict) else {}
	sku = str(row.get("outer_sku_id") or row.get("outer_iid") or "").strip()
	if not sku and row.get("sku_id"):
		sku = f"sku:{row['sku_id']}"
	if not sku and row.get("num_iid"):
		sku = f"item:{row['num_iid']}"
	return {"sku": sku or None, "qty": row.get("num"), "rate": row.get("price")}

"""Taobao orders pulled through TOP's ``taobao.trades.sold.increment.get``, against a loopback router
that checks the signature as TOP does and pages, splits and changes trades like a busy shop.

What a seller would notice is whether an order is missing or arrives twice, so the tests pull again
and again from each returned cursor while trades change, and check the union of what arrived.
"""

import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from order_online.domain.errors import ChannelNotConfigured, ChannelPullFailed, InvalidIntakePayload
from order_online.integrations.channels import ChannelConfig, QimenAdapter, get_adapter, is_pull
from order_online.integrations.channels.qimen import CHINA_TIME, china_time, epoch_of, sign
from order_online.tests.carrier_servers import FakeServer, form_fields, json_body

APP_KEY, SECRET, SESSION = "12345678", "top-secret-9f8e", "6101a2b3c4d5e6f7seller"
NOW = epoch_of("2026-11-20 12:00:00")
DAY = 86400
COMMON = {"method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign"}


class Clock:
	"""The one clock of the adapter and the router, moved by the test."""

	def __init__(self, now: int = NOW) -> None:
		self.now = now

	def __call__(self) -> float:
		return float(self.now)


def trade(tid: int, modified: int, status: str = "WAIT_SELLER_SEND_GOODS", **extra) -> dict:
	"""A trade as the API returns it (China time, amounts as strings), trimmed to the fields asked."""
	return {
		"tid": tid,
		"status": status,
		"created": china_time(modified - 600),
		"modified": china_time(modified),
		"buyer_open_uid": f"AAF{tid}open",
		"buyer_message": "",
		"post_fee": "8.00",
		"receiver_name": "张三",
		"receiver_mobile": "13800138000",
		"receiver_state": "广东省",
		"receiver_city": "深圳市",
		"receiver_district": "南山区",
		"receiver_town": "粤海街道",
		"receiver_address": "科技园路1号",
		"receiver_zip": "518000",
		"orders": {
			"order": [
				{"oid": tid * 10, "num_iid": 6001, "outer_sku_id": "SKU-RED-M", "num": 2, "price": "59.00"}
			]
		},
		**extra,
	}


class TopRouter(FakeServer):
	"""``/router/rest`` for one app and one seller session: TOP's signature check, its error shapes, its
	one-day limit, newest-first pages; ``changes[n]`` runs just before the n-th request is answered,
	``paged_changes[n]`` before the n-th request that pages with totals."""

	def __init__(self, clock: Clock, trades: list[dict] = ()) -> None:
		super().__init__()
		# Headers and body go out in two writes; without TCP_NODELAY each answer waits out a delayed ACK.
		handler = self.httpd.RequestHandlerClass
		self.httpd.RequestHandlerClass = type("NoDelay", (handler,), {"disable_nagle_algorithm": True})
		self.clock = clock
		self.trades = {t["tid"]: t for t in trades}
		self.changes: dict[int, Callable[[], None]] = {}
		self.paged_changes: dict[int, Callable[[], None]] = {}  # by the number of totals-paged requests
		self.calls: list[dict[str, str]] = []
		self.reply: tuple | None = None  # a canned reply for every request (a bad day)

	@property
	def endpoint(self) -> str:
		return self.url + "/router/rest"

	def modify(self, tid: int, **changes) -> None:
		"""The seller (or buyer) changes a trade now: it gets a new modified time."""
		self.trades[tid] = {**self.trades[tid], **changes, "modified": china_time(self.clock.now)}

	def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes):
		form = form_fields(body)
		self.calls.append(form)
		paged = sum(1 for call in self.calls if call.get("use_has_next") == "false")
		for change in (
			self.changes.pop(len(self.calls), None),
			self.paged_changes.pop(paged, None) if form.get("use_has_next") == "false" else None,
		):
			if change:
				change()
		if self.reply:
			return self.reply
		if path != "/router/rest" or method != "POST":
			return 404, {"Content-Type": "text/html"}, b"<html>404</html>"
		if form.get("sign") != sign(form, SECRET, form.get("sign_method", "")):
			return self.error(25, "Invalid signature")
		if form.get("app_key") != APP_KEY:
			return self.error(29, "Invalid app Key", "isv.appkey-not-exists")
		if form.get("session") != SESSION:
			return self.error(27, "Invalid session", "invalid-sessionkey", "SessionKey非法")
		stamp = epoch_of(form["timestamp"])
		assert abs(stamp - self.clock.now) <= 1 and (form["v"], form["format"]) == ("2.0", "json")
		assert form["method"] == "taobao.trades.sold.increment.get" and "tid" in form["fields"].split(",")
		start, end = epoch_of(form["start_modified"]), epoch_of(form["end_modified"])
		if not start < end or end - start > DAY:
			return self.error(41, "Invalid arguments", "isv.invalid-parameter", "时间跨度不能超过一天")
		rows = sorted(
			(t for t in self.trades.values() if start <= epoch_of(t["modified"]) <= end),
			key=lambda t: (epoch_of(t["modified"]), t["tid"]),
			reverse=True,
		)
		size, page = int(form["page_size"]), int(form["page_no"])
		shown = rows[(page - 1) * size : page * size]
		answer: dict = {"trades": {"trade": shown}} if shown else {}
		if form["use_has_next"] == "true":
			answer["has_next"] = page * size < len(rows)
		else:
			answer["total_results"] = len(rows)
		answer["request_id"] = f"r{len(self.calls)}"
		return json_body(200, {"trades_sold_increment_get_response": answer})

	@staticmethod
	def error(code: int, msg: str, sub_code: str | None = None, sub_msg: str | None = None):
		error = {"code": code, "msg": msg, "request_id": "3gwhkjdlt1f5"}
		if sub_code:
			error.update(sub_code=sub_code, sub_msg=sub_msg or msg)
		return json_body(200, {"error_response": error})

	def windows(self) -> list[tuple[int, int]]:
		return [(epoch_of(c["start_modified"]), epoch_of(c["end_modified"])) for c in self.calls]


def adapter(router: TopRouter, **changes) -> QimenAdapter:
	settings_ = {
		"platform": "Qimen",
		"channel": "Tmall Store",
		"secret": SECRET,
		"api_key": APP_KEY,
		"session_key": SESSION,
		"base_url": router.endpoint,
		"timeout_s": 2.0,
		"page_size": 5,
	}
	options = {k: changes.pop(k) for k in ("look_back_s", "lag_s", "sign_method") if k in changes}
	settings_.update(changes)
	return QimenAdapter(ChannelConfig(**settings_), clock=router.clock, **options)


def pull(qimen: QimenAdapter, cursor: str | None):
	"""Every page of one pull: (delivery ids of the orders, the last cursor, the pages)."""
	pages = list(qimen.pull(cursor))
	ids = [order.delivery_id for page in pages for order in page.orders]
	return ids, (pages[-1].cursor if pages else cursor), pages


def version(t: dict) -> str:
	return f"{t['tid']}:{t['modified']}"


# The request ------------------------------------------------------------------------------------


def test_the_adapter_is_registered_as_a_pull_platform():
	with TopRouter(Clock()) as router:
		assert isinstance(get_adapter(adapter(router).config), QimenAdapter)
	assert is_pull("Qimen")


@pytest.mark.parametrize("sign_method", ["hmac-sha256", "md5"])
def test_requests_are_signed_as_top_checks_them(sign_method):
	with TopRouter(Clock(), [trade(1001, NOW - 3600)]) as router:
		ids, _, _ = pull(adapter(router, sign_method=sign_method), None)
	assert ids == [f"1001:{china_time(NOW - 3600)}"]  # the router refuses a bad sign with code 25
	call = router.calls[0]
	assert COMMON <= set(call) and call["sign_method"] == sign_method
	assert call["timestamp"] == "2026-11-20 12:00:00" and call["use_has_next"] == "true"
	assert (call["start_modified"], call["end_modified"]) == ("2026-11-19 11:59:00", "2026-11-20 11:59:00")


def test_the_signature_is_tops_rule():
	params = {"method": "taobao.time.get", "app_key": "k", "v": "2.0", "timestamp": "2026-11-20 12:00:00"}
	text = "app_keykmethodtaobao.time.gettimestamp2026-11-20 12:00:00v2.0"
	assert sign(params, "s") == hmac.new(b"s", text.encode(), hashlib.sha256).hexdigest().upper()
	assert (
		sign({**params, "sign": "ignored"}, "s", "md5")
		== hashlib.md5(f"s{text}s".encode()).hexdigest().upper()
	)


# Refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"changes",
	[{"secret": "wrong-secret"}, {"session_key": "expired-session"}, {"api_key": "87654321"}],
	ids=["secret", "session", "app key"],
)
def test_bad_credentials_say_the_channel_needs_them(changes):
	with TopRouter(Clock()) as router, pytest.raises(ChannelNotConfigured) as caught:
		pull(adapter(router, **changes), None)
	assert caught.value.params == {"channel": "Tmall Store", "setting": "App Key and Session"}


def test_missing_credentials_are_said_before_any_request():
	with TopRouter(Clock()) as router:
		with pytest.raises(ChannelNotConfigured):
			pull(adapter(router, session_key=""), None)
		assert router.calls == []


@pytest.mark.parametrize(
	"reply, words",
	[
		((500, {"Content-Type": "text/html"}, b"<html>500 Internal Server Error</html>"), "HTTP 500"),
		((200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"), "not JSON"),
		(
			TopRouter.error(7, "App Call Limited", "accesscontrol.limited-by-api-access-count"),
			"App Call Limited",
		),
		(json_body(200, {"something_else": {}}), "trades"),
	],
	ids=["500", "html", "rate limited", "unknown shape"],
)
def test_server_trouble_fails_this_pull_only(reply, words):
	with TopRouter(Clock(), [trade(1, NOW - 100)]) as router:
		router.reply = reply
		qimen = adapter(router)
		with pytest.raises(ChannelPullFailed) as caught:
			pull(qimen, None)
		assert words in str(caught.value) and caught.value.http_status == 502
		router.reply = None  # the next pull tries again, and gets the order
		assert pull(qimen, None)[0] == [f"1:{china_time(NOW - 100)}"]


def test_no_answer_in_time_fails_the_pull():
	with TopRouter(Clock()) as router:
		router.mode = "hang"
		with pytest.raises(ChannelPullFailed) as caught:
			pull(adapter(router, timeout_s=0.2), None)
	assert "no answer within 0.2 s" in str(caught.value)


def test_a_cursor_it_did_not_write_is_refused_not_guessed():
	with TopRouter(Clock()) as router, pytest.raises(ChannelNotConfigured) as caught:
		pull(adapter(router), "2026-11-20")
	assert caught.value.params["setting"] == "Pulled Up To"


# Trades -----------------------------------------------------------------------------------------


def test_a_paid_trade_is_a_new_order_in_china_time():
	with TopRouter(Clock(), [trade(2001, NOW - 3600, post_fee="12.50", buyer_message="请周末送")]) as router:
		(page,) = list(adapter(router).pull(None))
	(order,) = page.orders
	assert (order.external_order_id, order.action, order.currency) == ("2001", "create", "CNY")
	assert order.ordered_at == datetime(2026, 11, 20, 10, 50, tzinfo=CHINA_TIME)
	assert order.customer.model_dump() == {
		"external_id": "AAF2001open",
		"name": "张三",
		"email": None,
		"phone": "13800138000",
	}
	assert order.shipping_address.model_dump() == {
		"name": "张三",
		"line1": "南山区粤海街道科技园路1号",
		"line2": None,
		"city": "深圳市",
		"state": "广东省",
		"pincode": "518000",
		"country": "China",
		"phone": "13800138000",
	}
	assert [(line.sku, line.qty, line.rate) for line in order.lines] == [("SKU-RED-M", 2, Decimal("59.00"))]
	assert (order.shipping_charge, order.note) == (Decimal("12.50"), "请周末送")


def test_which_states_become_orders():
	trades = [
		trade(1, NOW - 500, "WAIT_SELLER_SEND_GOODS"),
		trade(2, NOW - 500, "TRADE_CLOSED"),  # refunded after payment
		trade(3, NOW - 500, "TRADE_CLOSED_BY_TAOBAO"),  # closed before payment: never an order
		trade(4, NOW - 500, "WAIT_BUYER_PAY"),
		trade(5, NOW - 500, "WAIT_BUYER_CONFIRM_GOODS"),  # shipped elsewhere: an order would ship twice
		trade(6, NOW - 500, "TRADE_FINISHED"),
	]
	with TopRouter(Clock(), trades) as router:
		(page,) = list(adapter(router, page_size=10).pull(None))
	assert sorted((o.external_order_id, o.action) for o in page.orders) == [("1", "create"), ("2", "cancel")]


def test_a_line_without_an_outer_id_is_keyed_by_taobaos_sku():
	bare = trade(7, NOW - 500)
	bare["orders"]["order"][0].pop("outer_sku_id")
	bare["orders"]["order"][0]["sku_id"] = 4455
	with TopRouter(Clock(), [bare]) as router:
		(page,) = list(adapter(router).pull(None))
	assert page.orders[0].lines[0].sku == "sku:4455"


def test_a_trade_the_schema_refuses_is_reported_and_the_rest_arrive():
	bad = trade(8, NOW - 700)
	bad["orders"]["order"][0]["num"] = 0
	with TopRouter(Clock(), [bad, trade(9, NOW - 600)]) as router:
		(page,) = list(adapter(router).pull(None))
	assert [o.external_order_id for o in page.orders] == ["9"]
	((key, error),) = page.rejected
	assert key == f"8:{china_time(NOW - 700)}" and isinstance(error, InvalidIntakePayload)
	assert [e["field"] for e in error.errors] == ["lines.0.qty"]


# Windows and cursors ----------------------------------------------------------------------------


def test_a_three_day_look_back_is_read_in_windows_of_at_most_a_day():
	trades = [trade(100 + i, NOW - 60 - i * 7200) for i in range(36)]  # one every 2 h for 3 days
	with TopRouter(Clock(), trades) as router:
		ids, cursor, _ = pull(adapter(router, look_back_s=3 * DAY, page_size=50), None)
	assert sorted(ids) == sorted(version(t) for t in trades)
	windows = router.windows()
	assert all(0 < end - start <= DAY for start, end in windows)
	assert windows[0][0] == NOW - 60 - 3 * DAY and windows[-1][1] == NOW - 60
	assert all(later[0] == earlier[1] for earlier, later in itertools.pairwise(windows))  # no gap
	assert json.loads(cursor)["since"] == china_time(NOW - 60)


def test_pulling_again_reads_nothing_twice_and_the_lag_keeps_fresh_changes_for_later():
	clock = Clock()
	trades = [trade(1, NOW - 3600), trade(2, NOW - 60), trade(3, NOW - 30)]  # 3: inside the lag
	with TopRouter(clock, trades) as router:
		qimen = adapter(router)
		first, cursor, _ = pull(qimen, None)
		assert sorted(first) == sorted(version(t) for t in trades[:2])
		again, cursor, _ = pull(qimen, cursor)  # same second: nothing new, the boundary trade not again
		assert again == []
		clock.now += 300
		later, cursor, _ = pull(qimen, cursor)
		assert later == [version(trades[2])]


def test_a_busy_window_is_split_until_each_part_is_one_page():
	trades = [trade(500 + i, NOW - 4000 + i * 97) for i in range(40)]
	with TopRouter(Clock(), trades) as router:
		ids, _, pages = pull(adapter(router, page_size=5), None)
	assert sorted(ids) == sorted(version(t) for t in trades)
	assert all(len(page.orders) <= 5 for page in pages)
	assert all(call["page_no"] == "1" for call in router.calls)  # no paging: each part is one answer


def test_trades_changed_while_a_crowded_second_is_paged_are_neither_lost_nor_doubled():
	# A bulk update: 23 trades in one second, pages of 5; while page 2 is read a trade on page 1
	# is changed (it leaves the window and every row behind it moves up a place), and later another.
	# The look-back is that second alone, so no neighbouring window reads it a second time.
	clock = Clock()
	trades = [trade(3000 + i, NOW - 60) for i in range(23)]
	with TopRouter(clock, trades) as router:
		router.paged_changes[2] = lambda: router.modify(3022, receiver_address="新地址 2号")
		router.paged_changes[6] = lambda: router.modify(3005, status="TRADE_CLOSED")
		qimen = adapter(router, page_size=5, look_back_s=1)
		first, cursor, _ = pull(qimen, None)
		clock.now += 120
		second, cursor, _ = pull(qimen, cursor)
		final = {tid: version(t) for tid, t in router.trades.items()}
	arrived = first + second
	assert len(arrived) == len(set(arrived))
	unchanged = {version(t) for t in trades if t["tid"] not in (3022, 3005)}
	assert unchanged <= set(first)  # none of the 21 untouched trades was skipped by the shift
	assert set(final.values()) <= set(arrived)  # the changed ones arrive in their new version
	assert any(call["use_has_next"] == "false" for call in router.calls)  # paged, with totals


def test_a_trade_changed_after_the_window_arrives_in_the_next_pull_only():
	clock = Clock()
	with TopRouter(clock, [trade(1, NOW - 5000), trade(2, NOW - 4000)]) as router:
		router.changes[1] = lambda: router.modify(1, receiver_mobile="13900139000")
		qimen = adapter(router)
		first, cursor, _ = pull(qimen, None)
		assert first == [f"2:{china_time(NOW - 4000)}"]  # 1 left the window before it was answered
		clock.now += 61
		second, _, _ = pull(qimen, cursor)
	assert second == [f"1:{china_time(NOW)}"]


# The property -----------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
	spread=st.sampled_from([0, 1, 2, 40, 5000, DAY + 5000]),
	offsets=st.lists(st.integers(0, 10**6), min_size=1, max_size=30),
	page_size=st.integers(2, 6),
	changes=st.lists(
		st.tuples(st.booleans(), st.integers(1, 8), st.integers(0, 29)), max_size=6, unique_by=lambda c: c[:2]
	),
	pulls=st.integers(1, 3),
)
# A crowded second paged while its newest trade changes: the row behind the changed one moves up a page.
@example(spread=0, offsets=[0] * 7, page_size=2, changes=[(True, 2, 6)], pulls=1)
def test_every_trade_version_arrives_once_whatever_changes_while_pulling(
	spread, offsets, page_size, changes, pulls
):
	# Trades from the window's very end (the cursor's boundary second) back over ``spread`` seconds, or
	# (spread 0) all in the one second before the end of a two-second look-back, which only one part
	# reads; some change while a pull runs, at any request or while a crowded second is paged.
	clock = Clock()
	when = [NOW - 61 if not spread else NOW - 60 - offset % spread for offset in offsets]
	trades = [trade(9000 + i, moment) for i, moment in enumerate(when)]
	with TopRouter(clock, trades) as router:
		touched = set()
		for while_paging, request_no, index in changes:
			tid = trades[index % len(trades)]["tid"]
			if tid not in touched:  # one change per trade and moment, as a real trade's versions are
				touched.add(tid)
				schedule = router.paged_changes if while_paging else router.changes
				schedule[request_no] = lambda tid=tid: router.modify(tid, receiver_zip="100000")
		qimen = adapter(router, page_size=page_size, look_back_s=spread + 60 if spread else 1)
		arrived, cursor = [], None
		for _ in range(pulls):
			ids, cursor, _ = pull(qimen, cursor)
			arrived += ids
			clock.now += 7
		clock.now += 120  # past the lag of every change: the last pull catches up
		router.changes.clear()
		router.paged_changes.clear()
		ids, _, _ = pull(qimen, cursor)
		arrived += ids
		final = {version(t) for t in router.trades.values()}
	assert len(arrived) == len(set(arrived)), "a trade version arrived twice"
	assert final <= set(arrived), "a trade's latest version never arrived"
	untouched = {version(t) for t in trades if t["tid"] not in touched}
	assert untouched <= set(arrived), "an unchanged trade was skipped"

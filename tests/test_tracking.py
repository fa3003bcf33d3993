"""Tracking domain: merging events, the polling schedule, arrival estimates and lateness."""

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from order_online.domain.tracking import (
	BASIS_CARRIER,
	BASIS_CARRIER_HISTORY,
	BASIS_DESTINATION,
	BASIS_NONE,
	BASIS_ROUTE,
	DEFAULT_POLICY,
	FINAL,
	RANK,
	Eta,
	PollPolicy,
	TrackingEvent,
	backoff,
	is_late,
	merge,
	next_poll_at,
	predict_eta,
	record_poll,
	should_poll,
	status_from,
)
from order_online.domain.tracking import (
	TrackingStatus as S,
)

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def ev(hours: float, status: S, text: str = "", location: str | None = None) -> TrackingEvent:
	return TrackingEvent(T0 + timedelta(hours=hours), status, text or status.value, location)


# Events --------------------------------------------------------------------------------------------


def test_event_time_must_be_aware_and_is_kept_in_utc():
	with pytest.raises(ValueError):
		TrackingEvent(datetime(2026, 11, 20, 8), S.IN_TRANSIT, "x")
	china = timezone(timedelta(hours=8))
	event = TrackingEvent(datetime(2026, 11, 20, 16, tzinfo=china), S.IN_TRANSIT, "x")
	assert event.time == T0 and event.time.utcoffset() == timedelta(0)


def test_key_is_the_same_for_the_same_instant_and_differs_otherwise():
	china = timezone(timedelta(hours=8))
	a = TrackingEvent(T0, S.IN_TRANSIT, "Arrived", "Shanghai")
	b = TrackingEvent(datetime(2026, 11, 20, 16, tzinfo=china), S.IN_TRANSIT, "Arrived", "Shanghai", "在途")
	assert a.key == b.key and len(a.key) == 40
	others = [
		TrackingEvent(T0 + timedelta(seconds=1), S.IN_TRANSIT, "Arrived", "Shanghai"),
		TrackingEvent(T0, S.OUT_FOR_DELIVERY, "Arrived", "Shanghai"),
		TrackingEvent(T0, S.IN_TRANSIT, "Departed", "Shanghai"),
		TrackingEvent(T0, S.IN_TRANSIT, "Arrived", None),
	]
	assert len({a.key, *(o.key for o in others)}) == 5


# Merge ---------------------------------------------------------------------------------------------


def test_merge_drops_known_and_repeated_events_and_sorts_by_time():
	picked, transit, out = ev(0, S.PICKED_UP), ev(5, S.IN_TRANSIT), ev(9, S.OUT_FOR_DELIVERY)
	result = merge(S.PICKED_UP, {picked.key}, [out, picked, transit, out])
	assert result.new_events == (transit, out)
	assert (result.status, result.latest_at) == (S.OUT_FOR_DELIVERY, out.time)


def test_nothing_new_keeps_the_status():
	event = ev(0, S.DELIVERED)
	assert merge(S.IN_TRANSIT, {event.key}, [event]) == merge(S.IN_TRANSIT, set(), [])
	assert merge(S.IN_TRANSIT, set(), []).status is S.IN_TRANSIT


def test_status_never_moves_back_on_a_late_or_out_of_order_event():
	assert merge(S.OUT_FOR_DELIVERY, set(), [ev(20, S.IN_TRANSIT)]).status is S.OUT_FOR_DELIVERY
	assert merge(None, set(), [ev(5, S.OUT_FOR_DELIVERY), ev(6, S.IN_TRANSIT)]).status is S.OUT_FOR_DELIVERY
	assert (
		merge(S.IN_TRANSIT, set(), [ev(1, S.PICKED_UP)], since=T0 + timedelta(hours=5)).status is S.IN_TRANSIT
	)


def test_delivered_is_final_except_for_a_return():
	assert merge(S.DELIVERED, set(), [ev(30, S.IN_TRANSIT), ev(31, S.EXCEPTION)]).status is S.DELIVERED
	assert merge(S.DELIVERED, set(), [ev(40, S.RETURNED)]).status is S.RETURNED
	assert merge(None, set(), [ev(1, S.RETURNED), ev(2, S.DELIVERED)]).status is S.RETURNED
	assert merge(S.RETURNED, set(), [ev(50, S.DELIVERED), ev(51, S.IN_TRANSIT)]).status is S.RETURNED


def test_exception_follows_the_latest_event():
	assert merge(S.IN_TRANSIT, set(), [ev(10, S.EXCEPTION)]).status is S.EXCEPTION
	assert merge(S.EXCEPTION, set(), [ev(12, S.IN_TRANSIT)], since=T0 + timedelta(hours=10)).status is (
		S.IN_TRANSIT
	)
	# Within one batch the exception is left by a later event, and the rank before it is kept.
	batch = [ev(1, S.OUT_FOR_DELIVERY), ev(2, S.EXCEPTION), ev(3, S.PICKED_UP)]
	assert merge(None, set(), batch).status is S.OUT_FOR_DELIVERY


def test_an_old_exception_arriving_late_changes_nothing_when_since_is_given():
	since = T0 + timedelta(hours=10)
	assert merge(S.IN_TRANSIT, set(), [ev(4, S.EXCEPTION)], since=since).status is S.IN_TRANSIT
	assert merge(S.EXCEPTION, set(), [ev(4, S.OUT_FOR_DELIVERY)], since=since).status is S.EXCEPTION


def test_an_exception_wins_a_tie():
	assert merge(None, set(), [ev(3, S.IN_TRANSIT, "a"), ev(3, S.EXCEPTION, "b")]).status is S.EXCEPTION
	since = T0 + timedelta(hours=3)
	assert merge(S.IN_TRANSIT, set(), [ev(3, S.EXCEPTION)], since=since).status is S.EXCEPTION
	assert merge(S.EXCEPTION, set(), [ev(3, S.IN_TRANSIT)], since=since).status is S.EXCEPTION


def test_only_exception_scans():
	assert status_from([ev(1, S.EXCEPTION)]) is S.EXCEPTION
	assert status_from([]) is None


EVENTS = st.lists(
	st.builds(
		ev,
		st.integers(0, 12),  # few distinct times, so ties happen
		st.sampled_from(list(S)),
		st.sampled_from(["a", "b"]),
		st.sampled_from([None, "Shanghai"]),
	),
	max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(EVENTS)
def test_merging_twice_changes_nothing(events):
	first = merge(None, set(), events)
	again = merge(first.status, {e.key for e in first.new_events}, events, since=first.latest_at)
	assert again.new_events == () and again.status is first.status
	assert len(first.new_events) == len({e.key for e in events})
	assert list(first.new_events) == sorted(first.new_events, key=lambda e: e.time)


@settings(max_examples=400, deadline=None)
@given(EVENTS, st.data())
def test_two_batches_in_any_order_give_the_status_of_all_events(events, data):
	in_first = data.draw(st.lists(st.booleans(), min_size=len(events), max_size=len(events)))
	a = [e for e, first in zip(events, in_first, strict=True) if first]
	b = data.draw(st.permutations([e for e, first in zip(events, in_first, strict=True) if not first]))
	one = merge(None, set(), a)
	if one.status is S.EXCEPTION:
		return  # across calls the rank before an exception is not known (see the module docstring)
	two = merge(one.status, {e.key for e in one.new_events}, b, since=one.latest_at)
	assert two.status is status_from(events)
	assert {e.key for e in one.new_events + two.new_events} == {e.key for e in events}


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENTS, max_size=5))
def test_status_never_moves_backwards_across_merges(batches):
	status, keys, since, history = None, set(), None, []
	for batch in batches:
		result = merge(status, keys, batch, since=since)
		keys |= {e.key for e in result.new_events}
		since = max(filter(None, [since, result.latest_at]), default=None)
		if status in RANK and result.status in RANK:
			assert RANK[result.status] >= RANK[status]
		if status is S.RETURNED:
			assert result.status is S.RETURNED
		if status is S.DELIVERED:
			assert result.status in FINAL
		status = result.status
		history.append(status)


# Polling -------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 12, 0)  # naive, as the site stores them: must work too
H = timedelta(hours=1)


def poll(**changes):
	values = dict(
		now=NOW,
		last_polled=None,
		last_event_at=None,
		has_push=False,
		status=S.IN_TRANSIT,
		polls_last_24h=0,
		failures=0,
	)
	values.update(changes)
	return next_poll_at(**values), should_poll(**values)


@pytest.mark.parametrize("status", sorted(FINAL))
def test_final_waybills_are_never_polled(status):
	assert poll(status=status) == (None, False)


def test_carrier_finished_is_never_polled():
	assert poll(carrier_finished=True) == (None, False)


def test_without_push_poll_every_interval():
	assert poll() == (NOW, True)
	assert poll(last_polled=NOW - H) == (NOW + H, False)
	assert poll(last_polled=NOW - 2 * H) == (NOW, True)


def test_with_push_poll_only_when_stale():
	fresh = dict(has_push=True, last_polled=NOW - 5 * H, last_event_at=NOW - 3 * H)
	assert poll(**fresh) == (NOW + 21 * H, False)
	assert poll(**{**fresh, "last_event_at": NOW - 25 * H}) == (NOW - H, True)  # stale for an hour
	assert poll(has_push=True, tracking_since=NOW - H) == (NOW + 23 * H, False)
	assert poll(has_push=True, tracking_since=NOW - 30 * H)[1] is True
	assert poll(has_push=True)[1] is True  # nothing known about it: look once


def test_backoff_doubles_up_to_the_cap():
	assert [backoff(n) for n in range(0, 7)] == [
		timedelta(0),
		timedelta(minutes=30),
		timedelta(minutes=60),
		timedelta(minutes=120),
		timedelta(minutes=240),
		timedelta(hours=6),
		timedelta(hours=6),
	]
	assert backoff(10_000) == timedelta(hours=6)


def test_after_a_failure_retry_on_the_backoff_not_the_interval():
	assert poll(last_polled=NOW - timedelta(minutes=50), failures=1)[1] is True  # interval is 2 h
	assert poll(last_polled=NOW - timedelta(minutes=50), failures=2) == (NOW + timedelta(minutes=10), False)
	# Never closer than 36 min (24 h / 40), even with a short backoff.
	quick = PollPolicy(backoff_base=timedelta(minutes=1))
	assert poll(last_polled=NOW - timedelta(minutes=5), failures=1, policy=quick)[0] == (
		NOW + timedelta(minutes=31)
	)


def test_rate_limited_waits_for_retry_after():
	assert poll(retry_until=NOW + timedelta(seconds=90)) == (NOW + timedelta(seconds=90), False)


def test_budget_of_polls_per_waybill_per_day():
	start = NOW - 10 * H
	assert poll(polls_last_24h=40, window_start=start) == (start + 24 * H, False)
	assert poll(polls_last_24h=39, window_start=start)[1] is True
	assert poll(polls_last_24h=40, window_start=NOW - 25 * H)[1] is True  # the window is over
	assert poll(polls_last_24h=40) == (NOW + timedelta(minutes=36), False)


def test_record_poll_opens_a_new_window_after_a_day():
	assert record_poll(NOW, None, 0) == (NOW, 1)
	assert record_poll(NOW, NOW - H, 7) == (NOW - H, 8)
	assert record_poll(NOW, NOW - 24 * H, 40) == (NOW, 1)


@settings(max_examples=200, deadline=None)
@given(
	st.lists(st.integers(1, 90), min_size=1, max_size=400),
	st.lists(st.booleans(), min_size=400, max_size=400),
	st.booleans(),
)
def test_no_sliding_day_ever_holds_more_than_41_polls(steps, outcomes, has_push):
	"""Whatever the failures and however often the scheduler looks, Kuaidi100's 48 is never reached."""
	now, last, failures, window, count, polls = NOW, None, 0, None, 0, []
	policy = PollPolicy(interval=timedelta(minutes=1), backoff_base=timedelta(minutes=1))
	for step, ok in zip(steps, outcomes, strict=False):
		now += timedelta(minutes=step)
		in_window = count if window and now - window < timedelta(hours=24) else 0
		if should_poll(
			now, last, None, has_push, S.IN_TRANSIT, in_window, failures, window_start=window, policy=policy
		):
			polls.append(now)
			window, count = record_poll(now, window, count)
			last, failures = now, (0 if ok else failures + 1)
	for i in range(len(polls) - 41):
		assert polls[i + 41] - polls[i] >= timedelta(hours=24)


def test_default_policy_keeps_under_the_kuaidi100_lock():
	assert DEFAULT_POLICY.max_polls_24h < 48
	assert DEFAULT_POLICY.min_spacing == timedelta(minutes=36)


# Arrival estimate ------------------------------------------------------------------------------------

SHIPPED = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def test_carrier_eta_wins():
	eta = predict_eta(SHIPPED, [10.0] * 30, carrier_eta=SHIPPED + 5 * H)
	assert eta == Eta(SHIPPED + 5 * H, "High", BASIS_CARRIER)


def test_route_history_median_with_high_confidence():
	route = [48.0] * 10 + [50.0] * 10 + [46.0] * 5
	eta = predict_eta(SHIPPED, route, [10.0] * 5, [5.0] * 5)
	assert eta == Eta(SHIPPED + 48 * H, "High", BASIS_ROUTE)


def test_falls_back_from_route_to_destination_to_carrier():
	assert predict_eta(SHIPPED, [30.0, 31.0], [20.0, 22.0, 24.0]).basis == BASIS_DESTINATION
	assert predict_eta(SHIPPED, [20.0, 22.0, 24.0]).at == SHIPPED + 22 * H
	carrier_wide = predict_eta(SHIPPED, [], [1.0], [36.0] * 40)
	assert (carrier_wide.basis, carrier_wide.confidence) == (BASIS_CARRIER_HISTORY, "Medium")
	assert predict_eta(SHIPPED, [], [], [1.0, 2.0]) == Eta(None, "None", BASIS_NONE)


@pytest.mark.parametrize(
	"history, confidence",
	[
		([24.0] * 20, "High"),
		([24.0] * 19, "Medium"),  # tight but fewer than 20
		([20.0, 22.0, 24.0, 24.0, 26.0, 28.0, 30.0, 24.0], "Medium"),
		([10.0, 12.0, 20.0, 24.0, 30.0, 40.0, 60.0, 80.0], "Low"),  # wide spread
		([24.0, 25.0, 26.0], "Low"),  # few samples
	],
)
def test_confidence_from_size_and_spread(history, confidence):
	assert predict_eta(SHIPPED, history).confidence == confidence


def test_bad_history_is_ignored():
	assert predict_eta(SHIPPED, [0.0, -5.0, math.nan, 24.0, 24.0]).basis == BASIS_NONE
	assert predict_eta(SHIPPED, [0.0, math.nan, 24.0, 24.0, 30.0]).at == SHIPPED + 24 * H


def test_eta_keeps_a_naive_shipped_at_naive_and_needs_one():
	assert predict_eta(datetime(2026, 11, 20, 9), [24.0] * 3).at == datetime(2026, 11, 21, 9)
	assert predict_eta(None, [24.0] * 30).at is None


# Lateness --------------------------------------------------------------------------------------------

PROMISED = date(2026, 11, 22)


@pytest.mark.parametrize(
	"eta, delivered_at, now, late",
	[
		(None, datetime(2026, 11, 22, 23, 0), datetime(2026, 11, 25), False),  # delivered on the day
		(None, datetime(2026, 11, 23, 8, 0), datetime(2026, 11, 25), True),
		(None, None, datetime(2026, 11, 23, 0, 1), True),  # promise past, not delivered
		(datetime(2026, 11, 23, 10), None, datetime(2026, 11, 21), True),  # predicted late
		(datetime(2026, 11, 22, 10), None, datetime(2026, 11, 21), False),
		(Eta(datetime(2026, 11, 24), "Low", BASIS_ROUTE), None, datetime(2026, 11, 21), True),
		(None, None, datetime(2026, 11, 21), False),
		("2026-11-23 10:00:00", None, datetime(2026, 11, 21), True),  # as a desk string
	],
)
def test_is_late(eta, delivered_at, now, late):
	assert is_late(PROMISED, eta, delivered_at, now) is late


def test_no_promise_is_never_late():
	assert is_late(None, datetime(2030, 1, 1), None, datetime(2030, 1, 1)) is False
	assert is_late("", None, None, datetime(2030, 1, 1)) is False
	assert is_late("2026-11-22", None, "2026-11-23 01:00:00", datetime(2026, 11, 25)) is True


def test_is_late_compares_dates_in_the_sites_time_zone():
	china = timezone(timedelta(hours=8))
	delivered = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)  # 01:00 on the 23rd in China
	assert is_late(PROMISED, None, delivered, delivered) is False
	assert is_late(PROMISED, None, delivered, delivered, tz=china) is True


def test_what_a_refused_push_may_cost():
	from order_online.domain.tracking import PUSH_MAX_BYTES, excerpt, push_too_large

	assert push_too_large(PUSH_MAX_BYTES + 1, 0) and push_too_large(None, PUSH_MAX_BYTES + 1)
	assert not push_too_large(1000, 1000)
	kept = excerpt("x" * 100_000)
	assert len(kept) < 2100 and kept.endswith("[100000 characters, cut]")
	assert excerpt("short") == "short" and excerpt(None) is None


def test_one_waybill_of_one_account_has_one_key_whatever_the_carrier_default():
	from order_online.domain.tracking import tracking_key

	assert tracking_key("K100", "shunfeng", "SF1") == tracking_key("K100", "shunfeng", "SF1")
	assert tracking_key("K100", "shunfeng", "SF1") != tracking_key("K100", "yuantong", "SF1")
	assert tracking_key("K100", None, "SF1") == tracking_key("K100", "", "SF1")
	assert tracking_key("K100", None, "SF1") != tracking_key("AS", None, "SF1")


def test_only_a_failed_outbound_call_about_a_waybill_is_retried():
	from order_online.domain.tracking import retryable

	assert retryable("Outbound", "Failed", "Shipment Tracking")
	assert not retryable("Inbound", "Failed", "Shipment Tracking")  # a push: the provider re-sends it
	assert not retryable("Outbound", "Retried", "Shipment Tracking")  # once
	assert not retryable("Outbound", "Success", "Shipment Tracking")
	assert not retryable("Outbound", "Failed", None)


def test_transit_samples_are_grouped_by_route_destination_and_carrier():
	from order_online.domain.tracking import transit_samples

	transits = [("GZ", "SZ", 20.0), ("CD", "SZ", 70.0), ("GZ", "BJ", 48.0)]
	assert transit_samples(transits, "GZ", "SZ") == {
		"route": [20.0],
		"destination": [20.0, 70.0],
		"carrier": [20.0, 70.0, 48.0],
	}
	assert transit_samples([], "GZ", "SZ") == {"route": [], "destination": [], "carrier": []}

"""Shipment tracking rules: merging carrier events, when to poll, and when a parcel will arrive.

Pure functions, no HTTP and no frappe. The carrier adapters (``order_online.integrations.carriers``)
turn each provider's answer into ``TrackingEvent``s; this module decides what they mean.

Status rule. The ranked statuses only move forwards::

    Info Received < Picked Up < In Transit < Out for Delivery < Delivered

- Returned is final and wins over everything, Delivered included: a parcel refused after the
  signature, or left uncollected at a locker, does go back to the sender, and staff must see that.
- Delivered is final otherwise: a late "In Transit" or "Exception" scan never reopens it.
- Exception is a side state: it is the status while the latest event (by time) is an exception, and
  any later event with a ranked status leaves it. Exception wins a tie with an event of the same time.
- Otherwise the status is the highest rank seen: an out-of-order or stale event never moves it back.

So ``status_from(all events)`` is the status of a waybill, and ``merge`` gives the same answer
incrementally when told the time of the latest event already stored (``since``). Without ``since``
every incoming event counts as newer than what is stored.
"""

from __future__ import annotations

import enum
import hashlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo


class TrackingStatus(str, enum.Enum):
	"""The normalised statuses; the values are the labels shown in the desk."""

	INFO_RECEIVED = "Info Received"
	PICKED_UP = "Picked Up"
	IN_TRANSIT = "In Transit"
	OUT_FOR_DELIVERY = "Out for Delivery"
	DELIVERED = "Delivered"
	EXCEPTION = "Exception"
	RETURNED = "Returned"


RANK = {
	TrackingStatus.INFO_RECEIVED: 0,
	TrackingStatus.PICKED_UP: 1,
	TrackingStatus.IN_TRANSIT: 2,
	TrackingStatus.OUT_FOR_DELIVERY: 3,
	TrackingStatus.DELIVERED: 4,
}
FINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED})


@dataclass(frozen=True)
class TrackingEvent:
	time: datetime  # timezone-aware; stored in UTC
	status: TrackingStatus
	description: str
	location: str | None = None
	raw_status: str = ""  # the provider's own status word or code, for the log

	def __post_init__(self) -> None:
		if self.time.tzinfo is None or self.time.utcoffset() is None:
			raise ValueError(f"tracking event time {self.time!r} has no time zone")
		# One instant, one representation: the key must not depend on the offset the carrier used.
		object.__setattr__(self, "time", self.time.astimezone(timezone.utc))

	@property
	def key(self) -> str:
		"""Stable dedupe key: the same scan reported twice (by push and by poll) has the same key."""
		text = "|".join((self.time.isoformat(), self.status.value, self.description, self.location or ""))
		return hashlib.sha1(text.encode("utf-8")).hexdigest()


# Merging --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merge:
	new_events: tuple[TrackingEvent, ...]  # not seen before, sorted by time
	status: TrackingStatus | None
	latest_at: datetime | None  # time of the latest new event (store it; pass it as ``since`` next time)


def merge(
	current_status: TrackingStatus | None,
	known_keys: set[str],
	incoming: Iterable[TrackingEvent],
	*,
	since: datetime | None = None,
) -> Merge:
	"""New events and the resulting status. ``since``: time of the latest event already stored."""
	seen = set(known_keys)
	new: list[TrackingEvent] = []
	for event in incoming:
		if event.key not in seen:
			seen.add(event.key)
			new.append(event)
	new.sort(key=lambda e: (e.time, e.key))
	if not new:
		return Merge((), current_status, None)
	return Merge(tuple(new), _next_status(current_status, new, since), new[-1].time)


def status_from(events: Iterable[TrackingEvent]) -> TrackingStatus | None:
	"""The status of a waybill from all its events (the rule in the module docstring)."""
	return merge(None, set(), events).status


def _next_status(
	current: TrackingStatus | None, new: list[TrackingEvent], since: datetime | None
) -> TrackingStatus | None:
	statuses = {e.status for e in new}
	if current is TrackingStatus.RETURNED or TrackingStatus.RETURNED in statuses:
		return TrackingStatus.RETURNED
	if current is TrackingStatus.DELIVERED or TrackingStatus.DELIVERED in statuses:
		return TrackingStatus.DELIVERED
	latest = new[-1].time
	newest_is_exception = any(e.status is TrackingStatus.EXCEPTION for e in new if e.time == latest)
	if since is None or latest > since:
		in_exception = newest_is_exception
	elif latest == since:  # a tie with the stored latest event: an exception on either side wins
		in_exception = newest_is_exception or current is TrackingStatus.EXCEPTION
	else:  # only older events: the stored latest event still decides
		in_exception = current is TrackingStatus.EXCEPTION
	if in_exception:
		return TrackingStatus.EXCEPTION
	ranked = [e.status for e in new if e.status in RANK]
	# When leaving an exception the rank before it was not stored, so the new events alone decide.
	if current in RANK:
		ranked.append(current)
	if not ranked:  # nothing but old exception scans
		return TrackingStatus.EXCEPTION
	return max(ranked, key=RANK.__getitem__)


# Polling ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollPolicy:
	interval: timedelta = timedelta(hours=2)  # between polls of a waybill without push
	stale_after: timedelta = timedelta(hours=24)  # a pushed waybill this quiet is polled too
	# Kuaidi100 locks a waybill queried more than 48 times in 24 h. Polls are never closer than
	# 24 h / max_polls_24h (36 min), so no sliding 24 h holds more than 41, whatever the failures.
	max_polls_24h: int = 40
	backoff_base: timedelta = timedelta(minutes=30)  # after the first failure; doubles each time
	backoff_cap: timedelta = timedelta(hours=6)

	@property
	def min_spacing(self) -> timedelta:
		return POLL_WINDOW / self.max_polls_24h


POLL_WINDOW = timedelta(hours=24)
DEFAULT_POLICY = PollPolicy()


def backoff(failures: int, policy: PollPolicy = DEFAULT_POLICY) -> timedelta:
	"""Wait after ``failures`` failed polls in a row: base, 2x base, 4x base ... up to the cap."""
	if failures <= 0:
		return timedelta(0)
	# The exponent is bounded so a long outage cannot overflow timedelta.
	return min(policy.backoff_cap, policy.backoff_base * 2 ** min(failures - 1, 30))


def next_poll_at(
	now: datetime,
	last_polled: datetime | None,
	last_event_at: datetime | None,
	has_push: bool,
	status: TrackingStatus | None,
	polls_last_24h: int,
	failures: int,
	*,
	window_start: datetime | None = None,
	retry_until: datetime | None = None,
	tracking_since: datetime | None = None,
	carrier_finished: bool = False,
	policy: PollPolicy = DEFAULT_POLICY,
) -> datetime | None:
	"""When this waybill may be polled next; None when it never needs polling again.

	``polls_last_24h`` counts polls since ``window_start`` (the first poll of the current 24 h
	window); ``retry_until`` is ``now + RateLimited.retry_after`` from the last refusal;
	``tracking_since`` is when tracking began (the staleness clock of a pushed waybill with no event
	yet). All datetimes must be alike: all naive in one time zone, or all aware.
	"""
	if status in FINAL or carrier_finished:
		return None
	if failures > 0 and last_polled is not None:
		# A failed poll got nothing: retry on the backoff schedule, not the normal interval.
		due = last_polled + backoff(failures, policy)
	else:
		due = now if last_polled is None else last_polled + policy.interval
		if has_push:
			# Pushed updates are the normal path; poll only when they seem to have stopped.
			quiet_since = last_event_at or tracking_since
			if quiet_since is not None:
				due = max(due, quiet_since + policy.stale_after)
	if last_polled is not None:
		due = max(due, last_polled + policy.min_spacing)
	if retry_until is not None:
		due = max(due, retry_until)
	window_open = window_start is not None and now - window_start < POLL_WINDOW
	if polls_last_24h >= policy.max_polls_24h and (window_open or window_start is None):
		# Budget spent: wait for the window to end (or, not knowing it, for one poll slot to free).
		freed = window_start + POLL_WINDOW if window_start else now + POLL_WINDOW / policy.max_polls_24h
		due = max(due, freed)
	return due


def should_poll(
	now: datetime,
	last_polled: datetime | None,
	last_event_at: datetime | None,
	has_push: bool,
	status: TrackingStatus | None,
	polls_last_24h: int,
	failures: int,
	**options,
) -> bool:
	"""Whether to poll now; the keyword options are those of ``next_poll_at``."""
	due = next_poll_at(now, last_polled, last_event_at, has_push, status, polls_last_24h, failures, **options)
	return due is not None and due <= now


def record_poll(now: datetime, window_start: datetime | None, polls_in_window: int) -> tuple[datetime, int]:
	"""The 24 h budget window after one more poll at ``now``: (window start, polls in it)."""
	if window_start is None or now - window_start >= POLL_WINDOW:
		return now, 1
	return window_start, polls_in_window + 1


# What others are told ---------------------------------------------------------------------------

# A customer hears when the parcel ships, is picked up, goes out for delivery, arrives or has a
# problem; not of every scan in transit.
NOTIFY_CUSTOMER_ON = frozenset(
	{
		TrackingStatus.INFO_RECEIVED,
		TrackingStatus.PICKED_UP,
		TrackingStatus.OUT_FOR_DELIVERY,
		TrackingStatus.DELIVERED,
		TrackingStatus.EXCEPTION,
	}
)


def shipment_tracking_status(status: TrackingStatus | None) -> str:
	"""ERPNext's Shipment knows four tracking states only (In Progress, Delivered, Returned, Lost)."""
	if status in (TrackingStatus.DELIVERED, TrackingStatus.RETURNED):
		return status.value
	return "In Progress"


# Arrival estimate --------------------------------------------------------------------------------

HIGH, MEDIUM, LOW, NO_CONFIDENCE = "High", "Medium", "Low", "None"
BASIS_CARRIER = "Carrier"
BASIS_ROUTE = "This carrier on this route"
BASIS_DESTINATION = "This carrier to this destination"
BASIS_CARRIER_HISTORY = "This carrier, any route"
BASIS_NONE = "Not enough history"
# Shown in the desk, so translated like any other label.
ETA_BASES = (BASIS_CARRIER, BASIS_ROUTE, BASIS_DESTINATION, BASIS_CARRIER_HISTORY, BASIS_NONE)
MIN_SAMPLES = 3


@dataclass(frozen=True)
class Eta:
	at: datetime | None
	confidence: str  # High, Medium, Low or None
	basis: str  # one of ETA_BASES


def predict_eta(
	shipped_at: datetime | None,
	route: Sequence[float] = (),
	destination: Sequence[float] = (),
	carrier: Sequence[float] = (),
	*,
	carrier_eta: datetime | None = None,
) -> Eta:
	"""Arrival estimate from the carrier, else from this site's delivered shipments.

	``route``, ``destination`` and ``carrier`` are transit hours of delivered shipments of the same
	carrier for the same origin and destination region, the same destination region, and any route.
	The most specific list with at least 3 samples is used; the estimate is its median.

	Confidence: a carrier's own estimate is High. From history, with n samples and spread = the
	interquartile range over the median: High when n >= 20 and spread <= 0.25, Medium when n >= 8
	and spread <= 0.5, otherwise Low; carrier-wide history (any route) is at most Medium. ``at`` has
	the time zone (or none) of ``shipped_at``.
	"""
	if carrier_eta is not None:
		return Eta(carrier_eta, HIGH, BASIS_CARRIER)
	if shipped_at is not None:
		for basis, history in ((BASIS_ROUTE, route), (BASIS_DESTINATION, destination)):
			eta = _from_history(shipped_at, history, basis, best=HIGH)
			if eta:
				return eta
		eta = _from_history(shipped_at, carrier, BASIS_CARRIER_HISTORY, best=MEDIUM)
		if eta:
			return eta
	return Eta(None, NO_CONFIDENCE, BASIS_NONE)


def _from_history(shipped_at: datetime, history: Sequence[float], basis: str, best: str) -> Eta | None:
	# Zero, negative or NaN transit times are bad data (a delivery date typed before shipping).
	hours = sorted(h for h in history if h > 0)
	if len(hours) < MIN_SAMPLES:
		return None
	median = statistics.median(hours)
	q1, _, q3 = statistics.quantiles(hours, n=4, method="inclusive")
	spread = (q3 - q1) / median
	if len(hours) >= 20 and spread <= 0.25:
		confidence = HIGH
	elif len(hours) >= 8 and spread <= 0.5:
		confidence = MEDIUM
	else:
		confidence = LOW
	order = [HIGH, MEDIUM, LOW]
	confidence = order[max(order.index(confidence), order.index(best))]
	return Eta(shipped_at + timedelta(hours=median), confidence, basis)


def is_late(
	promised: date | str | None,
	eta: Eta | datetime | date | str | None,
	delivered_at: datetime | str | None,
	now: datetime,
	tz: tzinfo | None = None,
) -> bool:
	"""Late: delivered after the promised date, or not delivered and the promise is past or the
	estimate lands after it. Dates are compared in ``tz`` (for aware datetimes; naive ones are taken
	as already in the site's time zone). Strings are ISO dates or datetimes, as the desk stores them."""
	promised_day = _day(promised, tz)
	if promised_day is None:
		return False
	delivered_day = _day(delivered_at, tz)
	if delivered_day is not None:
		return delivered_day > promised_day
	if _day(now, tz) > promised_day:
		return True
	eta_day = _day(eta.at if isinstance(eta, Eta) else eta, tz)
	return eta_day is not None and eta_day > promised_day


def _day(value: date | datetime | str | None, tz: tzinfo | None) -> date | None:
	if value is None or value == "":
		return None
	if isinstance(value, str):
		value = datetime.fromisoformat(value)
	if isinstance(value, datetime):
		if value.tzinfo is not None and tz is not None:
			value = value.astimezone(tz)
		return value.date()
	return value


# Pushes from anyone: what a refused, unauthenticated request may cost ---------------------------

PUSH_MAX_BYTES = 256 * 1024  # a carrier's push with a long history is tens of kB
REFUSED_EXCERPT_CHARS = 2000  # what is kept of a refused body, to see what was sent
REFUSED_PUSHES_PER_WINDOW = 30  # per sender address; beyond it a refusal writes nothing
REFUSED_PUSH_WINDOW_S = 600


def push_too_large(content_length: int | None, body_length: int) -> bool:
	return max(content_length or 0, body_length) > PUSH_MAX_BYTES


def excerpt(text: str | None, limit: int = REFUSED_EXCERPT_CHARS) -> str | None:
	"""The start of a refused body, with its size when cut."""
	if text is None or len(text) <= limit:
		return text
	return f"{text[:limit]}… [{len(text)} characters, cut]"


def tracking_key(account: str, carrier_code: str | None, number: str) -> str:
	"""One waybill of one carrier account: the unique key of its Shipment Tracking."""
	return f"{account}:{carrier_code or ''}:{number}"


def retryable(direction: str, status: str, reference_doctype: str | None) -> bool:
	"""Only a failed outbound call about a waybill is run again (a query or a subscription); a push
	is the provider's to send again, and a call that worked or was retried already is left."""
	return direction == "Outbound" and status == "Failed" and reference_doctype == "Shipment Tracking"


def transit_samples(
	transits: Iterable[tuple[str | None, str | None, float]], origin: str | None, destination: str | None
) -> dict[str, list[float]]:
	"""Delivered transit hours as ``predict_eta`` takes them: the same route, the same destination,
	and every delivery of the carrier account."""
	transits = list(transits)
	return {
		"route": [hours for o, d, hours in transits if o == origin and d == destination],
		"destination": [hours for _o, d, hours in transits if d == destination],
		"carrier": [hours for _o, _d, hours in transits],
	}

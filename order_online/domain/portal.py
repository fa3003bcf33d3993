"""What a customer sees of their order on the portal: its status in their words, never the internal ones,
and its timeline from placement to delivery, in plain Python.

The status comes from the order's own state (submitted, cancelled, approval, how much is delivered) and
its parcels (how many the carriers have delivered). The timeline merges the order's stamps with each
parcel's shipment and carrier events in time order; a step with no time yet is not on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RECEIVED = "Received"
AWAITING_APPROVAL = "Awaiting approval"
CONFIRMED = "Confirmed"
PARTLY_SHIPPED = "Partly shipped"
SHIPPED = "Shipped"
DELIVERED = "Delivered"
CANCELLED = "Cancelled"
STATUSES = (RECEIVED, AWAITING_APPROVAL, CONFIRMED, PARTLY_SHIPPED, SHIPPED, DELIVERED, CANCELLED)


@dataclass(frozen=True)
class OrderState:
	docstatus: int  # 0 draft, 1 submitted, 2 cancelled
	approval_status: str | None  # the app's: Not Required, Pending, Approved, Rejected
	status: str | None  # ERPNext's: Draft, On Hold, To Deliver and Bill, ..., Closed, Completed
	per_delivered: float  # percent of the quantity delivered (Delivery Notes submitted)
	parcels: int = 0  # shipments with a tracking
	parcels_delivered: int = 0  # of them, those the carrier delivered


def customer_status(state: OrderState) -> str:
	"""The order's status as the customer reads it."""
	if state.docstatus == 2 or state.approval_status == "Rejected":
		return CANCELLED
	if state.docstatus == 0:
		return RECEIVED
	if state.approval_status == "Pending":
		return AWAITING_APPROVAL
	closed = state.status in ("Closed", "Completed")
	shipped_all = state.per_delivered >= 100 or (closed and state.per_delivered > 0)
	if closed and state.per_delivered <= 0:
		return CANCELLED  # closed before anything left: nothing will come
	if shipped_all:
		if state.parcels and state.parcels_delivered >= state.parcels:
			return DELIVERED
		return SHIPPED
	if state.per_delivered > 0:
		return PARTLY_SHIPPED
	return CONFIRMED


@dataclass(frozen=True)
class CarrierEvent:
	at: dt.datetime | None
	status: str | None  # the app's tracking status (In Transit, Out for Delivery, Delivered, ...)
	description: str | None  # the carrier's words (text, escaped where it is shown)
	location: str | None = None


@dataclass(frozen=True)
class Parcel:
	tracking_number: str
	carrier: str | None
	shipped_at: dt.datetime | None
	delivered_at: dt.datetime | None = None
	eta: dt.datetime | None = None
	is_late: bool = False
	events: Sequence[CarrierEvent] = field(default_factory=tuple)


PLACED, APPROVED, PICKED, PARCEL_SHIPPED, CARRIER, PARCEL_DELIVERED, ORDER_CANCELLED = (
	"placed",
	"approved",
	"picked",
	"shipped",
	"carrier",
	"delivered",
	"cancelled",
)
_RANK = {
	kind: i for i, kind in enumerate((PLACED, APPROVED, PICKED, PARCEL_SHIPPED, CARRIER, PARCEL_DELIVERED))
}
_RANK[ORDER_CANCELLED] = len(_RANK)


@dataclass(frozen=True)
class Step:
	at: dt.datetime
	kind: str
	tracking_number: str | None = None
	carrier: str | None = None
	description: str | None = None
	location: str | None = None


def timeline(
	placed: dt.datetime,
	approved: dt.datetime | None = None,
	picked: dt.datetime | None = None,
	parcels: Iterable[Parcel] = (),
	cancelled: dt.datetime | None = None,
) -> list[Step]:
	"""Every step with a time, earliest first (steps at the same moment in the order of the way: placed,
	approved, picked, shipped, carrier events, delivered). A carrier's own "Delivered" event is the
	parcel's delivery, shown once."""
	steps = [Step(placed, PLACED)]
	if approved:
		steps.append(Step(approved, APPROVED))
	if picked:
		steps.append(Step(picked, PICKED))
	for parcel in parcels:
		number, carrier = parcel.tracking_number, parcel.carrier
		if parcel.shipped_at:
			steps.append(Step(parcel.shipped_at, PARCEL_SHIPPED, number, carrier))
		delivered = parcel.delivered_at
		for event in parcel.events:
			if event.at is None:
				continue
			if event.status == "Delivered":
				delivered = delivered or event.at
				continue
			steps.append(Step(event.at, CARRIER, number, carrier, event.description, event.location))
		if delivered:
			steps.append(Step(delivered, PARCEL_DELIVERED, number, carrier))
	if cancelled:
		steps.append(Step(cancelled, ORDER_CANCELLED))
	return sorted(steps, key=lambda step: (step.at, _RANK[step.kind]))

"""The customer's view of an order: its status in the customer's words and its timeline."""

import datetime as dt
import itertools

import pytest

from order_online.domain import portal as p

AT = dt.datetime


@pytest.mark.parametrize(
	"state, status",
	[
		(p.OrderState(0, None, "Draft", 0), p.RECEIVED),
		(p.OrderState(1, "Pending", "On Hold", 0), p.AWAITING_APPROVAL),
		(p.OrderState(1, "Not Required", "To Deliver and Bill", 0), p.CONFIRMED),
		(p.OrderState(1, "Approved", "To Deliver and Bill", 0), p.CONFIRMED),
		(p.OrderState(1, "Approved", "To Deliver and Bill", 40, parcels=1), p.PARTLY_SHIPPED),
		(p.OrderState(1, "Not Required", "To Bill", 100, parcels=2, parcels_delivered=1), p.SHIPPED),
		(p.OrderState(1, "Not Required", "Completed", 100, parcels=2, parcels_delivered=2), p.DELIVERED),
		(p.OrderState(1, "Not Required", "To Bill", 100), p.SHIPPED),  # shipped without a tracking
		(p.OrderState(1, "Not Required", "Closed", 60, parcels=1, parcels_delivered=1), p.DELIVERED),
		(p.OrderState(1, "Not Required", "Closed", 0), p.CANCELLED),  # closed before anything left
		(p.OrderState(2, "Not Required", "Cancelled", 0), p.CANCELLED),
		(p.OrderState(2, "Rejected", "Cancelled", 0), p.CANCELLED),
	],
)
def test_the_customer_reads_the_status_in_their_words(state, status):
	assert p.customer_status(state) == status
	assert status in p.STATUSES


def test_the_timeline_of_an_approved_order_split_into_two_parcels():
	east = p.Parcel(
		"SF1",
		"sf-express",
		AT(2026, 3, 2, 10),
		eta=AT(2026, 3, 4),
		events=[
			p.CarrierEvent(AT(2026, 3, 2, 18), "In Transit", "Left Shenzhen hub", "Shenzhen"),
			p.CarrierEvent(AT(2026, 3, 3, 9), "Delivered", "Signed by the customer"),
		],
	)
	west = p.Parcel(
		"ZT2",
		"zto",
		AT(2026, 3, 2, 14),
		events=[
			p.CarrierEvent(None, "In Transit", "no time given"),
			p.CarrierEvent(AT(2026, 3, 3, 8), "Out for Delivery", ""),
		],
	)
	steps = p.timeline(AT(2026, 3, 1, 9), AT(2026, 3, 1, 11), AT(2026, 3, 2, 8), [east, west])
	assert [(s.kind, s.tracking_number) for s in steps] == [
		("placed", None),
		("approved", None),
		("picked", None),
		("shipped", "SF1"),
		("shipped", "ZT2"),
		("carrier", "SF1"),
		("carrier", "ZT2"),
		("delivered", "SF1"),  # the carrier's Delivered event, once
	]
	assert steps[5].description == "Left Shenzhen hub" and steps[5].location == "Shenzhen"
	assert all(a.at <= b.at for a, b in itertools.pairwise(steps))


def test_steps_at_the_same_moment_keep_the_order_of_the_way_and_a_cancel_comes_last():
	moment = AT(2026, 3, 1, 9)
	steps = p.timeline(moment, approved=moment, cancelled=moment)
	assert [s.kind for s in steps] == ["placed", "approved", "cancelled"]
	only = p.timeline(moment)
	assert [s.kind for s in only] == ["placed"]

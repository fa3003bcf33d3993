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


# The order list's filters ---------------------------------------------------------------------


def test_an_empty_filter_is_no_filter_and_a_stray_page_is_the_first():
	assert p.list_query("", " ", None, "  ", "abc") == p.ListQuery()
	assert p.list_query(page="-3").page == 1
	assert p.list_query(page="7").page == 7


def test_the_filters_are_taken_as_the_customer_typed_them():
	q = p.list_query("Shipped", "2026-03-01", "2026-03-31", "  SO-1   blue ", 2)
	assert q == p.ListQuery(p.SHIPPED, dt.date(2026, 3, 1), dt.date(2026, 3, 31), "SO-1 blue", 2)


@pytest.mark.parametrize(
	"kwargs, error, words",
	[
		(
			{"status": "To Deliver and Bill"},
			p.errors.UnknownOrderStatus,
			"To Deliver and Bill is not an order",
		),
		({"date_from": "31/03/2026"}, p.errors.NotADate, "31/03/2026 is not a date"),
		(
			{"date_from": "2026-03-31", "date_to": "2026-03-01"},
			p.errors.PortalDatesReversed,
			"2026-03-01 is before the start date 2026-03-31",
		),
		({"search": "x" * 141}, p.errors.SearchTooLong, "at most 140 characters"),
	],
)
def test_a_bad_filter_says_what_is_wrong(kwargs, error, words):
	with pytest.raises(error) as raised:
		p.list_query(**kwargs)
	assert words in str(raised.value)


def test_the_internal_status_words_are_refused_and_every_customer_status_is_accepted():
	for status in p.STATUSES:
		assert p.list_query(status).status == status
	for internal in ("On Hold", "To Bill", "Completed", "Pending", "Approved"):
		with pytest.raises(p.errors.UnknownOrderStatus):
			p.list_query(internal)


@pytest.mark.parametrize(
	"total, asked, page",
	[
		(0, 1, p.Page(1, 1, 0)),
		(50, 1, p.Page(1, 1, 0)),
		(51, 2, p.Page(2, 2, 50)),
		(10_000, 200, p.Page(200, 200, 9_950)),
		(10_000, 999, p.Page(200, 200, 9_950)),  # past the end: the last page
	],
)
def test_fifty_orders_a_page(total, asked, page):
	assert p.page_of(total, asked) == page


TODAY = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
	"status, promised, parcel_late, late",
	[
		(p.CONFIRMED, dt.date(2026, 3, 9), False, True),  # promise passed, nothing shipped
		(p.CONFIRMED, dt.date(2026, 3, 10), False, False),  # due today: not late yet
		(p.PARTLY_SHIPPED, dt.date(2026, 3, 1), False, True),
		(p.SHIPPED, dt.date(2026, 3, 1), False, False),  # all left; the parcels tell whether it is late
		(p.SHIPPED, dt.date(2026, 3, 12), True, True),  # the carrier's estimate is after the promise
		(p.DELIVERED, dt.date(2026, 3, 1), True, True),  # arrived after the promise
		(p.CANCELLED, dt.date(2026, 3, 1), True, False),
		(p.CONFIRMED, None, False, False),  # nothing promised
	],
)
def test_the_late_flag(status, promised, parcel_late, late):
	assert p.order_late(status, promised, TODAY, parcel_late) is late


# Cancellation requests -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [p.RECEIVED, p.AWAITING_APPROVAL, p.CONFIRMED])
def test_an_order_that_has_not_left_may_be_asked_to_cancel(status):
	assert p.check_cancellation_request("SO-1", status, None, "  ordered twice ") == "ordered twice"


@pytest.mark.parametrize("status", [p.PARTLY_SHIPPED, p.SHIPPED, p.DELIVERED, p.CANCELLED])
def test_an_order_on_its_way_cannot_be_asked_to_cancel(status):
	with pytest.raises(p.errors.CancellationNotPossible) as raised:
		p.check_cancellation_request("SO-1", status, None, "")
	assert str(raised.value).startswith(f"Order SO-1 is {status}")


def test_a_cancellation_is_asked_for_once_and_its_reason_kept_short():
	with pytest.raises(p.errors.CancellationAlreadyRequested, match="requested on 2026-03-02 09:15"):
		p.check_cancellation_request("SO-1", p.CONFIRMED, AT(2026, 3, 2, 9, 15), "")
	with pytest.raises(p.errors.CancellationReasonTooLong):
		p.check_cancellation_request("SO-1", p.CONFIRMED, None, "x" * 1001)


# Which document a request names ----------------------------------------------------------------


@pytest.mark.parametrize(
	"path, args, asked",
	[
		("/api/resource/Sales Order/SO-1", {}, ("Sales Order", "SO-1")),
		("/api/v2/document/Delivery Note/DN-1", {}, ("Delivery Note", "DN-1")),
		("/api/v2/document/Sales Order/SO-1/method/get_x", {}, ("Sales Order", "SO-1")),
		("/orders/SO-1", {}, ("Sales Order", "SO-1")),
		("/invoices/SINV-1", {}, ("Sales Invoice", "SINV-1")),
		("/printview", {"doctype": "Sales Invoice", "name": "SINV-1"}, ("Sales Invoice", "SINV-1")),
		(
			"/api/method/frappe.utils.print_format.download_pdf",
			{"doctype": "Delivery Note", "name": "DN-1"},
			("Delivery Note", "DN-1"),
		),
		(
			"/api/v2/method/frappe.client.get",
			{"doctype": "Sales Order", "name": "SO-1"},
			("Sales Order", "SO-1"),
		),
		(
			"/api/method/frappe.desk.form.utils.add_comment",
			{"reference_doctype": "Sales Order", "reference_name": "SO-1"},
			("Sales Order", "SO-1"),
		),
		(
			"/api/method/run_doc_method",
			{"dt": "Shipment Tracking", "dn": "ST-1"},
			("Shipment Tracking", "ST-1"),
		),
		# Frappe's old RPC: ``cmd`` on any path, before the path is looked at
		(
			"/",
			{"cmd": "frappe.client.get", "doctype": "Sales Order", "name": "SO-1"},
			("Sales Order", "SO-1"),
		),
		("/about", {"cmd": "run_doc_method", "dt": "Sales Invoice", "dn": "S-1"}, ("Sales Invoice", "S-1")),
		(
			"/api/resource/Item/SKU-1",
			{"cmd": "frappe.desk.form.load.getdoc", "doctype": "Delivery Note", "name": "DN-1"},
			("Delivery Note", "DN-1"),
		),
	],
)
def test_the_document_a_request_names(path, args, asked):
	assert p.document_asked(path, args) == asked


@pytest.mark.parametrize(
	"path, args",
	[
		("/api/resource/Sales Order", {}),  # a list: narrowed by the list's own conditions
		("/api/resource/Item/SKU-1", {}),  # not a customer document
		("/my_order", {"name": "SO-1"}),  # the app's own page checks itself
		("/printview", {"doctype": "Sales Order"}),  # no name
		("/api/method/frappe.client.get_list", {"doctype": "Sales Order", "name": "SO-1"}),
		("/orders", {}),
		("/api/method/frappe.client.get", {"doctype": "Sales Order", "name": ["SO-1"]}),
		("/", {"cmd": "frappe.client.get_list", "doctype": "Sales Order", "name": "SO-1"}),
	],
)
def test_other_requests_name_no_document(path, args):
	assert p.document_asked(path, args) is None


# The list's page -------------------------------------------------------------------------------


def _state(docstatus=1, approval="Not Required", status="To Deliver and Bill", delivered=0.0):
	return p.OrderState(docstatus, approval, status, delivered, 0, 0)


def test_the_status_filter_counts_and_pages_by_the_customers_status():
	orders = [
		(f"SO-{i}", _state(delivered=100.0 if i % 2 else 0.0), dt.date(2026, 3, 1), False) for i in range(7)
	]
	listed, total, page = p.list_page(orders, p.SHIPPED, 2, TODAY, size=2)
	assert total == 3  # SO-1, SO-3, SO-5 left in full
	assert (page.number, page.pages) == (2, 2)
	assert [(row.order, row.status, row.late) for row in listed] == [("SO-5", p.SHIPPED, False)]
	everything, total, _page = p.list_page(orders, None, 1, TODAY, size=50)
	assert total == 7
	assert [row.late for row in everything] == [True, False] * 3 + [True]  # unshipped past the promise


def test_the_form_is_offered_exactly_when_a_request_would_be_taken():
	for status in p.STATUSES:
		for requested in (None, AT(2026, 3, 2, 9, 15)):
			try:
				p.check_cancellation_request("SO-1", status, requested, "")
				taken = True
			except (p.errors.CancellationNotPossible, p.errors.CancellationAlreadyRequested):
				taken = False
			assert p.cancellable(status, requested) is taken, (status, requested)

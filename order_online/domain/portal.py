"""What a customer sees of their order on the portal: its status in their words, never the internal ones,
and its timeline from placement to delivery, in plain Python.

The status comes from the order's own state (submitted, cancelled, approval, how much is delivered) and
its parcels (how many the carriers have delivered). The timeline merges the order's stamps with each
parcel's shipment and carrier events in time order; a step with no time yet is not on it.

The order list takes the customer's filters (status, dates, a search), checked here with a clear error
for each bad one, and shows 50 orders a page; a customer may ask to cancel an order that has not left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from order_online.domain import errors

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


# The order list ------------------------------------------------------------------------------

PAGE_SIZE = 50
SEARCH_MAX = 140


@dataclass(frozen=True)
class ListQuery:
	status: str | None = None
	date_from: dt.date | None = None
	date_to: dt.date | None = None
	search: str | None = None
	page: int = 1


def list_query(
	status: str | None = None,
	date_from: str | dt.date | None = None,
	date_to: str | dt.date | None = None,
	search: str | None = None,
	page: str | int | None = None,
) -> ListQuery:
	"""The list's filters as the customer gave them (the page's query string), checked. An empty value
	is no filter; a page that is not a positive number is the first."""
	status = (status or "").strip() or None
	if status is not None and status not in STATUSES:
		raise errors.UnknownOrderStatus(status=status, choices=list(STATUSES))
	start, end = _date(date_from), _date(date_to)
	if start and end and end < start:
		raise errors.PortalDatesReversed(start=start.isoformat(), end=end.isoformat())
	search = " ".join((search or "").split()) or None
	if search is not None and len(search) > SEARCH_MAX:
		raise errors.SearchTooLong(limit=SEARCH_MAX)
	try:
		number = int(str(page or 1).strip())
	except ValueError:
		number = 1
	return ListQuery(status, start, end, search, max(number, 1))


def _date(value: str | dt.date | None) -> dt.date | None:
	if isinstance(value, dt.date):
		return value
	text = (value or "").strip()
	if not text:
		return None
	try:
		return dt.date.fromisoformat(text)
	except ValueError:
		raise errors.NotADate(value=text[:40]) from None


@dataclass(frozen=True)
class Page:
	number: int  # 1-based, within 1..pages
	pages: int  # at least 1, also for no orders
	start: int  # the offset of its first row


def page_of(total: int, asked: int, size: int = PAGE_SIZE) -> Page:
	"""The page asked for, or the last one when it asked past the end."""
	pages = max(1, -(-total // size))
	number = min(max(asked, 1), pages)
	return Page(number, pages, (number - 1) * size)


def order_late(status: str, promised: dt.date | None, today: dt.date, parcel_late: bool = False) -> bool:
	"""The late flag of the list: a parcel the carrier estimates (or delivered) after the promise, or
	an order not yet shipped in full whose promised day has passed."""
	if status == CANCELLED:
		return False
	if parcel_late:
		return True
	return status not in (SHIPPED, DELIVERED) and promised is not None and today > promised


@dataclass(frozen=True)
class Listed:
	"""One order of the list as the customer sees it; ``order`` is the caller's own record of it."""

	order: object
	status: str
	late: bool


def list_page(
	orders: Iterable[tuple[object, OrderState, dt.date | None, bool]],
	status: str | None,
	page: int,
	today: dt.date,
	size: int = PAGE_SIZE,
) -> tuple[list[Listed], int, Page]:
	"""The page asked for of ``orders`` (each: the caller's record, its state, its promised date, any
	parcel late), in the order given, kept when their customer status is ``status`` (all when None);
	with how many were kept, so that the count and the filter agree with the order page."""
	kept = []
	for order, state, promised, parcel_late in orders:
		shown = customer_status(state)
		if status and shown != status:
			continue
		kept.append(Listed(order, shown, order_late(shown, promised, today, parcel_late)))
	where = page_of(len(kept), page, size)
	return kept[where.start : where.start + size], len(kept), where


# Self-service ----------------------------------------------------------------------------------

# Before anything has left the warehouse: the company may still stop it.
CANCELLABLE = frozenset({RECEIVED, AWAITING_APPROVAL, CONFIRMED})
REASON_MAX = 1000


def cancellable(status: str, requested_at: dt.datetime | None) -> bool:
	"""Whether the customer may still ask to cancel (the page offers the form only then)."""
	return status in CANCELLABLE and not requested_at


def check_cancellation_request(
	order: str, status: str, requested_at: dt.datetime | None, reason: str | None
) -> str:
	"""The customer's reason, cleaned, when they may ask to cancel ``order`` (``cancellable``); else the
	error saying why."""
	if status not in CANCELLABLE:
		raise errors.CancellationNotPossible(order=order, status=status)
	if requested_at:
		raise errors.CancellationAlreadyRequested(
			order=order, requested=requested_at.strftime("%Y-%m-%d %H:%M")
		)
	reason = (reason or "").strip()
	if len(reason) > REASON_MAX:
		raise errors.CancellationReasonTooLong(limit=REASON_MAX)
	return reason


# Which customer document a request names -----------------------------------------------------

# The documents a customer has on the portal, each with the field naming its customer.
CUSTOMER_DOCUMENTS = {
	"Sales Order": "customer",
	"Delivery Note": "customer",
	"Sales Invoice": "customer",
	"Shipment Tracking": "customer",
}
# ERPNext's own portal pages of one document: /orders/<name>, /invoices/<name>
PORTAL_PAGES = {"orders": "Sales Order", "invoices": "Sales Invoice"}
# Frappe's ways to read, print or download one document named by ``doctype`` and ``name`` arguments
DOCUMENT_METHODS = frozenset(
	{
		"frappe.client.get",
		"frappe.desk.form.load.getdoc",
		"frappe.utils.print_format.download_pdf",
		"frappe.www.printview.get_html_and_style",
		"frappe.desk.form.utils.add_comment",
	}
)


def document_asked(path: str, args: dict) -> tuple[str, str] | None:
	"""The (doctype, name) of a customer document a request reads, prints or downloads, from its path
	(already URL-decoded) and arguments; None for every other request."""
	parts = [part for part in path.split("/") if part]
	doctype = name = None
	# Frappe answers a ``cmd`` argument (its old RPC) before it looks at the path, on any path
	method = args.get("cmd") if isinstance(args.get("cmd"), str) else _method(parts)
	if method in DOCUMENT_METHODS:
		doctype = args.get("doctype") or args.get("reference_doctype")
		name = args.get("name") or args.get("reference_name")
	elif method == "run_doc_method":
		doctype, name = args.get("dt"), args.get("dn")
	elif len(parts) == 4 and parts[:2] == ["api", "resource"]:
		doctype, name = parts[2], parts[3]
	elif len(parts) >= 5 and parts[:3] == ["api", "v2", "document"]:  # also its /method/<m>
		doctype, name = parts[3], parts[4]
	elif len(parts) == 2 and parts[0] in PORTAL_PAGES:
		doctype, name = PORTAL_PAGES[parts[0]], parts[1]
	elif parts == ["printview"]:
		doctype, name = args.get("doctype"), args.get("name")
	if doctype in CUSTOMER_DOCUMENTS and isinstance(name, str) and name:
		return doctype, name
	return None


def _method(parts: list[str]) -> str | None:
	"""The method of /api/method/<m> and /api/v2/method/<m>."""
	if len(parts) == 3 and parts[:2] == ["api", "method"]:
		return parts[2]
	if len(parts) == 4 and parts[:3] == ["api", "v2", "method"]:
		return parts[3]
	return None

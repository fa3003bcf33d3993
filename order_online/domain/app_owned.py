"""Fields that record the app's decisions: only the app's own code changes them.

Approval (who approved how far), allocation (why these warehouses) and tracking (where the parcel is)
are decisions the app makes and other rules rely on: a Delivery Note is refused while
``oo_approval_status`` is Pending, ERPNext's Resume is refused for a pending order. ``read_only`` only
hides a field in the form; REST, ``frappe.client`` and imports write whatever they are sent. So every
save by a user compares these fields with what was stored and keeps the stored value.

This module says which fields are the app's and what counts as a change; the shell
(``order_online.common.app_owned``) applies it on every save and logs each refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

APPROVAL = (
	"oo_approval_status",
	"oo_approval_levels_approved",
	"oo_approval_required_level",
	"oo_approval_pending_since",
	"oo_approval_summary",
	"oo_approval_requirement",
)
ALLOCATION = ("oo_allocation_shipping_cost", "oo_allocation_parcels", "oo_allocation_summary")
TRACKING = ("oo_tracking_status", "oo_tracking_eta")
# The channel's own number (written by the intake) and the customer's cancellation request (the portal)
CUSTOMER_SIDE = ("oo_channel_order_no", "oo_cancel_requested_at")

# ERPNext doctypes: the app's fields on them that users never write (child tables by their own name).
# A Sales Order Item's availability is not among them: the form shows it as the user types and every
# save of a draft computes it afresh; after submit Frappe itself refuses to change it.
ON_ERPNEXT_DOCTYPES: dict[str, tuple[str, ...]] = {
	"Sales Order": APPROVAL + ALLOCATION + TRACKING + CUSTOMER_SIDE,
	"Delivery Note": TRACKING,
}

# The app's own doctypes that hold state. Shipment Tracking: a user may register a waybill by hand
# (number, carrier, references), never its progress. The other two are written by the app alone.
SHIPMENT_TRACKING_STATE = (
	"status",
	"last_event",
	"last_event_at",
	"delivered_at",
	"shipped_at",
	"eta",
	"eta_confidence",
	"eta_basis",
	"is_late",
	"origin_region",
	"destination_region",
	"subscribed",
	"carrier_finished",
	"resubscribe_at",
	"last_polled_at",
	"next_poll_at",
	"poll_window_start",
	"polls_in_window",
	"failures",
	"events",
)
WRITTEN_BY_THE_APP_ONLY = ("Stock Shortage Alert", "Order Approval Log")


@dataclass(frozen=True)
class Change:
	"""A refused change: the field, what is stored, what the user sent."""

	fieldname: str
	stored: Any
	sent: Any


def _comparable(value: Any) -> Any:
	"""One form per value: empty, 0 and None alike (an Int never set reads back as 0), numbers as
	floats, dates and times as ISO text (REST sends text, the database gives datetimes)."""
	if value is None or value == "" or value is False:
		return None
	if isinstance(value, bool):
		return 1.0
	if isinstance(value, int | float | Decimal):
		return float(value) or None
	if isinstance(value, datetime.datetime):
		return value.isoformat(sep=" ", timespec="microseconds").rstrip("0").rstrip(".")
	if isinstance(value, datetime.date):
		return value.isoformat()
	if isinstance(value, str):
		text = value.strip()
		try:
			number = float(text)
		except ValueError:
			number = None
		if number is not None and text.lower() not in ("nan", "inf", "-inf", "infinity"):
			return number or None
		if len(text) >= 19 and text[4] == "-" and text[10] in " T":
			try:
				return _comparable(datetime.datetime.fromisoformat(text.replace("T", " ")))
			except ValueError:
				return text
		return text or None
	if isinstance(value, list | tuple):
		return tuple(_comparable(v) for v in value)
	if isinstance(value, Mapping):  # a child row: its set fields (a row sent without a field has it empty)
		pairs = ((k, _comparable(v)) for k, v in value.items() if not str(k).startswith("_"))
		return tuple(sorted((k, c) for k, c in pairs if c is not None))
	return value


def same(a: Any, b: Any) -> bool:
	return _comparable(a) == _comparable(b)


def changes(fields: Iterable[str], stored: Mapping[str, Any] | None, sent: Mapping[str, Any]) -> list[Change]:
	"""The app-owned ``fields`` whose ``sent`` value differs from the ``stored`` one (nothing stored:
	a new record, where every such field must be empty)."""
	stored = stored or {}
	return [
		Change(field, stored.get(field), sent.get(field))
		for field in fields
		if not same(stored.get(field), sent.get(field))
	]

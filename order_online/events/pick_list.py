"""Pick List hooks, in the order they run."""

from order_online.analytics import stages
from order_online.approval import service as approval
from order_online.fulfilment import reservation
from order_online.overrides import pick_list as overrides
from order_online.portal import printing


def before_validate(doc, method=None) -> None:
	overrides.picks_from_reserved_warehouses(doc)


def validate(doc, method=None) -> None:
	approval.guard_fulfilment(doc)


def after_insert(doc, method=None) -> None:
	stages.refresh(stages.orders_named_in(doc, "sales_order", "locations"))  # picking has started


def before_submit(doc, method=None) -> None:
	reservation.lock_rows_and_reservation_counter(doc)  # it may reserve what it picks


def before_cancel(doc, method=None) -> None:
	reservation.lock_rows_of(doc)


def on_cancel(doc, method=None) -> None:
	stages.refresh(stages.orders_named_in(doc, "sales_order", "locations"))


def on_trash(doc, method=None) -> None:
	stages.refresh(stages.orders_named_in(doc, "sales_order", "locations"))


def before_print(doc, method=None, *args, **kwargs) -> None:
	printing.escape_free_text(doc)  # the copy being printed shows the app's free text as text

"""Delivery Note hooks, in the order they run."""

from order_online.analytics import stages
from order_online.approval import service as approval
from order_online.common import app_owned
from order_online.fulfilment import reservation
from order_online.fulfilment import service as fulfilment
from order_online.intake import callbacks
from order_online.permissions import prices
from order_online.portal import printing
from order_online.stock_alerts import shortage
from order_online.tracking import service as tracking


def before_validate(doc, method=None) -> None:
	app_owned.restore_stored(doc)


def validate(doc, method=None) -> None:
	prices.refuse_price_changes(doc)
	approval.guard_fulfilment(doc)


def before_submit(doc, method=None) -> None:
	reservation.lock_rows_of(doc)


def on_submit(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)
	reservation.sync_rows_of(doc)  # reservations consumed: the Bins from the locking read
	fulfilment.invoice_delivery(doc)
	tracking.start_for_delivery_note(doc)
	stages.refresh(stages.orders_named_in(doc, "against_sales_order"))  # shipped
	callbacks.shipped(doc)  # the channel hears the carrier and tracking number


def before_update_after_submit(doc, method=None) -> None:
	app_owned.restore_stored(doc)


def on_update_after_submit(doc, method=None) -> None:
	tracking.start_for_delivery_note(doc)


def before_cancel(doc, method=None) -> None:
	app_owned.restore_stored(doc)
	reservation.lock_rows_of(doc)


def on_cancel(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)
	reservation.sync_rows_of(doc)
	stages.refresh(stages.orders_named_in(doc, "against_sales_order"))


def before_print(doc, method=None, *args, **kwargs) -> None:
	printing.escape_free_text(doc)  # the copy being printed shows the app's free text as text

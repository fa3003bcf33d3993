"""Sales Invoice hooks."""

from order_online.approval import service as approval
from order_online.stock_alerts import shortage


def validate(doc, method=None) -> None:
	approval.guard_fulfilment(doc)  # nothing is invoiced before the last approval


def on_submit(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)  # an invoice that updates stock moves it


def on_cancel(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)

"""Stock Reservation Entry hooks: no oversell, whatever made the reservation."""

from order_online.fulfilment import reservation


def before_insert(doc, method=None) -> None:
	reservation.lock_before_numbering(doc)  # one lock order for every path that reserves


def before_submit(doc, method=None) -> None:
	reservation.check_reservation(doc)


def before_update_after_submit(doc, method=None) -> None:
	reservation.check_reservation(doc)


def on_submit(doc, method=None) -> None:
	reservation.sync_bin_reserved_stock(doc)


def on_update_after_submit(doc, method=None) -> None:
	reservation.sync_bin_reserved_stock(doc)


def on_cancel(doc, method=None) -> None:
	reservation.sync_bin_reserved_stock(doc)

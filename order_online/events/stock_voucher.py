"""Stock Entry, Purchase Receipt, Purchase Invoice and Stock Reconciliation hooks.

One module for the four: for the app they are the same event (stock moved), and a dispatcher per
doctype would be four copies of these two functions.
"""

from order_online.stock_alerts import shortage


def on_submit(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)  # stock arrived or left: open shortage alerts follow


def on_cancel(doc, method=None) -> None:
	shortage.refresh_for_stock_voucher(doc)

"""Sales Person and Employee hooks: who a Sales Person's user is decides who sees which orders."""

from order_online.permissions import access


def on_update(doc, method=None) -> None:
	access.for_everyone(doc)

"""Customer hooks, in the order they run."""

from order_online.permissions import access


def on_update(doc, method=None) -> None:
	access.for_customer(doc)  # who looks after the customer: who may see its orders

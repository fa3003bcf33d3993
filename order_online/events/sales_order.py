"""Sales Order hooks. Thin: each step loads what it needs and leaves the rules to the domain."""

from order_online.regions import region_for_address
from order_online.settings import get_settings


def validate(doc, method=None) -> None:
	settings = get_settings()
	if not settings.enabled:
		return
	set_default_channel(doc, settings)
	set_shipping_region(doc)


def set_default_channel(doc, settings) -> None:
	if not doc.get("order_channel") and settings.default_order_channel:
		doc.order_channel = settings.default_order_channel


def set_shipping_region(doc) -> None:
	doc.shipping_region = region_for_address(doc.shipping_address_name or doc.customer_address)

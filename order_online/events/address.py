"""Address hooks: keep the address's shipping region in step with its country/state/city."""

from order_online.regions import resolve_region
from order_online.settings import is_enabled


def validate(doc, method=None) -> None:
	if not is_enabled():
		return
	set_shipping_region(doc)


def set_shipping_region(doc) -> None:
	resolved = resolve_region(doc.country, doc.state, doc.city)
	# Keep a region set by hand when the address parts match none.
	if resolved:
		doc.shipping_region = resolved

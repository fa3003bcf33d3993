"""Address hooks: keep the address's shipping region in step with its country/state/city."""

from order_online.common.settings import is_enabled
from order_online.order_entry.regions import resolve_region


def validate(doc, method=None) -> None:
	if not is_enabled():
		return
	set_shipping_region(doc)


def set_shipping_region(doc) -> None:
	resolved = resolve_region(doc.country, doc.state, doc.city)
	# Keep a region set by hand when the address parts match none.
	if resolved:
		doc.oo_shipping_region = resolved

"""The Frappe side of shipping regions: the tree from the database and address lookups.

Every feature that needs "which region does this address belong to" calls
:func:`region_for_address`, which applies the single rule in ``order_online.domain.region``.
"""

import frappe

from order_online.domain.errors import UnknownRegion
from order_online.domain.region import COUNTRY, Region, RegionTree

CACHE_KEY = "order_online:shipping_regions"


def region_from_row(row: dict) -> Region:
	aliases = [line.strip() for line in (row.get("aliases") or "").splitlines() if line.strip()]
	if row.get("country") and row["region_type"] == COUNTRY:
		aliases.append(row["country"])
	return Region(
		name=row["name"],
		level=row["region_type"],
		parent=row.get("parent_shipping_region") or None,
		aliases=tuple(aliases),
	)


def load_region_rows() -> list[dict]:
	return frappe.get_all(
		"Shipping Region",
		fields=["name", "region_type", "parent_shipping_region", "aliases", "country"],
		order_by="lft",
	)


def get_region_tree() -> RegionTree:
	rows = frappe.cache.get_value(CACHE_KEY, generator=load_region_rows)
	return RegionTree(region_from_row(row) for row in rows)


def clear_region_cache(*args, **kwargs) -> None:
	frappe.cache.delete_value(CACHE_KEY)


def resolve_region(country: str | None, state: str | None, city: str | None) -> str | None:
	"""The region name for these address parts, or None when no region matches."""
	if not country:
		return None
	try:
		return get_region_tree().resolve(country, state, city).name
	except UnknownRegion:
		return None


def region_for_address(address_name: str | None) -> str | None:
	"""The address's region: the one stored on it, or else the one its country/state/city resolve to."""
	if not address_name:
		return None
	address = frappe.db.get_value(
		"Address", address_name, ["shipping_region", "country", "state", "city"], as_dict=True
	)
	if not address:
		return None
	return address.shipping_region or resolve_region(address.country, address.state, address.city)

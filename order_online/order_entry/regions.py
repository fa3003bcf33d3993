"""The Frappe side of shipping regions: the tree from the database and address lookups.

Every feature that needs "which region does this address belong to" calls
:func:`region_for_address`, which applies the single rule in ``order_online.domain.region``.
"""

import json
from pathlib import Path

import frappe

from order_online.common.cache import CachedRows
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
	rows = _regions.get()
	return RegionTree(region_from_row(row) for row in rows)


_regions = CachedRows(CACHE_KEY, load_region_rows)
clear_region_cache = _regions.clear


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
		"Address", address_name, ["oo_shipping_region", "country", "state", "city"], as_dict=True
	)
	if not address:
		return None
	return address.oo_shipping_region or resolve_region(address.country, address.state, address.city)


REGION_SETS_DIR = Path(__file__).parents[1] / "setup" / "region_sets"


def load_region_set(name: str) -> list[str]:
	"""Create the regions of a shipped set (e.g. ``china``) that do not exist yet; returns those created.

	Existing regions, and any the user renamed or re-parented, are left alone, so it is safe to run again.
	"""
	data = json.loads((REGION_SETS_DIR / f"{name}.json").read_text(encoding="utf-8"))
	country = data["country"]
	created = []
	if not frappe.db.exists("Shipping Region", country["region_name"]):
		_insert_region(country["region_name"], COUNTRY, None, country["aliases"], country=country["country"])
		created.append(country["region_name"])
	for province in data["provinces"]:
		if not frappe.db.exists("Shipping Region", province["region_name"]):
			_insert_region(province["region_name"], "Province", country["region_name"], province["aliases"])
			created.append(province["region_name"])
	clear_region_cache()
	return created


def _insert_region(name: str, level: str, parent: str | None, aliases: list[str], **values) -> None:
	frappe.get_doc(
		{
			"doctype": "Shipping Region",
			"region_name": name,
			"region_type": level,
			"parent_shipping_region": parent,
			"aliases": "\n".join(aliases),
			**values,
		}
	).insert()

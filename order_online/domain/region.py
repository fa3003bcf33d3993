"""Shipping regions: the one definition of how an address maps to a region.

A region tree has three levels, country → province/state → city. Allocation costs, ETA
prediction and the regional reports all resolve an address with :meth:`RegionTree.resolve`, so
"where does this go" has a single answer across the app. Addresses are matched by name or alias
after normalisation (case, spacing and administrative suffixes such as "省", "市" or "Province"),
and resolve to the most specific region known: an unknown city still lands in its province.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from order_online.domain.errors import (
	DuplicateRegionAlias,
	RegionCycle,
	RegionLevelOrder,
	RegionNeedsParent,
	RegionParentMissing,
	UnknownRegion,
)

COUNTRY, PROVINCE, CITY = "Country", "Province", "City"
LEVELS: tuple[str, ...] = (COUNTRY, PROVINCE, CITY)

# Longest first, so "自治区" is not cut to "自治" by a shorter suffix.
_SUFFIXES = (
	"维吾尔自治区",
	"特别行政区",
	"壮族自治区",
	"回族自治区",
	"自治区",
	" province",
	" state",
	" city",
	"省",
	"市",
)
_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
	"""The form in which names are compared: case-folded, single-spaced, without an admin suffix."""
	key = _SPACES.sub(" ", (text or "").strip()).casefold()
	for suffix in _SUFFIXES:
		if key.endswith(suffix) and len(key) > len(suffix):
			return key[: -len(suffix)].strip()
	return key


@dataclass(frozen=True)
class Region:
	name: str
	level: str
	parent: str | None = None
	aliases: tuple[str, ...] = field(default=())

	def keys(self) -> set[str]:
		return {normalise(n) for n in (self.name, *self.aliases) if normalise(n)}


class RegionTree:
	"""An immutable, validated region tree with address resolution."""

	def __init__(self, regions: Iterable[Region]) -> None:
		self._by_name: dict[str, Region] = {}
		for region in regions:
			self._by_name[region.name] = region
		self._validate()
		# parent name (None for countries) -> normalised key -> region
		self._children: dict[str | None, dict[str, Region]] = {}
		for region in sorted(self._by_name.values(), key=lambda r: r.name):
			siblings = self._children.setdefault(region.parent, {})
			for key in region.keys():
				other = siblings.get(key)
				if other is not None and other.name != region.name:
					raise DuplicateRegionAlias(alias=key, first=other.name, second=region.name)
				siblings[key] = region

	def _validate(self) -> None:
		for region in self._by_name.values():
			if region.parent is None:
				if region.level != COUNTRY:
					raise RegionNeedsParent(region=region.name, level=region.level)
				continue
			parent = self._by_name.get(region.parent)
			if parent is None:
				raise RegionParentMissing(region=region.name, parent=region.parent)
			if LEVELS.index(region.level) <= LEVELS.index(parent.level):
				raise RegionLevelOrder(
					region=region.name, level=region.level, parent=parent.name, parent_level=parent.level
				)
		# Level order makes a cycle impossible through valid levels; guard unknown levels anyway.
		for region in self._by_name.values():
			seen = {region.name}
			node = region
			while node.parent is not None:
				if node.parent in seen:
					raise RegionCycle(region=region.name)
				seen.add(node.parent)
				node = self._by_name[node.parent]

	def __len__(self) -> int:
		return len(self._by_name)

	def get(self, name: str) -> Region | None:
		return self._by_name.get(name)

	def path(self, name: str) -> tuple[Region, ...]:
		"""The regions from the country down to ``name``."""
		chain: list[Region] = []
		node = self._by_name.get(name)
		while node is not None:
			chain.append(node)
			node = self._by_name.get(node.parent) if node.parent else None
		return tuple(reversed(chain))

	def ancestor_at(self, name: str, level: str) -> Region | None:
		"""The region at ``level`` on the path to ``name`` (itself included), if any."""
		return next((r for r in self.path(name) if r.level == level), None)

	def _child(self, parent: str | None, text: str | None) -> Region | None:
		key = normalise(text)
		return self._children.get(parent, {}).get(key) if key else None

	def resolve(self, country: str | None, state: str | None = None, city: str | None = None) -> Region:
		"""The most specific region for an address; raises :class:`UnknownRegion` if the country is unknown."""
		found = self._child(None, country)
		if found is None:
			raise UnknownRegion(country=country or "-")
		province = self._child(found.name, state)
		if province is not None:
			found = province
		town = self._child(found.name, city)
		if town is None and province is None and normalise(city):
			# No (known) state on the address: accept a city that is unique within the country.
			town = self._unique_city(found.name, city)
		return town or found

	def _unique_city(self, country: str, city: str | None) -> Region | None:
		matches = [
			region
			for parent in self._children.get(country, {}).values()
			if (region := self._child(parent.name, city)) is not None
		]
		unique = {m.name: m for m in matches}
		return next(iter(unique.values())) if len(unique) == 1 else None


def delivery_address(order) -> str | None:
	"""Where an order (or its Delivery Note) goes: its shipping address, else the customer's address."""
	return order.get("shipping_address_name") or order.get("customer_address")

"""Rows of a master read once per site and kept in the cache until the master changes."""

from collections.abc import Callable

import frappe


class CachedRows:
	"""``get()`` reads through the site cache; ``clear`` (a doctype's on_update/on_trash) forgets them."""

	def __init__(self, key: str, load: Callable[[], list[dict]]):
		self.key, self.load = key, load

	def get(self) -> list[dict]:
		return frappe.cache.get_value(self.key, generator=self.load)

	def clear(self, *args, **kwargs) -> None:
		frappe.cache.delete_value(self.key)

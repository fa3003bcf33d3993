"""Errors raised by the domain core.

Each error carries a stable ``key`` and the parameters of its message. The English message
template is the translation source: the Frappe shell renders it through ``frappe._`` so the user
reads it in their own language, and tier-1 tests render it with any translator they like.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

Translator = Callable[[str], str]


def _identity(text: str) -> str:
	return text


class DomainError(Exception):
	"""Base of every error the domain raises on purpose (never a bug)."""

	key: ClassVar[str] = "domain_error"
	template: ClassVar[str] = "The order could not be processed."
	# Parameters whose values are vocabulary (a region level, a status) and so are translated too.
	translated_params: ClassVar[tuple[str, ...]] = ()

	def __init__(self, **params: Any) -> None:
		self.params: Mapping[str, Any] = params
		super().__init__(self.render())

	def render(self, translate: Translator = _identity) -> str:
		"""The message in the language of ``translate`` (which maps an English template to its translation)."""
		params = {
			key: translate(value)
			if key in self.translated_params and isinstance(value, str)
			else _display(value)
			for key, value in self.params.items()
		}
		return translate(self.template).format(**params)


def _display(value: Any) -> Any:
	if isinstance(value, list | tuple | set | frozenset):
		return ", ".join(str(v) for v in value)
	return value


class UnknownRegion(DomainError):
	key = "region.unknown"
	template = "No shipping region matches the address in {country}."


class RegionCycle(DomainError):
	key = "region.cycle"
	template = "Shipping region {region} is its own ancestor."


class RegionParentMissing(DomainError):
	key = "region.parent_missing"
	template = "Shipping region {region} names parent {parent}, which does not exist."


class RegionNeedsParent(DomainError):
	key = "region.needs_parent"
	template = "Shipping region {region} is a {level} region and needs a parent region."
	translated_params = ("level",)


class RegionLevelOrder(DomainError):
	key = "region.level_order"
	template = "A {level} region ({region}) cannot sit under a {parent_level} region ({parent})."
	translated_params = ("level", "parent_level")


class DuplicateRegionAlias(DomainError):
	key = "region.duplicate_alias"
	template = "The name {alias} is used by both {first} and {second} under the same parent."


class InvalidChannelCode(DomainError):
	key = "channel.invalid_code"
	template = "Channel code {code} must be 1 to 10 letters or digits (it appears in order numbers)."


def all_error_types() -> list[type[DomainError]]:
	"""Every concrete error class, for the translation catalogue check."""
	seen: list[type[DomainError]] = []
	stack: list[type[DomainError]] = [DomainError]
	while stack:
		cls = stack.pop()
		seen.append(cls)
		stack.extend(cls.__subclasses__())
	return seen

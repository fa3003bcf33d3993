"""A line's specification text."""

from collections.abc import Iterable


def format_spec(attributes: Iterable[tuple[str, str]]) -> str:
	"""``Colour: Red; Size: L`` from a variant's (attribute, value) pairs, in their order."""
	return "; ".join(f"{name}: {value}" for name, value in attributes if value)

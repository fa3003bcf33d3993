"""Order channels: where an order came from. Codes appear in order numbers, so they stay short and plain."""

import re

from order_online.domain.errors import InvalidChannelCode

CHANNEL_TYPES: tuple[str, ...] = ("Website", "Marketplace", "Mobile App", "Desk", "Other")

_CODE = re.compile(r"[A-Z0-9]{1,10}")


def normalise_channel_code(code: str | None) -> str:
	"""The code in upper case; raises :class:`InvalidChannelCode` unless it is 1-10 letters or digits."""
	cleaned = (code or "").strip().upper()
	if not _CODE.fullmatch(cleaned):
		raise InvalidChannelCode(code=code or "")
	return cleaned

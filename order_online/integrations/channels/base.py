"""What every channel adapter shares: its configuration, the protocols, signature helpers.

A *push* adapter (the generic API, Shopify, WooCommerce) checks that a delivery really comes from the
platform (:meth:`PushAdapter.verify`, before anything is read) and turns the platform's body into an
:class:`~order_online.domain.intake.IntakeOrder` (:meth:`PushAdapter.parse`). A *pull* adapter (a
Chinese marketplace's order API) reads pages of orders from a cursor (:meth:`PullAdapter.pull`).
Adapters never touch the database; the shell (``order_online.intake``) stores what they return.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from order_online.domain.errors import (
	SIGNATURE_MISSING,
	SIGNATURE_NO_SECRET,
	SIGNATURE_STALE,
	SIGNATURE_WRONG,
	ChannelSignatureRejected,
)
from order_online.domain.intake import IntakeOrder

# the carriers' helpers, shared: a header whatever its case, a constant-time comparison
from order_online.integrations.carriers.base import header, same_signature

__all__ = ["header", "same_signature"]

Clock = Callable[[], float]
MAX_SKEW_S = 300  # a signed timestamp further than 5 minutes from now is a replay, or a broken clock


@dataclass(frozen=True)
class ChannelConfig:
	platform: str  # a key of REGISTRY
	channel: str  # the Order Channel's name
	# Credentials are left out of repr: an Error Log's traceback prints the variables of every frame.
	secret: str = field(default="", repr=False)  # the webhook / API signing secret
	api_key: str = field(default="", repr=False)  # the app key of a pull platform
	base_url: str = ""  # a pull platform's API address
	session_key: str = field(default="", repr=False)  # a pull platform's seller authorisation
	timeout_s: float = 10.0
	page_size: int = 50

	@property
	def secrets(self) -> tuple[str, ...]:
		return tuple(s for s in (self.secret, self.api_key, self.session_key) if s)


class PushAdapter(Protocol):
	platform: str

	def verify(self, headers: Mapping[str, str], body: bytes) -> None:
		"""Raise :class:`ChannelSignatureRejected` unless the delivery is signed by the channel's secret."""
		...

	def parse(self, headers: Mapping[str, str], body: bytes) -> IntakeOrder | None:
		"""The order the delivery carries; None for a delivery with nothing to take (a ping, another topic).
		Raises :class:`~order_online.domain.errors.InvalidIntakePayload` listing the field errors."""
		...


@dataclass(frozen=True)
class PulledPage:
	orders: tuple[IntakeOrder, ...]
	cursor: str  # where the next pull starts; store it only once these orders are stored


class PullAdapter(Protocol):
	platform: str

	def pull(self, cursor: str | None) -> Iterator[PulledPage]:
		"""Pages of orders changed since ``cursor`` (None: the platform's default look-back)."""
		...


def require_signature(config: ChannelConfig, given: str | None) -> str:
	"""The signature sent, or a rejection when there is none or no secret to check it with."""
	if not config.secret:
		raise ChannelSignatureRejected(channel=config.channel, reason=SIGNATURE_NO_SECRET)
	if not given or not given.strip():
		raise ChannelSignatureRejected(channel=config.channel, reason=SIGNATURE_MISSING)
	return given.strip()


def check_signature(config: ChannelConfig, expected: str, given: str) -> None:
	if not same_signature(expected, given):
		raise ChannelSignatureRejected(channel=config.channel, reason=SIGNATURE_WRONG)


def check_timestamp(config: ChannelConfig, stamp: str | None, clock: Clock = time.time) -> str:
	"""The timestamp header (epoch seconds) when it is within :data:`MAX_SKEW_S` of now."""
	try:
		sent_at = float((stamp or "").strip())
	except ValueError:
		sent_at = math.nan
	# float() also reads 'nan' and 'inf', which must not slip past the age check.
	if not math.isfinite(sent_at) or abs(clock() - sent_at) > MAX_SKEW_S or not stamp.strip().isascii():
		raise ChannelSignatureRejected(channel=config.channel, reason=SIGNATURE_STALE)
	return stamp.strip()

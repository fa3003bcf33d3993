"""The app's own signed order API, for the company's web shop, mobile apps and any other sender.

The sender POSTs an :class:`~order_online.domain.intake.IntakeOrder` as JSON with two headers::

    X-OO-Timestamp: <epoch seconds>
    X-OO-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>

Signing the timestamp with the body and refusing timestamps more than 5 minutes from now stops a
captured delivery from being replayed later; the unique intake key stops one replayed within the
window from making a second order. The schema is ``order_online/api/intake_openapi.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from order_online.domain.intake import IntakeOrder, parse_order
from order_online.integrations.channels.base import (
	ChannelConfig,
	Clock,
	check_signature,
	check_timestamp,
	header,
	require_signature,
)

SIGNATURE_HEADER = "X-OO-Signature"
TIMESTAMP_HEADER = "X-OO-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
	"""The X-OO-Signature header value for ``body`` sent at ``timestamp``."""
	digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
	return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
	"""The headers a sender adds (the README's example, the tests, the benchmark)."""
	stamp = str(int(time.time() if now is None else now))
	return {
		"Content-Type": "application/json",
		TIMESTAMP_HEADER: stamp,
		SIGNATURE_HEADER: signature(secret, stamp, body),
	}


class GenericApiAdapter:
	platform = "Generic API"

	def __init__(self, config: ChannelConfig, *, clock: Clock = time.time) -> None:
		self.config = config
		self.clock = clock

	def verify(self, headers: Mapping[str, str], body: bytes) -> None:
		given = require_signature(self.config, header(headers, SIGNATURE_HEADER))
		stamp = check_timestamp(self.config, header(headers, TIMESTAMP_HEADER), self.clock)
		check_signature(self.config, signature(self.config.secret, stamp, body), given)

	def parse(self, headers: Mapping[str, str], body: bytes) -> IntakeOrder | None:
		return parse_order(body)

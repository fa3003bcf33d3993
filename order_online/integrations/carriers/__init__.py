"""Carrier tracking adapters: one per provider protocol, all behind ``CarrierAdapter``.

adapter = get_adapter(config)  # config.provider is a key of REGISTRY
result = adapter.query("SF1234567890", "shunfeng")
"""

from __future__ import annotations

import requests

from order_online.integrations.carriers.aftership import AfterShipAdapter
from order_online.integrations.carriers.base import (
	CarrierAdapter,
	CarrierConfig,
	CarrierError,
	CarrierNotConfigured,
	MalformedPush,
	PushOnlyCarrier,
	RateLimited,
	RecordingSession,
	SignatureRejected,
	TemporaryCarrierError,
	TrackingEvent,
	TrackingResult,
	TrackingStatus,
	UnknownCarrierProvider,
	UnknownTrackingNumber,
	mask_secrets,
	take_call,
)
from order_online.integrations.carriers.kuaidi100 import Kuaidi100Adapter
from order_online.integrations.carriers.webhook import GenericWebhookAdapter

REGISTRY: dict[str, type] = {
	Kuaidi100Adapter.provider: Kuaidi100Adapter,
	AfterShipAdapter.provider: AfterShipAdapter,
	GenericWebhookAdapter.provider: GenericWebhookAdapter,
}


def get_adapter(config: CarrierConfig, session: requests.Session | None = None) -> CarrierAdapter:
	try:
		adapter_class = REGISTRY[config.provider]
	except KeyError:
		raise UnknownCarrierProvider(provider=config.provider) from None
	return adapter_class(config, session or RecordingSession())


__all__ = [
	"REGISTRY",
	"AfterShipAdapter",
	"CarrierAdapter",
	"CarrierConfig",
	"CarrierError",
	"CarrierNotConfigured",
	"GenericWebhookAdapter",
	"Kuaidi100Adapter",
	"MalformedPush",
	"PushOnlyCarrier",
	"RateLimited",
	"RecordingSession",
	"SignatureRejected",
	"TemporaryCarrierError",
	"TrackingEvent",
	"TrackingResult",
	"TrackingStatus",
	"UnknownCarrierProvider",
	"UnknownTrackingNumber",
	"get_adapter",
	"mask_secrets",
	"take_call",
]

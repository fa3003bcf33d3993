"""Channel order adapters: one per platform protocol, behind ``PushAdapter`` / ``PullAdapter``.

adapter = get_adapter(config)  # config.platform is a key of REGISTRY
adapter.verify(headers, body)  # a push: rejected unless signed by the channel's secret
order = adapter.parse(headers, body)
"""

from __future__ import annotations

from order_online.domain.errors import ChannelNotConfigured
from order_online.integrations.channels.base import (
	ChannelConfig,
	PullAdapter,
	PulledPage,
	PushAdapter,
)
from order_online.integrations.channels.generic import GenericApiAdapter
from order_online.integrations.channels.qimen import QimenAdapter, QimenPage
from order_online.integrations.channels.shopify import ShopifyAdapter
from order_online.integrations.channels.woocommerce import WooCommerceAdapter

REGISTRY: dict[str, type] = {
	GenericApiAdapter.platform: GenericApiAdapter,
	ShopifyAdapter.platform: ShopifyAdapter,
	WooCommerceAdapter.platform: WooCommerceAdapter,
	QimenAdapter.platform: QimenAdapter,
}


def get_adapter(config: ChannelConfig, **kwargs) -> PushAdapter | PullAdapter:
	try:
		adapter_class = REGISTRY[config.platform]
	except KeyError:
		raise ChannelNotConfigured(channel=config.channel, setting="Platform") from None
	return adapter_class(config, **kwargs)


def is_pull(platform: str) -> bool:
	return hasattr(REGISTRY.get(platform), "pull")


__all__ = [
	"REGISTRY",
	"ChannelConfig",
	"GenericApiAdapter",
	"PullAdapter",
	"PulledPage",
	"PushAdapter",
	"QimenAdapter",
	"QimenPage",
	"ShopifyAdapter",
	"WooCommerceAdapter",
	"get_adapter",
	"is_pull",
]

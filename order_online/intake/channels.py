"""A channel's settings as the intake reads them, and the two lookups each order needs: which Customer
the buyer is, and which Item each SKU is."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder import Criterion

from order_online.domain import intake as domain
from order_online.domain.errors import ChannelNotConfigured, UnknownIntakeChannel
from order_online.integrations.channels import ChannelConfig, get_adapter, is_pull

INTEGRATION_ROLE = "Sales User"  # what the integration user needs: ERPNext's own role for sales documents


def load_channel(code: str | None):
	"""The channel a delivery names by its code (the intake URL's ``channel=``); unknown and desk-only
	channels look the same to a sender."""
	name = code and frappe.db.get_value(
		"Order Channel", {"channel_code": str(code).strip().upper()[:10], "platform": ["is", "set"]}
	)
	if not name:
		raise UnknownIntakeChannel(channel=str(code or "")[:20])
	return frappe.get_cached_doc("Order Channel", name)


def adapter_config(channel) -> ChannelConfig:
	"""What the channel's adapter needs; a push platform's only secret is its signing secret, so the
	receiving path decrypts one Password field, not three."""

	def password(field: str) -> str:
		return channel.get_password(field, raise_exception=False) or ""

	pull = is_pull(channel.platform)
	return ChannelConfig(
		platform=channel.platform,
		channel=channel.name,
		secret=password("api_secret"),
		api_key=password("api_key") if pull else "",
		session_key=password("session_key") if pull else "",
		base_url=channel.api_base_url or "",
	)


def adapter_for(channel):
	return get_adapter(adapter_config(channel))


def settings_of(channel) -> domain.ChannelSettings:
	if not channel.company:
		raise ChannelNotConfigured(channel=channel.name, setting="Company")
	return domain.ChannelSettings(
		channel=channel.name,
		company=channel.company,
		currency=channel.default_currency,
		price_list=channel.price_list,
		warehouse=channel.default_warehouse,
		keep_warehouse=channel.warehouse_policy == "Fixed Warehouse",
		taxes_and_charges=channel.taxes_and_charges,
		shipping_account=channel.shipping_charge_account,
		delivery_days=channel.delivery_days if channel.delivery_days is not None else 3,
	)


def integration_user(channel) -> str:
	"""Who makes the channel's orders: its own user, never Administrator or Guest."""
	user = channel.integration_user
	if not user or user in ("Administrator", "Guest"):
		raise ChannelNotConfigured(channel=channel.name, setting="Integration User")
	return user


# Items ------------------------------------------------------------------------------------------


def resolve_lines(channel, order: domain.IntakeOrder) -> list[domain.ResolvedLine]:
	mappings = {
		row.channel_sku: domain.SkuMapping(row.channel_sku, row.item_code, row.uom)
		for row in channel.item_mappings
	}
	unmapped = sorted({line.sku for line in order.lines} - set(mappings))
	items = (
		frappe.get_all("Item", filters={"name": ["in", unmapped], "disabled": 0}, pluck="name")
		if unmapped
		else []
	)
	return domain.resolve_lines(order.lines, mappings, items)


# Customers --------------------------------------------------------------------------------------


def match_customer(channel, order: domain.IntakeOrder) -> str:
	"""The buyer's Customer. Each of the buyer's keys (channel id, email, phone) is a unique row, so two
	orders of a new buyer processed at once make one Customer: the second one's key insert waits for
	the first one's commit and fails as a duplicate (:class:`RaceLost`); made again, it finds the buyer."""
	if channel.customer_matching == domain.MATCH_ONE_CUSTOMER:
		if not channel.default_customer:
			raise ChannelNotConfigured(channel=channel.name, setting="Customer for Every Order")
		return channel.default_customer
	keys = domain.customer_keys(order.customer, channel.customer_matching or domain.MATCH_BY_ID_EMAIL_PHONE)
	hashed = [domain.match_key(channel.name, kind, value) for kind, value in keys]
	found = _known(hashed)
	if found:
		_remember(channel.name, keys, hashed, found)  # a new email of a known buyer
		return found
	customer = _existing_customer(order.customer) if channel.customer_matching != domain.MATCH_BY_ID else None
	try:
		customer = customer or _create_customer(channel, order.customer)
		_remember(channel.name, keys, hashed, customer, strict=True)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# Another order of this buyer made their customer first: it committed while this one waited
		# on the same key (or Customer name). This transaction's snapshot predates that customer, so
		# the whole order is made again from a new one, where the buyer is known.
		frappe.clear_messages()
		raise RaceLost from None
	return customer


class RaceLost(Exception):
	"""Another transaction committed the record this one was making: start again from a fresh snapshot."""


def _known(hashed: list[str], lock: bool = False) -> str | None:
	"""The Customer of the strongest key known; a locking read sees what others just committed."""
	table = frappe.qb.DocType("Order Channel Customer")
	query = frappe.qb.from_(table).select(table.match_key, table.customer).where(table.match_key.isin(hashed))
	if lock:
		query = query.for_update()
	rows = dict(query.run())
	return next((rows[key] for key in hashed if key in rows), None)


def _remember(channel: str, keys, hashed, customer: str, strict: bool = False) -> None:
	"""One row per key; an existing key is left alone (``strict``: a duplicate means a race lost)."""
	table = frappe.qb.DocType("Order Channel Customer")
	existing = set(
		frappe.qb.from_(table).select(table.match_key).where(table.match_key.isin(hashed)).run(pluck=True)
	)
	for (kind, value), key in zip(keys, hashed, strict=True):
		if key in existing:
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Order Channel Customer",
				"channel": channel,
				"kind": kind,
				"value": value[:140],
				"customer": customer,
				"match_key": key,
			}
		)
		if strict:
			doc.db_insert()
			continue
		frappe.db.savepoint("oo_customer_key")
		try:
			doc.db_insert()
		except frappe.UniqueValidationError:
			frappe.db.rollback(save_point="oo_customer_key")
			frappe.clear_messages()


def _existing_customer(buyer: domain.IntakeCustomer | None) -> str | None:
	"""A Customer the company already has with the buyer's email or mobile number."""
	if buyer is None:
		return None
	email, phone = domain.normalise_email(buyer.email), domain.normalise_phone(buyer.phone)
	table = frappe.qb.DocType("Customer")
	conditions = []
	if email:
		conditions.append(table.email_id == email)
	if phone:
		conditions.append(table.mobile_no.isin(list({phone, (buyer.phone or "").strip()})))
	if not conditions:
		return None
	rows = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(Criterion.any(conditions))
		.where(table.disabled == 0)
		.orderby(table.creation)
		.limit(1)
		.run(pluck=True)
	)
	return rows[0] if rows else None


def _create_customer(channel, buyer: domain.IntakeCustomer) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": buyer.name,
			"customer_type": "Individual",
			"customer_group": channel.customer_group
			or frappe.db.get_single_value("Selling Settings", "customer_group"),
			"territory": channel.territory or frappe.db.get_single_value("Selling Settings", "territory"),
			"email_id": domain.normalise_email(buyer.email),
			"mobile_no": (buyer.phone or "").strip() or None,
		}
	)
	doc.insert()
	return doc.name


# Addresses --------------------------------------------------------------------------------------


def shipping_address(customer: str, address: domain.IntakeAddress | None) -> str | None:
	"""The customer's address the order ships to: an existing one with the same lines, else a new one."""
	if address is None:
		return None
	country = _country(address.country)
	table = frappe.qb.DocType("Address")
	links = frappe.qb.DocType("Dynamic Link")
	same = (
		frappe.qb.from_(table)
		.join(links)
		.on((links.parent == table.name) & (links.parenttype == "Address"))
		.select(table.name)
		.where(links.link_doctype == "Customer")
		.where(links.link_name == customer)
		.where(table.address_line1 == address.line1)
		.where(table.city == address.city)
		.where(table.country == country)
		.where(table.pincode == (address.pincode or ""))
		.where(table.disabled == 0)
		.limit(1)
		.run(pluck=True)
	)
	if same:
		return same[0]
	doc = frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": address.name or customer,
			"address_type": "Shipping",
			"address_line1": address.line1,
			"address_line2": address.line2,
			"city": address.city,
			"state": address.state,
			"pincode": address.pincode or "",
			"country": country,
			"phone": address.phone,
			"is_shipping_address": 1,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	)
	doc.insert()
	return doc.name


def _country(value: str) -> str:
	"""A Country by name or by ISO code (``CN``, ``cn``, ``China``)."""
	if frappe.db.exists("Country", value):
		return value
	name = frappe.db.get_value("Country", {"code": value.lower()})
	if not name:
		frappe.throw(_("{0} is not a country the system knows.").format(value))
	return name


def channel_for_log(name: str):
	return frappe.get_cached_doc("Order Channel", name)


def config_problem(channel) -> str | None:
	"""What the channel lacks before it can take orders (shown on its form)."""
	for field in ("company", "integration_user", "api_secret"):
		if not channel.get(field):
			return channel.meta.get_label(field)
	return None


def check_adapter(channel) -> None:
	adapter_for(channel)  # an unknown platform raises ChannelNotConfigured

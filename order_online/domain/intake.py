"""Order intake from channels (the web shop, marketplaces, mobile apps): the rules, frappe-free.

A channel delivers an order as an :class:`IntakeOrder` (the generic API's body, or what an adapter in
``order_online.integrations.channels`` made of a platform's own format). This module says:

- what a valid order looks like (pydantic; every field error listed at once, :func:`parse_order`);
- which delivery is a repeat of which (:func:`intake_key`, a unique key on the intake log);
- which customer an order belongs to (:func:`customer_keys`, unique keys on the channel's customers);
- which Item and UOM each channel SKU is (:func:`resolve_lines`; unknown SKUs all named at once);
- whether a change or cancellation may still apply (:func:`check_change`);
- what the Sales Order is made of (:func:`sales_order_values`);
- how long a sender over its rate limit waits (:func:`rate_window`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
	BaseModel,
	ConfigDict,
	Field,
	ValidationError,
	WithJsonSchema,
	field_validator,
	model_validator,
)

from order_online.domain.errors import (
	ChannelChangeRefused,
	InvalidIntakePayload,
	InvalidSkuMapping,
	UnknownChannelSku,
)

ACTIONS = ("create", "update", "cancel")
MAX_LINES = 500
MAX_BODY_BYTES = 512 * 1024  # far above any real order; refused before it is read

# Customer matching, as the channel's "Customer Matching" setting names it
MATCH_BY_ID_EMAIL_PHONE = "Channel Id, Email and Phone"
MATCH_BY_ID = "Channel Id Only"
MATCH_ONE_CUSTOMER = "One Customer for the Channel"
MATCHING = (MATCH_BY_ID_EMAIL_PHONE, MATCH_BY_ID, MATCH_ONE_CUSTOMER)

_Text = Annotated[str, Field(min_length=1, max_length=140)]
_Optional = Annotated[str | None, Field(default=None, max_length=140)]
# Amounts are read exactly (Decimal, from a number or a numeric string); the schema says number.
_Money = Annotated[
	Decimal,
	Field(ge=0, le=Decimal("1e12"), max_digits=18, decimal_places=6, allow_inf_nan=False),
	WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e12}),
]
_Qty = Annotated[
	Decimal,
	Field(gt=0, le=Decimal("1e9"), max_digits=18, decimal_places=6, allow_inf_nan=False),
	WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 1e9}),
]
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE_PATTERN = r"^\D*(\d\D*){5,}$"


class _Strict(BaseModel):
	# Unknown fields are kept out (a newer sender's extra data is not an error); text is trimmed.
	model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class IntakeCustomer(_Strict):
	external_id: _Optional = None
	name: _Text
	email: Annotated[
		str | None, Field(default=None, max_length=140, json_schema_extra={"pattern": _EMAIL_PATTERN})
	] = None
	phone: Annotated[
		str | None, Field(default=None, max_length=40, json_schema_extra={"pattern": _PHONE_PATTERN})
	] = None

	@field_validator("email")
	@classmethod
	def _email(cls, value: str | None) -> str | None:
		if value and not _EMAIL.fullmatch(value):
			raise ValueError("not an email address")
		return value or None

	@field_validator("phone")
	@classmethod
	def _phone(cls, value: str | None) -> str | None:
		if value and len(re.sub(r"\D", "", value)) < 5:
			raise ValueError("not a phone number")
		return value or None


class IntakeAddress(_Strict):
	name: _Optional = None
	line1: _Text
	line2: _Optional = None
	city: _Text
	state: _Optional = None
	pincode: Annotated[str | None, Field(default=None, max_length=20)] = None
	country: _Text
	phone: Annotated[str | None, Field(default=None, max_length=40)] = None


class IntakeLine(_Strict):
	sku: _Text
	qty: _Qty
	rate: _Money | None = None  # none: the channel's price list decides


class IntakeOrder(_Strict):
	# What the model validator below asks, said in the schema too (JSON Schema if / then)
	model_config = ConfigDict(
		json_schema_extra={
			"allOf": [
				{
					"if": {"properties": {"action": {"const": "create"}}},
					"then": {"required": ["customer", "lines"], "properties": {"lines": {"minItems": 1}}},
				},
				{
					"if": {"properties": {"action": {"const": "update"}}, "required": ["action"]},
					"then": {"required": ["shipping_address"]},
				},
			]
		}
	)
	external_order_id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
	action: Literal["create", "update", "cancel"] = "create"
	ordered_at: datetime | None = None
	delivery_date: date | None = None
	currency: Annotated[str | None, Field(default=None, pattern=r"^[A-Za-z]{3}$")] = None
	customer: IntakeCustomer | None = None
	shipping_address: IntakeAddress | None = None
	lines: Annotated[list[IntakeLine], Field(default_factory=list, max_length=MAX_LINES)]
	shipping_charge: _Money = 0  # an int, so that the schema's default is a number
	note: Annotated[str | None, Field(default=None, max_length=2000)] = None
	# the platform's id of this one delivery (Shopify's X-Shopify-Webhook-Id); repeats of it are one
	delivery_id: Annotated[str | None, Field(default=None, max_length=100)] = None

	@model_validator(mode="after")
	def _what_each_action_needs(self) -> IntakeOrder:
		if self.action == "create":
			missing = [f for f in ("customer",) if getattr(self, f) is None]
			if not self.lines:
				missing.append("lines")
			if missing:
				raise ValueError(f"a new order needs {' and '.join(missing)}")
		if self.action == "update" and self.shipping_address is None:
			raise ValueError("an update carries the new shipping_address")
		return self


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_order(body: bytes | str | Mapping[str, Any]) -> IntakeOrder:
	"""The order in ``body`` (JSON text or already decoded); :class:`InvalidIntakePayload` listing every
	field error otherwise."""
	try:
		data = body if isinstance(body, Mapping) else json.loads(body, parse_constant=_no_constant)
	except (ValueError, UnicodeDecodeError):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not JSON"}]) from None
	if not isinstance(data, Mapping):
		raise InvalidIntakePayload(errors=[{"field": "", "message": "the body is not a JSON object"}])
	try:
		return IntakeOrder.model_validate(data)
	except ValidationError as error:
		raise InvalidIntakePayload(errors=field_errors(error)) from None


def _no_constant(name: str) -> Any:
	raise ValueError(f"{name} is not a number")  # NaN, Infinity


def field_errors(error: ValidationError) -> list[dict[str, str]]:
	"""Each problem as ``{"field": "lines.0.qty", "message": "..."}``, in the order pydantic found them."""
	return [
		{
			"field": ".".join(str(part) for part in item["loc"]),
			"message": item["msg"].removeprefix("Value error, "),
		}
		for item in error.errors(include_url=False)
	]


# Idempotency ------------------------------------------------------------------------------------


def intake_key(channel: str, order: IntakeOrder, body: bytes = b"") -> str:
	"""The unique key of one delivery on the intake log: a new order is one row per (channel, external
	order id), whatever is resent; a change or cancellation is one row per delivery (the platform's
	delivery id, else the body itself), so a changed address later is a new change, a resend is not."""
	parts = [channel, order.action, order.external_order_id]
	if order.action != "create":
		parts.append(order.delivery_id or hashlib.sha256(body).hexdigest())
	return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# Customers --------------------------------------------------------------------------------------


def normalise_email(email: str | None) -> str | None:
	cleaned = unicodedata.normalize("NFKC", email or "").strip().lower()
	return cleaned or None


def normalise_phone(phone: str | None) -> str | None:
	"""Digits only, a Chinese country prefix dropped: ``+86 138-0013-8000`` and ``13800138000`` match."""
	digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
	if digits.startswith("0086"):
		digits = digits[4:]
	elif digits.startswith("86") and len(digits) == 13:
		digits = digits[2:]
	return digits or None


def customer_keys(customer: IntakeCustomer | None, matching: str) -> list[tuple[str, str]]:
	"""(kind, value) pairs that name the buyer, strongest first; each is unique per channel, so the
	first order of a new buyer creates one customer even when their second order arrives with it."""
	if matching == MATCH_ONE_CUSTOMER or customer is None:
		return [("channel", "*")]
	keys = []
	if customer.external_id:
		keys.append(("id", customer.external_id))
	if matching == MATCH_BY_ID_EMAIL_PHONE:
		for kind, value in (
			("email", normalise_email(customer.email)),
			("phone", normalise_phone(customer.phone)),
		):
			if value:
				keys.append((kind, value))
	if not keys:
		keys.append(("name", " ".join(customer.name.lower().split())))
	return keys


def match_key(channel: str, kind: str, value: str) -> str:
	return hashlib.sha256("\x1f".join((channel, kind, value)).encode("utf-8")).hexdigest()


# Items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuMapping:
	sku: str
	item_code: str
	uom: str | None = None
	conversion_factor: float = 1.0


@dataclass(frozen=True)
class ResolvedLine:
	sku: str
	item_code: str
	uom: str | None
	qty: Decimal
	rate: Decimal | None


def resolve_lines(
	lines: Iterable[IntakeLine], mappings: Mapping[str, SkuMapping], item_codes: Iterable[str] = ()
) -> list[ResolvedLine]:
	"""Each line's Item and UOM: the channel's mapping of the SKU, else an Item of that very code.
	Every SKU that is neither is named in one :class:`UnknownChannelSku`."""
	known = set(item_codes)
	resolved, unknown = [], []
	for line in lines:
		mapping = mappings.get(line.sku)
		if mapping is None and line.sku in known:
			mapping = SkuMapping(line.sku, line.sku)
		if mapping is None:
			if line.sku not in unknown:
				unknown.append(line.sku)
			continue
		resolved.append(ResolvedLine(line.sku, mapping.item_code, mapping.uom, line.qty, line.rate))
	if unknown:
		raise UnknownChannelSku(skus=unknown)
	return resolved


MAPPING_COLUMNS = ("channel_sku", "item_code", "uom")


def parse_mapping_csv(text: str) -> list[SkuMapping]:
	"""Rows of a mapping CSV (``channel_sku,item_code[,uom]``, a header row first); every bad row named
	in one :class:`InvalidSkuMapping`."""
	reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
	header = [h.strip().lower() for h in reader.fieldnames or []]
	if "channel_sku" not in header or "item_code" not in header:
		raise InvalidSkuMapping(problems=["the first row must name the columns channel_sku and item_code"])
	reader.fieldnames = header
	rows, problems, seen = [], [], {}
	for number, row in enumerate(reader, start=2):
		sku = (row.get("channel_sku") or "").strip()
		item = (row.get("item_code") or "").strip()
		uom = (row.get("uom") or "").strip() or None
		if not sku and not item:
			continue
		if not sku or not item:
			problems.append(f"row {number}: channel_sku and item_code are both needed")
		elif sku in seen:
			problems.append(f"row {number}: SKU {sku} is already on row {seen[sku]}")
		else:
			seen[sku] = number
			rows.append(SkuMapping(sku, item, uom))
	if problems:
		raise InvalidSkuMapping(problems=problems)
	return rows


# Changes ----------------------------------------------------------------------------------------


def check_change(action: str, *, docstatus: int, per_delivered: float, status: str) -> None:
	"""A change or cancellation applies only while nothing has shipped."""
	if docstatus == 2 or status == "Cancelled":
		raise ChannelChangeRefused(action=action, reason="the order is already cancelled")
	if (per_delivered or 0) > 0 or status in ("Completed", "Closed"):
		raise ChannelChangeRefused(action=action, reason="the order has already shipped")


# The Sales Order --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelSettings:
	channel: str
	company: str
	currency: str | None = None
	price_list: str | None = None
	warehouse: str | None = None
	keep_warehouse: bool = False  # the channel's fixed warehouse; the allocator leaves it
	taxes_and_charges: str | None = None
	shipping_account: str | None = None
	delivery_days: int = 3


def sales_order_values(
	order: IntakeOrder,
	settings: ChannelSettings,
	customer: str,
	lines: list[ResolvedLine],
	today: date,
) -> dict[str, Any]:
	"""The Sales Order's fields, for ERPNext's own insert and submit."""
	ordered_on = order.ordered_at.date() if order.ordered_at else today
	delivery = order.delivery_date or max(today, ordered_on) + timedelta(days=settings.delivery_days)
	values: dict[str, Any] = {
		"doctype": "Sales Order",
		"company": settings.company,
		"customer": customer,
		"order_type": "Sales",
		"transaction_date": today.isoformat(),
		"delivery_date": max(delivery, today).isoformat(),
		"oo_order_channel": settings.channel,
		"oo_channel_order_no": order.external_order_id,
		"items": [],
	}
	currency = (order.currency or settings.currency or "").upper()
	if currency:
		values["currency"] = currency
	if settings.price_list:
		values["selling_price_list"] = settings.price_list
	if settings.warehouse:
		values["set_warehouse"] = settings.warehouse
	for line in lines:
		row: dict[str, Any] = {"item_code": line.item_code, "qty": float(line.qty)}
		if line.uom:
			row["uom"] = line.uom
		if line.rate is not None:
			row["rate"] = float(line.rate)
		if settings.warehouse:
			row["warehouse"] = settings.warehouse
			if settings.keep_warehouse:
				row["oo_keep_warehouse"] = 1
		values["items"].append(row)
	if settings.taxes_and_charges:
		values["taxes_and_charges"] = settings.taxes_and_charges
	if order.shipping_charge and settings.shipping_account:
		values["taxes"] = [
			{
				"charge_type": "Actual",
				"account_head": settings.shipping_account,
				"description": "Shipping",
				"tax_amount": float(order.shipping_charge),
			}
		]
	return values


# Rate limit -------------------------------------------------------------------------------------


def rate_window(now: float, per_minute: int) -> tuple[int, int]:
	"""(window number, seconds until the next window) for a fixed one-minute window."""
	window = int(now // 60)
	return window, max(1, math.ceil((window + 1) * 60 - now))


def over_limit(count: int, per_minute: int) -> bool:
	return per_minute > 0 and count > per_minute

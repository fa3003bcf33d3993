"""Errors raised by the domain core.

Each error carries a stable ``key`` and the parameters of its message. The English message
template is the translation source: the Frappe shell renders it through ``frappe._`` so the user
reads it in their own language, and tier-1 tests render it with any translator they like.
"""

from __future__ import annotations

import math
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

	def __eq__(self, other: object) -> bool:
		# Two errors say the same thing when they are of one kind with the same parameters.
		return type(self) is type(other) and dict(self.params) == dict(other.params)

	def __hash__(self) -> int:
		return hash((type(self).__name__, repr(sorted(self.params.items()))))

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


# Order numbers ------------------------------------------------------------------------------


class InvalidNumberTemplate(DomainError):
	key = "numbering.invalid_template"
	template = "Order number template {template} is not valid: {problem}"
	translated_params = ("problem",)


class NumberTemplateNeedsChannel(DomainError):
	key = "numbering.needs_channel"
	template = "Order number template {template} contains the channel; set the order's channel first."


# Problems with a template string, given as the {problem} of InvalidNumberTemplate.
TEMPLATE_PROBLEMS = (
	"unknown placeholder",
	"it needs exactly one counter such as {#####}",
	"the counter must come last",
	"the counter needs 3 to 10 # signs",
	"only letters, digits, - _ and / may stand outside placeholders",
)


# Order entry: bad input and business rules --------------------------------------------------


class OrderProblems(DomainError):
	"""Raised with every blocking problem of an order at once."""

	key = "order.problems"
	template = "Please correct the following before saving:"

	def __init__(self, findings) -> None:
		self.findings = list(findings)
		super().__init__()

	def __eq__(self, other: object) -> bool:
		return isinstance(other, OrderProblems) and self.findings == other.findings

	__hash__ = DomainError.__hash__

	def render(self, translate: Translator = _identity) -> str:
		lines = [finding.render(translate) for finding in self.findings]
		return "\n".join([translate(self.template), *(f"- {line}" for line in lines)])


class UnknownItem(DomainError):
	key = "order.unknown_item"
	template = "Item {item} does not exist or is disabled."


class QtyNotPositive(DomainError):
	key = "order.qty_not_positive"
	template = "Quantity must be a number greater than 0 (it is {qty})."


class MissingUomConversion(DomainError):
	key = "order.missing_uom_conversion"
	template = "Unit {uom} has no conversion factor to the stock unit of {item}."


class DeliveryDateInPast(DomainError):
	key = "order.delivery_date_past"
	template = "Delivery date {date} is in the past."


class CustomerDisabled(DomainError):
	key = "order.customer_disabled"
	template = "Customer {customer} is disabled."


class CustomerFrozen(DomainError):
	key = "order.customer_frozen"
	template = "Customer {customer} is frozen."


class BelowMinimumAmount(DomainError):
	key = "rule.min_amount"
	template = "The order total {amount} is below the minimum of {minimum} ({rule})."


class LineQtyAboveMaximum(DomainError):
	key = "rule.max_line_qty"
	template = "Quantity {qty} of {item} is above the maximum of {maximum} per line ({rule})."


class ItemNotSoldTo(DomainError):
	key = "rule.restricted_item"
	template = "Item {item} is not sold to {target} ({rule})."


class DeliveryBeforeLeadTime(DomainError):
	key = "rule.earliest_delivery"
	template = "Delivery date {date} is too early for {item}: the earliest possible is {earliest} ({rule})."


class ContactRequired(DomainError):
	key = "rule.contact_required"
	template = "A contact person is required ({rule})."


class ShippingAddressRequired(DomainError):
	key = "rule.shipping_address_required"
	template = "A shipping address is required ({rule})."


class CreditLimitExceeded(DomainError):
	key = "rule.credit_limit"
	template = (
		"This order brings the customer's balance to {total}, above the credit limit of {limit} ({rule})."
	)


class StockShortWithDate(DomainError):
	key = "stock.short_until"
	template = "Only {available} of {required} {item} available in {warehouse}; the full quantity can ship on {date}."


class StockShort(DomainError):
	key = "stock.short"
	template = (
		"Only {available} of {required} {item} available in {warehouse}, and no incoming stock covers it."
	)


class RuleNeedsValue(DomainError):
	key = "rule.needs_value"
	template = "Rule {rule} needs a value for {field}."
	translated_params = ("field",)


class DuplicateNumberTemplate(DomainError):
	key = "numbering.duplicate"
	template = "Company {company} already has order number template {other} for this channel."


# Approval -----------------------------------------------------------------------------------


class AmountInTier(DomainError):
	key = "approval.amount_tier"
	template = "Order total {amount} is in the tier from {minimum} to {maximum}."


class AmountAtLeast(DomainError):
	key = "approval.amount_at_least"
	template = "Order total {amount} is at least {minimum}."


class NewCustomer(DomainError):
	key = "approval.new_customer"
	template = "Customer {customer} is new (no earlier submitted order, or created within {days} days)."


class DiscountAbove(DomainError):
	key = "approval.discount_above"
	template = "A discount of {discount}% is above {limit}%."


class CreditLimitWouldBeExceeded(DomainError):
	key = "approval.credit"
	template = "The customer's balance would be {total}, above the credit limit of {limit}."


class MatchesScope(DomainError):
	key = "approval.scope"
	template = "The order is for {scope}."


class RuleHasNoCondition(DomainError):
	key = "approval.no_condition"
	template = "Approval rule {rule} has no condition, so it would hold every order."


class RuleHasNoApprover(DomainError):
	key = "approval.no_approver"
	template = "Approval rule {rule} needs an approver role or user for level {level}."


class NotAnApprover(DomainError):
	key = "approval.not_approver"
	template = "You are not an approver for level {level} of this order."


class SelfApprovalRefused(DomainError):
	key = "approval.self"
	template = "You created this order, and its approval rules do not allow self-approval."


class RulesBesideWorkflow(DomainError):
	key = "approval.beside_workflow"
	template = (
		"Sales Order follows the Workflow {workflow}. Order Approval Rules cannot be enabled while it is "
		"active: one order would have two approvals fighting over its submission. Deactivate the "
		"workflow, or keep the rule disabled."
	)


class WorkflowBesideRules(DomainError):
	key = "approval.workflow_beside_rules"
	template = (
		"Order Approval Rules are enabled for Sales Order ({rules}). Disable them before activating a "
		"Sales Order workflow: one order would have two approvals fighting over its submission."
	)


class NothingToApprove(DomainError):
	key = "approval.nothing"
	template = "This order is not waiting for approval."


class RejectionNeedsReason(DomainError):
	key = "approval.reason"
	template = "Please give a reason for the rejection."


# Allocation and reservation -----------------------------------------------------------------


class AddressWithoutRegion(DomainError):
	key = "allocation.no_region"
	template = (
		"The shipping address has no Shipping Region, so no warehouse can be chosen; "
		"set the region on the address."
	)


class ItemWithoutWeight(DomainError):
	key = "allocation.no_weight"
	template = "Item {item} has no weight per unit, so its shipping cost is unknown; set it on the item."


class NoShippingLane(DomainError):
	key = "allocation.no_lane"
	template = "No Shipping Rate reaches {region} from any warehouse with a region."


class NoWarehouseHasStock(DomainError):
	key = "allocation.no_stock"
	template = "No warehouse has stock for this order."


class AppOwnedField(DomainError):
	key = "app_owned.field"
	template = "{fields} of {doctype} {name} are set by Order Online only; your change was not saved."


class AppOwnedDocument(DomainError):
	key = "app_owned.document"
	template = (
		"{doctype} records are kept by Order Online only; they cannot be created, changed or deleted by hand."
	)


class BackorderRefused(DomainError):
	key = "reservation.backorder_refused"
	template = (
		"Only {free} of {wanted} {item} are still free in {warehouse}: other orders took the rest a moment ago, "
		"and this company does not take backorders."
	)


class CannotReserve(DomainError):
	key = "reservation.short"
	template = (
		"Cannot reserve {wanted} of {item} in {warehouse}: only {free} are still free; "
		"other orders hold the rest."
	)


def all_error_types() -> list[type[DomainError]]:
	"""Every concrete error class, for the translation catalogue check."""
	seen: list[type[DomainError]] = []
	stack: list[type[DomainError]] = [DomainError]
	while stack:
		cls = stack.pop()
		seen.append(cls)
		stack.extend(cls.__subclasses__())
	return seen


# Tracking -----------------------------------------------------------------------------------


class CarrierError(DomainError):
	"""A carrier service (Kuaidi100, AfterShip, a webhook carrier) refused or failed a request."""

	key = "carrier.error"
	template = "The carrier service {provider} refused the request: {detail}"


class RateLimited(CarrierError):
	key = "carrier.rate_limited"
	template = "The carrier service {provider} asks to slow down; tracking goes on in {seconds} seconds."

	def __init__(self, *, provider: str, retry_after: float) -> None:
		# Seconds to wait before the next request, from the provider's Retry-After / X-RateLimit-Reset.
		self.retry_after = max(0.0, float(retry_after))
		super().__init__(provider=provider, seconds=math.ceil(self.retry_after), retry_after=self.retry_after)


class TemporaryCarrierError(CarrierError):
	"""Worth trying again later: a 5xx, a timeout, a refused connection, an unreadable answer."""

	key = "carrier.temporary"
	template = (
		"The carrier service {provider} is not answering properly ({detail}); it will be tried again later."
	)


class UnknownTrackingNumber(CarrierError):
	key = "carrier.unknown_number"
	template = "The carrier service {provider} has no tracking information for waybill {tracking_number}."


class SignatureRejected(CarrierError):
	key = "carrier.signature_rejected"
	template = "A tracking update claiming to come from {provider} was refused: {reason}."
	translated_params = ("reason",)


class MalformedPush(CarrierError):
	key = "carrier.malformed_push"
	template = "A tracking update from {provider} could not be read: {detail}"


class PushOnlyCarrier(CarrierError):
	key = "carrier.push_only"
	template = "{provider} only sends tracking updates by webhook; it cannot be asked for them."


class CarrierNotConfigured(CarrierError):
	key = "carrier.not_configured"
	template = "The {provider} carrier account needs its {setting}."
	translated_params = ("setting",)


class UnknownCarrierProvider(CarrierError):
	key = "carrier.unknown_provider"
	template = "There is no carrier integration called {provider}."


# Reasons given as the {reason} of SignatureRejected, and settings named by CarrierNotConfigured.
SIGNATURE_MISSING = "the signature is missing"
SIGNATURE_WRONG = "the signature does not match"
SIGNATURE_STALE = "the timestamp is missing or too far from now"
SIGNATURE_NO_SECRET = "no secret is set to check it"
SIGNATURE_PROBLEMS = (SIGNATURE_MISSING, SIGNATURE_WRONG, SIGNATURE_STALE, SIGNATURE_NO_SECRET)
SETTING_API_KEY = "API Key"
SETTING_CUSTOMER = "Customer ID"
SETTING_CALLBACK_URL = "Callback URL"
SETTING_SECRET = "Callback Secret"
CARRIER_SETTINGS = (SETTING_API_KEY, SETTING_CUSTOMER, SETTING_CALLBACK_URL, SETTING_SECRET)


# Who may do what ----------------------------------------------------------------------------


class PricesAreNotForStockStaff(DomainError):
	key = "access.prices_for_sales"
	template = (
		"Warehouse staff may change quantities, warehouses and batches, not prices: {changes}. "
		"Ask sales or finance to change the price."
	)


# Reports ------------------------------------------------------------------------------------


class ReportDatesReversed(DomainError):
	key = "report.dates_reversed"
	template = "The report's end date {end} is before its start date {start}."


class UnknownReportPeriod(DomainError):
	key = "report.unknown_period"
	template = "{period} is not a report period; choose Day, Week, Month, Quarter or Year."


# The customer's portal -----------------------------------------------------------------------


class UnknownOrderStatus(DomainError):
	key = "portal.unknown_status"
	template = "{status} is not an order status; choose one of: {choices}."
	translated_params = ("status",)


class NotADate(DomainError):
	key = "portal.not_a_date"
	template = "{value} is not a date; write it as 2026-03-31."


class PortalDatesReversed(DomainError):
	key = "portal.dates_reversed"
	template = "The end date {end} is before the start date {start}."


class SearchTooLong(DomainError):
	key = "portal.search_too_long"
	template = "Search for at most {limit} characters."


class CancellationNotPossible(DomainError):
	key = "portal.cancellation_not_possible"
	template = "Order {order} is {status}: it can no longer be cancelled here. Please contact us."
	translated_params = ("status",)


class CancellationAlreadyRequested(DomainError):
	key = "portal.cancellation_already_requested"
	template = "A cancellation of order {order} was already requested on {requested}."


class CancellationReasonTooLong(DomainError):
	key = "portal.cancellation_reason_too_long"
	template = "Please keep the reason to {limit} characters."


# Channel intake ------------------------------------------------------------------------------


class IntakeError(DomainError):
	"""A channel's delivery of an order that cannot be taken as it is."""

	key = "intake.error"
	template = "The channel's order could not be taken."
	http_status: ClassVar[int] = 400


class ChannelSignatureRejected(IntakeError):
	key = "intake.signature_rejected"
	template = "An order delivery claiming to come from channel {channel} was refused: {reason}."
	translated_params = ("reason",)
	http_status = 401


class UnknownIntakeChannel(IntakeError):
	key = "intake.unknown_channel"
	template = "There is no order channel {channel} taking orders by API."
	http_status = 404  # as the carrier push for an unknown account; a desk-only channel answers the same


class ChannelDisabled(IntakeError):
	key = "intake.channel_disabled"
	template = "The order channel {channel} is disabled and takes no orders."
	http_status = 403


class InvalidIntakePayload(IntakeError):
	key = "intake.invalid_payload"
	template = "The order does not match the intake schema: {summary}"
	http_status = 422

	def __init__(self, *, errors: list[dict[str, str]]) -> None:
		self.errors = errors
		summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
		super().__init__(summary=summary)


class IntakeTooLarge(IntakeError):
	key = "intake.too_large"
	template = "The order delivery is larger than {limit} bytes."
	http_status = 413


class IntakeRateLimited(IntakeError):
	key = "intake.rate_limited"
	template = "Channel {channel} sends more than {limit} orders a minute; try again in {seconds} seconds."
	http_status = 429


class UnknownChannelSku(IntakeError):
	key = "intake.unknown_sku"
	template = (
		"The channel's SKU {skus} matches no item: add it to the channel's Item Mapping "
		"(or create an Item of that code), then replay the intake."
	)
	http_status = 422


class InvalidSkuMapping(IntakeError):
	key = "intake.invalid_mapping"
	template = "The item mapping file has problems: {problems}"


class ChannelChangeRefused(IntakeError):
	key = "intake.change_refused"
	template = "The channel's {action} was refused: {reason}."
	translated_params = ("action", "reason")
	http_status = 409


class ChannelOrderNotFound(IntakeError):
	key = "intake.order_not_found"
	template = (
		"No order {external_order_id} from channel {channel} has arrived yet; the {action} waits for it."
	)
	translated_params = ("action",)
	http_status = 409


class ChannelNotConfigured(IntakeError):
	key = "intake.not_configured"
	template = "The order channel {channel} needs its {setting} before it can take orders."
	translated_params = ("setting",)
	http_status = 503


class ChannelPullFailed(IntakeError):
	key = "intake.pull_failed"
	template = "Reading orders from channel {channel} failed ({detail}); the next pull tries again."
	http_status = 502

"""Order entry rules: bad input that always blocks, and the configurable business rules.

``check_input`` and ``evaluate_rules`` take a plain snapshot of the order (built by the Frappe
shell) and return every problem at once as :class:`Finding`s, each naming its row and field, so the
user fixes everything in one pass. Configurable rules come from ``Order Validation Rule`` records;
each says whether it blocks or only warns. Rule kinds are dispatched through a registry.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from order_online.domain import errors
from order_online.domain.availability import GREEN, LineAvailability
from order_online.domain.errors import DomainError, Translator

BLOCK, WARN = "Block", "Warn"

MIN_ORDER_AMOUNT = "Minimum Order Amount"
MAX_LINE_QTY = "Maximum Quantity per Line"
RESTRICTED_ITEM = "Item Not Sold To"
EARLIEST_DELIVERY = "Earliest Delivery Date"
CONTACT_REQUIRED = "Contact Required"
SHIPPING_ADDRESS_REQUIRED = "Shipping Address Required"
CREDIT_LIMIT = "Credit Limit"
STOCK_AVAILABILITY = "Stock Availability"

# The form labels that findings name (translated with the rest of the message).
FIELD_LABELS: dict[str, str] = {
	"item_code": "Item Code",
	"qty": "Quantity",
	"uom": "UOM",
	"delivery_date": "Delivery Date",
	"customer": "Customer",
	"grand_total": "Grand Total",
	"contact_person": "Contact Person",
	"shipping_address_name": "Shipping Address",
	"warehouse": "Delivery Warehouse",
}
ROW_LABEL = "Row {row}"


@dataclass(frozen=True)
class OrderLine:
	row: int
	item_code: str
	qty: float
	uom: str | None = None
	conversion_factor: float | None = 1.0
	warehouse: str | None = None
	delivery_date: datetime.date | None = None
	item_exists: bool = True
	item_groups: tuple[str, ...] = ()  # the item's group and its ancestors
	lead_time_days: int = 0  # the item's own, plus the warehouse's dispatch days


@dataclass(frozen=True)
class Order:
	company: str
	customer: str
	transaction_date: datetime.date
	today: datetime.date
	lines: tuple[OrderLine, ...]
	currency: str = ""
	delivery_date: datetime.date | None = None
	base_grand_total: float = 0.0
	customer_groups: tuple[str, ...] = ()  # the customer's group and its ancestors
	territories: tuple[str, ...] = ()
	contact_person: str | None = None
	shipping_address: str | None = None
	customer_disabled: bool = False
	customer_frozen: bool = False
	credit_limit: float = 0.0  # 0: no limit
	outstanding: float = 0.0  # the customer's balance before this order
	holidays: frozenset[datetime.date] = frozenset()
	allow_zero_qty: bool = False  # ERPNext allows 0 on orders with unit-price items


@dataclass(frozen=True)
class Rule:
	name: str
	kind: str
	action: str = BLOCK
	amount: float = 0.0
	max_qty: float = 0.0
	item_code: str | None = None
	item_group: str | None = None
	customer_group: str | None = None
	territory: str | None = None
	extra_days: int = 0


@dataclass(frozen=True)
class Finding:
	message: DomainError
	action: str = BLOCK
	field: str | None = None
	row: int | None = None
	rule: str | None = None

	def render(self, translate: Translator = lambda s: s) -> str:
		where = []
		if self.row is not None:
			where.append(translate(ROW_LABEL).format(row=self.row))
		if self.field:
			where.append(translate(FIELD_LABELS.get(self.field, self.field)))
		prefix = ", ".join(where)
		return f"{prefix}: {self.message.render(translate)}" if prefix else self.message.render(translate)


def money(value: float, currency: str = "") -> str:
	return f"{value:,.2f} {currency}".strip()


def _number(value: float) -> str:
	return f"{value:g}"


# Input that is wrong whatever the rules say -------------------------------------------------


def check_input(order: Order) -> list[Finding]:
	findings: list[Finding] = []
	if order.customer_disabled:
		findings.append(Finding(errors.CustomerDisabled(customer=order.customer), field="customer"))
	if order.customer_frozen:
		findings.append(Finding(errors.CustomerFrozen(customer=order.customer), field="customer"))
	# A back-dated order (entered after the fact) may have delivered already; ERPNext's own
	# "not before the order date" rule covers it.
	today = order.today if order.transaction_date >= order.today else None
	if today and order.delivery_date and order.delivery_date < today:
		findings.append(Finding(errors.DeliveryDateInPast(date=order.delivery_date), field="delivery_date"))
	for line in order.lines:
		findings += _check_line_input(line, today, order.allow_zero_qty, order.delivery_date)
	return findings


def _is_valid_qty(qty: object, allow_zero: bool) -> bool:
	if not isinstance(qty, int | float) or isinstance(qty, bool) or math.isnan(qty):
		return False
	return qty > 0 or (allow_zero and qty == 0)


def _check_line_input(
	line: OrderLine, today: datetime.date | None, allow_zero_qty: bool, order_date: datetime.date | None
) -> list[Finding]:
	found = []
	if not line.item_exists:
		found.append(Finding(errors.UnknownItem(item=line.item_code or "-"), field="item_code", row=line.row))
	if not _is_valid_qty(line.qty, allow_zero_qty):
		shown = _number(line.qty) if isinstance(line.qty, int | float) else line.qty
		found.append(Finding(errors.QtyNotPositive(qty=shown), field="qty", row=line.row))
	if line.item_exists and (not line.conversion_factor or line.conversion_factor <= 0):
		found.append(
			Finding(
				errors.MissingUomConversion(uom=line.uom or "-", item=line.item_code),
				field="uom",
				row=line.row,
			)
		)
	# A line that merely repeats the order's past date is already reported once for the order.
	if today and line.delivery_date and line.delivery_date < today and line.delivery_date != order_date:
		found.append(
			Finding(errors.DeliveryDateInPast(date=line.delivery_date), field="delivery_date", row=line.row)
		)
	return found


# Configurable rules -------------------------------------------------------------------------


def add_working_days(start: datetime.date, days: int, holidays: frozenset[datetime.date]) -> datetime.date:
	"""``days`` working days after ``start`` (holidays, weekly offs included, do not count)."""
	current = start
	remaining = max(0, days)
	while remaining:
		current += datetime.timedelta(days=1)
		if current not in holidays:
			remaining -= 1
	return current


def _line_matches(rule: Rule, line: OrderLine) -> bool:
	if rule.item_code and rule.item_code != line.item_code:
		return False
	return not (rule.item_group and rule.item_group not in line.item_groups)


def _min_order_amount(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	if order.base_grand_total >= rule.amount:
		return []
	message = errors.BelowMinimumAmount(
		amount=money(order.base_grand_total, order.currency),
		minimum=money(rule.amount, order.currency),
		rule=rule.name,
	)
	return [Finding(message, rule.action, "grand_total", rule=rule.name)]


def _max_line_qty(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	return [
		Finding(
			errors.LineQtyAboveMaximum(
				qty=_number(line.qty), item=line.item_code, maximum=_number(rule.max_qty), rule=rule.name
			),
			rule.action,
			"qty",
			line.row,
			rule.name,
		)
		for line in order.lines
		if _line_matches(rule, line) and line.qty > rule.max_qty
	]


def _restricted_item(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	targets = []
	if rule.customer_group and rule.customer_group in order.customer_groups:
		targets.append(rule.customer_group)
	if rule.territory and rule.territory in order.territories:
		targets.append(rule.territory)
	if not targets:
		return []
	return [
		Finding(
			errors.ItemNotSoldTo(item=line.item_code, target=targets[0], rule=rule.name),
			rule.action,
			"item_code",
			line.row,
			rule.name,
		)
		for line in order.lines
		if _line_matches(rule, line)
	]


def _earliest_delivery(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	start = max(order.transaction_date, order.today)
	findings = []
	for line in order.lines:
		wanted = line.delivery_date or order.delivery_date
		if not wanted or not _line_matches(rule, line):
			continue
		earliest = add_working_days(start, line.lead_time_days + rule.extra_days, order.holidays)
		if wanted < earliest:
			message = errors.DeliveryBeforeLeadTime(
				date=wanted, item=line.item_code, earliest=earliest, rule=rule.name
			)
			findings.append(Finding(message, rule.action, "delivery_date", line.row, rule.name))
	return findings


def _contact_required(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	if order.contact_person:
		return []
	return [Finding(errors.ContactRequired(rule=rule.name), rule.action, "contact_person", rule=rule.name)]


def _shipping_address_required(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	if order.shipping_address:
		return []
	return [
		Finding(
			errors.ShippingAddressRequired(rule=rule.name),
			rule.action,
			"shipping_address_name",
			rule=rule.name,
		)
	]


def _credit_limit(rule: Rule, order: Order, _: Sequence[LineAvailability]) -> list[Finding]:
	total = order.outstanding + order.base_grand_total
	if not order.credit_limit or total <= order.credit_limit:
		return []
	message = errors.CreditLimitExceeded(
		total=money(total, order.currency), limit=money(order.credit_limit, order.currency), rule=rule.name
	)
	return [Finding(message, rule.action, "customer", rule=rule.name)]


def _stock_availability(rule: Rule, order: Order, availability: Sequence[LineAvailability]) -> list[Finding]:
	findings = []
	for result in availability:
		if result.status == GREEN:
			continue
		params = dict(
			available=_number(max(result.available, 0.0)),
			required=_number(result.required),
			item=result.item_code,
			warehouse=result.warehouse or "-",
		)
		message = (
			errors.StockShortWithDate(date=result.earliest_date, **params)
			if result.earliest_date
			else errors.StockShort(**params)
		)
		findings.append(Finding(message, rule.action, "qty", result.row, rule.name))
	return findings


# What each rule kind needs filled in: a tuple of alternatives per requirement (one suffices).
RULE_REQUIREMENTS: Mapping[str, tuple[tuple[tuple[str, str], ...], ...]] = {
	MIN_ORDER_AMOUNT: ((("amount", "Minimum Amount (Company Currency)"),),),
	MAX_LINE_QTY: ((("max_qty", "Maximum Quantity"),),),
	RESTRICTED_ITEM: (
		(("item_code", "Item"), ("item_group", "Item Group")),
		(("customer_group", "Customer Group"), ("territory", "Territory")),
	),
}


def rule_definition_problems(rule: Rule) -> list[DomainError]:
	"""What a rule lacks to be checkable (a rule with nothing to compare would never fire)."""
	problems: list[DomainError] = []
	for alternatives in RULE_REQUIREMENTS.get(rule.kind, ()):
		if not any(getattr(rule, attr) for attr, _ in alternatives):
			problems.append(errors.RuleNeedsValue(rule=rule.name, field=alternatives[0][1]))
	return problems


RuleCheck = Callable[[Rule, Order, Sequence[LineAvailability]], list[Finding]]
RULE_CHECKS: Mapping[str, RuleCheck] = {
	MIN_ORDER_AMOUNT: _min_order_amount,
	MAX_LINE_QTY: _max_line_qty,
	RESTRICTED_ITEM: _restricted_item,
	EARLIEST_DELIVERY: _earliest_delivery,
	CONTACT_REQUIRED: _contact_required,
	SHIPPING_ADDRESS_REQUIRED: _shipping_address_required,
	CREDIT_LIMIT: _credit_limit,
	STOCK_AVAILABILITY: _stock_availability,
}
RULE_KINDS: tuple[str, ...] = tuple(RULE_CHECKS)


def check_stock(
	availability: Sequence[LineAvailability], action: str, rule_name: str = STOCK_AVAILABILITY
) -> list[Finding]:
	"""The submit-time stock check: every line the order cannot ship in full from its warehouse."""
	return _stock_availability(Rule(rule_name, STOCK_AVAILABILITY, action), None, availability)


def evaluate_rules(
	order: Order, rules: Iterable[Rule], availability: Sequence[LineAvailability] = ()
) -> list[Finding]:
	"""Every finding of every rule, in rule-name order (deterministic)."""
	findings: list[Finding] = []
	for rule in sorted(rules, key=lambda r: r.name):
		findings += RULE_CHECKS[rule.kind](rule, order, availability)
	return findings


@dataclass(frozen=True)
class Verdict:
	blocking: tuple[Finding, ...] = ()
	warnings: tuple[Finding, ...] = ()

	def raise_if_blocked(self) -> None:
		if self.blocking:
			raise errors.OrderProblems(self.blocking)


def verdict(findings: Iterable[Finding]) -> Verdict:
	findings = tuple(findings)
	return Verdict(
		blocking=tuple(f for f in findings if f.action == BLOCK),
		warnings=tuple(f for f in findings if f.action == WARN),
	)

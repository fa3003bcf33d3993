"""Order approval: which rules an order fires, the level it needs, and who may approve each level.

An ``Order Approval Rule`` fires when all of its conditions hold (amount tier in company currency,
new customer, discount above a percentage, credit limit exceeded, customer group / territory /
channel). The order needs the highest level of the rules that fired; each level may be approved by
any role or user the fired rules name for it. Evaluation is deterministic (rules in name order) and
explains itself: every fired rule comes with the reasons it fired.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from order_online.domain import errors
from order_online.domain.errors import DomainError
from order_online.domain.order_rules import money

EPSILON = 1e-9


# The order's approval status (its oo_approval_status field)
PENDING, APPROVED, REJECTED, NOT_REQUIRED = "Pending", "Approved", "Rejected", "Not Required"


@dataclass(frozen=True)
class Approver:
	level: int
	role: str | None = None
	user: str | None = None


@dataclass(frozen=True)
class ApprovalRule:
	name: str
	approvers: tuple[Approver, ...]
	min_amount: float = 0.0  # tier lower bound, inclusive (company currency)
	max_amount: float = 0.0  # tier upper bound, exclusive; 0: none
	new_customer: bool = False
	new_customer_days: int = 0
	discount_above: float = 0.0  # percent; 0: not a condition
	credit_limit_exceeded: bool = False
	customer_group: str | None = None
	territory: str | None = None
	channel: str | None = None
	allow_self_approval: bool = False
	sla_hours: float = 0.0

	@property
	def required_level(self) -> int:
		return max((a.level for a in self.approvers), default=0)

	def has_condition(self) -> bool:
		return bool(
			self.min_amount
			or self.max_amount
			or self.new_customer
			or self.discount_above
			or self.credit_limit_exceeded
			or self.customer_group
			or self.territory
			or self.channel
		)


@dataclass(frozen=True)
class OrderFacts:
	customer: str
	owner: str
	amount: float  # grand total in company currency, at the order's exchange rate
	today: datetime.date
	currency: str = ""
	customer_created: datetime.date | None = None
	has_earlier_orders: bool = True
	max_discount_percent: float = 0.0
	credit_limit: float = 0.0  # 0: none
	outstanding: float = 0.0  # the customer's balance before this order
	customer_groups: tuple[str, ...] = ()
	territories: tuple[str, ...] = ()
	channel: str | None = None


@dataclass(frozen=True)
class FiredRule:
	rule: str
	level: int
	reasons: tuple[DomainError, ...]


@dataclass(frozen=True)
class Requirement:
	required_level: int = 0
	fired: tuple[FiredRule, ...] = ()
	approvers: Mapping[int, tuple[Approver, ...]] = field(default_factory=dict)
	allow_self_approval: bool = True
	sla_hours: float = 0.0

	@property
	def needs_approval(self) -> bool:
		return self.required_level > 0

	@property
	def decides_credit(self) -> bool:
		"""A fired rule is about the credit limit: the approvers, not the submitter, decide on it."""
		return any(
			isinstance(reason, errors.CreditLimitWouldBeExceeded)
			for fired in self.fired
			for reason in fired.reasons
		)

	def explain(self, translate=lambda s: s) -> str:
		lines = []
		for fired in self.fired:
			reasons = "; ".join(reason.render(translate) for reason in fired.reasons)
			lines.append(f"{fired.rule} (L{fired.level}): {reasons}")
		return "\n".join(lines)


def max_discount_percent(
	order_percent: float,
	order_amount: float,
	order_total: float,
	lines: Iterable[tuple[float, float, float]],
) -> float:
	"""The largest discount on the order: its own (percentage, or amount over total) or any line's
	(its discount percentage, or how far its rate is below the price list rate)."""
	found = [order_percent or (order_amount / order_total * 100 if order_amount and order_total else 0.0)]
	for percent, price_list_rate, rate in lines:
		found.append(percent)
		if price_list_rate > 0 and rate < price_list_rate:
			found.append((1 - rate / price_list_rate) * 100)
	return round(max(found), 6)


def company_amount(grand_total: float, conversion_rate: float) -> float:
	"""The order total in company currency at the order's own exchange rate."""
	return grand_total * (conversion_rate or 1.0)


def _is_new_customer(rule: ApprovalRule, facts: OrderFacts) -> bool:
	if not facts.has_earlier_orders:
		return True
	if rule.new_customer_days and facts.customer_created:
		return (facts.today - facts.customer_created).days < rule.new_customer_days
	return False


def reasons_fired(rule: ApprovalRule, facts: OrderFacts) -> tuple[DomainError, ...] | None:
	"""Why ``rule`` fires for the order, or None when one of its conditions does not hold."""
	reasons: list[DomainError] = []
	if rule.min_amount or rule.max_amount:
		if facts.amount + EPSILON < rule.min_amount:
			return None
		if rule.max_amount and facts.amount >= rule.max_amount - EPSILON:
			return None
		amount, low = money(facts.amount, facts.currency), money(rule.min_amount, facts.currency)
		reasons.append(
			errors.AmountInTier(amount=amount, minimum=low, maximum=money(rule.max_amount, facts.currency))
			if rule.max_amount
			else errors.AmountAtLeast(amount=amount, minimum=low)
		)
	if rule.new_customer:
		if not _is_new_customer(rule, facts):
			return None
		reasons.append(errors.NewCustomer(customer=facts.customer, days=rule.new_customer_days))
	if rule.discount_above:
		if facts.max_discount_percent <= rule.discount_above + EPSILON:
			return None
		reasons.append(
			errors.DiscountAbove(discount=f"{facts.max_discount_percent:g}", limit=f"{rule.discount_above:g}")
		)
	if rule.credit_limit_exceeded:
		total = facts.outstanding + facts.amount
		if not facts.credit_limit or total <= facts.credit_limit + EPSILON:
			return None
		reasons.append(
			errors.CreditLimitWouldBeExceeded(
				total=money(total, facts.currency), limit=money(facts.credit_limit, facts.currency)
			)
		)
	for wanted, have in (
		(rule.customer_group, facts.customer_groups),
		(rule.territory, facts.territories),
		(rule.channel, (facts.channel,)),
	):
		if wanted:
			if wanted not in have:
				return None
			reasons.append(errors.MatchesScope(scope=wanted))
	return tuple(reasons) if reasons else None


def evaluate(facts: OrderFacts, rules: Iterable[ApprovalRule]) -> Requirement:
	fired: list[FiredRule] = []
	approvers: dict[int, set[Approver]] = defaultdict(set)
	self_ok, slas = True, []
	for rule in sorted(rules, key=lambda r: r.name):
		reasons = reasons_fired(rule, facts)
		if reasons is None or not rule.required_level:
			continue
		fired.append(FiredRule(rule.name, rule.required_level, reasons))
		for approver in rule.approvers:
			approvers[approver.level].add(approver)
		self_ok = self_ok and rule.allow_self_approval
		if rule.sla_hours:
			slas.append(rule.sla_hours)
	if not fired:
		return Requirement()
	required = max(f.level for f in fired)
	return Requirement(
		required_level=required,
		fired=tuple(fired),
		approvers={
			level: tuple(sorted(approvers.get(level, ()), key=lambda a: (a.role or "", a.user or "")))
			for level in range(1, required + 1)
		},
		allow_self_approval=self_ok,
		sla_hours=min(slas) if slas else 0.0,
	)


def rule_problems(rule: ApprovalRule) -> list[DomainError]:
	problems: list[DomainError] = []
	if not rule.has_condition():
		problems.append(errors.RuleHasNoCondition(rule=rule.name))
	levels = {a.level for a in rule.approvers if a.role or a.user}
	for level in range(1, rule.required_level + 1):
		if level not in levels:
			problems.append(errors.RuleHasNoApprover(rule=rule.name, level=level))
	return problems


def approval_problem(
	requirement: Requirement, levels_approved: int, user: str, roles: Iterable[str], owner: str
) -> DomainError | None:
	"""Why ``user`` may not approve the next level now, or None when they may."""
	level = levels_approved + 1
	if not requirement.needs_approval or level > requirement.required_level:
		return errors.NothingToApprove()
	roles = set(roles)
	allowed = requirement.approvers.get(level, ())
	if not any((a.user and a.user == user) or (a.role and a.role in roles) for a in allowed):
		return errors.NotAnApprover(level=level)
	if user == owner and not requirement.allow_self_approval:
		return errors.SelfApprovalRefused()
	return None


@dataclass(frozen=True)
class ApprovedTerms:
	"""What an approval covered; a change beyond it needs approval again."""

	amount: float
	customer: str
	lines: frozenset[tuple[str, float, float]]  # (item, qty, rate)
	discount_percent: float


def reapproval_reasons(approved: ApprovedTerms, current: ApprovedTerms) -> list[str]:
	"""Plain keys of what changed: amount raised, customer, items, discount."""
	reasons = []
	if current.amount > approved.amount + 0.005:
		reasons.append("amount")
	if current.customer != approved.customer:
		reasons.append("customer")
	if current.lines != approved.lines:
		reasons.append("items")
	if abs(current.discount_percent - approved.discount_percent) > EPSILON:
		reasons.append("discount")
	return reasons


def is_overdue(pending_since: datetime.datetime | None, sla_hours: float, now: datetime.datetime) -> bool:
	"""Waiting longer than the shortest SLA of the rules that fired (no SLA: never overdue)."""
	if not pending_since or not sla_hours:
		return False
	return now - pending_since > datetime.timedelta(hours=sla_hours)


@dataclass(frozen=True)
class Step:
	"""Where an order stands after one more approval: the level just approved, its status, and
	whether the hold is released now (the last level) or the next level's approvers are asked."""

	level: int
	status: str
	released: bool


def approved_at(status: str | None, last_approval: datetime.datetime | None) -> datetime.datetime | None:
	"""When the order was approved: its last approval, while it is approved (an order that must be
	approved again, or was rejected, has not been)."""
	return last_approval if status == APPROVED else None


def approve_step(levels_approved: int, required_level: int) -> Step:
	"""One approval more: the next level is approved; the order is Approved at the required level."""
	level = (levels_approved or 0) + 1
	released = level >= required_level
	return Step(level=level, status=APPROVED if released else PENDING, released=released)


# The stored requirement: frozen at submit (as text on the order), so rule edits do not move orders
# already waiting.


def dump_requirement(requirement: Requirement, terms: ApprovedTerms) -> str:
	return json.dumps(
		{
			"required_level": requirement.required_level,
			"approvers": {
				str(level): [[a.role, a.user] for a in approvers]
				for level, approvers in requirement.approvers.items()
			},
			"allow_self_approval": requirement.allow_self_approval,
			"sla_hours": requirement.sla_hours,
			"terms": {
				"amount": terms.amount,
				"customer": terms.customer,
				"lines": sorted(terms.lines),
				"discount_percent": terms.discount_percent,
			},
		}
	)


def load_requirement(text: str | None) -> tuple[Requirement, ApprovedTerms | None]:
	"""What ``dump_requirement`` stored; nothing stored: no requirement and no approved terms."""
	data = json.loads(text or "{}")
	if not data:
		return Requirement(), None
	requirement = Requirement(
		required_level=data["required_level"],
		approvers={
			int(level): tuple(Approver(int(level), role, user) for role, user in approvers)
			for level, approvers in data["approvers"].items()
		},
		allow_self_approval=data["allow_self_approval"],
		sla_hours=data["sla_hours"],
	)
	t = data["terms"]
	terms = ApprovedTerms(
		t["amount"], t["customer"], frozenset(tuple(line) for line in t["lines"]), t["discount_percent"]
	)
	return requirement, terms


@dataclass(frozen=True)
class Escalation:
	level: int  # the level that is overdue (logged as escalated)
	notify: tuple[int, ...]  # whose approvers to tell: that level's (a reminder) and the next one's


def escalation(
	levels_approved: int | None,
	pending_since: datetime.datetime | None,
	requirement: Requirement,
	escalated_levels: Iterable[int],
	now: datetime.datetime,
) -> Escalation | None:
	"""An order waiting past its SLA is escalated once per level: None when it is not overdue or its
	current level was escalated already."""
	level = (levels_approved or 0) + 1
	if level in set(escalated_levels) or not is_overdue(pending_since, requirement.sla_hours, now):
		return None
	notify = (level, level + 1) if level + 1 in requirement.approvers else (level,)
	return Escalation(level=level, notify=notify)

"""The approval engine: tiers, currency, new customers, discount, credit, several rules, who may approve."""

import datetime

import pytest

from order_online.domain import approval as a
from order_online.domain import errors

TODAY = datetime.date(2026, 11, 27)


def facts(**kw):
	values = dict(customer="Acme", owner="sales@x", amount=5000.0, today=TODAY, currency="CNY")
	values.update(kw)
	return a.OrderFacts(**values)


def rule(name, *levels, **kw):
	approvers = tuple(a.Approver(level, role=role) for level, role in enumerate(levels, start=1))
	return a.ApprovalRule(name, approvers, **kw)


TIERS = [
	rule("T1 10k-50k", "Sales Manager", min_amount=10000, max_amount=50000),
	rule("T2 50k+", "Sales Manager", "Finance Manager", min_amount=50000),
]


@pytest.mark.parametrize(
	"amount, level",
	[(9999.99, 0), (10000, 1), (49999.99, 1), (50000, 2), (1e7, 2)],
)
def test_amount_tier_boundaries(amount, level):
	assert a.evaluate(facts(amount=amount), TIERS).required_level == level


def test_amount_is_taken_in_company_currency():
	# 8,000 USD at 7.1 CNY/USD is 56,800 CNY: the second tier.
	amount = a.company_amount(8000, 7.1)
	assert amount == pytest.approx(56800)
	assert a.evaluate(facts(amount=amount), TIERS).required_level == 2


def test_no_rule_fired_needs_no_approval():
	requirement = a.evaluate(facts(amount=10), TIERS)
	assert not requirement.needs_approval
	assert requirement.fired == ()


def test_new_customer_without_earlier_orders_or_created_recently():
	r = rule("New", "Sales Manager", new_customer=True, new_customer_days=30)
	assert a.evaluate(facts(has_earlier_orders=False), [r]).required_level == 1
	recent = TODAY - datetime.timedelta(days=29)
	assert a.evaluate(facts(customer_created=recent), [r]).required_level == 1
	old = TODAY - datetime.timedelta(days=30)
	assert a.evaluate(facts(customer_created=old), [r]).required_level == 0


def test_discount_above_a_percentage():
	r = rule("Discount", "Sales Manager", discount_above=10)
	assert a.evaluate(facts(max_discount_percent=10), [r]).required_level == 0
	assert a.evaluate(facts(max_discount_percent=10.5), [r]).required_level == 1


def test_credit_limit_exceeded():
	r = rule("Credit", "Finance Manager", credit_limit_exceeded=True)
	assert a.evaluate(facts(credit_limit=10000, outstanding=5000), [r]).required_level == 0
	assert a.evaluate(facts(credit_limit=10000, outstanding=5000.01), [r]).required_level == 1
	assert a.evaluate(facts(credit_limit=0, outstanding=1e9), [r]).required_level == 0


def test_only_a_fired_credit_rule_takes_the_credit_decision_from_the_submitter():
	credit = rule("Credit", "Finance Manager", credit_limit_exceeded=True)
	over = facts(credit_limit=10000, outstanding=6000)
	assert a.evaluate(over, [credit, *TIERS]).decides_credit
	assert not a.evaluate(over, TIERS).decides_credit  # approval for the amount only: ERPNext still checks
	assert not a.evaluate(facts(credit_limit=10000, outstanding=0), [credit]).decides_credit


def test_all_conditions_of_a_rule_must_hold():
	r = rule("Big export", "Sales Manager", min_amount=1000, customer_group="Export")
	assert a.evaluate(facts(customer_groups=("Retail",)), [r]).required_level == 0
	assert a.evaluate(facts(customer_groups=("Export EU", "Export")), [r]).required_level == 1


def test_several_rules_take_the_highest_level_and_explain_each():
	rules = [
		*TIERS,
		rule("New", "Credit Controller", new_customer=True),
		rule("Web", "Channel Lead", channel="Web Shop"),
	]
	requirement = a.evaluate(facts(amount=60000, has_earlier_orders=False, channel="Web Shop"), rules)
	assert requirement.required_level == 2
	assert [f.rule for f in requirement.fired] == ["New", "T2 50k+", "Web"]
	assert {ap.role for ap in requirement.approvers[1]} == {
		"Sales Manager",
		"Credit Controller",
		"Channel Lead",
	}
	assert {ap.role for ap in requirement.approvers[2]} == {"Finance Manager"}
	text = requirement.explain()
	assert "60,000.00 CNY" in text and "Acme is new" in text and "Web Shop" in text


def test_evaluation_is_deterministic():
	rules = [*TIERS, rule("New", "Credit Controller", new_customer=True)]
	f = facts(amount=20000, has_earlier_orders=False)
	assert a.evaluate(f, rules) == a.evaluate(f, list(reversed(rules)))


def test_who_may_approve_each_level():
	requirement = a.evaluate(facts(amount=60000), TIERS)
	assert a.approval_problem(requirement, 0, "boss@x", ["Sales Manager"], "sales@x") is None
	assert isinstance(
		a.approval_problem(requirement, 1, "boss@x", ["Sales Manager"], "sales@x"), errors.NotAnApprover
	)
	assert a.approval_problem(requirement, 1, "cfo@x", ["Finance Manager"], "sales@x") is None
	assert isinstance(
		a.approval_problem(requirement, 2, "cfo@x", ["Finance Manager"], "sales@x"), errors.NothingToApprove
	)


def test_a_named_user_may_approve_without_the_role():
	r = a.ApprovalRule("VIP", (a.Approver(1, user="ceo@x"),), min_amount=1)
	requirement = a.evaluate(facts(), [r])
	assert a.approval_problem(requirement, 0, "ceo@x", [], "sales@x") is None


def test_self_approval_refused_unless_every_fired_rule_allows_it():
	strict = rule("Strict", "Sales Manager", min_amount=1)
	lenient = rule("Lenient", "Sales Manager", min_amount=1, allow_self_approval=True)
	owner = "sales@x"
	refused = a.approval_problem(
		a.evaluate(facts(owner=owner), [strict, lenient]), 0, owner, ["Sales Manager"], owner
	)
	assert isinstance(refused, errors.SelfApprovalRefused)
	assert (
		a.approval_problem(a.evaluate(facts(owner=owner), [lenient]), 0, owner, ["Sales Manager"], owner)
		is None
	)


def test_rule_definitions_are_checked():
	assert isinstance(a.rule_problems(rule("Empty", "Sales Manager"))[0], errors.RuleHasNoCondition)
	gap = a.ApprovalRule("Gap", (a.Approver(2, role="Finance Manager"),), min_amount=1)
	assert [p.params["level"] for p in a.rule_problems(gap)] == [1]
	assert a.rule_problems(TIERS[1]) == []


def test_shortest_sla_of_the_fired_rules():
	rules = [
		rule("A", "Sales Manager", min_amount=1, sla_hours=24),
		rule("B", "Sales Manager", min_amount=1, sla_hours=4),
	]
	assert a.evaluate(facts(), rules).sla_hours == 4


def terms(**kw):
	values = dict(amount=1000.0, customer="Acme", lines=frozenset({("A", 1.0, 1000.0)}), discount_percent=0.0)
	values.update(kw)
	return a.ApprovedTerms(**values)


@pytest.mark.parametrize(
	"change, reasons",
	[
		({}, []),
		({"amount": 999.0}, []),  # cheaper: the approval still covers it
		({"amount": 1000.01}, ["amount"]),
		({"customer": "Other"}, ["customer"]),
		({"lines": frozenset({("A", 2.0, 500.0)})}, ["items"]),
		({"discount_percent": 5.0}, ["discount"]),
	],
)
def test_changes_after_approval_that_need_it_again(change, reasons):
	assert a.reapproval_reasons(terms(), terms(**change)) == reasons


def test_overdue_after_the_sla():
	since = datetime.datetime(2026, 11, 27, 8, 0)
	assert not a.is_overdue(since, 4, since + datetime.timedelta(hours=4))
	assert a.is_overdue(since, 4, since + datetime.timedelta(hours=4, minutes=1))
	assert not a.is_overdue(since, 0, since + datetime.timedelta(days=30))
	assert not a.is_overdue(None, 4, since)


def test_largest_discount_of_order_and_lines():
	assert a.max_discount_percent(0, 0, 1000, [(0, 100, 100)]) == 0
	assert a.max_discount_percent(5, 0, 1000, [(0, 100, 100)]) == 5
	assert a.max_discount_percent(0, 150, 1000, []) == 15  # an amount off the order's total
	assert a.max_discount_percent(0, 0, 1000, [(3, 100, 100), (0, 100, 80)]) == 20  # rate below list price


def test_each_approval_moves_one_level_and_the_last_releases():
	first = a.approve_step(0, 2)
	assert (first.level, first.status, first.released) == (1, a.PENDING, False)
	last = a.approve_step(1, 2)
	assert (last.level, last.status, last.released) == (2, a.APPROVED, True)
	assert a.approve_step(None, 1).released


def test_a_stored_requirement_reads_back_as_it_was_frozen():
	requirement = a.Requirement(
		required_level=2,
		approvers={1: (a.Approver(1, "Sales Manager", None),), 2: (a.Approver(2, None, "cfo@x.com"),)},
		allow_self_approval=False,
		sla_hours=4.5,
	)
	terms = a.ApprovedTerms(9000.0, "Shenzhen Co", frozenset({("ITEM-1", 3.0, 3000.0)}), 12.5)
	loaded, loaded_terms = a.load_requirement(a.dump_requirement(requirement, terms))
	assert (loaded.required_level, loaded.approvers) == (2, requirement.approvers)
	assert (loaded.allow_self_approval, loaded.sla_hours) == (False, 4.5)
	assert loaded_terms == terms
	assert a.load_requirement(None) == (a.Requirement(), None)
	assert a.load_requirement("") == (a.Requirement(), None)


def test_an_overdue_order_is_escalated_once_per_level_to_that_level_and_the_next():
	now = datetime.datetime(2026, 12, 1, 12, 0)
	waited = now - datetime.timedelta(hours=5)
	two_levels = a.Requirement(
		required_level=2,
		approvers={1: (a.Approver(1, "Sales Manager"),), 2: (a.Approver(2, "Accounts Manager"),)},
		sla_hours=4,
	)
	step = a.escalation(0, waited, two_levels, (), now)
	assert (step.level, step.notify) == (1, (1, 2))
	assert a.escalation(0, waited, two_levels, (1,), now) is None  # once per level
	last = a.escalation(1, waited, two_levels, (1,), now)
	assert (last.level, last.notify) == (2, (2,))  # no level after the last
	assert a.escalation(0, now - datetime.timedelta(hours=3), two_levels, (), now) is None  # within SLA


def test_an_order_is_approved_at_its_last_approval_only_while_it_is_approved():
	last = datetime.datetime(2026, 3, 1, 12)
	assert a.approved_at(a.APPROVED, last) == last
	for status in (a.PENDING, a.REJECTED, a.NOT_REQUIRED, None):
		assert a.approved_at(status, last) is None  # to be approved again, rejected, or never asked

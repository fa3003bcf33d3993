"""The order entry rule engine: every rule, its boundaries, several problems at once, zh/en messages."""

import datetime

import pytest

from order_online.domain import errors
from order_online.domain import order_rules as r
from order_online.domain.availability import ORANGE, RED, LineAvailability
from tests.translations import load_translations

TODAY = datetime.date(2026, 11, 27)  # a Friday


def line(row=1, item="A", qty=5.0, **kw):
	return r.OrderLine(row=row, item_code=item, qty=qty, **kw)


def order(*lines, **kw):
	values = dict(
		company="WP",
		customer="Acme",
		transaction_date=TODAY,
		today=TODAY,
		lines=lines or (line(),),
		currency="CNY",
		base_grand_total=1000.0,
	)
	values.update(kw)
	return r.Order(**values)


def kinds(findings):
	return [type(f.message) for f in findings]


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("qty", [0, -1, float("nan")])
def test_quantity_must_be_positive(qty):
	[finding] = r.check_input(order(line(qty=qty)))
	assert isinstance(finding.message, errors.QtyNotPositive)
	assert (finding.row, finding.field) == (1, "qty")


def test_all_bad_input_is_reported_at_once():
	o = order(
		line(1, "GHOST", 2, item_exists=False),
		line(2, "A", 0),
		line(3, "B", 2, uom="Box", conversion_factor=0),
		line(4, "C", 1, delivery_date=TODAY - datetime.timedelta(days=1)),
		customer_disabled=True,
		customer_frozen=True,
	)
	found = r.check_input(o)
	assert kinds(found) == [
		errors.CustomerDisabled,
		errors.CustomerFrozen,
		errors.UnknownItem,
		errors.QtyNotPositive,
		errors.MissingUomConversion,
		errors.DeliveryDateInPast,
	]
	assert [f.row for f in found] == [None, None, 1, 2, 3, 4]


def test_a_past_order_date_copied_to_lines_is_reported_once():
	past = TODAY - datetime.timedelta(days=2)
	found = r.check_input(order(line(1, delivery_date=past), line(2, delivery_date=past), delivery_date=past))
	assert [(f.row, type(f.message)) for f in found] == [(None, errors.DeliveryDateInPast)]


def test_quantity_is_shown_as_typed():
	[f] = r.check_input(order(line(qty=0.0)))
	assert "(it is 0)" in f.render()


def test_clean_input_has_no_findings():
	assert r.check_input(order(line(delivery_date=TODAY))) == []


# Business rules -----------------------------------------------------------------------------


def test_minimum_amount_boundary():
	rule = r.Rule("Min 1000", r.MIN_ORDER_AMOUNT, amount=1000)
	assert r.evaluate_rules(order(base_grand_total=1000), [rule]) == []
	[f] = r.evaluate_rules(order(base_grand_total=999.99), [rule])
	assert f.field == "grand_total"
	assert "999.99 CNY" in f.render() and "1,000.00 CNY" in f.render()


def test_maximum_line_quantity_names_each_row():
	rule = r.Rule("Max 10", r.MAX_LINE_QTY, max_qty=10)
	found = r.evaluate_rules(order(line(1, qty=10), line(2, qty=11), line(3, qty=50)), [rule])
	assert [f.row for f in found] == [2, 3]


def test_maximum_quantity_scoped_to_an_item_group():
	rule = r.Rule("Max 10 cables", r.MAX_LINE_QTY, max_qty=10, item_group="Cables")
	o = order(
		line(1, "X", 20, item_groups=("Cables", "All Item Groups")), line(2, "Y", 20, item_groups=("Tools",))
	)
	assert [f.row for f in r.evaluate_rules(o, [rule])] == [1]


def test_item_not_sold_to_a_customer_group_including_subgroups():
	rule = r.Rule(
		"No batteries to export", r.RESTRICTED_ITEM, item_group="Batteries", customer_group="Export"
	)
	o = order(
		line(1, "BAT", 1, item_groups=("Batteries", "All Item Groups")),
		line(2, "CAB", 1, item_groups=("Cables",)),
		customer_groups=("Export EU", "Export", "All Customer Groups"),
	)
	[f] = r.evaluate_rules(o, [rule])
	assert (f.row, f.field) == (1, "item_code")
	assert (
		r.evaluate_rules(
			order(line(1, "BAT", 1, item_groups=("Batteries",)), customer_groups=("Retail",)), [rule]
		)
		== []
	)


def test_item_not_sold_to_a_territory():
	rule = r.Rule("Not to Tibet", r.RESTRICTED_ITEM, item_code="BAT", territory="Tibet")
	assert len(r.evaluate_rules(order(line(1, "BAT"), territories=("Tibet", "China")), [rule])) == 1
	assert r.evaluate_rules(order(line(1, "BAT"), territories=("China",)), [rule]) == []


def test_earliest_delivery_counts_working_days_only():
	# Friday + 3 working days with the weekend off = Wednesday Dec 2.
	weekend = frozenset({datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)})
	assert r.add_working_days(TODAY, 3, weekend) == datetime.date(2026, 12, 2)
	rule = r.Rule("Lead time", r.EARLIEST_DELIVERY)
	o = order(
		line(1, qty=1, lead_time_days=3, delivery_date=datetime.date(2026, 12, 1)),
		line(2, qty=1, lead_time_days=3, delivery_date=datetime.date(2026, 12, 2)),
		holidays=weekend,
	)
	[f] = r.evaluate_rules(o, [rule])
	assert f.row == 1 and "2026-12-02" in f.render()


def test_contact_and_shipping_address_required():
	rules = [
		r.Rule("Contact", r.CONTACT_REQUIRED),
		r.Rule("Ship to", r.SHIPPING_ADDRESS_REQUIRED, action=r.WARN),
	]
	found = r.evaluate_rules(order(), rules)
	assert [(f.field, f.action) for f in found] == [
		("contact_person", r.BLOCK),
		("shipping_address_name", r.WARN),
	]
	assert r.evaluate_rules(order(contact_person="C-1", shipping_address="A-1"), rules) == []


def test_credit_limit_boundary():
	rule = r.Rule("Credit", r.CREDIT_LIMIT)
	assert r.evaluate_rules(order(credit_limit=5000, outstanding=4000, base_grand_total=1000), [rule]) == []
	[f] = r.evaluate_rules(order(credit_limit=5000, outstanding=4000.01, base_grand_total=1000), [rule])
	assert "5,000.01 CNY" in f.render()
	assert r.evaluate_rules(order(credit_limit=0, outstanding=1e9), [rule]) == []


def test_stock_availability_uses_the_availability_results():
	availability = [
		LineAvailability(1, "A", "Main", 5, 5, 5, "Green", TODAY),
		LineAvailability(2, "B", "Main", 5, 2, 9, ORANGE, datetime.date(2026, 12, 3)),
		LineAvailability(3, "C", "Main", 5, -1, 0, RED, None),
	]
	rule = r.Rule("Stock", r.STOCK_AVAILABILITY, action=r.WARN)
	found = r.evaluate_rules(order(), [rule], availability)
	assert [(f.row, type(f.message)) for f in found] == [
		(2, errors.StockShortWithDate),
		(3, errors.StockShort),
	]
	assert "Only 0 of 5 C" in found[1].render()


def test_several_rules_fail_together_and_split_into_block_and_warn():
	rules = [
		r.Rule("B: Max 10", r.MAX_LINE_QTY, max_qty=10),
		r.Rule("A: Min 2000", r.MIN_ORDER_AMOUNT, amount=2000, action=r.WARN),
		r.Rule("C: Contact", r.CONTACT_REQUIRED),
	]
	v = r.verdict(r.evaluate_rules(order(line(1, qty=20)), rules))
	assert [f.rule for f in v.blocking] == ["B: Max 10", "C: Contact"]
	assert [f.rule for f in v.warnings] == ["A: Min 2000"]
	with pytest.raises(errors.OrderProblems) as err:
		v.raise_if_blocked()
	text = str(err.value)
	assert text.count("\n- ") == 2 and "Row 1, Quantity:" in text


def test_messages_in_chinese_name_row_and_field():
	zh = load_translations("zh")
	rule = r.Rule("Max 10", r.MAX_LINE_QTY, max_qty=10)
	[f] = r.evaluate_rules(order(line(3, qty=11)), [rule])
	text = errors.OrderProblems([f]).render(lambda s: zh.get(s, s))
	assert zh["Quantity"] in text and "3" in text
	assert "above the maximum" not in text


def test_every_rule_kind_has_a_check():
	assert set(r.RULE_KINDS) == set(r.RULE_CHECKS)


def test_zero_quantity_allowed_for_unit_price_orders_only():
	assert r.check_input(order(line(qty=0), allow_zero_qty=True)) == []
	assert kinds(r.check_input(order(line(qty=-1), allow_zero_qty=True))) == [errors.QtyNotPositive]


def test_quantity_that_is_not_a_number_is_named():
	[f] = r.check_input(order(line(qty="abc")))
	assert "(it is abc)" in f.render()


def test_back_dated_order_may_have_a_past_delivery_date():
	last_week = TODAY - datetime.timedelta(days=7)
	o = order(line(delivery_date=last_week), transaction_date=last_week, delivery_date=last_week)
	assert r.check_input(o) == []


def test_rule_definitions_must_be_complete():
	assert r.rule_definition_problems(r.Rule("M", r.MIN_ORDER_AMOUNT, amount=0)) != []
	assert r.rule_definition_problems(r.Rule("M", r.MIN_ORDER_AMOUNT, amount=10)) == []
	assert len(r.rule_definition_problems(r.Rule("R", r.RESTRICTED_ITEM))) == 2
	assert r.rule_definition_problems(r.Rule("R", r.RESTRICTED_ITEM, item_group="G", territory="T")) == []
	assert r.rule_definition_problems(r.Rule("C", r.CONTACT_REQUIRED)) == []

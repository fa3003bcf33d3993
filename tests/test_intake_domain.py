"""The intake's rules: the schema's field errors, which delivery repeats which, who the buyer is, which
Item a SKU is, what a change may still do, and the Sales Order an order becomes."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_online.domain import intake as d
from order_online.domain.errors import (
	ChannelChangeRefused,
	InvalidIntakePayload,
	InvalidSkuMapping,
	UnknownChannelSku,
)

ORDER = {
	"external_order_id": "W-1001",
	"customer": {
		"external_id": "c-7",
		"name": "Li Lei",
		"email": "Li.Lei@Example.com",
		"phone": "+86 138-0013-8000",
	},
	"shipping_address": {"line1": "1 Keyuan Road", "city": "Shenzhen", "country": "CN"},
	"lines": [{"sku": "MUG-RED", "qty": 2, "rate": "19.90"}, {"sku": "TEA-1", "qty": 1}],
	"shipping_charge": 8,
}


def parse(**changes) -> d.IntakeOrder:
	return d.parse_order(json.dumps({**ORDER, **changes}))


def errors_of(body) -> dict[str, str]:
	with pytest.raises(InvalidIntakePayload) as caught:
		d.parse_order(body if isinstance(body, bytes | str) else json.dumps(body))
	return {e["field"]: e["message"] for e in caught.value.errors}


def test_a_good_order_reads_with_exact_amounts():
	order = parse()
	assert order.lines[0].rate == Decimal("19.90")
	assert order.lines[1].rate is None  # the channel's price list decides
	assert order.action == "create"
	assert order.customer.email == "Li.Lei@Example.com"


def test_every_field_error_is_listed_at_once():
	bad = {**ORDER, "currency": "yuan", "lines": [{"sku": "", "qty": 0}, {"sku": "A", "qty": "x"}]}
	bad["customer"] = {**ORDER["customer"], "email": "not-mail"}
	found = errors_of(bad)
	assert set(found) == {"currency", "lines.0.sku", "lines.0.qty", "lines.1.qty", "customer.email"}
	assert "greater than 0" in found["lines.0.qty"]
	assert found["customer.email"] == "not an email address"


@pytest.mark.parametrize(
	"body,field",
	[
		(b"{not json", ""),
		(b"[1, 2]", ""),
		(b'{"external_order_id": "A", "lines": [{"sku": "S", "qty": NaN}]}', ""),
		(b"\xff\xfe", ""),
	],
)
def test_what_is_not_a_json_object_is_refused_plainly(body, field):
	assert field in errors_of(body)


def test_a_new_order_needs_a_buyer_and_lines_and_an_update_its_address():
	assert "a new order needs customer and lines" in errors_of({"external_order_id": "A"})[""]
	assert "shipping_address" in errors_of({"external_order_id": "A", "action": "update"})[""]
	assert d.parse_order({"external_order_id": "A", "action": "cancel"}).action == "cancel"


def test_the_refusal_message_names_each_field():
	with pytest.raises(InvalidIntakePayload) as caught:
		d.parse_order({**ORDER, "lines": [{"sku": "S", "qty": -1}]})
	assert "lines.0.qty" in str(caught.value)


def test_a_new_order_is_one_row_whatever_is_resent_a_change_one_per_delivery():
	first, resent = parse(), parse(note="sent again by a retrying client")
	assert d.intake_key("Web", first, b"a") == d.intake_key("Web", resent, b"b")
	assert d.intake_key("Web", first) != d.intake_key("App", first)
	change = d.parse_order({**ORDER, "action": "update"})
	assert d.intake_key("Web", change, b"x") == d.intake_key("Web", change, b"x")
	assert d.intake_key("Web", change, b"x") != d.intake_key("Web", change, b"y")  # a later change
	platform = d.parse_order({**ORDER, "action": "update", "delivery_id": "wh-1"})
	assert d.intake_key("Web", platform, b"x") == d.intake_key("Web", platform, b"y")
	assert d.intake_key("Web", change) != d.intake_key("Web", first)


def test_buyer_keys_strongest_first_and_spellings_alike():
	order = parse()
	assert d.customer_keys(order.customer, d.MATCH_BY_ID_EMAIL_PHONE) == [
		("id", "c-7"),
		("email", "li.lei@example.com"),
		("phone", "13800138000"),
	]
	assert d.customer_keys(order.customer, d.MATCH_BY_ID) == [("id", "c-7")]
	assert d.customer_keys(order.customer, d.MATCH_ONE_CUSTOMER) == [("channel", "*")]
	anonymous = d.IntakeCustomer(name="  Wang   Fang ")
	assert d.customer_keys(anonymous, d.MATCH_BY_ID_EMAIL_PHONE) == [("name", "wang fang")]
	for spelling in ("+86 138 0013 8000", "0086-13800138000", "138-0013-8000", "１３８００１３８０００"):
		assert d.normalise_phone(spelling) == "13800138000"
	assert d.normalise_phone("+1 415 555 0100") == "14155550100"
	assert d.match_key("Web", "id", "1") != d.match_key("App", "id", "1")


def test_skus_map_to_items_and_every_unknown_one_is_named():
	order = parse(lines=[{"sku": "MUG-RED", "qty": 2}, {"sku": "X1", "qty": 1}, {"sku": "X2", "qty": 1}])
	mapping = {"MUG-RED": d.SkuMapping("MUG-RED", "MUG-001", "Box")}
	with pytest.raises(UnknownChannelSku) as caught:
		d.resolve_lines(order.lines, mapping, ["TEA-1"])
	assert caught.value.params["skus"] == ["X1", "X2"]
	assert "X1, X2" in str(caught.value)
	lines = d.resolve_lines(parse().lines, mapping, ["TEA-1"])
	assert [(line.item_code, line.uom, line.qty) for line in lines] == [
		("MUG-001", "Box", Decimal(2)),
		("TEA-1", None, Decimal(1)),
	]


def test_a_mapping_csv_reads_with_its_problems_named_by_row():
	rows = d.parse_mapping_csv("\ufeffChannel_SKU,item_code,uom\nA-1, ITEM-A ,Box\n\nB-1,ITEM-B,\n")
	assert rows == [d.SkuMapping("A-1", "ITEM-A", "Box"), d.SkuMapping("B-1", "ITEM-B", None)]
	with pytest.raises(InvalidSkuMapping) as caught:
		d.parse_mapping_csv("channel_sku,item_code\nA,\nB,I\nB,J\n")
	assert "row 2: channel_sku and item_code are both needed" in str(caught.value)
	assert "row 4: SKU B is already on row 3" in str(caught.value)
	with pytest.raises(InvalidSkuMapping):
		d.parse_mapping_csv("sku;item\nA;B\n")


@pytest.mark.parametrize(
	"docstatus,per_delivered,status,reason",
	[
		(1, 0, "To Deliver and Bill", None),
		(0, 0, "Draft", None),
		(1, 40, "To Deliver and Bill", "shipped"),
		(1, 100, "Completed", "shipped"),
		(1, 0, "Closed", "shipped"),
		(2, 0, "Cancelled", "cancelled"),
	],
)
def test_changes_apply_only_before_shipping(docstatus, per_delivered, status, reason):
	if reason is None:
		d.check_change("cancel", docstatus=docstatus, per_delivered=per_delivered, status=status)
		return
	with pytest.raises(ChannelChangeRefused) as caught:
		d.check_change("cancel", docstatus=docstatus, per_delivered=per_delivered, status=status)
	assert reason in str(caught.value)


def test_the_sales_order_takes_the_channels_settings():
	settings = d.ChannelSettings(
		channel="Web",
		company="ACME",
		currency="cny",
		price_list="Retail",
		warehouse="Stores - A",
		keep_warehouse=True,
		shipping_account="Freight - A",
		delivery_days=2,
	)
	order = parse(ordered_at="2026-12-01T09:30:00+08:00")
	lines = d.resolve_lines(order.lines, {}, ["MUG-RED", "TEA-1"])
	values = d.sales_order_values(order, settings, "Li Lei", lines, date(2026, 12, 2))
	assert values["currency"] == "CNY"
	assert values["delivery_date"] == "2026-12-04"
	assert values["oo_channel_order_no"] == "W-1001"
	assert values["items"][0] == {
		"item_code": "MUG-RED",
		"qty": 2.0,
		"rate": 19.9,
		"warehouse": "Stores - A",
		"oo_keep_warehouse": 1,
	}
	assert "rate" not in values["items"][1]
	assert values["taxes"] == [
		{"charge_type": "Actual", "account_head": "Freight - A", "description": "Shipping", "tax_amount": 8.0}
	]
	past = d.sales_order_values(
		parse(delivery_date="2020-01-01"), settings, "Li Lei", lines, date(2026, 12, 2)
	)
	assert past["delivery_date"] == "2026-12-02"  # never before today


def test_rate_window_tells_when_to_come_back():
	assert d.rate_window(120.0, 10) == (2, 60)
	assert d.rate_window(179.2, 10) == (2, 1)
	assert not d.over_limit(10, 10) and d.over_limit(11, 10)
	assert not d.over_limit(10_000, 0)  # 0: no limit


@given(st.text(max_size=30), st.text(max_size=30))
def test_intake_keys_never_collide_across_order_numbers(a, b):
	if not a.strip() or not b.strip() or a.strip() == b.strip():
		return
	try:
		first, second = (d.parse_order({**ORDER, "external_order_id": x}) for x in (a, b))
	except InvalidIntakePayload:
		return
	assert d.intake_key("Web", first) != d.intake_key("Web", second)

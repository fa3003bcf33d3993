"""Who is narrowed to their own orders, and which saves change a price."""

import pytest

from order_online.domain.access import PriceChange, may_set_prices, price_changes, sees_only_own_orders

AUTOMATIC = {"All", "Guest", "Desk User"}


@pytest.mark.parametrize(
	"roles, narrowed",
	[
		({"Sales User"}, True),
		({"Sales User", "Purchase User"}, True),  # buying too does not open other salespeople's orders
		({"Maintenance User"}, True),
		({"Sales User", "Sales Manager"}, False),
		({"Sales User", "System Manager"}, False),
		({"Sales User", "Order Online Manager"}, False),
		({"Sales User", "Stock User"}, False),  # a warehouse job is every order
		({"Sales User", "Accounts User"}, False),
		({"Sales User", "Order Approver"}, False),
		({"Stock User"}, False),  # no sales role: ERPNext's own permissions decide
		({"Accounts User"}, False),
		(set(), False),
	],
)
def test_who_sees_only_their_own_orders(roles, narrowed):
	assert sees_only_own_orders(roles | AUTOMATIC, setting_on=True) is narrowed
	assert sees_only_own_orders(roles | AUTOMATIC, setting_on=False) is False


@pytest.mark.parametrize(
	"roles, allowed",
	[
		({"Stock User"}, False),
		({"Stock Manager", "Delivery User"}, False),
		({"Stock User", "Sales User"}, True),
		({"Stock User", "Accounts User"}, True),
		({"Sales User"}, True),
		({"Administrator"}, True),
		({"Purchase User"}, True),  # not a stock role: ERPNext's permissions decide
	],
)
def test_warehouse_staff_do_not_set_prices(roles, allowed):
	assert may_set_prices(roles | AUTOMATIC) is allowed


ROW = {"name": "r1", "idx": 1, "rate": 100.0, "price_list_rate": 120.0, "discount_percentage": 0.0, "qty": 5}
HEAD = {
	"selling_price_list": "Standard Selling",
	"additional_discount_percentage": 0.0,
	"discount_amount": 0.0,
}


def test_a_quantity_change_is_not_a_price_change():
	after = {**ROW, "qty": 3, "amount": 300.0}
	assert price_changes(HEAD, dict(HEAD), {"r1": ROW}, [after]) == []


def test_a_rate_a_discount_or_a_price_list_is():
	rows = [{**ROW, "rate": 90.0}]
	head = {**HEAD, "selling_price_list": "Wholesale", "discount_amount": 5.0}
	changes = price_changes(HEAD, head, {"r1": ROW}, rows)
	assert changes == [
		PriceChange(None, "selling_price_list", "Standard Selling", "Wholesale"),
		PriceChange(None, "discount_amount", 0.0, 5.0),
		PriceChange(1, "rate", 100.0, 90.0),
	]


def test_a_new_row_keeps_the_price_of_the_order_row_it_was_made_from():
	made = {**ROW, "name": "new-1", "so_detail": "so-row", "rate": 100.0}
	source = {"so-row": {**ROW, "name": "so-row"}}
	assert price_changes(HEAD, dict(HEAD), {}, [made], source, header_is_source=True) == []
	cheaper = {**made, "rate": 1.0}
	assert price_changes(HEAD, dict(HEAD), {}, [cheaper], source, header_is_source=True) == [
		PriceChange(1, "rate", 100.0, 1.0)
	]


def test_a_partial_delivery_may_prorate_the_discount_amount_but_not_the_discount_rate():
	head = {**HEAD, "discount_amount": 2.5}
	assert price_changes(HEAD, head, {}, [], header_is_source=True) == []
	head = {**HEAD, "additional_discount_percentage": 10.0}
	assert price_changes(HEAD, head, {}, [], header_is_source=True) == [
		PriceChange(None, "additional_discount_percentage", 0.0, 10.0)
	]


def test_a_row_from_nothing_carries_the_price_list_rate_and_no_discount():
	plain = {"name": "new-2", "idx": 2, "rate": 120.0, "price_list_rate": 120.0}
	assert price_changes(None, HEAD, {}, [plain]) == []
	assert price_changes(None, HEAD, {}, [{**plain, "rate": 10.0}]) == [PriceChange(2, "rate", 120.0, 10.0)]
	assert price_changes(None, HEAD, {}, [{**plain, "discount_percentage": 50}]) == [
		PriceChange(2, "discount_percentage", None, 50)
	]

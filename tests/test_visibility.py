"""Salespeople see only their own orders: the SQL conditions, run against a real SQL engine (SQLite).

The tables carry only the columns the conditions read, so each test asks exactly what a site would."""

import sqlite3

import pytest

from order_online.domain import visibility
from order_online.domain.visibility import SCOPES, condition

A, B, LEAD = "a@example.com", "b@example.com", "lead@example.com"
A_PERSON, B_PERSON = "Alice", "Bob"


def quote(value: str) -> str:
	return "'" + value.replace("'", "''") + "'"


@pytest.fixture
def db():
	conn = sqlite3.connect(":memory:")
	columns = {
		"Customer": {"name", "account_manager"},
		"Sales Team": {"parent", "parenttype", "sales_person"},
		"Sales Person": {"name", "lft", "rgt", "employee"},
		"Employee": {"name", "user_id"},
		"Order Access": {"sales_order", "user"},
		"Sales Order": {"name", "owner", "customer"},
	}
	for scope in SCOPES.values():
		cols = columns.setdefault(scope.doctype, {"name", "owner"})
		for field in (scope.customer_field, *(scope.customer_type or ())[:1]):
			if field:
				cols.add(field)
		for via in scope.via:
			if via.child:
				columns.setdefault(via.child, {"parent", "parenttype"}).update(
					{via.field, *(via.only or ())[:1]}
				)
			else:
				cols.add(via.field)
	for table, cols in columns.items():
		conn.execute(f"create table `tab{table}` ({', '.join(f'`{c}`' for c in sorted(cols))})")

	def add(table, **values):
		names = ", ".join(f"`{k}`" for k in values)
		conn.execute(
			f"insert into `tab{table}` ({names}) values ({', '.join('?' * len(values))})",
			list(values.values()),
		)

	# the tree: a lead above Alice and Bob; a person without an employee; an employee without a user
	add("Employee", name="EMP-A", user_id=A)
	add("Employee", name="EMP-B", user_id=B)
	add("Employee", name="EMP-LEAD", user_id=LEAD)
	add("Employee", name="EMP-NOBODY", user_id="")
	add("Sales Person", name="Lead", lft=1, rgt=6, employee="EMP-LEAD")
	add("Sales Person", name=A_PERSON, lft=2, rgt=3, employee="EMP-A")
	add("Sales Person", name=B_PERSON, lft=4, rgt=5, employee="EMP-B")
	add("Sales Person", name="Nobody", lft=7, rgt=8, employee="EMP-NOBODY")
	add("Customer", name="Cust-A", account_manager=A)
	add("Customer", name="Cust-Team", account_manager=None)
	add("Sales Team", parent="Cust-Team", parenttype="Customer", sales_person=A_PERSON)
	add("Customer", name="Cust-B", account_manager=B)
	add("Customer", name="Cust-X", account_manager=None)
	add("Sales Order", name="SO-A", owner=A, customer="Cust-X")  # A made it
	add("Sales Order", name="SO-B", owner=B, customer="Cust-X")
	add("Sales Order", name="SO-SHARED", owner=B, customer="Cust-X")  # B made it, both in its team
	add("Sales Team", parent="SO-SHARED", parenttype="Sales Order", sales_person=A_PERSON)
	add("Sales Team", parent="SO-SHARED", parenttype="Sales Order", sales_person=B_PERSON)
	add("Sales Order", name="SO-ACCOUNT", owner="sales-admin", customer="Cust-A")  # A manages the account
	add(
		"Sales Order", name="SO-CUSTTEAM", owner="sales-admin", customer="Cust-Team"
	)  # A in the customer's team
	add("Sales Order", name="SO-OTHER", owner="sales-admin", customer="Cust-B")
	# a Sales Team row of another doctype with the same name must not count
	add("Sales Team", parent="SO-OTHER", parenttype="Sales Invoice", sales_person=A_PERSON)
	# documents made from orders, by the warehouse and finance
	add("Delivery Note", name="DN-A", owner="stock", customer="Cust-X")
	add("Delivery Note Item", parent="DN-A", parenttype="Delivery Note", against_sales_order="SO-A")
	add("Delivery Note", name="DN-B", owner="stock", customer="Cust-X")
	add("Delivery Note Item", parent="DN-B", parenttype="Delivery Note", against_sales_order="SO-B")
	add("Payment Entry", name="PE-A", owner="finance", party_type="Customer", party="Cust-X")
	add(
		"Payment Entry Reference",
		parent="PE-A",
		parenttype="Payment Entry",
		reference_doctype="Sales Order",
		reference_name="SO-A",
	)
	add("Sales Invoice", name="SI-A", owner="finance", customer="Cust-X")
	add("Sales Invoice Item", parent="SI-A", parenttype="Sales Invoice", sales_order="SO-A")
	add("Payment Entry", name="PE-INVOICE", owner="finance", party_type="Customer", party="Cust-X")
	add(
		"Payment Entry Reference",
		parent="PE-INVOICE",
		parenttype="Payment Entry",
		reference_doctype="Sales Invoice",
		reference_name="SI-A",
	)
	add("Payment Entry", name="PE-B", owner="finance", party_type="Customer", party="Cust-X")
	add(
		"Payment Entry Reference",
		parent="PE-B",
		parenttype="Payment Entry",
		reference_doctype="Sales Invoice",
		reference_name="SO-A",
	)
	add("Payment Entry", name="PE-SUPPLIER", owner="finance", party_type="Supplier", party="Cust-A")
	add("Payment Entry", name="PE-ACCOUNT", owner="finance", party_type="Customer", party="Cust-A")
	add("Order Approval Log", name="LOG-A", owner="approver", sales_order="SO-A")
	add("Order Approval Log", name="LOG-B", owner="approver", sales_order="SO-B")
	add(
		"Shipment Tracking", name="ST-B", owner=A, customer="Cust-X", sales_order="SO-B"
	)  # owner does not count
	add("Stock Shortage Alert", name="ALERT-1", owner="system")
	add("Stock Shortage Order", parent="ALERT-1", parenttype="Stock Shortage Alert", sales_order="SO-SHARED")
	add("Stock Shortage Alert", name="ALERT-2", owner="system")
	add("Stock Shortage Order", parent="ALERT-2", parenttype="Stock Shortage Alert", sales_order="SO-B")
	add("Quotation", name="QTN-ACCOUNT", owner="sales-admin", quotation_to="Customer", party_name="Cust-A")
	add("Quotation", name="QTN-LEAD", owner="sales-admin", quotation_to="Lead", party_name="Cust-A")
	add("Sales Order", name="SO-NOBODY", owner="sales-admin", customer="Cust-X")
	add("Sales Team", parent="SO-NOBODY", parenttype="Sales Order", sales_person="Nobody")
	# the Order Access index, as the app keeps it
	conn.execute(f"insert into `tabOrder Access` (`sales_order`, `user`) {visibility.access_pairs('1=1')}")
	yield conn
	conn.close()


def visible(db, doctype, user, persons):
	customers = [row[0] for row in db.execute(visibility.customers_of(user, persons, quote))]
	where = condition(doctype, user, persons, customers, quote)
	return sorted(row[0] for row in db.execute(f"select `name` from `tab{doctype}` where {where}"))


def test_a_salesperson_sees_orders_they_made_share_or_whose_customer_they_look_after(db):
	assert visible(db, "Sales Order", A, [A_PERSON]) == ["SO-A", "SO-ACCOUNT", "SO-CUSTTEAM", "SO-SHARED"]
	assert visible(db, "Sales Order", B, [B_PERSON]) == ["SO-B", "SO-OTHER", "SO-SHARED"]


def test_a_team_lead_sees_the_orders_of_the_sales_persons_under_them(db):
	assert visible(db, "Sales Order", LEAD, ["Lead", A_PERSON, B_PERSON]) == ["SO-CUSTTEAM", "SO-SHARED"]


def test_the_access_index_holds_each_pair_once_and_no_empty_user(db):
	pairs = db.execute("select `sales_order`, `user` from `tabOrder Access`").fetchall()
	assert len(pairs) == len(set(pairs))
	assert not [pair for pair in pairs if not pair[1]]
	assert ("SO-NOBODY", "sales-admin") in pairs  # its owner, and nobody else
	assert [pair for pair in pairs if pair[0] == "SO-NOBODY"] == [("SO-NOBODY", "sales-admin")]


def test_an_order_filter_limits_the_pairs_to_those_orders(db):
	rows = db.execute(visibility.access_pairs("`so`.`customer` = ?"), ["Cust-Team"] * 4).fetchall()
	assert sorted(rows) == [("SO-CUSTTEAM", A), ("SO-CUSTTEAM", LEAD), ("SO-CUSTTEAM", "sales-admin")]


def test_the_rule_follows_the_order_to_what_was_made_from_it(db):
	assert visible(db, "Delivery Note", A, [A_PERSON]) == ["DN-A"]
	assert visible(db, "Delivery Note", B, [B_PERSON]) == ["DN-B"]
	assert visible(db, "Sales Invoice", A, [A_PERSON]) == ["SI-A"]
	assert visible(db, "Sales Invoice", B, [B_PERSON]) == []
	# a payment counts by its order or invoice (of that doctype, not a name that happens to match), or
	# by the customer
	assert visible(db, "Payment Entry", A, [A_PERSON]) == ["PE-A", "PE-ACCOUNT", "PE-INVOICE"]
	assert visible(db, "Payment Entry", B, [B_PERSON]) == []
	assert visible(db, "Order Approval Log", A, [A_PERSON]) == ["LOG-A"]
	assert visible(db, "Shipment Tracking", A, [A_PERSON]) == []
	assert visible(db, "Shipment Tracking", B, [B_PERSON]) == ["ST-B"]
	assert visible(db, "Stock Shortage Alert", A, [A_PERSON]) == ["ALERT-1"]
	assert visible(db, "Stock Shortage Alert", B, [B_PERSON]) == ["ALERT-1", "ALERT-2"]


def test_a_quotation_counts_by_its_customer_only_when_it_is_for_a_customer(db):
	assert visible(db, "Quotation", A, [A_PERSON]) == ["QTN-ACCOUNT"]


@pytest.mark.parametrize(
	"user",
	["x' or '1'='1", "a@example.com' -- ", "') or ('1'='1", "'; drop table `tabSales Order`; --"],
)
def test_a_hostile_user_name_or_sales_person_matches_nothing_and_breaks_nothing(db, user):
	assert visible(db, "Sales Order", user, [user]) == []
	assert visible(db, "Payment Entry", user, [user]) == []
	assert visible(db, "Delivery Note", user, [user, "x') or 1=1 --"]) == []
	assert len(db.execute("select * from `tabSales Order`").fetchall()) == 7


def test_every_value_goes_through_quote():
	seen = []

	def spy(value):
		seen.append(value)
		return "?"

	text = condition("Payment Entry", "u", ["p1", "p2"], ["c1"], spy)
	assert {"u", "p1", "p2", "c1", "Customer", "Payment Entry", "Sales Order", "Sales Invoice"} <= set(seen)
	assert "'" not in text.replace("'Customer'", "")  # only the constant parent type is written literally


def test_every_scope_is_an_or_of_parts_in_one_bracket():
	for doctype in SCOPES:
		text = condition(doctype, "u", ["p"], ["c"], quote)
		assert text.startswith("(") and text.endswith(")")
	assert visibility.customers_of("u", [], quote).count("select") == 1
	# a Sales Order is the user's by the Order Access index alone
	assert condition("Sales Order", "u", ["p"], ["c"], quote) == (
		"(`tabSales Order`.`name` in (select `sales_order` from `tabOrder Access` where `user` = 'u'))"
	)

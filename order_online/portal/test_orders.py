"""The customer's order list and page data on a real site: a portal user sees their own orders only
(another customer's order and a name that does not exist are the same "not found"; a user of two
customers sees both), the list's filters, search, late flag and pages, and the timeline of an order
that went through approval, a Pick List and two parcels with carrier events shows every step in order,
also when the allocation split it between two warehouses (one Delivery Note and parcel from each)."""

from unittest.mock import patch

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from erpnext.selling.doctype.sales_order.sales_order import create_pick_list, make_delivery_note
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from order_online.api.fulfilment import make_delivery_notes, make_pick_lists
from order_online.approval import service as approval
from order_online.approval.service import clear_rule_cache
from order_online.common.app_owned import app_writes
from order_online.domain import portal
from order_online.portal.orders import OrderNotFound, order_list, order_view
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_allocation_network,
	make_allocation_rule,
	make_approval_rule,
	make_customer,
	make_item,
	make_parcel,
	make_portal_user,
	make_sales_order,
	make_user,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

APPROVER = "oo.portal.approver@example.com"
BUYER_A, BUYER_B, BUYER_BOTH = (f"oo.portal.{x}@example.com" for x in ("a", "b", "both"))


class TestOrderPage(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		warehouse = get_warehouse(get_company())
		self.item = make_item(f"{TEST_PREFIX}-PORTAL-1")
		add_stock(self.item, warehouse, 100)
		self.a, self.b = (
			make_customer(f"{TEST_PREFIX} Portal Buyer A"),
			make_customer(f"{TEST_PREFIX} Portal Buyer B"),
		)
		make_portal_user(BUYER_A, self.a)
		make_portal_user(BUYER_B, self.b)
		make_portal_user(BUYER_BOTH, self.a)
		make_portal_user(BUYER_BOTH, self.b)
		make_user(APPROVER, "Sales Manager")
		self.mine = make_sales_order(self.a, [(self.item, 2, 40)], warehouse=warehouse, submit=True)
		self.theirs = make_sales_order(self.b, [(self.item, 1, 40)], warehouse=warehouse, submit=True)

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def view_as(self, user, name):
		frappe.set_user(user)
		try:
			return order_view(name, get_parents_for_user("Customer"))
		finally:
			frappe.set_user("Administrator")

	def test_each_customer_sees_only_their_own_orders_and_learns_nothing_of_others(self):
		self.assertEqual(self.view_as(BUYER_A, self.mine.name)["name"], self.mine.name)  # positive control
		self.assertEqual(self.view_as(BUYER_BOTH, self.theirs.name)["name"], self.theirs.name)
		with self.assertRaises(OrderNotFound) as other:
			self.view_as(BUYER_A, self.theirs.name)
		with self.assertRaises(OrderNotFound) as missing:
			self.view_as(BUYER_A, "SAL-ORD-NO-SUCH-ORDER")
		self.assertEqual(str(other.exception), str(missing.exception))  # the same answer: nothing revealed
		with self.assertRaises(OrderNotFound):
			self.view_as("Guest", self.mine.name)
		view = self.view_as(BUYER_A, self.mine.name)
		self.assertEqual(view["status"], portal.CONFIRMED)
		self.assertEqual([line.qty for line in view["lines"]], [2])
		self.assertNotIn("warehouse", view["lines"][0])

	def test_the_timeline_of_an_approved_order_in_two_parcels(self):
		make_approval_rule(f"{TEST_PREFIX} Portal Rule", [(1, "Sales Manager", None)], min_amount=1)
		clear_rule_cache()
		so = make_sales_order(self.a, [(self.item, 3, 40)], submit=True)
		self.assertEqual(self.view_as(BUYER_A, so.name)["status"], portal.AWAITING_APPROVAL)
		frappe.set_user(APPROVER)
		approval.approve(frappe.get_doc("Sales Order", so.name))
		frappe.set_user("Administrator")
		create_pick_list(so.name).insert()
		start = now_datetime()
		make_parcel(
			so, "PT-1", add_to_date(start, hours=1), [(add_to_date(start, hours=3), "In Transit", "Left hub")]
		)
		make_parcel(
			so,
			"PT-2",
			add_to_date(start, hours=2),
			[(add_to_date(start, hours=5), "Delivered", "Signed")],
			delivered_at=add_to_date(start, hours=5),
		)
		view = self.view_as(BUYER_A, so.name)
		self.assertEqual(
			[(step.kind, step.tracking_number) for step in view["timeline"]],
			[
				("placed", None),
				("approved", None),
				("picked", None),
				("shipped", "PT-1"),
				("shipped", "PT-2"),
				("carrier", "PT-1"),
				("delivered", "PT-2"),
			],
		)
		self.assertEqual([p.tracking_number for p in view["parcels"]], ["PT-1", "PT-2"])
		self.assertTrue(all(p.eta for p in view["parcels"]))


class TestOrderList(TestOrderPage):
	def list_as(self, user, **filters):
		frappe.set_user(user)
		try:
			return order_list(get_parents_for_user("Customer"), portal.list_query(**filters))
		finally:
			frappe.set_user("Administrator")

	def names(self, user, **filters):
		return [row.name for row in self.list_as(user, **filters)["orders"]]

	def test_each_user_lists_exactly_the_orders_of_their_customers(self):
		self.assertEqual(self.names(BUYER_A), [self.mine.name])
		self.assertEqual(self.names(BUYER_B), [self.theirs.name])
		self.assertEqual(set(self.names(BUYER_BOTH)), {self.mine.name, self.theirs.name})
		self.assertEqual(self.list_as("Guest")["orders"], [])
		make_sales_order(self.a, [(self.item, 1, 40)])  # a draft: not the customer's yet
		self.assertEqual(self.names(BUYER_A), [self.mine.name])

	def test_status_dates_search_and_the_late_flag(self):
		special = make_item(f"{TEST_PREFIX}-PORTAL-BLUE")
		add_stock(special, get_warehouse(get_company()), 10)
		old = make_sales_order(
			self.a,
			[(special, 1, 40)],
			submit=True,
			transaction_date=add_days(nowdate(), -30),
			delivery_date=add_days(nowdate(), -20),
			po_no="PO-CUST-77",
		)
		shipped = make_sales_order(self.a, [(self.item, 1, 40)], submit=True)
		make_delivery_note(shipped.name).insert().submit()
		with app_writes():  # the number the channel gave the order (written by the intake)
			frappe.db.set_value("Sales Order", self.mine.name, "oo_channel_order_no", "TM-50%_OFF-9")
		listed = {row.name: row for row in self.list_as(BUYER_A)["orders"]}
		self.assertEqual(list(listed), [shipped.name, self.mine.name, old.name])  # newest first
		self.assertEqual(
			{name: (row.customer_status, row.late) for name, row in listed.items()},
			{
				self.mine.name: (portal.CONFIRMED, False),
				shipped.name: (portal.SHIPPED, False),
				old.name: (portal.CONFIRMED, True),  # promised 20 days ago, nothing shipped
			},
		)
		self.assertEqual(listed[old.name].url, f"/my_order?name={old.name}")
		self.assertEqual(self.names(BUYER_A, status=portal.SHIPPED), [shipped.name])
		self.assertEqual(self.names(BUYER_A, status=portal.DELIVERED), [])
		self.assertNotIn(old.name, self.names(BUYER_A, date_from=add_days(nowdate(), -7)))
		self.assertEqual(self.names(BUYER_A, date_to=add_days(nowdate(), -7)), [old.name])
		self.assertEqual(self.names(BUYER_A, search="portal-blue"), [old.name])  # by item, any case
		self.assertEqual(self.names(BUYER_A, search="PO-CUST-77"), [old.name])  # their own reference
		self.assertEqual(self.names(BUYER_A, search="50%_OFF"), [self.mine.name])  # the channel's number
		self.assertEqual(self.names(BUYER_A, search="TM-5_"), [])  # wildcards taken literally
		self.assertEqual(self.names(BUYER_B, search="portal-blue"), [])  # not another customer's

	def test_fifty_a_page_and_a_page_past_the_end_is_the_last(self):
		for _ in range(4):
			make_sales_order(self.a, [(self.item, 1, 40)], submit=True)
		with patch.object(portal, "PAGE_SIZE", 2):
			first = self.list_as(BUYER_A)
			last = self.list_as(BUYER_A, page="99")
		self.assertEqual((first["total"], first["pages"], len(first["orders"])), (5, 3, 2))
		self.assertEqual((last["page"], len(last["orders"])), (3, 1))
		self.assertEqual(last["orders"][0].name, self.mine.name)  # the oldest comes last
		self.assertEqual(self.list_as(BUYER_A)["pages"], 1)


class TestSplitOrderTimeline(OrderTestCase):
	"""An order that waited for approval, was split between two warehouses by the allocation, picked
	and shipped in one parcel from each: the customer's page tells it step by step, not where from."""

	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0, reserve_while_pending=1, auto_invoice="")
		frappe.db.delete("Warehouse Allocation Rule")
		frappe.db.delete("Warehouse Allocation Restriction")
		frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 1)
		self.net = make_allocation_network()
		make_allocation_rule()
		make_portal_user(BUYER_A, self.net["customer"])
		make_user(APPROVER, "Sales Manager")
		make_approval_rule(f"{TEST_PREFIX} Portal Split Rule", [(1, "Sales Manager", None)], min_amount=1)
		clear_rule_cache()

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def test_approval_two_warehouses_and_their_parcels_in_order(self):
		item = make_item(f"{TEST_PREFIX}-PORTAL-SPLIT")
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		so = make_sales_order(
			self.net["customer"],
			[(item, 10, 100)],
			submit=True,
			warehouse=self.net["far"],
			customer_address=self.net["address"],
			shipping_address_name=self.net["address"],
		)
		self.assertEqual(
			sorted(row.warehouse for row in frappe.get_doc("Sales Order", so.name).items),
			sorted([self.net["near"], self.net["far"]]),
		)  # split 6 + 4 by the allocation
		frappe.set_user(APPROVER)
		approval.approve(frappe.get_doc("Sales Order", so.name))
		frappe.set_user("Administrator")
		for name in make_pick_lists(so.name):
			self.assertTrue(frappe.db.exists("Pick List", name))
		start = now_datetime()
		notes = make_delivery_notes(so.name)
		self.assertEqual(len(notes), 2)
		for i, name in enumerate(sorted(notes)):
			frappe.get_doc("Delivery Note", name).submit()
			shipped = add_to_date(start, hours=1 + i)
			make_parcel(
				so,
				f"SPLIT-{i + 1}",
				shipped,
				[(add_to_date(shipped, hours=3), "Delivered" if i else "In Transit", f"scan {i + 1}")],
				delivered_at=add_to_date(shipped, hours=3) if i else None,
				delivery_note=name,
			)
		frappe.set_user(BUYER_A)
		try:
			view = order_view(so.name, get_parents_for_user("Customer"))
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(
			[(step.kind, step.tracking_number) for step in view["timeline"]],
			[
				("placed", None),
				("approved", None),
				("picked", None),
				("shipped", "SPLIT-1"),
				("shipped", "SPLIT-2"),
				("carrier", "SPLIT-1"),
				("delivered", "SPLIT-2"),
			],
		)
		times = [step.at for step in view["timeline"]]
		self.assertEqual(times, sorted(times))
		self.assertEqual(view["status"], portal.SHIPPED)  # both left; one is still on its way
		self.assertEqual(
			sorted(d["name"] for d in view["documents"] if d["doctype"] == "Delivery Note"), sorted(notes)
		)
		shown = repr(view)
		for hidden in (self.net["near"], self.net["far"], "oo_allocation", "approval_rule"):
			self.assertNotIn(hidden, shown)  # where it left from and why stay inside

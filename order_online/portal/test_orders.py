"""The customer's order page data on a real site: a portal user sees their own orders only (another
customer's order and a name that does not exist are the same "not found"), and the timeline of an order
that went through approval, a Pick List and two parcels with carrier events shows every step in order."""

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from erpnext.selling.doctype.sales_order.sales_order import create_pick_list
from frappe.utils import add_to_date, now_datetime

from order_online.approval import service as approval
from order_online.approval.service import clear_rule_cache
from order_online.common.app_owned import app_writes
from order_online.domain import portal
from order_online.portal.orders import OrderNotFound, order_view
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_carrier_account,
	make_customer,
	make_item,
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

	def parcel(self, so, number, shipped_at, events=(), delivered_at=None):
		account = make_carrier_account(f"{TEST_PREFIX} Portal Carrier")
		with app_writes():  # the waybill as the tracking service records it
			frappe.get_doc(
				{
					"doctype": "Shipment Tracking",
					"tracking_number": number,
					"carrier_account": account,
					"carrier_code": "sf-express",
					"sales_order": so.name,
					"customer": so.customer,
					"status": "Delivered" if delivered_at else "In Transit",
					"shipped_at": shipped_at,
					"delivered_at": delivered_at,
					"eta": add_to_date(shipped_at, days=2),
					"events": [
						{
							"event_time": at,
							"status": status,
							"description": text,
							"event_key": f"{number}-{i}",
						}
						for i, (at, status, text) in enumerate(events)
					],
				}
			).insert(ignore_permissions=True)

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
		self.parcel(
			so, "PT-1", add_to_date(start, hours=1), [(add_to_date(start, hours=3), "In Transit", "Left hub")]
		)
		self.parcel(
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

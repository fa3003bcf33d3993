"""A customer's cancellation request on a real site: recorded on their own order (time, comment with the
reason) and told to the order's salesperson; the order itself stays submitted. Asked twice, for an
order that has left, or for another customer's order, it is refused with a clear answer."""

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

from order_online.domain import portal
from order_online.portal.cancellation import request_cancellation
from order_online.portal.orders import OrderNotFound, order_view
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_portal_user,
	make_sales_order,
	make_sales_person,
	make_user,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

BUYER, OTHER = "oo.cancel.buyer@example.com", "oo.cancel.other@example.com"
SELLER = "oo.cancel.seller@example.com"


class TestCancellationRequest(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		self.warehouse = get_warehouse(get_company())
		self.item = make_item(f"{TEST_PREFIX}-CANCEL-1")
		add_stock(self.item, self.warehouse, 20)
		self.customer = make_customer(f"{TEST_PREFIX} Cancel Buyer")
		make_portal_user(BUYER, self.customer)
		make_portal_user(OTHER, make_customer(f"{TEST_PREFIX} Cancel Other"))
		make_user(SELLER, "Sales User")
		person = make_sales_person(f"{TEST_PREFIX} Cancel Seller", SELLER)
		self.so = make_sales_order(
			self.customer,
			[(self.item, 2, 30)],
			submit=True,
			warehouse=self.warehouse,
			sales_team=[{"sales_person": person, "allocated_percentage": 100}],
		)

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")

	def ask(self, user, name, reason=None):
		frappe.set_user(user)
		try:
			return request_cancellation(name, reason, get_parents_for_user("Customer"))
		finally:
			frappe.set_user("Administrator")

	def test_the_request_is_recorded_and_told_to_the_salesperson(self):
		self.ask(BUYER, self.so.name, "Ordered twice <b>by mistake</b>")
		order = frappe.db.get_value(
			"Sales Order", self.so.name, ["docstatus", "oo_cancel_requested_at"], as_dict=True
		)
		self.assertEqual(order.docstatus, 1)  # sales decides; the customer does not cancel
		self.assertTrue(order.oo_cancel_requested_at)
		(comment,) = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Sales Order",
				"reference_name": self.so.name,
				"comment_type": "Comment",
			},
			fields=["content", "comment_email"],
		)
		self.assertEqual(comment.comment_email, BUYER)
		self.assertIn("Ordered twice &lt;b&gt;by mistake&lt;/b&gt;", comment.content)  # their words as text
		self.assertTrue(
			frappe.db.exists("Notification Log", {"for_user": SELLER, "document_name": self.so.name})
		)
		frappe.set_user(BUYER)
		view = order_view(self.so.name, get_parents_for_user("Customer"))
		self.assertFalse(view["cancellable"])
		self.assertTrue(view["cancel_requested_at"])

	def test_asked_twice_or_after_shipping_it_is_refused_with_the_reason(self):
		self.ask(BUYER, self.so.name)
		with self.assertRaisesRegex(frappe.ValidationError, "already requested"):
			self.ask(BUYER, self.so.name)
		shipped = make_sales_order(self.customer, [(self.item, 1, 30)], submit=True, warehouse=self.warehouse)
		make_delivery_note(shipped.name).insert().submit()
		with self.assertRaisesRegex(frappe.ValidationError, f"{shipped.name} is {portal.SHIPPED}"):
			self.ask(BUYER, shipped.name)
		self.assertFalse(frappe.db.get_value("Sales Order", shipped.name, "oo_cancel_requested_at"))

	def test_another_customers_order_is_not_found_and_left_alone(self):
		with self.assertRaises(OrderNotFound):
			self.ask(OTHER, self.so.name)
		self.assertFalse(frappe.db.get_value("Sales Order", self.so.name, "oo_cancel_requested_at"))
		self.assertFalse(
			frappe.db.exists("Comment", {"reference_name": self.so.name, "comment_type": "Comment"})
		)

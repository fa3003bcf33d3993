"""The order page (/my_order?name=…) on a real site: the customer's own order renders with its status and
timeline; another customer's order is the same 404 as one that does not exist; a guest goes to login."""

import frappe
from frappe.website.serve import get_response

from order_online.order_entry.rules import clear_rule_cache
from order_online.tests.factories import (
	TEST_PREFIX,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_portal_user,
	make_sales_order,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

MINE, OTHER = "oo.page.mine@example.com", "oo.page.other@example.com"


class TestMyOrderPage(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		customer = make_customer(f"{TEST_PREFIX} Page Buyer")
		make_portal_user(MINE, customer)
		make_portal_user(OTHER, make_customer(f"{TEST_PREFIX} Page Other"))
		item = make_item(f"{TEST_PREFIX}-PAGE-1")
		self.so = make_sales_order(
			customer, [(item, 1, 25)], warehouse=get_warehouse(get_company()), submit=True
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		frappe.db.rollback()
		clear_rule_cache()

	def open(self, user, name):
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict(name=name)
		return get_response("my_order")

	def test_the_customer_sees_their_order_and_nobody_else_does(self):
		mine = self.open(MINE, self.so.name)
		self.assertEqual(mine.status_code, 200)
		html = mine.get_data(as_text=True)
		self.assertIn(self.so.name, html)
		self.assertIn("Order placed", html)
		self.assertIn("Confirmed", html)
		other = self.open(OTHER, self.so.name)
		missing = self.open(OTHER, "SAL-ORD-NO-SUCH")
		self.assertEqual((other.status_code, missing.status_code), (404, 404))
		self.assertNotIn(self.so.name, other.get_data(as_text=True))

	def test_a_guest_is_sent_to_log_in(self):
		response = self.open("Guest", self.so.name)
		self.assertIn(response.status_code, (301, 302))
		self.assertIn("/login", response.headers["Location"])

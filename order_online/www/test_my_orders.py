"""The order list (/my_orders) on a real site: the customer's own orders render with their status in the
customer's words and a link to each order page; another customer's orders are not there; a filter narrows
the list and a bad one is told on the page (the list still shows); a guest goes to login, filters kept."""

import re
from urllib.parse import parse_qs, urlsplit

import frappe
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note
from frappe.website.serve import get_response

from order_online.domain import portal
from order_online.order_entry.rules import clear_rule_cache
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_portal_user,
	make_sales_order,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

MINE, OTHER = "oo.list.mine@example.com", "oo.list.other@example.com"


class TestMyOrdersPage(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		warehouse = get_warehouse(get_company())
		item = make_item(f"{TEST_PREFIX}-LIST-1")
		add_stock(item, warehouse, 10)
		customer = make_customer(f"{TEST_PREFIX} List Buyer")
		other = make_customer(f"{TEST_PREFIX} List Other")
		make_portal_user(MINE, customer)
		make_portal_user(OTHER, other)
		self.open_order = make_sales_order(customer, [(item, 1, 25)], warehouse=warehouse, submit=True)
		self.shipped = make_sales_order(customer, [(item, 1, 25)], warehouse=warehouse, submit=True)
		make_delivery_note(self.shipped.name).insert().submit()
		self.theirs = make_sales_order(other, [(item, 1, 25)], warehouse=warehouse, submit=True)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()
		frappe.db.rollback()
		clear_rule_cache()

	def open(self, user, **args):
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict(args)
		return get_response("my_orders")

	def test_the_customer_lists_their_own_orders_in_their_words(self):
		page = self.open(MINE)
		self.assertEqual(page.status_code, 200)
		html = page.get_data(as_text=True)
		for so in (self.open_order, self.shipped):
			self.assertIn(f'href="/my_order?name={so.name}"', html)
		self.assertNotIn(self.theirs.name, html)
		statuses = re.findall(r'oo-order-status">([^<]+)<', html)
		self.assertEqual(sorted(statuses), sorted([portal.SHIPPED, portal.CONFIRMED]))
		self.assertNotIn("To Deliver and Bill", html)  # ERPNext's internal status is not shown
		self.assertNotIn("oo-filter-error", html)

	def test_a_filter_narrows_the_list_and_a_bad_one_is_told(self):
		html = self.open(MINE, status=portal.SHIPPED).get_data(as_text=True)
		self.assertIn(self.shipped.name, html)
		self.assertNotIn(self.open_order.name, html)
		bad = self.open(MINE, to="31/12/2026")
		html = bad.get_data(as_text=True)
		self.assertEqual(bad.status_code, 200)
		self.assertIn("oo-filter-error", html)
		self.assertIn("31/12/2026 is not a date", html)
		self.assertIn(self.open_order.name, html)  # the list without the bad filter, not an error page

	def test_a_guest_is_sent_to_log_in_with_the_filters_kept(self):
		response = self.open("Guest", status=portal.SHIPPED, q="blue")
		self.assertIn(response.status_code, (301, 302))
		location = urlsplit(response.headers["Location"])
		self.assertEqual(location.path, "/login")
		back = urlsplit(parse_qs(location.query)["redirect-to"][0])
		self.assertEqual(back.path, "/my_orders")
		self.assertEqual(parse_qs(back.query), {"status": [portal.SHIPPED], "q": ["blue"]})

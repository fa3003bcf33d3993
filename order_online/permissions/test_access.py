"""The Order Access index follows every change of who looks after an order, on a real site.

Each test changes one thing the way a user does (the order's Sales Team, the customer's account manager,
an Employee's user, a Sales Person's place in the tree, deleting an order) and asks Frappe's own
permission check and list what a salesperson now sees."""

import frappe

from order_online.permissions import access
from order_online.tests.factories import (
	TEST_PREFIX,
	make_customer,
	make_item,
	make_sales_order,
	make_sales_person,
	make_user,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

SELLER, OTHER, LEAD = (
	"oo.access.seller@example.com",
	"oo.access.other@example.com",
	"oo.access.lead@example.com",
)


def sees(user: str, order: str) -> bool:
	getattr(frappe.local, "request_cache", {}).clear()  # a new request
	frappe.set_user(user)
	try:
		listed = order in frappe.get_list("Sales Order", filters={"name": order}, pluck="name")
		allowed = frappe.has_permission("Sales Order", "read", order)
		assert listed == allowed, (user, order, listed, allowed)  # the form never opens what the list hides
		return allowed
	finally:
		frappe.set_user("Administrator")


class TestOrderAccess(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		remove_approval_rules()
		set_settings(enabled=1, sales_see_only_own_orders=1, raise_shortage_alerts=0)
		for user in (SELLER, OTHER, LEAD):
			make_user(user, "Sales User")
		self.lead = make_sales_person(f"{TEST_PREFIX} Access Lead", LEAD, is_group=1)
		self.person = make_sales_person(f"{TEST_PREFIX} Access Seller", SELLER, parent=self.lead)
		self.customer = make_customer(f"{TEST_PREFIX} Access Customer")
		self.item = make_item(f"{TEST_PREFIX}-ACCESS-1")

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")

	def order(self, **values):
		return make_sales_order(self.customer, [(self.item, 1, 100)], **values)

	def test_the_sales_team_of_an_order_decides_and_a_lead_sees_the_team(self):
		so = self.order()
		self.assertFalse(sees(SELLER, so.name))
		self.assertFalse(sees(LEAD, so.name))
		so.append("sales_team", {"sales_person": self.person, "allocated_percentage": 100})
		so.save()
		self.assertTrue(sees(SELLER, so.name))
		self.assertTrue(sees(LEAD, so.name))  # the Sales Person above the seller's
		self.assertFalse(sees(OTHER, so.name))
		so.sales_team = []
		so.save()
		self.assertFalse(sees(SELLER, so.name))

	def test_the_customer_s_account_manager_and_team_decide_for_all_its_orders(self):
		first, second = self.order(), self.order()
		frappe.db.set_value("Customer", self.customer, "account_manager", None)
		customer = frappe.get_doc("Customer", self.customer)
		customer.account_manager = OTHER
		customer.save()
		self.assertEqual([sees(OTHER, so.name) for so in (first, second)], [True, True])
		customer.account_manager = None
		customer.append("sales_team", {"sales_person": self.person, "allocated_percentage": 100})
		customer.save()
		self.assertEqual([sees(OTHER, so.name) for so in (first, second)], [False, False])
		self.assertEqual([sees(SELLER, so.name) for so in (first, second)], [True, True])

	def test_an_employee_s_user_and_a_sales_person_s_place_in_the_tree_decide(self):
		so = self.order(sales_team=[{"sales_person": self.person, "allocated_percentage": 100}])
		self.assertTrue(sees(SELLER, so.name))
		employee = frappe.get_doc("Employee", {"user_id": SELLER})
		employee.user_id = OTHER
		employee.save()
		self.assertFalse(sees(SELLER, so.name))
		self.assertTrue(sees(OTHER, so.name))
		person = frappe.get_doc("Sales Person", self.person)
		person.parent_sales_person = frappe.db.get_value("Sales Person", {"lft": 1}) or "Sales Team"
		person.save()
		self.assertFalse(sees(LEAD, so.name))  # no longer in the lead's team

	def test_the_owner_sees_a_deleted_order_go_and_a_site_built_before_the_index_gets_it(self):
		frappe.set_user(SELLER)
		so = self.order()
		frappe.set_user("Administrator")
		self.assertTrue(sees(SELLER, so.name))
		frappe.db.delete("Order Access")  # as on a site that had orders before this version
		self.assertFalse(sees(SELLER, so.name))
		access.ensure_built()
		self.assertTrue(sees(SELLER, so.name))
		before = frappe.db.count("Order Access")
		access.rebuild_all()  # twice: the same rows
		self.assertEqual(frappe.db.count("Order Access"), before)
		so.delete()
		self.assertFalse(frappe.db.exists("Order Access", {"sales_order": so.name}))

	def test_with_the_setting_off_everyone_with_the_role_sees_every_order(self):
		so = self.order()
		set_settings(sales_see_only_own_orders=0)
		self.assertTrue(sees(OTHER, so.name))
		self.assertTrue(frappe.db.exists("Order Access", {"sales_order": so.name}))  # kept all the same

"""The customer's emails on a real site link to their order's page: an order that waited for approval is
confirmed by email when the company wants it (a setting), and not otherwise."""

import frappe

from order_online.approval import service as approval
from order_online.approval.service import clear_rule_cache
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_item,
	make_outgoing_email_account,
	make_sales_order,
	make_user,
	plain_orders,
	set_settings,
)
from order_online.tests.utils import OrderTestCase, email_html

APPROVER = "oo.notify.approver@example.com"


class TestConfirmationEmail(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders()
		make_outgoing_email_account()
		make_user(APPROVER, "Sales Manager")
		make_approval_rule(f"{TEST_PREFIX} Notify Rule", [(1, "Sales Manager", None)], min_amount=1)
		clear_rule_cache()
		self.item = make_item(f"{TEST_PREFIX}-NOTIFY-1")
		add_stock(self.item, get_warehouse(get_company()), 10)

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def approved_order(self):
		so = make_sales_order(items=[(self.item, 1, 50)], submit=True)
		so.db_set("contact_email", "buyer@example.com")
		frappe.set_user(APPROVER)
		approval.approve(frappe.get_doc("Sales Order", so.name))
		frappe.set_user("Administrator")
		return so.name

	def mails(self, name):
		return frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Sales Order", "reference_name": name},
			fields=["message"],
		)

	def test_the_customer_is_told_of_the_confirmation_with_a_link_to_the_order(self):
		set_settings(notify_customers_on_confirmation=1)
		name = self.approved_order()
		(mail,) = self.mails(name)
		html = email_html(mail.message)
		self.assertIn(f"We have confirmed your order {name}", html)
		self.assertIn(f'href="{frappe.utils.get_url(f"/my_order?name={name}")}"', html)
		queued = frappe.db.get_value("Email Queue", {"reference_name": name})
		to = frappe.get_all("Email Queue Recipient", filters={"parent": queued}, pluck="recipient")
		self.assertEqual(to, ["buyer@example.com"])

	def test_without_the_setting_no_email_goes(self):
		set_settings(notify_customers_on_confirmation=0)
		self.assertEqual(self.mails(self.approved_order()), [])

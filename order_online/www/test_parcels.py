"""The customer's shipments page (/parcels: ERPNext already routes /shipments to Delivery Notes): their own
shipments and events, nobody else's."""

import frappe

from order_online.common.app_owned import app_writes
from order_online.tests.factories import TEST_PREFIX, make_customer
from order_online.tests.factories import make_portal_user as portal_user
from order_online.tests.utils import OrderTestCase


class TestShipmentsPage(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		account = f"{TEST_PREFIX} Portal Carrier"
		if not frappe.db.exists("Carrier Account", account):
			frappe.get_doc(
				{
					"doctype": "Carrier Account",
					"account_name": account,
					"provider": "Generic Webhook",
					"use_push": 0,
				}
			).insert()
		self.mine, self.theirs = (
			make_customer(f"{TEST_PREFIX} Portal A"),
			make_customer(f"{TEST_PREFIX} Portal B"),
		)
		for customer, number in ((self.mine, "PA-1"), (self.theirs, "PB-1")):
			if frappe.db.exists("Shipment Tracking", {"tracking_number": number, "carrier_account": account}):
				continue  # the class shares one transaction; the waybill's key is unique
			with app_writes():  # a waybill as the app's tracking records it
				self.waybill(number, account, customer)
		self.user = portal_user("oo.buyer@example.com", self.mine)

	def waybill(self, number, account, customer):
		frappe.get_doc(
			{
				"doctype": "Shipment Tracking",
				"tracking_number": number,
				"carrier_account": account,
				"customer": customer,
				"status": "In Transit",
				"shipped_at": frappe.utils.now_datetime(),
				"events": [
					{
						"event_time": frappe.utils.now_datetime(),
						"status": "In Transit",
						"description": f"{number} at hub",
						"event_key": number,
					}
				],
			}
		).insert()

	def tearDown(self):
		frappe.set_user("Administrator")

	def context(self):
		from order_online.www.parcels import get_context

		context = frappe._dict()
		get_context(context)
		return context

	def test_a_customer_sees_their_own_shipments_and_events_only(self):
		frappe.set_user(self.user)
		shipments = self.context().shipments
		self.assertEqual([s.tracking_number for s in shipments], ["PA-1"])
		self.assertEqual([e.description for e in shipments[0].events], ["PA-1 at hub"])

	def test_a_guest_is_asked_to_log_in(self):
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			self.context()

	def test_the_page_renders(self):
		frappe.set_user(self.user)
		from frappe.website.serve import get_response_content

		html = get_response_content("parcels")
		self.assertIn("PA-1", html)
		self.assertNotIn("PB-1", html)

"""Tracking on a real site: Delivery Note → Shipment Tracking → polling a carrier (a local fake that
speaks Kuaidi100's protocol) → events and status on the order; failures logged and retried."""

from unittest.mock import patch

import frappe
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note
from frappe.utils import add_to_date, get_datetime, now_datetime

from order_online.api.tracking import retry
from order_online.tests.carrier_servers import Kuaidi100Server, kuaidi100_result, kuaidi100_row
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_outgoing_email_account,
	make_sales_order,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase, email_html
from order_online.tracking.service import poll_account, poll_due, poll_one

KEY, CUSTOMER = "KEY-1", "CUSTOMER-1"
ACCOUNT = f"{TEST_PREFIX} Kuaidi100 Poll"


class TrackingCase(OrderTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = Kuaidi100Server(customer=CUSTOMER, key=KEY).start()

	@classmethod
	def tearDownClass(cls):
		cls.server.stop()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0, auto_invoice="")
		remove_approval_rules()
		frappe.db.delete("Warehouse Allocation Rule")
		if not frappe.db.exists("Carrier Account", ACCOUNT):
			frappe.get_doc(
				{
					"doctype": "Carrier Account",
					"account_name": ACCOUNT,
					"provider": "Kuaidi100",
					"base_url": self.server.url,
					"default_carrier_code": "shunfeng",
					"api_key": KEY,
					"customer_id": CUSTOMER,
					"webhook_secret": "salt",
					"use_push": 0,
					"rate_limit_per_s": 50,
				}
			).insert()
		# The account is cached, and the cache outlives each class's rollback (and its server's port).
		frappe.clear_document_cache("Carrier Account", ACCOUNT)

	def shipped(self, number):
		item = make_item(f"{TEST_PREFIX}-TRACK-POLL")
		add_stock(item, get_warehouse(get_company()), 5)
		so = make_sales_order(items=[(item, 1, 100)], submit=True)
		note = make_delivery_note(so.name)
		note.insert()
		note.submit()
		note.oo_carrier_account, note.oo_tracking_number = ACCOUNT, number  # entered after submit
		note.save()
		name = frappe.db.get_value("Shipment Tracking", {"delivery_note": note.name})
		self.assertTrue(name, "entering a tracking number on a submitted Delivery Note starts tracking")
		return so, note, frappe.get_doc("Shipment Tracking", name)

	def addresses_and_contact(self, company, customer):
		"""What ERPNext's Shipment needs: the company's and the customer's address, the receiver."""
		from order_online.tests.factories import ensure_address_template

		ensure_address_template()
		for link_doctype, link_name, title in (
			("Company", company, f"{TEST_PREFIX} Dispatch"),
			("Customer", customer, f"{TEST_PREFIX} Receiver"),
		):
			if not frappe.db.exists("Address", {"address_title": title}):
				frappe.get_doc(
					{
						"doctype": "Address",
						"address_title": title,
						"address_type": "Shipping",
						"address_line1": "1 Test Road",
						"city": "Shenzhen",
						"country": frappe.db.get_value("Company", company, "country"),
						"links": [{"link_doctype": link_doctype, "link_name": link_name}],
					}
				).insert()
		receiver = frappe.db.get_value("Address", {"address_title": f"{TEST_PREFIX} Receiver"})
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": f"{TEST_PREFIX} Receiver",
				"email_ids": [{"email_id": "receiver@example.com", "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert()
		return receiver, contact.name


class TestTrackingByPolling(TrackingCase):
	def test_poll_brings_events_and_status_to_the_order(self):
		number = "SF100000001"
		self.server.waybills[number] = kuaidi100_result(
			number,
			"shunfeng",
			"0",
			[
				kuaidi100_row("2026-11-27 08:00:00", "快件到达深圳转运中心", "在途", "0", "深圳"),
				kuaidi100_row("2026-11-26 18:00:00", "顺丰速运已收取快件", "揽收", "1", "广州"),
			],
		)
		so, note, tracking = self.shipped(number)
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "Info Received")
		poll_one(tracking)
		tracking.reload()
		self.assertEqual((tracking.status, len(tracking.events)), ("In Transit", 2))
		self.assertEqual(tracking.last_event, "快件到达深圳转运中心")
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "In Transit")
		self.assertEqual(frappe.db.get_value("Delivery Note", note.name, "oo_tracking_status"), "In Transit")
		self.assertGreater(get_datetime(tracking.next_poll_at), now_datetime())  # not again at once
		poll_one(tracking)  # the same answer again: nothing doubles
		tracking.reload()
		self.assertEqual(len(tracking.events), 2)
		log = frappe.get_all(
			"Order Online Integration Log",
			filters={"reference_name": tracking.name, "action": "query"},
			fields=["status", "request"],
		)
		self.assertEqual([entry.status for entry in log], ["Success", "Success"])
		self.assertNotIn(KEY, str(log))

	def test_delivered_waybill_is_not_polled_again_and_its_eta_is_met(self):
		number = "SF100000002"
		self.server.waybills[number] = kuaidi100_result(
			number,
			"shunfeng",
			"3",
			[kuaidi100_row("2026-11-27 10:00:00", "已签收，签收人：本人", "签收", "3")],
		)
		_so, _note, tracking = self.shipped(number)
		poll_one(tracking)
		tracking.reload()
		self.assertEqual(tracking.status, "Delivered")
		self.assertTrue(tracking.delivered_at)
		self.assertIsNone(tracking.next_poll_at)
		with patch("frappe.enqueue") as enqueue:  # the scheduled run does not pick it up either
			poll_due()
		self.assertNotIn(ACCOUNT, [call.kwargs.get("account") for call in enqueue.call_args_list])

	def test_failed_poll_backs_off_and_can_be_retried_from_its_log(self):
		number = "SF100000003"  # the server does not know it yet
		_so, _note, tracking = self.shipped(number)
		poll_one(tracking)
		tracking.reload()
		self.assertEqual(tracking.failures, 1)
		self.assertGreaterEqual(get_datetime(tracking.next_poll_at), add_to_date(now_datetime(), minutes=29))
		failed = frappe.get_all(
			"Order Online Integration Log",
			filters={"reference_name": tracking.name, "status": "Failed"},
			pluck="name",
		)
		self.assertEqual(len(failed), 1)
		self.server.waybills[number] = kuaidi100_result(
			number, "shunfeng", "1", [kuaidi100_row("2026-11-27 09:00:00", "顺丰速运已收取快件", "揽收", "1")]
		)
		retried = retry(failed[0])
		self.assertEqual(frappe.db.get_value("Order Online Integration Log", failed[0], "status"), "Retried")
		self.assertEqual(frappe.db.get_value("Order Online Integration Log", retried, "retry_of"), failed[0])
		self.assertEqual(frappe.db.get_value("Shipment Tracking", tracking.name, "status"), "Picked Up")


class TestScheduledPolling(TrackingCase):
	def test_account_job_polls_what_is_due_and_one_bad_waybill_stops_nothing(self):
		good, bad = "SF100000005", "SF100000006"
		self.server.waybills[good] = kuaidi100_result(
			good, "shunfeng", "1", [kuaidi100_row("2026-11-27 09:00:00", "顺丰速运已收取快件", "揽收", "1")]
		)
		trackings = [self.shipped(number)[2] for number in (bad, good)]  # the unknown one comes first
		with patch.object(frappe.db, "commit"):  # the job commits per waybill; this test rolls back
			poll_account(ACCOUNT)
		statuses = {t.tracking_number: frappe.get_doc("Shipment Tracking", t.name) for t in trackings}
		self.assertEqual(statuses[good].status, "Picked Up")
		self.assertEqual((statuses[bad].status, statuses[bad].failures), ("Info Received", 1))
		with patch.object(frappe.db, "commit"):
			poll_account(ACCOUNT)  # nothing is due again yet
		self.assertEqual(frappe.get_doc("Shipment Tracking", statuses[good].name).polls_in_window, 1)


class TestResubscribe(TrackingCase):
	def test_after_an_abort_push_the_waybill_is_subscribed_again_when_due(self):
		from order_online.integrations.carriers import TrackingResult
		from order_online.tracking.service import apply_result, resubscribe_due, subscribe

		_so, _note, tracking = self.shipped("SF100000007")
		apply_result(tracking, TrackingResult("SF100000007", "shunfeng", None, (), resubscribe=True))
		tracking.reload()
		self.assertFalse(tracking.subscribed)
		self.assertGreater(get_datetime(tracking.resubscribe_at), add_to_date(now_datetime(), minutes=29))
		resubscribe_due()
		self.assertTrue(frappe.db.get_value("Shipment Tracking", tracking.name, "resubscribe_at"))  # not yet
		tracking.db_set("resubscribe_at", add_to_date(now_datetime(), minutes=-1))
		with patch("frappe.enqueue") as enqueue:
			resubscribe_due()
		self.assertIn(tracking.name, [call.kwargs["tracking"] for call in enqueue.call_args_list])
		subscribe(tracking.name)  # what the queued job does
		self.assertTrue(frappe.db.get_value("Shipment Tracking", tracking.name, "subscribed"))
		self.assertIn("SF100000007", self.server.subscriptions)


class TestCustomerNotification(TrackingCase):
	def test_the_customer_hears_of_pickup_but_not_of_every_scan(self):
		set_settings(notify_customers_on_tracking=1)
		make_outgoing_email_account()
		number = "SF100000004"
		self.server.waybills[number] = kuaidi100_result(
			number, "shunfeng", "1", [kuaidi100_row("2026-11-27 09:00:00", "顺丰速运已收取快件", "揽收", "1")]
		)
		item = make_item(f"{TEST_PREFIX}-TRACK-POLL")
		add_stock(item, get_warehouse(get_company()), 5)
		so = make_sales_order(items=[(item, 1, 100)], submit=True)
		so.db_set("contact_email", "buyer@example.com")
		note = make_delivery_note(so.name)
		note.oo_carrier_account, note.oo_tracking_number = ACCOUNT, number
		note.insert()
		note.submit()
		tracking = frappe.get_doc("Shipment Tracking", {"delivery_note": note.name})
		poll_one(tracking)
		self.server.waybills[number] = kuaidi100_result(
			number,
			"shunfeng",
			"0",
			[
				kuaidi100_row("2026-11-27 12:00:00", "快件到达转运中心", "在途", "0"),
				kuaidi100_row("2026-11-27 09:00:00", "顺丰速运已收取快件", "揽收", "1"),
			],
		)
		tracking.reload()
		poll_one(tracking)
		mails = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Sales Order", "reference_name": so.name},
			pluck="message",
			order_by="creation",
		)
		# shipped and picked up: yes; a scan in transit: not worth an email
		self.assertEqual(len(mails), 2)
		self.assertIn("Info Received", mails[0])
		self.assertIn("Picked Up", mails[1])
		link = frappe.utils.get_url(f"/my_order?name={so.name}")
		self.assertTrue(all(f'href="{link}"' in email_html(mail) for mail in mails))  # to the order page


class TestShipmentFromDeliveryNote(TrackingCase):
	def test_a_submitted_shipment_carries_the_waybill_when_addresses_and_contact_are_known(self):
		company, customer = get_company(), make_customer()
		receiver, contact = self.addresses_and_contact(company, customer)
		item = make_item(f"{TEST_PREFIX}-TRACK-SHIP")
		add_stock(item, get_warehouse(company), 5)
		so = make_sales_order(customer, [(item, 1, 100)], submit=True)
		note = make_delivery_note(so.name)
		note.shipping_address_name, note.contact_person = receiver, contact
		note.oo_carrier_account, note.oo_tracking_number = ACCOUNT, "SF100000009"
		note.insert()
		note.submit()
		tracking = frappe.get_doc("Shipment Tracking", {"delivery_note": note.name})
		shipment = frappe.get_doc("Shipment", tracking.shipment)
		self.assertEqual(
			(shipment.docstatus, shipment.awb_number, shipment.carrier), (1, "SF100000009", "shunfeng")
		)
		self.assertEqual(shipment.shipment_delivery_note[0].delivery_note, note.name)
		self.server.waybills["SF100000009"] = kuaidi100_result(
			"SF100000009", "shunfeng", "3", [kuaidi100_row("2026-11-27 10:00:00", "已签收", "签收", "3")]
		)
		poll_one(tracking)
		self.assertEqual(frappe.db.get_value("Shipment", shipment.name, "tracking_status"), "Delivered")


class TestTrackingStartErrors(TrackingCase):
	def delivered(self, number):
		item = make_item(f"{TEST_PREFIX}-TRACK-ERR")
		add_stock(item, get_warehouse(get_company()), 5)
		so = make_sales_order(make_customer(), [(item, 1, 100)], submit=True)
		note = make_delivery_note(so.name)
		note.oo_carrier_account, note.oo_tracking_number = ACCOUNT, number
		note.insert()
		note.submit()
		return note

	def test_a_waybill_started_twice_at_once_is_one_tracking_and_no_error(self):
		from order_online.tracking.service import start_for_delivery_note

		note = self.delivered("SF100000077")
		# the second save checked before the first one's row was there: the unique key decides
		with patch.object(frappe.db, "exists", return_value=None):
			start_for_delivery_note(note)
		self.assertEqual(frappe.db.count("Shipment Tracking", {"delivery_note": note.name}), 1)

	def test_a_refused_shipment_is_explained_on_the_delivery_note(self):
		from order_online.tracking import service as tracking

		receiver, contact = self.addresses_and_contact(get_company(), make_customer())
		note = self.delivered("SF100000078")
		note.shipping_address_name, note.contact_person = receiver, contact
		account = frappe.get_cached_doc("Carrier Account", ACCOUNT)
		refused = frappe.ValidationError("pickup window refused")
		with patch("erpnext.stock.doctype.shipment.shipment.Shipment.validate", side_effect=refused):
			self.assertIsNone(tracking.make_shipment(note, account, "shunfeng", "SF100000078"))
		comments = frappe.get_all(
			"Comment", filters={"reference_name": note.name, "comment_type": "Comment"}, pluck="content"
		)
		self.assertTrue(any("pickup window refused" in c and "SF100000078" in c for c in comments), comments)

"""The app's free text reaches every page, print and message only as text.

Each test stores ``<script>alert(1)</script>`` and ``<img src=x onerror=alert(1)>``, tagged with the
field they are in, into the app's free-text fields, the way that skips Frappe's sanitising on save
(``db.set_value``, a document inserted as submitted), renders what a user or customer would get, and
checks it holds each payload only escaped. One test follows a carrier's event through the save that
Frappe does sanitise, to show the two layers together."""

import frappe
from frappe.utils import escape_html, now_datetime

from order_online.common.app_owned import app_writes
from order_online.tests.factories import (
	TEST_PREFIX,
	get_warehouse,
	make_approval_rule,
	make_channel,
	make_customer,
	make_item,
	make_outgoing_email_account,
	make_region,
	make_rule,
	make_sales_order,
	make_user,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.factories import (
	make_portal_user as portal_user,
)
from order_online.tests.utils import OrderTestCase, email_html

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
ACCOUNT = f"{TEST_PREFIX} Escaping Carrier"


def tagged(field: str) -> list[str]:
	"""The payloads as stored in ``field``: tagged with its name, so each field is checked on its own."""
	return [f"{field}:{payload}" for payload in PAYLOADS]


def stored(field: str) -> str:
	return " ".join(tagged(field))


class EscapingCase(OrderTestCase):
	attempts = 0  # payload x place, counted as checked

	def setUp(self):
		frappe.set_user("Administrator")
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0, auto_invoice="")
		if not frappe.db.exists("Carrier Account", ACCOUNT):
			frappe.get_doc(
				{
					"doctype": "Carrier Account",
					"account_name": ACCOUNT,
					"provider": "Generic Webhook",
					"use_push": 0,
				}
			).insert()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def assertOnlyEscaped(self, html: str, fields, where: str):
		"""Each field's payloads are in ``html``, escaped, and nowhere raw."""
		for field in fields:
			for text in tagged(field):
				EscapingCase.attempts += 1
				self.assertNotIn(text, html, f"{where}: {field} is rendered raw")
				self.assertIn(escape_html(text), html, f"{where}: {field} is not shown (escaped)")
		self.assertNotIn("<script>alert(1)", html, where)
		self.assertNotIn("<img src=x", html, where)

	def tracking(self, customer=None, sales_order=None, raw=True):
		with app_writes():
			doc = frappe.get_doc(
				{
					"doctype": "Shipment Tracking",
					"tracking_number": f"ESC-{frappe.generate_hash(length=6)}",
					"carrier_account": ACCOUNT,
					"customer": customer,
					"sales_order": sales_order,
					"status": "In Transit",
					"shipped_at": now_datetime(),
					"events": [
						{
							"event_time": now_datetime(),
							"status": "In Transit",
							"event_key": "e1",
							"description": "x",
						}
					],
				}
			).insert()
		if not raw:
			return doc
		# as a carrier's words would be stored by any write that skips sanitising
		for field in ("tracking_number", "carrier_code", "last_event"):
			doc.db_set(field, stored(field), update_modified=False)
		row = doc.events[0]
		frappe.db.set_value(
			"Shipment Tracking Event",
			row.name,
			{"description": stored("event description"), "location": stored("event location")},
		)
		return doc


class TestPortalPage(EscapingCase):
	def test_my_shipments_shows_the_carriers_words_as_text(self):
		customer = make_customer(f"{TEST_PREFIX} Escaping Customer")
		self.tracking(customer=customer)
		user = portal_user("oo.escaping.buyer@example.com", customer)
		from frappe.website.serve import get_response_content

		frappe.set_user(user)
		html = get_response_content("parcels")
		fields = ("tracking_number", "carrier_code", "last_event", "event description", "event location")
		self.assertOnlyEscaped(html, fields, "/parcels")

	def test_a_pushed_event_is_text_on_the_page_after_frappes_own_sanitising(self):
		from order_online.integrations.carriers import TrackingEvent, TrackingResult, TrackingStatus
		from order_online.tracking.service import apply_result

		customer = make_customer(f"{TEST_PREFIX} Escaping Customer")
		doc = self.tracking(customer=customer, raw=False)
		event = TrackingEvent(
			time=now_datetime().astimezone(),
			status=TrackingStatus.OUT_FOR_DELIVERY,
			description=stored("pushed"),
			location=stored("pushed location"),
			raw_status="out",
		)
		apply_result(doc, TrackingResult(doc.tracking_number, "", TrackingStatus.OUT_FOR_DELIVERY, (event,)))
		kept = frappe.db.get_value(
			"Shipment Tracking Event", {"parent": doc.name, "raw_status": "out"}, "description"
		)
		self.assertNotIn("<script>", kept)  # Frappe sanitised the save (<img src="x"> it keeps) ...
		frappe.set_user(portal_user("oo.escaping.buyer@example.com", customer))
		from frappe.website.serve import get_response_content

		html = get_response_content("parcels")
		EscapingCase.attempts += len(PAYLOADS) * 2  # description and location
		for raw in ("<script>alert(1)", "<img src=x", '<img src="x"'):  # ... and the page escapes the rest
			self.assertNotIn(raw, html)
		self.assertIn("pushed:", html)


class TestPrints(EscapingCase):
	def submitted_order(self):
		"""A Sales Order inserted as submitted: Frappe does not sanitise it (REST and frappe.client allow it)."""
		base = make_sales_order(items=[(make_item(f"{TEST_PREFIX}-ESC"), 1, 100)])
		order = frappe.get_doc(
			{
				**{k: v for k, v in base.as_dict(no_default_fields=True).items() if not isinstance(v, list)},
				"doctype": "Sales Order",
				"docstatus": 1,
				"oo_marking_text": stored("oo_marking_text"),
				"oo_packaging_notes": stored("oo_packaging_notes"),
				"items": [
					{
						"item_code": base.items[0].item_code,
						"qty": 1,
						"rate": 100,
						"warehouse": get_warehouse(base.company),
						"delivery_date": base.delivery_date,
						"oo_item_spec": stored("oo_item_spec"),
					}
				],
			}
		).insert()
		self.assertEqual(
			frappe.db.get_value("Sales Order", order.name, "oo_packaging_notes"), stored("oo_packaging_notes")
		)
		return order

	def test_sales_order_and_delivery_note_print_the_apps_fields_as_text(self):
		from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

		order = self.submitted_order()
		html = frappe.get_print("Sales Order", order.name)
		self.assertOnlyEscaped(
			html, ("oo_marking_text", "oo_packaging_notes", "oo_item_spec"), "Sales Order print"
		)
		note = make_delivery_note(order.name)
		note.insert()
		for field in ("oo_marking_text", "oo_packaging_notes"):
			note.db_set(field, stored(field))
		frappe.db.set_value("Delivery Note Item", note.items[0].name, "oo_item_spec", stored("oo_item_spec"))
		html = frappe.get_print("Delivery Note", note.name)
		self.assertOnlyEscaped(
			html, ("oo_marking_text", "oo_packaging_notes", "oo_item_spec"), "Delivery Note print"
		)

	def test_sales_order_print_escapes_through_its_before_print_event(self):
		html = frappe.get_print("Sales Order", self.submitted_order().name)
		self.assertOnlyEscaped(
			html, ("oo_marking_text", "oo_packaging_notes", "oo_item_spec"), "Sales Order print"
		)

	def test_the_apps_own_records_print_their_text_as_text(self):
		tracking = self.tracking()
		html = frappe.get_print("Shipment Tracking", tracking.name)
		fields = ("tracking_number", "carrier_code", "last_event", "event description", "event location")
		self.assertOnlyEscaped(html, fields, "Shipment Tracking print")

		from order_online.tracking.service import log_call

		# what an anonymous sender can put in the log: a refused push's body and the error
		log = log_call(None, "push", "Rejected", request=stored("request"), error="x")
		frappe.db.set_value(
			"Order Online Integration Log", log, {"response": stored("response"), "error": stored("error")}
		)
		html = frappe.get_print("Order Online Integration Log", log)
		self.assertOnlyEscaped(html, ("request", "response", "error"), "Integration Log print")

		with app_writes():
			approval = frappe.get_doc(
				{
					"doctype": "Order Approval Log",
					"sales_order": make_sales_order(items=[(make_item(f"{TEST_PREFIX}-ESC"), 1, 100)]).name,
					"action": "Rejected",
					"level": 1,
					"user": "Administrator",
					"logged_at": now_datetime(),
				}
			).insert()
		frappe.db.set_value(
			"Order Approval Log",
			approval.name,
			{"reason": stored("reason"), "rules_fired": stored("rules_fired")},
		)
		html = frappe.get_print("Order Approval Log", approval.name)
		self.assertOnlyEscaped(html, ("reason", "rules_fired"), "Order Approval Log print")

		for doctype, name, field in (
			("Packaging Type", self.packaging_type(), "description"),
			("Order Channel", make_channel(f"{TEST_PREFIX} Escaping Shop", code="ESC"), "description"),
			(
				"Order Validation Rule",
				make_rule(f"{TEST_PREFIX} Escaping Rule", "Contact Required"),
				"description",
			),
			(
				"Shipping Region",
				make_region(f"{TEST_PREFIX} Escapeland", "Country", country="Iceland"),
				"aliases",
			),
		):
			frappe.db.set_value(doctype, name, field, stored(f"{doctype} {field}"))
			html = frappe.get_print(doctype, name)
			self.assertOnlyEscaped(html, (f"{doctype} {field}",), f"{doctype} print")

	def packaging_type(self):
		name = f"{TEST_PREFIX} Escaping Box"
		if not frappe.db.exists("Packaging Type", name):
			frappe.get_doc({"doctype": "Packaging Type", "packaging_type_name": name}).insert()
		return name


class TestMessages(EscapingCase):
	def test_the_customers_tracking_email_shows_the_carriers_words_as_text(self):
		from order_online.tracking.service import notify_customer

		make_outgoing_email_account()
		set_settings(notify_customers_on_tracking=1)
		order = make_sales_order(items=[(make_item(f"{TEST_PREFIX}-ESC"), 1, 100)])
		order.db_set("contact_email", "buyer@example.com")
		tracking = self.tracking(sales_order=order.name)
		tracking.reload()
		tracking.db_set("status", "Out for Delivery")
		notify_customer(tracking)
		(message,) = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Sales Order", "reference_name": order.name},
			pluck="message",
		)
		# Frappe makes every src= in an email absolute, in escaped text too: undone to compare
		html = email_html(message).replace(f"src={frappe.utils.get_url()}/", "src=")
		self.assertOnlyEscaped(html, ("tracking_number", "last_event"), "tracking email")

	def test_a_desk_notification_shows_its_subject_as_text(self):
		from order_online.common.notifications import notify_users

		user = make_user("oo.escaping.stock@example.com", "Stock User")
		notify_users([user], "Sales Order", "SO-X", stored("subject"), email_content="<p>ok</p>")
		(row,) = frappe.get_all(
			"Notification Log",
			filters={"for_user": user, "document_name": "SO-X"},
			fields=["subject", "email_content"],
		)
		self.assertOnlyEscaped(row.subject, ("subject",), "notification subject")
		self.assertEqual(row.email_content, "<p>ok</p>")  # the caller's HTML stays HTML

	def test_an_approval_notification_carries_none_of_the_orders_free_text(self):
		approver = make_user("oo.escaping.approver@example.com", "Sales User", "Sales Manager")
		remove_approval_rules()
		make_approval_rule(f"{TEST_PREFIX} Escaping approval", [(1, None, approver)], min_amount=1)
		order = make_sales_order(items=[(make_item(f"{TEST_PREFIX}-ESC"), 1, 100)])
		for field in ("oo_marking_text", "oo_packaging_notes"):
			order.db_set(field, stored(field))
		order.reload()
		order.submit()
		self.assertEqual(frappe.db.get_value("Sales Order", order.name, "oo_approval_status"), "Pending")
		rows = frappe.get_all(
			"Notification Log",
			filters={"document_name": order.name, "for_user": approver},
			fields=["subject", "email_content"],
		)
		self.assertTrue(rows)
		for row in rows:
			for text in (*tagged("oo_marking_text"), *tagged("oo_packaging_notes")):
				EscapingCase.attempts += 1
				self.assertNotIn(text, str(row))
		remove_approval_rules()


def tearDownModule():
	print(f"\nbreak-in attempts checked (payload x place): {EscapingCase.attempts}")

"""Only the app writes its decisions: attacks through the served site's REST API, as real users.

A salesperson (Sales User + Stock User, as in the reported bypass), an approver and a stock user each
log in over HTTP and try every path a user has: ``PUT /api/resource``, ``frappe.client.set_value``,
``frappe.client.save``, ERPNext's Resume and a Delivery Note made from the order. The app's own paths
(approve, reject, allocation on submit, tracking) must still write the same fields.

The data is committed (the served site runs in another process) and removed afterwards. Set
``OO_SITE_URL`` (default http://127.0.0.1:8010, Host header = the site).
"""

import frappe
from frappe.utils.password import update_password

from order_online.approval.service import clear_rule_cache
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
	make_sales_order,
	make_user,
	remove_allocation_network,
	remove_approval_rules,
	remove_documents,
	set_settings,
)
from order_online.tests.http import Client
from order_online.tests.utils import ServedSiteTestCase

SALES = "oo.http.sales@example.com"
APPROVER = "oo.http.approver@example.com"
STOCK = "oo.http.stock@example.com"
PASSWORD = "Oo-http-test-42!"
RULE = f"{TEST_PREFIX} HTTP approval"
RESUME = "erpnext.selling.doctype.sales_order.sales_order.update_status"
MAKE_DN = "erpnext.selling.doctype.sales_order.sales_order.make_delivery_note"


def refused_changes(doctype: str, name: str) -> int:
	return frappe.db.count(
		"Activity Log",
		{"reference_doctype": doctype, "reference_name": name, "subject": ("like", "Order Online refused%")},
	)


class TestOnlyTheAppWritesItsDecisions(ServedSiteTestCase):
	def setUp(self):
		super().setUp()
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0, reserve_while_pending=1)
		remove_approval_rules()
		frappe.db.delete("Warehouse Allocation Rule")
		for user, roles in (
			(SALES, ("Sales User", "Stock User")),
			(APPROVER, ("Sales User", "Sales Manager")),
			(STOCK, ("Stock User",)),
		):
			make_user(user, *roles)
			update_password(user, PASSWORD)
		self.item = make_item(f"{TEST_PREFIX}-HTTP-1")
		self.warehouse = get_warehouse(get_company())
		self.created: list[tuple[str, str]] = [("Stock Entry", add_stock(self.item, self.warehouse, 50).name)]
		make_approval_rule(RULE, [(1, "Sales Manager", None)], min_amount=100)
		self.customer = make_customer()
		clear_rule_cache()
		frappe.db.commit()  # the served site sees only what is committed
		self.sales = Client(self.url, frappe.local.site, SALES, PASSWORD)

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		remove_documents(self.created)
		names = [name for doctype, name in self.created if doctype == "Sales Order"]
		frappe.db.delete("Order Approval Log", {"sales_order": ("in", names or [""])})
		frappe.db.delete("Activity Log", {"reference_name": ("in", names or [""])})
		frappe.db.delete("Order Approval Rule", {"name": RULE})
		frappe.db.delete("Order Approval Level", {"parent": RULE})
		frappe.db.delete("Warehouse Allocation Rule")
		remove_allocation_network()
		clear_rule_cache()
		frappe.db.commit()

	def pending_order(self):
		"""The salesperson's order, held for approval (On Hold, Pending)."""
		frappe.set_user(SALES)
		so = make_sales_order(make_customer(), [(self.item, 2, 100)], submit=True, warehouse=self.warehouse)
		frappe.set_user("Administrator")
		self.created.append(("Sales Order", so.name))
		frappe.db.commit()
		self.assertEqual(self.stored(so.name, "oo_approval_status", "status"), ("Pending", "On Hold"))
		return so.name

	def stored(self, name: str, *fields: str, doctype: str = "Sales Order"):
		frappe.db.rollback()  # a fresh snapshot: what the served site committed
		if len(fields) == 1:
			return frappe.db.get_value(doctype, name, fields[0])
		return tuple(frappe.db.get_value(doctype, name, list(fields)))

	def test_a_salesperson_cannot_release_their_own_pending_order(self):
		name = self.pending_order()
		before = refused_changes("Sales Order", name)

		self.sales.put("Sales Order", name, {"oo_approval_status": "Approved"})
		self.sales.put(
			"Sales Order", name, {"oo_approval_levels_approved": 1, "oo_approval_required_level": 0}
		)
		self.sales.call(
			"frappe.client.set_value",
			doctype="Sales Order",
			name=name,
			fieldname={"oo_approval_status": "Approved", "oo_approval_pending_since": None},
		)
		doc = self.sales.resource("Sales Order", name)
		doc.update(oo_approval_status="Approved", oo_approval_levels_approved=1, oo_approval_summary="fine")
		self.sales.call("frappe.client.save", doc=doc)

		self.assertEqual(
			self.stored(
				name, "oo_approval_status", "oo_approval_levels_approved", "oo_approval_required_level"
			),
			("Pending", 0, 1),
		)
		self.assertEqual(refused_changes("Sales Order", name) - before, 4)  # each attempt logged

		resume = self.sales.call(RESUME, status="Draft", name=name)
		self.assertNotEqual(resume.status_code, 200)
		self.assertEqual(self.stored(name, "status"), "On Hold")

		note = self.sales.call(MAKE_DN, source_name=name).json().get("message")
		if note:  # ERPNext's mapper may hand it out; saving it must not work
			reply = self.sales.post_doc(note)
			self.assertNotEqual(reply.status_code, 200)
		self.stored(name, "status")
		self.assertFalse(frappe.db.exists("Delivery Note Item", {"against_sales_order": name}))
		self.assertEqual(
			frappe.get_all("Order Approval Log", filters={"sales_order": name}, pluck="action"),
			["Submitted for Approval"],
		)

	def test_an_approver_approves_only_through_approval(self):
		name = self.pending_order()
		approver = Client(self.url, frappe.local.site, APPROVER, PASSWORD)
		approver.put(
			"Sales Order", name, {"oo_approval_status": "Approved", "oo_approval_levels_approved": 1}
		)
		self.assertEqual(self.stored(name, "oo_approval_status"), "Pending")

		reply = approver.call("order_online.api.approval.approve", names=name)  # the app's own path
		self.assertEqual(reply.status_code, 200, reply.text)
		self.assertEqual(
			self.stored(name, "oo_approval_status", "oo_approval_levels_approved", "status"),
			("Approved", 1, "To Deliver and Bill"),
		)

		# approved: nobody sends it back or forward by hand either
		self.sales.put(
			"Sales Order", name, {"oo_approval_status": "Pending", "oo_approval_levels_approved": 0}
		)
		approver.put("Sales Order", name, {"oo_approval_status": "Rejected"})
		self.assertEqual(
			self.stored(name, "oo_approval_status", "oo_approval_levels_approved"), ("Approved", 1)
		)

	def test_a_rejected_order_stays_rejected(self):
		name = self.pending_order()
		approver = Client(self.url, frappe.local.site, APPROVER, PASSWORD)
		reply = approver.call("order_online.api.approval.reject", name=name, reason="price too low")
		self.assertEqual(reply.status_code, 200, reply.text)
		self.assertEqual(self.stored(name, "oo_approval_status", "docstatus"), ("Rejected", 2))
		self.sales.put("Sales Order", name, {"oo_approval_status": "Approved"})
		self.sales.call(
			"frappe.client.set_value",
			doctype="Sales Order",
			name=name,
			fieldname="oo_approval_status",
			value="Approved",
		)
		self.assertEqual(self.stored(name, "oo_approval_status"), "Rejected")

	def test_a_new_order_cannot_arrive_approved(self):
		reply = self.sales.post_doc(
			{
				"doctype": "Sales Order",
				"company": get_company(),
				"customer": self.customer,
				"delivery_date": frappe.utils.add_days(frappe.utils.nowdate(), 7),
				"items": [{"item_code": self.item, "qty": 2, "rate": 100, "warehouse": self.warehouse}],
				"oo_approval_status": "Approved",
				"oo_approval_levels_approved": 3,
				"oo_allocation_summary": "chosen by hand",
				"oo_tracking_status": "Delivered",
			}
		)
		self.assertEqual(reply.status_code, 200, reply.text)
		name = reply.json()["data"]["name"]
		self.created.append(("Sales Order", name))
		self.assertEqual(
			self.stored(
				name,
				"oo_approval_status",
				"oo_approval_levels_approved",
				"oo_allocation_summary",
				"oo_tracking_status",
			),
			(None, 0, None, None),
		)
		reply = self.sales.call("frappe.client.submit", doc=self.sales.resource("Sales Order", name))
		self.assertEqual(self.stored(name, "oo_approval_status", "status"), ("Pending", "On Hold"))

	def test_allocation_is_written_by_the_submit_and_by_nobody_else(self):
		net = make_allocation_network()
		make_allocation_rule(reserve_stock=0)
		item = make_item(f"{TEST_PREFIX}-HTTP-ALLOC")
		self.created.append(("Stock Entry", add_stock(item, net["far"], 10).name))
		so = make_sales_order(
			net["customer"],
			[(item, 1, 50)],  # below the approval rule's amount
			warehouse=net["near"],
			customer_address=net["address"],
			shipping_address_name=net["address"],
		)
		self.created.append(("Sales Order", so.name))
		frappe.db.commit()
		self.sales.put(
			"Sales Order", so.name, {"oo_allocation_summary": "by hand", "oo_allocation_parcels": 9}
		)
		self.assertEqual(self.stored(so.name, "oo_allocation_summary", "oo_allocation_parcels"), (None, 0))

		reply = self.sales.call("frappe.client.submit", doc=self.sales.resource("Sales Order", so.name))
		self.assertEqual(reply.status_code, 200, reply.text)  # the app's allocation on submit
		summary, parcels = self.stored(so.name, "oo_allocation_summary", "oo_allocation_parcels")
		self.assertIn(net["far"], summary)
		self.assertEqual(parcels, 1)

		self.sales.put(
			"Sales Order", so.name, {"oo_allocation_summary": "by hand", "oo_allocation_shipping_cost": 0}
		)
		self.assertEqual(self.stored(so.name, "oo_allocation_summary"), summary)
		self.assertGreater(self.stored(so.name, "oo_allocation_shipping_cost"), 0)
		self.assertGreaterEqual(refused_changes("Sales Order", so.name), 2)

	def test_the_customers_cancel_request_and_channel_number_are_the_apps_alone(self):
		so = make_sales_order(self.customer, [(self.item, 1, 50)], submit=True, warehouse=self.warehouse)
		self.created.append(("Sales Order", so.name))
		frappe.db.commit()
		made_up = {"oo_cancel_requested_at": "2026-12-01 10:00:00", "oo_channel_order_no": "FAKE-1"}
		self.sales.put("Sales Order", so.name, made_up)
		self.sales.call("frappe.client.set_value", doctype="Sales Order", name=so.name, fieldname=made_up)
		self.assertEqual(self.stored(so.name, *made_up), (None, None))
		self.assertEqual(refused_changes("Sales Order", so.name), 2)

	def test_tracking_state_is_the_apps_alone(self):
		from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

		so = make_sales_order(make_customer(), [(self.item, 1, 50)], submit=True, warehouse=self.warehouse)
		self.created.append(("Sales Order", so.name))
		note = make_delivery_note(so.name)
		note.insert()
		note.submit()
		self.created.append(("Delivery Note", note.name))
		frappe.db.commit()
		stock = Client(self.url, frappe.local.site, STOCK, PASSWORD)

		stock.put(
			"Delivery Note",
			note.name,
			{"oo_tracking_status": "Delivered", "oo_tracking_eta": "2026-12-24 10:00:00"},
		)
		self.sales.put("Sales Order", so.name, {"oo_tracking_status": "Delivered"})
		self.assertEqual(
			self.stored(note.name, "oo_tracking_status", "oo_tracking_eta", doctype="Delivery Note"),
			(None, None),
		)
		self.assertIsNone(self.stored(so.name, "oo_tracking_status"))
		self.assertEqual(refused_changes("Delivery Note", note.name), 1)

		# a waybill registered by hand keeps none of the progress it was sent with
		account = f"{TEST_PREFIX} HTTP Carrier"
		if not frappe.db.exists("Carrier Account", account):
			frappe.get_doc(
				{
					"doctype": "Carrier Account",
					"account_name": account,
					"provider": "Generic Webhook",
					"webhook_secret": "s",
					"use_push": 0,
				}
			).insert()
		self.created.insert(0, ("Carrier Account", account))
		frappe.db.commit()
		reply = stock.post_doc(
			{
				"doctype": "Shipment Tracking",
				"carrier_account": account,
				"tracking_number": f"HTTP{frappe.generate_hash(length=8)}",
				"delivery_note": note.name,
				"status": "Delivered",
				"delivered_at": "2026-12-01 10:00:00",
				"events": [{"event_time": "2026-12-01 10:00:00", "status": "Delivered", "description": "x"}],
			}
		)
		self.assertEqual(reply.status_code, 200, reply.text)
		tracking = reply.json()["data"]["name"]
		self.created.append(("Shipment Tracking", tracking))
		self.assertEqual(
			self.stored(tracking, "status", "delivered_at", doctype="Shipment Tracking"), (None, None)
		)
		self.assertEqual(frappe.db.count("Shipment Tracking Event", {"parent": tracking}), 0)
		stock.put("Shipment Tracking", tracking, {"status": "Delivered", "is_late": 1})
		self.assertEqual(self.stored(tracking, "status", "is_late", doctype="Shipment Tracking"), (None, 0))

		# the app's own path still writes it (the push and poll tests drive it through the carriers)
		from order_online.common.app_owned import app_writes
		from order_online.tracking import service as app_tracking

		doc = frappe.get_doc("Shipment Tracking", tracking)
		with app_writes():
			doc.status = "In Transit"
			doc.save(ignore_permissions=True)
		app_tracking.publish_status(doc)
		frappe.db.commit()
		self.assertEqual(self.stored(note.name, "oo_tracking_status", doctype="Delivery Note"), "In Transit")

	def test_records_only_the_app_keeps(self):
		name = self.pending_order()
		forged = self.sales.post_doc(
			{"doctype": "Order Approval Log", "sales_order": name, "action": "Approved", "level": 1}
		)
		self.assertEqual(forged.status_code, 403)
		log = frappe.get_all("Order Approval Log", filters={"sales_order": name}, pluck="name")[0]
		self.assertNotEqual(
			self.sales.put("Order Approval Log", log, {"action": "Approved"}).status_code, 200
		)
		self.assertEqual(self.stored(log, "action", doctype="Order Approval Log"), "Submitted for Approval")
		frappe.set_user("Administrator")  # not even the administrator
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "Order Approval Log", "sales_order": name, "action": "Approved", "level": 1}
			).insert(ignore_permissions=True)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "Stock Shortage Alert", "item_code": self.item, "warehouse": self.warehouse}
			).insert(ignore_permissions=True)

"""Delivery Note → tracking → a Kuaidi100 push through the site's real endpoint → status on the order.

The push goes over HTTP to the running site (``bench serve``), so the data it needs is committed and
removed afterwards. Set ``OO_SITE_URL`` (default http://127.0.0.1:8010, Host header = the site).
"""

import hashlib
import json

import frappe
import requests

from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_warehouse,
	make_customer,
	make_item,
	make_sales_order,
	remove_approval_rules,
	remove_documents,
	set_settings,
)
from order_online.tests.utils import ServedSiteTestCase

SALT = "oo-test-salt"
ACCOUNT = f"{TEST_PREFIX} Kuaidi100"


def kuaidi100_push(number: str, state: str, events: list[tuple[str, str]], salt: str = SALT) -> dict:
	"""The form Kuaidi100 posts: ``param`` (JSON) and ``sign = upper(md5(param + salt))``."""
	param = json.dumps(
		{
			"status": "polling",
			"message": "",
			"lastResult": {
				"message": "ok",
				"state": state,
				"status": "200",
				"ischeck": "1" if state == "3" else "0",
				"com": "shunfeng",
				"nu": number,
				"data": [{"time": t, "ftime": t, "context": c, "location": "深圳"} for t, c in events],
			},
		},
		ensure_ascii=False,
	)
	return {"param": param, "sign": hashlib.md5((param + salt).encode()).hexdigest().upper()}


class PushCase(ServedSiteTestCase):
	def setUp(self):
		super().setUp()
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		frappe.cache.delete_keys("rl:")  # refused pushes counted by earlier tests from this address
		remove_approval_rules()
		frappe.db.delete("Warehouse Allocation Rule")
		self.created = []
		self.make_account("Kuaidi100")

	def make_account(self, provider):
		frappe.delete_doc("Carrier Account", ACCOUNT, force=True, ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Carrier Account",
				"account_name": ACCOUNT,
				"provider": provider,
				"default_carrier_code": "shunfeng",
				"api_key": "k",
				"customer_id": "c",
				"webhook_secret": SALT,
				"use_push": 0,
			}
		).insert()
		frappe.clear_document_cache("Carrier Account", ACCOUNT)

	def tearDown(self):
		frappe.db.rollback()
		remove_documents(self.created)
		frappe.db.delete("Order Online Integration Log", {"carrier_account": ACCOUNT})
		frappe.delete_doc("Carrier Account", ACCOUNT, force=True, ignore_permissions=True)
		frappe.db.commit()

	def delivered_order(self, number):
		from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

		item = make_item(f"{TEST_PREFIX}-TRACK-1")
		entry = add_stock(item, get_warehouse(frappe.defaults.get_defaults().company or None), 5)
		self.created.append(("Stock Entry", entry.name))
		so = make_sales_order(make_customer(), [(item, 1, 100)], submit=True)
		self.created.append(("Sales Order", so.name))
		note = make_delivery_note(so.name)
		note.oo_carrier_account = ACCOUNT
		note.oo_tracking_number = number
		note.insert()
		note.submit()
		self.created.append(("Delivery Note", note.name))
		tracking = frappe.db.get_value("Shipment Tracking", {"delivery_note": note.name})
		self.created.append(("Shipment Tracking", tracking))
		frappe.db.commit()
		return so, note, tracking

	def post(self, form=None, body=None, headers=None):
		return requests.post(
			f"{self.url}/api/method/order_online.api.tracking.push",
			params={"account": ACCOUNT},
			data=form if form is not None else body,
			headers={"Host": frappe.local.site, **(headers or {})},
			timeout=30,
		)


class TestTrackingPush(PushCase):
	def test_signed_push_reaches_the_order_and_a_forged_one_changes_nothing(self):
		number = f"SF{frappe.generate_hash(length=10).upper()}"
		so, note, tracking = self.delivered_order(number)
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "Info Received")

		forged = kuaidi100_push(number, "3", [("2026-11-27 09:00:00", "已签收")], salt="wrong")
		reply = self.post(forged)
		self.assertFalse(reply.json()["result"])  # Kuaidi100 pushes again
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Shipment Tracking", tracking, "status"), "Info Received")

		events = [("2026-11-26 18:00:00", "顺丰已揽收"), ("2026-11-27 08:00:00", "快件派送中")]
		reply = self.post(kuaidi100_push(number, "5", events))
		self.assertEqual(reply.json(), {"result": True, "returnCode": "200", "message": "成功"})
		self.post(kuaidi100_push(number, "5", events))  # the same push again: nothing doubles
		frappe.db.rollback()
		doc = frappe.get_doc("Shipment Tracking", tracking)
		self.assertEqual((doc.status, len(doc.events)), ("Out for Delivery", 2))
		self.assertEqual(
			frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "Out for Delivery"
		)
		self.assertEqual(
			frappe.db.get_value("Delivery Note", note.name, "oo_tracking_status"), "Out for Delivery"
		)
		logs = frappe.get_all(
			"Order Online Integration Log",
			filters={"carrier_account": ACCOUNT, "action": "push"},
			pluck="status",
		)
		self.assertEqual(sorted(logs), ["Rejected", "Success", "Success"])
		self.assertNotIn(SALT, json.dumps(frappe.get_all("Order Online Integration Log", fields=["request"])))

	def test_aftership_webhook_signed_with_hmac_of_the_raw_body(self):
		from order_online.tests.carrier_servers import aftership_signature

		self.make_account("AfterShip")
		number = f"SF{frappe.generate_hash(length=10).upper()}"
		so, _note, tracking = self.delivered_order(number)
		body = json.dumps(
			{
				"event": "tracking_update",
				"msg": {
					"tracking_number": number,
					"slug": "shunfeng",
					"tag": "Delivered",
					"expected_delivery": None,
					"checkpoints": [
						{
							"checkpoint_time": "2026-11-27T09:00:00+08:00",
							"tag": "Delivered",
							"message": "Signed",
						}
					],
				},
			}
		).encode()
		json_type = {"Content-Type": "application/json"}
		wrong = {**json_type, "aftership-hmac-sha256": aftership_signature("not-the-secret", body)}
		self.assertEqual(self.post(body=body, headers=wrong).status_code, 500)  # AfterShip retries
		right = {**json_type, "aftership-hmac-sha256": aftership_signature(SALT, body)}
		self.assertEqual(self.post(body=body, headers=right).status_code, 200)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Shipment Tracking", tracking, "status"), "Delivered")
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "Delivered")

	def test_generic_webhook_needs_a_fresh_timestamp_and_its_signature(self):
		import time

		from order_online.integrations.carriers.webhook import signature

		self.make_account("Generic Webhook")
		number = f"GW{frappe.generate_hash(length=10).upper()}"
		so, _note, tracking = self.delivered_order(number)
		body = json.dumps(
			{
				"tracking_number": number,
				"carrier": "local-courier",
				"events": [
					{
						"time": "2026-11-27T08:00:00+08:00",
						"status": "out_for_delivery",
						"description": "With the courier",
					}
				],
			}
		).encode()
		stale = str(int(time.time()) - 3600)
		headers = {
			"Content-Type": "application/json",
			"X-Timestamp": stale,
			"X-Signature": signature(SALT, stale, body),
		}
		self.assertEqual(self.post(body=body, headers=headers).status_code, 500)  # a replayed push
		now = str(int(time.time()))
		headers = {
			"Content-Type": "application/json",
			"X-Timestamp": now,
			"X-Signature": signature(SALT, now, body),
		}
		self.assertEqual(self.post(body=body, headers=headers).json(), {"ok": True})
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("Sales Order", so.name, "oo_tracking_status"), "Out for Delivery"
		)
		rejected = frappe.get_all(
			"Order Online Integration Log",
			filters={"carrier_account": ACCOUNT, "status": "Rejected"},
			pluck="error",
		)
		self.assertEqual(len(rejected), 1)


class TestWhatARefusedPushMayCost(PushCase):
	"""Anyone may post to the push endpoint: a refusal stores little, and a flood stores nothing more."""

	def setUp(self):
		super().setUp()
		frappe.db.commit()  # the served site must see the carrier account

	def rows(self):
		frappe.db.rollback()
		return frappe.get_all(
			"Order Online Integration Log",
			filters={"carrier_account": ACCOUNT, "action": "push"},
			pluck="request",
		)

	def test_a_body_larger_than_any_carrier_sends_is_refused_unread(self):
		from order_online.domain.tracking import PUSH_MAX_BYTES

		reply = self.post({"param": "x" * (2 * 1024 * 1024), "sign": "ABC"})
		self.assertEqual(reply.status_code, 413)
		self.assertIn(str(PUSH_MAX_BYTES), reply.text)
		self.assertEqual(self.rows(), [])

	def test_a_refused_body_is_kept_as_an_excerpt(self):
		from order_online.domain.tracking import REFUSED_EXCERPT_CHARS

		reply = self.post({"param": json.dumps({"junk": "y" * 100_000}), "sign": "NOT-IT"})
		self.assertFalse(reply.json()["result"])
		(stored,) = self.rows()
		self.assertLess(len(stored), REFUSED_EXCERPT_CHARS + 100)
		self.assertTrue(stored.endswith("]"), stored[-80:])  # "… [N characters, cut]"

	def test_a_flood_of_refused_pushes_writes_a_bounded_number_of_rows(self):
		from order_online.domain.tracking import REFUSED_PUSHES_PER_WINDOW

		replies = [
			self.post({"param": json.dumps({"n": n}), "sign": "FORGED"}).status_code
			for n in range(REFUSED_PUSHES_PER_WINDOW + 10)
		]
		self.assertEqual(replies.count(429), 10)
		self.assertEqual(len(self.rows()), REFUSED_PUSHES_PER_WINDOW)
		# an unknown account costs the same: nothing more is written once the limit is reached
		reply = requests.post(
			f"{self.url}/api/method/order_online.api.tracking.push",
			params={"account": "no such account " + "z" * 5000},
			data={"param": "{}", "sign": "X"},
			headers={"Host": frappe.local.site},
			timeout=30,
		)
		self.assertEqual(reply.status_code, 429)

"""The channel intake on the served site with ``bench worker`` running: a signed delivery becomes a
submitted, allocated Sales Order made by the channel's integration user; repeats and races make one
order and one customer; a failed row is fixed and replayed; a lost job is swept up."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import frappe
import requests

from order_online.intake import service
from order_online.integrations.channels.generic import signed_headers
from order_online.tests.factories import (
	INTAKE_SECRET,
	TEST_PREFIX,
	add_stock,
	make_allocation_network,
	make_allocation_rule,
	make_intake_channel,
	make_item,
	plain_orders,
	remove_allocation_network,
	remove_intake_channel,
)
from order_online.tests.utils import ServedSiteTestCase

CHANNEL = f"{TEST_PREFIX} Intake Shop"
ITEM = f"{TEST_PREFIX}-IN-1"
WAIT_S = 90


def order_body(number: str, **values) -> dict:
	body = {
		"external_order_id": number,
		"customer": {
			"external_id": f"buyer-{number}",
			"name": f"Buyer {number}",
			"email": f"{number}@example.com",
		},
		"shipping_address": {
			"line1": "1 Keyuan Road",
			"city": "Shenzhen",
			"state": "Guangdong",
			"country": "CN",
			"pincode": "518000",
		},
		"lines": [{"sku": "SHOP-SKU-1", "qty": 2, "rate": 30}],
	}
	body.update(values)
	return body


class TestIntake(ServedSiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		plain_orders()
		cls.net = make_allocation_network()
		make_allocation_rule()
		make_item(ITEM)
		add_stock(ITEM, cls.net["near"], 500)
		make_intake_channel(item_mappings=[{"channel_sku": "SHOP-SKU-1", "item_code": ITEM}])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		remove_intake_channel(CHANNEL)
		remove_allocation_network()
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		super().setUp()
		self.endpoint = f"{self.url}/api/method/order_online.api.intake.receive?channel=OOIN"
		self.number = f"T{time.time_ns()}"
		self.currency = frappe.get_cached_value("Company", self.net["company"], "default_currency")
		self.site = frappe.local.site  # frappe.local is not there in the test's own threads
		self.sites_path = frappe.local.sites_path

	def send(self, body, secret: str = INTAKE_SECRET, headers: dict | None = None, raw: bytes | None = None):
		data = raw if raw is not None else json.dumps(body).encode()
		sent = {**signed_headers(secret, data), "Host": self.site, **(headers or {})}
		return requests.post(self.endpoint, data=data, headers=sent, timeout=60)

	def wait_for(self, log: str) -> dict:
		deadline = time.monotonic() + WAIT_S
		while time.monotonic() < deadline:
			frappe.db.rollback()  # a fresh snapshot: what the worker committed
			row = frappe.db.get_value(
				"Order Intake Log", log, ["status", "sales_order", "error", "customer"], as_dict=True
			)
			if row and row.status != "Accepted":
				return row
			time.sleep(0.5)
		self.fail(f"intake {log} still waits after {WAIT_S} s: is `bench worker` running?")

	def test_a_signed_order_becomes_a_submitted_allocated_sales_order(self):
		reply = self.send(order_body(self.number, shipping_charge=0))
		self.assertEqual(reply.status_code, 202, reply.text)
		log = reply.json()["log"]
		row = self.wait_for(log)
		self.assertEqual(row.status, "Processed", row.error)
		order = frappe.get_doc("Sales Order", row.sales_order)
		self.assertEqual(order.docstatus, 1)
		self.assertEqual(order.oo_order_channel, CHANNEL)
		self.assertEqual(order.oo_channel_order_no, self.number)
		self.assertEqual(order.owner, "oo-intake-bot@example.com")  # never Administrator or Guest
		self.assertEqual([(d.item_code, d.qty, d.rate) for d in order.items], [(ITEM, 2, 30)])
		self.assertEqual(order.items[0].warehouse, self.net["near"])  # the allocator's choice
		self.assertTrue(order.oo_allocation_summary)
		address = frappe.get_doc("Address", order.shipping_address_name)
		self.assertEqual((address.city, address.country), ("Shenzhen", "China"))
		self.assertEqual(
			frappe.db.get_value("Customer", order.customer, "customer_name"), f"Buyer {self.number}"
		)

	def test_the_same_order_sent_twice_at_once_is_one_order(self):
		body = json.dumps(order_body(self.number)).encode()
		with ThreadPoolExecutor(4) as pool:
			replies = list(pool.map(lambda _: self.send(None, raw=body), range(4)))
		self.assertEqual({r.status_code for r in replies} - {200, 202}, set(), [r.text for r in replies])
		logs = {r.json()["log"] for r in replies}
		self.assertEqual(len(logs), 1, "every copy answers with the first delivery's log")
		self.assertEqual(sum(1 for r in replies if r.json().get("duplicate")), 3)
		self.assertEqual(self.wait_for(logs.pop()).status, "Processed")
		self.assertEqual(
			frappe.db.count("Sales Order", {"oo_order_channel": CHANNEL, "oo_channel_order_no": self.number}),
			1,
		)

	def test_two_orders_of_a_new_buyer_at_once_make_one_customer(self):
		"""Made truly at once: the worker takes one order and, with the buyer's new customer made, waits
		on a stock row this test holds; meanwhile a second processor (a thread here) takes the other."""
		import threading

		buyer = {
			"external_id": f"new-{self.number}",
			"name": f"New {self.number}",
			"phone": "+86 138 0013 8000",
		}
		bin_name = frappe.db.get_value("Bin", {"item_code": ITEM, "warehouse": self.net["near"]})
		frappe.db.sql("select name from tabBin where name=%s for update", bin_name)
		try:
			logs = [self.send(order_body(f"{self.number}-{i}", customer=buyer)).json()["log"] for i in (1, 2)]
			self.job_process(*logs)  # the worker has one of them, waiting on the stock row
			second = threading.Thread(target=self.process_elsewhere, args=(logs,))
			second.start()
			second.join(3)
			self.assertTrue(second.is_alive(), "the second order waits for the first one's customer")
		finally:
			frappe.db.rollback()  # the stock row free: both go on
		second.join(WAIT_S)
		rows = [self.wait_for(log) for log in logs]
		self.assertEqual([r.status for r in rows], ["Processed", "Processed"], [r.error for r in rows])
		customers = {frappe.db.get_value("Sales Order", r.sales_order, "customer") for r in rows}
		self.assertEqual(len(customers), 1)
		self.assertEqual(frappe.db.count("Customer", {"customer_name": f"New {self.number}"}), 1)
		# a third order by phone only (another spelling) finds the same customer
		third = order_body(f"{self.number}-3", customer={"name": "Someone", "phone": "13800138000"})
		row = self.wait_for(self.send(third).json()["log"])
		self.assertEqual(frappe.db.get_value("Sales Order", row.sales_order, "customer"), customers.pop())

	def process_elsewhere(self, logs: list[str]) -> None:
		"""Both rows, from a connection of its own: the one the worker holds is skipped."""
		frappe.init(site=self.site, sites_path=self.sites_path)
		frappe.connect()
		try:
			for log in logs:
				service.process(log)
		finally:
			frappe.destroy()

	def test_an_unknown_sku_fails_and_is_replayed_once_mapped(self):
		reply = self.send(order_body(self.number, lines=[{"sku": f"NEW-{self.number}", "qty": 1, "rate": 5}]))
		row = self.wait_for(reply.json()["log"])
		self.assertEqual(row.status, "Failed")
		self.assertIn(f"NEW-{self.number}", row.error)
		self.assertIn("Item Mapping", row.error)
		channel = frappe.get_doc("Order Channel", CHANNEL)
		channel.append("item_mappings", {"channel_sku": f"NEW-{self.number}", "item_code": ITEM})
		channel.save(ignore_permissions=True)
		frappe.db.commit()
		self.assertEqual(service.replay([reply.json()["log"]]), {reply.json()["log"]: "Accepted"})
		row = self.wait_for(reply.json()["log"])
		self.assertEqual(row.status, "Processed", row.error)
		self.assertEqual(frappe.db.get_value("Sales Order", row.sales_order, "docstatus"), 1)

	def test_a_lost_job_is_swept_up(self):
		"""The row is stored but its job never ran (a worker killed before it, Redis flushed)."""
		from unittest.mock import patch

		from order_online.domain import intake as domain

		channel = frappe.get_cached_doc("Order Channel", CHANNEL)
		order = domain.parse_order(order_body(self.number))
		with patch.object(service, "enqueue"):
			log = service.accept(channel, order).body["log"]
		frappe.db.set_value(
			"Order Intake Log",
			log,
			"modified",
			frappe.utils.add_to_date(None, minutes=-30),
			update_modified=False,
		)
		frappe.db.commit()
		self.assertGreaterEqual(service.sweep(), 1)
		self.assertEqual(self.wait_for(log).status, "Processed")

	def test_refusals(self):
		body = json.dumps(order_body(self.number)).encode()
		unsigned = requests.post(
			self.endpoint,
			data=body,
			headers={"Host": frappe.local.site, "Content-Type": "application/json"},
			timeout=30,
		)
		self.assertEqual(unsigned.status_code, 401)
		nowhere = self.endpoint.replace("channel=OOIN", "channel=NOSUCH")
		answer = requests.post(
			nowhere, data=body, headers={**signed_headers(INTAKE_SECRET, body), "Host": self.site}, timeout=30
		)
		self.assertEqual(answer.status_code, 404)
		self.assertEqual(self.send(None, secret="wrong", raw=body).status_code, 401)
		stale = signed_headers(INTAKE_SECRET, body, now=time.time() - 600)
		self.assertEqual(
			requests.post(
				self.endpoint, data=body, headers={**stale, "Host": frappe.local.site}, timeout=30
			).status_code,
			401,
		)
		invalid = self.send(order_body(self.number, lines=[{"sku": "X", "qty": 0}], currency="yuan"))
		self.assertEqual(invalid.status_code, 422)
		self.assertEqual(
			{e["field"] for e in invalid.json()["errors"]}, {"lines.0.qty", "currency"}, invalid.text
		)
		self.assertFalse(frappe.db.exists("Order Intake Log", {"external_order_id": self.number}))
		frappe.db.set_value("Order Channel", CHANNEL, "rate_limit_per_minute", 2)
		frappe.db.commit()
		frappe.clear_document_cache("Order Channel", CHANNEL)
		try:
			codes = [self.send(order_body(f"{self.number}-{i}")) for i in range(4)]
			limited = [r for r in codes if r.status_code == 429]
			self.assertTrue(limited, [r.status_code for r in codes])
			self.assertGreaterEqual(int(limited[0].headers["Retry-After"]), 1)
			frappe.db.set_value("Order Channel", CHANNEL, {"rate_limit_per_minute": 0, "enabled": 0})
			frappe.db.commit()
			frappe.clear_document_cache("Order Channel", CHANNEL)
			self.assertEqual(self.send(order_body(f"{self.number}-x")).status_code, 403)
		finally:
			frappe.db.set_value("Order Channel", CHANNEL, {"rate_limit_per_minute": 0, "enabled": 1})
			frappe.db.commit()
			frappe.clear_document_cache("Order Channel", CHANNEL)

	def test_a_cancellation_before_shipping_cancels_and_after_is_refused(self):
		row = self.wait_for(self.send(order_body(self.number)).json()["log"])
		cancel = self.send({"external_order_id": self.number, "action": "cancel"})
		self.assertEqual(cancel.status_code, 202, cancel.text)
		self.assertEqual(self.wait_for(cancel.json()["log"]).status, "Processed")
		self.assertEqual(frappe.db.get_value("Sales Order", row.sales_order, "docstatus"), 2)
		again = self.send({"external_order_id": self.number, "action": "cancel", "delivery_id": "second"})
		self.assertEqual(again.status_code, 409, again.text)
		self.assertIn("already cancelled", again.json()["error"])

	def test_a_worker_killed_mid_job_loses_no_order(self):
		"""The job's process is killed with SIGKILL while it holds the row (blocked on a stock row this
		test locks): its transaction rolls back, the row stays Accepted, the sweep hands it to a worker."""
		import os
		import signal

		bin_name = frappe.db.get_value("Bin", {"item_code": ITEM, "warehouse": self.net["near"]})
		frappe.db.sql("select name from tabBin where name=%s for update", bin_name)  # the worker waits here
		log = self.send(order_body(self.number)).json()["log"]
		try:
			horse = self.job_process(log)
			os.kill(horse.pid, signal.SIGKILL)
			horse.wait(30)
		finally:
			frappe.db.rollback()  # the stock row free again
		time.sleep(1)
		self.assertEqual(frappe.db.get_value("Order Intake Log", log, "status"), "Accepted")
		self.assertFalse(frappe.db.exists("Sales Order", {"oo_channel_order_no": self.number}))
		frappe.db.set_value(
			"Order Intake Log",
			log,
			"modified",
			frappe.utils.add_to_date(None, minutes=-30),
			update_modified=False,
		)
		frappe.db.commit()
		service.sweep()
		row = self.wait_for(log)
		self.assertEqual(row.status, "Processed", row.error)
		self.assertEqual(frappe.db.count("Sales Order", {"oo_channel_order_no": self.number}), 1)

	def job_process(self, *logs: str):
		"""The RQ work-horse running the job of one of ``logs`` (a worker forks one per job)."""
		import psutil
		from frappe.utils.background_jobs import get_workers

		deadline = time.monotonic() + WAIT_S
		while time.monotonic() < deadline:
			for worker in get_workers():
				job = worker.get_current_job()
				if job and job.kwargs.get("kwargs", {}).get("log") in logs:
					children = psutil.Process(worker.pid).children()
					if children:
						return children[0]
			time.sleep(0.2)
		self.fail("no worker picked the order up: is `bench worker` running?")

	def test_the_channel_hears_confirmation_signed_and_a_failed_callback_is_retried(self):
		from order_online.intake import callbacks
		from order_online.integrations.channels import ChannelConfig, GenericApiAdapter
		from order_online.tests.carrier_servers import FakeServer

		number = self.number

		class ChannelServer(FakeServer):
			"""The channel's status URL: answers this order's first callback 503, then 200 (other
			orders' callbacks may arrive too: a worker goes on with any waiting order)."""

			def __init__(self):
				super().__init__()
				self.received = []

			def handle(self, method, path, headers, body):
				if json.loads(body).get("external_order_id") != number:
					return 200, {}, b"{}"
				self.received.append((dict(headers.items()), body))
				return (503 if len(self.received) == 1 else 200), {}, b"{}"

		with ChannelServer() as server:
			frappe.db.set_value("Order Channel", CHANNEL, "status_callback_url", server.url)
			frappe.db.commit()
			frappe.clear_document_cache("Order Channel", CHANNEL)
			try:
				row = self.wait_for(self.send(order_body(self.number)).json()["log"])
				first = self.wait_for_callback(row.sales_order, "Failed")
				self.assertEqual(first.http_status, 503)
				headers, body = server.received[0]
				GenericApiAdapter(ChannelConfig("Generic API", CHANNEL, secret=INTAKE_SECRET)).verify(
					headers, body
				)
				sent = json.loads(body)
				self.assertEqual(
					(sent["event"], sent["external_order_id"], sent["sales_order"]),
					("confirmed", self.number, row.sales_order),
				)
				frappe.db.set_value(
					"Order Online Integration Log",
					first.name,
					"creation",
					frappe.utils.add_to_date(None, minutes=-5),
					update_modified=False,
				)
				frappe.db.commit()
				self.assertEqual(callbacks.retry_due(), 1)
				retried = self.wait_for_callback(row.sales_order, "Success")
				self.assertEqual(retried.retry_of, first.name)
				self.assertEqual(
					frappe.db.get_value("Order Online Integration Log", first.name, "status"), "Retried"
				)
				self.assertEqual(json.loads(server.received[1][1]), sent)  # the same event again
			finally:
				frappe.db.set_value("Order Channel", CHANNEL, "status_callback_url", None)
				frappe.db.commit()
				frappe.clear_document_cache("Order Channel", CHANNEL)

	def wait_for_callback(self, sales_order: str, status: str) -> dict:
		deadline = time.monotonic() + WAIT_S
		while time.monotonic() < deadline:
			frappe.db.rollback()
			row = frappe.db.get_value(
				"Order Online Integration Log",
				{"reference_name": sales_order, "action": "channel status", "status": status},
				["name", "http_status", "retry_of"],
				as_dict=True,
			)
			if row:
				return row
			time.sleep(0.3)
		self.fail(f"no {status} callback for {sales_order}")

	def test_replay_over_rest_is_for_those_who_may_write_the_log(self):
		from frappe.utils.password import update_password

		from order_online.tests.factories import make_user
		from order_online.tests.http import Client

		manager = make_user("oo.intake.manager@example.com", "Order Online Manager")
		seller = make_user("oo.intake.seller@example.com", "Sales User")
		for user in (manager, seller):
			update_password(user, "Oo-intake-test-42!")
		frappe.db.commit()
		reply = self.send(
			order_body(self.number, lines=[{"sku": f"LATER-{self.number}", "qty": 1, "rate": 5}])
		)
		log = reply.json()["log"]
		self.assertEqual(self.wait_for(log).status, "Failed")
		as_seller = Client(self.url, self.site, seller, "Oo-intake-test-42!")
		self.assertEqual(as_seller.call("order_online.api.intake.replay", logs=[log]).status_code, 403)
		self.assertEqual(frappe.db.get_value("Order Intake Log", log, "status"), "Failed")
		as_manager = Client(self.url, self.site, manager, "Oo-intake-test-42!")
		self.assertEqual(as_manager.message("order_online.api.intake.replay", logs=[log]), {log: "Accepted"})
		self.assertEqual(self.wait_for(log).status, "Failed")  # still unmapped: the same reason again
		edit = as_manager.put("Order Intake Log", log, {"status": "Processed"})
		self.assertGreaterEqual(edit.status_code, 400)  # nobody sets a row's status by hand
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Order Intake Log", log, "status"), "Failed")

	def test_an_address_change_before_shipping_moves_the_order(self):
		row = self.wait_for(self.send(order_body(self.number)).json()["log"])
		new_address = {"line1": "88 Tianhe Road", "city": "Guangzhou", "state": "Guangdong", "country": "CN"}
		change = self.send(
			{"external_order_id": self.number, "action": "update", "shipping_address": new_address}
		)
		self.assertEqual(change.status_code, 202, change.text)
		self.assertEqual(self.wait_for(change.json()["log"]).status, "Processed")
		order = frappe.get_doc("Sales Order", row.sales_order)
		self.assertEqual(frappe.db.get_value("Address", order.shipping_address_name, "city"), "Guangzhou")
		self.assertIn("88 Tianhe Road", order.shipping_address)
		again = self.send(
			{"external_order_id": self.number, "action": "update", "shipping_address": new_address}
		)
		self.assertEqual(again.json()["log"], change.json()["log"])  # the same change resent: one row

	def test_a_shopify_webhook_becomes_an_order_once(self):
		from order_online.integrations.channels import shopify

		name = make_intake_channel(
			f"{TEST_PREFIX} Intake Shopify",
			code="OOSH",
			platform="Shopify",
			item_mappings=[{"channel_sku": "SHOP-SKU-1", "item_code": ITEM}],
		)
		frappe.db.commit()
		try:
			number = int(time.time() * 1000)
			body = json.dumps(
				{
					"id": number,
					"name": f"#{number}",
					"email": f"s{number}@example.com",
					"currency": self.currency,  # the company's: another needs an exchange rate on the site
					"created_at": "2026-12-02T10:00:00+08:00",
					"customer": {
						"id": number + 1,
						"first_name": "Mei",
						"last_name": "Han",
						"email": f"s{number}@example.com",
					},
					"shipping_address": {
						"first_name": "Mei",
						"last_name": "Han",
						"address1": "1 Keyuan Road",
						"city": "Shenzhen",
						"province": "Guangdong",
						"zip": "518000",
						"country_code": "CN",
					},
					"line_items": [{"sku": "SHOP-SKU-1", "quantity": 3, "price": "25.00"}],
					"shipping_lines": [],
				}
			).encode()
			headers = {
				"Host": self.site,
				"Content-Type": "application/json",
				shopify.SIGNATURE_HEADER: shopify.signature(INTAKE_SECRET, body),
				shopify.TOPIC_HEADER: "orders/create",
				shopify.WEBHOOK_ID_HEADER: f"wh-{number}",
			}
			url = f"{self.url}/api/method/order_online.api.intake.receive?channel=OOSH"
			first = requests.post(url, data=body, headers=headers, timeout=60)
			self.assertEqual(first.status_code, 202, first.text)
			row = self.wait_for(first.json()["log"])
			self.assertEqual(row.status, "Processed", row.error)
			order = frappe.get_doc("Sales Order", row.sales_order)
			self.assertEqual(
				(order.oo_channel_order_no, order.items[0].qty, order.items[0].rate), (str(number), 3, 25)
			)
			forged = requests.post(
				url, data=body.replace(b'"quantity": 3', b'"quantity": 9'), headers=headers, timeout=60
			)
			self.assertEqual(forged.status_code, 401)
			resent = requests.post(url, data=body, headers=headers, timeout=60)
			self.assertEqual(resent.json()["log"], first.json()["log"])
		finally:
			remove_intake_channel(name)
			frappe.delete_doc("Order Channel", name, force=True, ignore_permissions=True)
			frappe.db.commit()

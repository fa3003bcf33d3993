"""A carrier account's credentials on a real site: usable by the app, shown nowhere.

Two accounts (Kuaidi100, AfterShip) against loopback servers that check the credentials, each with a
distinctive key and secret; then every place a credential could surface is read: REST and
``frappe.client`` in a request context, the document's dict, list and Data Export, the print view,
the Integration Log of successful, refused and failed calls and pushes, and the Error Log of calls
that broke in a way no adapter foresaw."""

import hashlib
import json
from unittest.mock import patch

import frappe
import frappe.api
from frappe.utils import now_datetime, set_request

from order_online.common.app_owned import app_writes
from order_online.integrations.carriers import RecordingSession
from order_online.tests.carrier_servers import (
	AfterShipServer,
	Kuaidi100Server,
	kuaidi100_result,
	kuaidi100_row,
)
from order_online.tests.factories import TEST_PREFIX
from order_online.tests.utils import OrderTestCase
from order_online.tracking import service

KEY, SALT, CUSTOMER = "oo-SECRET-key-7f3a9c", "oo-SECRET-salt-2b8d41", "oo-cust-5e1d"
AS_KEY, AS_SECRET = "oo-SECRET-askey-91c0de", "oo-SECRET-ashook-44ab"
SECRETS = (KEY, SALT, AS_KEY, AS_SECRET)
K100, AS = f"{TEST_PREFIX} Secret Kuaidi100", f"{TEST_PREFIX} Secret AfterShip"


class TestCredentialsStayHidden(OrderTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.kuaidi100 = Kuaidi100Server(customer=CUSTOMER, key=KEY).start()
		cls.aftership = AfterShipServer(api_key=AS_KEY).start()

	@classmethod
	def tearDownClass(cls):
		cls.kuaidi100.stop()
		cls.aftership.stop()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		self.started = now_datetime()
		for name, provider, url, key, secret in (
			(K100, "Kuaidi100", self.kuaidi100.url, KEY, SALT),
			(AS, "AfterShip", self.aftership.base_url, AS_KEY, AS_SECRET),
		):
			if not frappe.db.exists("Carrier Account", name):
				frappe.get_doc(
					{
						"doctype": "Carrier Account",
						"account_name": name,
						"provider": provider,
						"base_url": url,
						"api_key": key,
						"customer_id": CUSTOMER if provider == "Kuaidi100" else None,
						"webhook_secret": secret,
						"default_carrier_code": "shunfeng",
						"use_push": 0,
					}
				).insert()
			frappe.clear_document_cache("Carrier Account", name)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.request = None
		frappe.db.rollback()  # each test reads only the log rows it made

	# helpers

	def assertNoSecret(self, text, where):
		for secret in SECRETS:
			self.assertNotIn(secret, str(text), f"{where} shows a credential")

	def tracking(self, account, number):
		with app_writes():
			return frappe.get_doc(
				{
					"doctype": "Shipment Tracking",
					"tracking_number": number,
					"carrier_account": account,
					"carrier_code": "shunfeng",
					"status": "Info Received",
					"shipped_at": now_datetime(),
					"next_poll_at": now_datetime(),
				}
			).insert()

	def logs(self, account):
		return frappe.get_all(
			"Order Online Integration Log",
			filters={"carrier_account": account},
			fields=["action", "status", "request", "response", "error", "http_status"],
			order_by="creation",
		)

	def error_logs(self):
		return frappe.get_all(
			"Error Log", filters={"creation": (">=", self.started)}, fields=["method", "error"]
		)

	def rest(self, path, **args):
		"""What a browser would receive from ``path`` (in this process, as the Administrator)."""
		set_request(method="GET", path=path, query_string=args)
		frappe.local.form_dict = frappe._dict(args)
		frappe.local.response = frappe._dict({"docs": []})
		return frappe.api.handle(frappe.local.request).get_data(as_text=True)

	# the app can use them

	def test_the_app_reads_the_decrypted_credentials_and_the_carrier_accepts_them(self):
		account = frappe.get_doc("Carrier Account", K100)
		self.assertEqual(
			(account.get_password("api_key"), account.get_password("webhook_secret")), (KEY, SALT)
		)
		self.kuaidi100.waybills["SEC-OK-1"] = kuaidi100_result(
			"SEC-OK-1", "shunfeng", "1", [kuaidi100_row("2026-11-27 09:00:00", "已揽收", "揽收", "1")]
		)
		tracking = self.tracking(K100, "SEC-OK-1")
		service.poll_one(tracking)  # the server refuses a sign made without the right key
		self.assertEqual(frappe.db.get_value("Shipment Tracking", tracking.name, "status"), "Picked Up")
		(log,) = self.logs(K100)
		self.assertEqual((log.status, log.http_status, log.response), ("Success", 200, None))  # in the events
		self.assertNoSecret(log, "a successful query's log")
		self.assertNotIn(CUSTOMER, log.request)
		sent = json.loads(log.request)
		self.assertEqual(sent["body"]["sign"], "***")
		self.assertTrue(sent["url"].endswith("/poll/query.do"))

	# what users can read

	def test_rest_and_client_reads_show_no_credential(self):
		fields = json.dumps(["api_key", "webhook_secret"])
		for account in (K100, AS):
			for where, text in (
				("/api/resource/<name>", self.rest(f"/api/resource/Carrier Account/{account}")),
				("/api/resource list", self.rest("/api/resource/Carrier Account", fields='["*"]')),
				(
					"frappe.client.get_value",
					self.rest(
						"/api/method/frappe.client.get_value",
						doctype="Carrier Account",
						filters=json.dumps({"name": account}),
						fieldname=fields,
					),
				),
				(
					"frappe.client.get",
					self.rest("/api/method/frappe.client.get", doctype="Carrier Account", name=account),
				),
				(
					"frappe.client.get_list",
					self.rest(
						"/api/method/frappe.client.get_list", doctype="Carrier Account", fields='["*"]'
					),
				),
				("as_dict", frappe.get_doc("Carrier Account", account).as_dict()),
				("get_all", frappe.get_all("Carrier Account", fields=["*"])),
			):
				self.assertNoSecret(text, where)
				self.assertIn("*****", str(text), where)  # the fields are there, masked

	def test_data_export_report_export_and_print_show_no_credential(self):
		from frappe.core.doctype.data_export.exporter import export_data

		frappe.local.response = frappe._dict()
		columns = {"Carrier Account": ["name", "api_key", "webhook_secret", "customer_id"]}
		export_data(
			doctype="Carrier Account", all_doctypes=False, with_data=True, select_columns=json.dumps(columns)
		)
		self.assertIn(K100, frappe.response.result)
		self.assertNoSecret(frappe.response.result, "Data Export")

		from frappe.desk.reportview import export_query

		set_request(method="POST", path="/api/method/frappe.desk.reportview.export_query")
		frappe.local.form_dict = frappe._dict(
			doctype="Carrier Account",
			file_format_type="CSV",
			fields=json.dumps(["`tabCarrier Account`.`name`", "`tabCarrier Account`.`api_key`"]),
			title="Carrier Account",
		)
		frappe.local.response = frappe._dict()
		export_query()
		self.assertIn(K100, frappe.safe_decode(frappe.response.filecontent))
		self.assertNoSecret(frappe.safe_decode(frappe.response.filecontent), "report view export")

		for account in (K100, AS):
			html = frappe.get_print("Carrier Account", account)
			self.assertIn(account, html)
			self.assertNoSecret(html, "the print view")

	def test_changing_a_credential_leaves_it_out_of_the_version_history(self):
		account = frappe.get_doc("Carrier Account", AS)
		account.api_key, account.default_carrier_code = AS_KEY + "-new", "sf-express"
		account.save(ignore_version=False)  # tests skip versions unless asked
		self.assertEqual(frappe.get_doc("Carrier Account", AS).get_password("api_key"), AS_KEY + "-new")
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Carrier Account", "docname": AS}, pluck="data"
		)
		self.assertIn("sf-express", str(versions))  # the change is recorded...
		self.assertNoSecret(versions, "the version history")

	# what the app logs

	def test_refused_and_failed_calls_log_no_credential(self):
		# an unknown waybill (refused), a carrier that echoes the key in its refusal, a subscription
		# (whose request carries the key and the salt), AfterShip (key in a header)
		unknown, echoed = self.tracking(K100, "SEC-404"), self.tracking(K100, "SEC-ECHO")
		self.kuaidi100.waybills["SEC-ECHO"] = {
			"result": False,
			"returnCode": "601",
			"message": f"key {KEY} customer {CUSTOMER} expired",
		}
		for tracking in (unknown, echoed):
			service.poll_one(tracking)
		service.subscribe(unknown.name)
		service.poll_one(self.tracking(AS, "SEC-AS-404"))
		kuaidi100, aftership = self.logs(K100), self.logs(AS)
		self.assertEqual(
			[(r.action, r.status) for r in kuaidi100], [("query", "Failed")] * 2 + [("subscribe", "Success")]
		)
		# the refusal is logged, its echo of the key masked in the error and in the answer
		self.assertIn("***", kuaidi100[1].error)
		self.assertIn("expired", kuaidi100[1].response)
		param = json.loads(json.loads(kuaidi100[2].request)["body"]["param"])
		self.assertEqual((param["key"], param["parameters"]["salt"]), ("***", "***"))
		self.assertEqual(json.loads(aftership[0].request)["headers"]["as-api-key"], "***")
		self.assertEqual((aftership[0].status, aftership[0].http_status), ("Failed", 404))
		for row in kuaidi100 + aftership:
			self.assertNoSecret(row, f"the log of a {row.status} {row.action}")
			self.assertNotIn(CUSTOMER, str(row))
		self.assertNoSecret(self.error_logs(), "the Error Log")

	def test_a_call_that_breaks_unforeseen_leaves_an_error_log_without_credentials(self):
		tracking = self.tracking(K100, "SEC-BUG")
		surprise = RuntimeError("the library broke")
		with patch.object(RecordingSession, "send", side_effect=surprise):
			service.poll_one(tracking)  # the adapter's frames hold the signed form and the config
			service.subscribe(tracking.name)  # ... and here the key and salt themselves
		errors = self.error_logs()
		self.assertEqual([e.method for e in errors], ["Carrier call failed"] * 2)
		self.assertIn("RuntimeError", errors[0].error)
		self.assertIn("CarrierConfig(provider='Kuaidi100'", errors[0].error)  # the variables are there
		self.assertNoSecret(errors, "the Error Log")
		self.assertNotIn(CUSTOMER, str(errors))
		self.assertEqual([r.status for r in self.logs(K100)], ["Failed", "Failed"])
		self.assertNoSecret(self.logs(K100), "the Integration Log")

	def test_a_poll_job_that_fails_after_the_call_logs_no_credential(self):
		self.kuaidi100.waybills["SEC-JOB"] = kuaidi100_result(
			"SEC-JOB", "shunfeng", "1", [kuaidi100_row("2026-11-27 09:00:00", "已揽收", "揽收", "1")]
		)
		self.tracking(K100, "SEC-JOB")
		with (
			patch.object(service, "apply_result", side_effect=ValueError("merge failed")),
			patch.object(frappe.db, "commit"),
			patch.object(frappe.db, "rollback"),  # the job rolls back per waybill; this test rolls back
		):
			service.poll_account(K100)
		errors = self.error_logs()
		self.assertEqual(
			[e.method for e in errors],
			["Tracking poll " + frappe.db.get_value("Shipment Tracking", {"tracking_number": "SEC-JOB"})],
		)
		self.assertIn("merge failed", errors[0].error)
		self.assertNoSecret(errors, "the poll job's Error Log")

	def test_pushes_log_no_signature_or_secret(self):
		tracking = self.tracking(K100, "SEC-PUSH")
		param = json.dumps(
			{
				"status": "polling",
				"lastResult": kuaidi100_result(
					"SEC-PUSH", "shunfeng", "0", [kuaidi100_row("2026-11-27 10:00:00", "在途", "在途", "0")]
				),
			},
			ensure_ascii=False,
		)
		sign = hashlib.md5((param + SALT).encode()).hexdigest().upper()
		for form in ({"param": param, "sign": sign}, {"param": param + " ", "sign": sign}):  # signed, forged
			service.handle_push(K100, {}, b"", form)
		self.assertEqual(frappe.db.get_value("Shipment Tracking", tracking.name, "status"), "In Transit")
		pushes = self.logs(K100)
		self.assertEqual([r.status for r in pushes], ["Success", "Rejected"])
		for row in pushes:
			self.assertNoSecret(row, f"a {row.status} push's log")
			self.assertNotIn(sign, str(row))

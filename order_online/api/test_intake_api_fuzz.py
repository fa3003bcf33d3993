"""The intake API against its own OpenAPI file (``intake_openapi.json``), fuzzed by schemathesis on the
served site: whatever is sent, signed or not, within the schema or not, the answer is a documented
status with a JSON body, never a server error. Needs ``pip install schemathesis`` in the bench."""

import json

import frappe
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_online.integrations.channels.generic import signed_headers
from order_online.integrations.channels.openapi import SHIPPED
from order_online.tests.factories import (
	INTAKE_SECRET,
	TEST_PREFIX,
	make_intake_channel,
	remove_intake_channel,
)
from order_online.tests.utils import ServedSiteTestCase

CHANNEL = f"{TEST_PREFIX} Fuzz Shop"
SETTINGS = settings(
	max_examples=150,
	deadline=None,
	suppress_health_check=list(HealthCheck),
	database=None,
	derandomize=True,  # the same inputs on every run: a failure is reproducible
)


def is_json(body: bytes) -> bool:
	try:
		json.loads(body)
	except ValueError:
		return False
	return True


class TestIntakeApiFuzz(ServedSiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		import schemathesis

		make_intake_channel(CHANNEL, code="OOFZ")
		frappe.db.commit()
		spec = schemathesis.openapi.from_path(str(SHIPPED))
		cls.operation = next(iter(spec.get_all_operations())).ok()
		cls.documented = set(json.loads(SHIPPED.read_text())["paths"])
		cls.statuses = {
			int(code)
			for code in json.loads(SHIPPED.read_text())["paths"][cls.operation.path]["post"]["responses"]
		}

	@classmethod
	def tearDownClass(cls):
		remove_intake_channel(CHANNEL)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		super().setUp()
		self.seen: dict[int, int] = {}
		self.framework_500 = 0

	def check(self, case, sign: bool) -> None:
		if isinstance(case.body, bytes):
			body = case.body
		else:
			body = json.dumps(case.body).encode() if case.body is not None else b""
		headers = {k: str(v) for k, v in (case.headers or {}).items()}
		if sign:
			headers.update(signed_headers(INTAKE_SECRET, body))
		headers.update({"Host": self.site_name, "Content-Type": "application/json"})
		try:
			headers_ok = {k: v.encode("latin-1").decode("latin-1") for k, v in headers.items()}
		except UnicodeEncodeError:
			return  # not sendable as HTTP headers at all; no server sees it
		reply = requests.post(
			f"{self.url}{self.operation.path}",
			params=case.query,
			data=body,
			headers=headers_ok,
			timeout=60,
		)
		self.seen[reply.status_code] = self.seen.get(reply.status_code, 0) + 1
		if reply.status_code == 500 and not is_json(body) and "make_form_dict" in reply.text:
			# Frappe itself parses a JSON-typed body before any app code runs, and answers a body that
			# is not JSON with a 500 (frappe/app.py make_form_dict). Counted, not hidden: see the README.
			self.framework_500 += 1
			return
		self.assertLess(reply.status_code, 500, (case.query, body[:300], reply.text[:500]))
		self.assertIn(reply.status_code, self.statuses, reply.text[:300])
		payload = reply.json()
		self.assertIsInstance(payload.get("ok"), bool, payload)
		if reply.status_code == 422:
			self.assertTrue(payload["errors"], payload)

	def test_signed_orders_in_the_schema_never_make_a_server_error(self):
		self.site_name = frappe.local.site

		@SETTINGS
		@given(case=self.operation.as_strategy(query={"channel": "OOFZ"}), sign=st.booleans())
		def run(case, sign):
			self.check(case, sign)

		run()
		self.assertGreater(self.seen.get(202, 0) + self.seen.get(200, 0), 0, self.seen)  # some got through
		self.assertGreater(self.seen.get(401, 0), 0, self.seen)

	def test_bodies_outside_the_schema_are_refused_with_their_field_errors(self):
		from schemathesis import GenerationMode

		self.site_name = frappe.local.site

		@SETTINGS
		@given(case=self.operation.as_strategy(GenerationMode.NEGATIVE, query={"channel": "OOFZ"}))
		def run(case):
			self.check(case, sign=True)

		run()
		self.assertGreater(self.seen.get(422, 0), 0, self.seen)
		print(f"statuses {self.seen}; Frappe's own 500 for a body that is not JSON: {self.framework_500}")

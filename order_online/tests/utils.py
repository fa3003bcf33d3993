"""Test-run setup for ``bench run-tests --app order_online``."""

import email
import os

import frappe
import requests
from frappe.tests.utils import FrappeTestCase


def before_tests() -> None:
	# run-tests only calls the tested app's before_tests; ERPNext's completes the setup wizard
	# (company, fiscal year, defaults) that Sales Order tests depend on.
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	frappe.db.commit()


# What a site may have switched on that changes how every order behaves: (doctype, its on/off field,
# which records). Set aside for a test class (committed, so served-site tests see it too) and restored.
SITE_SWITCHES = (
	("Workflow", "is_active", {"document_type": "Sales Order"}),  # ERPNext's own suite leaves one
	("Warehouse Allocation Rule", "enabled", {}),
)


def suspend_site_switches() -> dict[str, list[str]]:
	"""Switch off the site's active Sales Order workflows and allocation rules; returns what was on."""
	suspended = {}
	for doctype, field, filters in SITE_SWITCHES:
		names = frappe.get_all(doctype, filters={**filters, field: 1}, pluck="name")
		for name in names:
			frappe.db.set_value(doctype, name, field, 0, update_modified=False)
		suspended[doctype] = names
	_forget_workflow()
	frappe.db.commit()
	return suspended


def restore_site_switches(suspended: dict[str, list[str]]) -> None:
	for doctype, field, _filters in SITE_SWITCHES:
		for name in suspended.get(doctype, []):
			if frappe.db.exists(doctype, name):
				frappe.db.set_value(doctype, name, field, 1, update_modified=False)
	_forget_workflow()
	frappe.db.commit()


def _forget_workflow() -> None:
	frappe.cache.hdel("workflow", "Sales Order")
	frappe.clear_cache(doctype="Sales Order")


def email_html(message: str) -> str:
	"""The decoded HTML of an Email Queue message (its MIME parts may be quoted-printable)."""
	parsed = email.message_from_string(message)
	return "".join(
		part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
		for part in parsed.walk()
		if part.get_content_type() == "text/html"
	)


class OrderTestCase(FrappeTestCase):
	"""The app's tier-2 tests: they do not depend on what other suites or the site's own setup left on
	it. An active Sales Order workflow or allocation rule is set aside for the class and restored."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._suspended = suspend_site_switches()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		restore_site_switches(cls._suspended)
		super().tearDownClass()


class ServedSiteTestCase(OrderTestCase):
	"""Tests that talk to this site over HTTP (``bench --site SITE serve``; ``OO_SITE_URL`` for another
	address). Their data must be committed to be seen there; they are skipped when nothing is served."""

	url = os.environ.get("OO_SITE_URL", "http://127.0.0.1:8010")

	def setUp(self):
		frappe.set_user("Administrator")
		try:
			requests.get(f"{self.url}/api/method/ping", headers={"Host": frappe.local.site}, timeout=5)
		except requests.ConnectionError:
			self.skipTest(
				f"no site served at {self.url} (run: bench --site {frappe.local.site} serve --port 8010)"
			)

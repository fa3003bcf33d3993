"""Test-run setup for ``bench run-tests --app order_online``."""

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


def suspend_sales_order_workflows() -> list[str]:
	"""Deactivate the site's active Workflows on Sales Order (ERPNext's own suite leaves one active);
	committed, so tests that commit see the same site. Returns their names for restore."""
	names = frappe.get_all("Workflow", filters={"document_type": "Sales Order", "is_active": 1}, pluck="name")
	for name in names:
		frappe.db.set_value("Workflow", name, "is_active", 0, update_modified=False)
	_forget_workflow()
	frappe.db.commit()
	return names


def restore_workflows(names: list[str]) -> None:
	for name in names:
		frappe.db.set_value("Workflow", name, "is_active", 1, update_modified=False)
	_forget_workflow()
	frappe.db.commit()


def _forget_workflow() -> None:
	frappe.cache.hdel("workflow", "Sales Order")
	frappe.clear_cache(doctype="Sales Order")


class OrderTestCase(FrappeTestCase):
	"""The app's tier-2 tests: they do not depend on what other suites left on the site. A Sales Order
	workflow left active is suspended for the class and restored after it."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls._suspended_workflows = suspend_sales_order_workflows()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		restore_workflows(cls._suspended_workflows)
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

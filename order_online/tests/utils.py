"""Test-run setup for ``bench run-tests --app order_online``."""

import frappe


def before_tests() -> None:
	# run-tests only calls the tested app's before_tests; ERPNext's completes the setup wizard
	# (company, fiscal year, defaults) that Sales Order tests depend on.
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	frappe.db.commit()

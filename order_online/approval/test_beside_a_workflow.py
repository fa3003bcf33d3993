"""The app's approval beside a site's own Workflow on Sales Order: one or the other, never both.

ERPNext's own Sales Order suite leaves "SO Test Workflow" active, and many companies run a workflow
of their own. Order Approval Rules cannot be enabled while one is active, and a workflow cannot be
activated while rules are enabled; with a workflow and no rules, the app's paths run without a
workflow traceback.
"""

import frappe
from frappe.model.workflow import apply_workflow

from order_online.approval.service import clear_rule_cache
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_item,
	make_sales_order,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

WORKFLOW = f"{TEST_PREFIX} SO Workflow"


def make_workflow(active: int = 1):
	"""A site's own two-state workflow on Sales Order: Pending (draft) -> Approved (submitted)."""
	for role in ("_OO Workflow Approver",):
		frappe.get_doc({"doctype": "Role", "role_name": role}).insert(ignore_if_duplicate=True)
	if frappe.db.exists("Workflow", WORKFLOW):
		frappe.delete_doc("Workflow", WORKFLOW, force=True, ignore_permissions=True)
	return frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": WORKFLOW,
			"document_type": "Sales Order",
			"workflow_state_field": "workflow_state",
			"is_active": active,
			"send_email_alert": 0,
			"states": [
				{"state": "Pending", "doc_status": 0, "allow_edit": "All"},
				{"state": "Approved", "doc_status": 1, "allow_edit": "_OO Workflow Approver"},
			],
			"transitions": [
				{
					"state": "Pending",
					"action": "Approve",
					"next_state": "Approved",
					"allowed": "_OO Workflow Approver",
					"allow_self_approval": 1,
				}
			],
		}
	).insert(ignore_permissions=True)


class TestBesideASiteWorkflow(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		remove_approval_rules()

	def tearDown(self):
		frappe.db.rollback()
		# On a site where no workflow ever ran, the first one adds the workflow_state column, and that
		# DDL commits whatever the test had made so far: remove all of it, committed.
		if frappe.db.exists("Workflow", WORKFLOW):
			frappe.delete_doc("Workflow", WORKFLOW, force=True, ignore_permissions=True)
		for rule in frappe.get_all(
			"Order Approval Rule", filters={"name": ("like", f"{TEST_PREFIX} %")}, pluck="name"
		):
			frappe.delete_doc("Order Approval Rule", rule, force=True, ignore_permissions=True)
		frappe.db.commit()
		frappe.cache.hdel("workflow", "Sales Order")
		clear_rule_cache()

	def test_rules_cannot_be_enabled_beside_an_active_workflow(self):
		make_workflow()
		with self.assertRaises(frappe.ValidationError) as refused:
			make_approval_rule(f"{TEST_PREFIX} Beside workflow", [(1, "Sales Manager", None)], min_amount=1)
		self.assertIn(WORKFLOW, str(refused.exception))
		self.assertFalse(frappe.db.exists("Order Approval Rule", f"{TEST_PREFIX} Beside workflow"))
		# a disabled rule may wait for the day the workflow goes
		make_approval_rule(f"{TEST_PREFIX} Waiting", [(1, "Sales Manager", None)], min_amount=1, enabled=0)

	def test_a_workflow_cannot_be_activated_beside_enabled_rules(self):
		make_approval_rule(f"{TEST_PREFIX} Enabled rule", [(1, "Sales Manager", None)], min_amount=1)
		with self.assertRaises(frappe.ValidationError) as refused:
			make_workflow()
		self.assertIn(f"{TEST_PREFIX} Enabled rule", str(refused.exception))
		workflow = make_workflow(active=0)  # inactive, it may be prepared
		workflow.is_active = 1
		self.assertRaises(frappe.ValidationError, workflow.save)

	def test_an_order_through_the_workflow_meets_no_app_traceback(self):
		make_workflow()
		item = make_item(f"{TEST_PREFIX}-WF-1")
		add_stock(item, get_warehouse(get_company()), 10)
		so = make_sales_order(items=[(item, 2, 100)])
		self.assertEqual(so.workflow_state, "Pending")
		apply_workflow(so, "Approve")  # the workflow submits; the app's hooks run as on any submit
		so.reload()
		self.assertEqual((so.docstatus, so.workflow_state), (1, "Approved"))
		self.assertFalse(so.oo_approval_status)  # no rules: the app holds nothing
		self.assertNotEqual(so.status, "On Hold")

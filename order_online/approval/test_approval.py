"""Order approval on a real site: levels, roles, self-approval, rejection, and no bypass."""

import json

import frappe
from erpnext.selling.doctype.sales_order.sales_order import (
	create_pick_list,
	make_delivery_note,
	make_sales_invoice,
)

from order_online.api.approval import approve, reject
from order_online.approval.service import clear_rule_cache
from order_online.overrides.sales_order import update_status
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_customer,
	make_item,
	make_sales_order,
	make_user,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase

SALES = "oo.sales@example.com"
MANAGER = "oo.manager@example.com"
CFO = "oo.cfo@example.com"


def logs(so) -> list[tuple[str, int, str]]:
	rows = frappe.get_all(
		"Order Approval Log",
		filters={"sales_order": so},
		fields=["action", "level", "user"],
		order_by="creation",
	)
	return [(r.action, r.level, r.user) for r in rows]


class ApprovalCase(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		remove_approval_rules()
		make_user(SALES, "Sales User", "Stock User", "Accounts User")
		make_user(MANAGER, "Sales User", "Sales Manager", "Stock User", "Accounts User")
		make_user(CFO, "Accounts User", "Sales User")
		for i in range(1, 6):
			add_stock(make_item(f"{TEST_PREFIX}-ITEM-{i}"), get_warehouse(get_company()), 10)

	def tearDown(self):
		frappe.set_user("Administrator")
		clear_rule_cache()

	def two_level_rule(self, **values):
		make_approval_rule(
			"_OO Big orders", [(1, "Sales Manager", None), (2, None, CFO)], min_amount=400, **values
		)

	def order_by(self, user, **values):
		frappe.set_user(user)
		try:
			return make_sales_order(submit=True, **values)  # 5 lines x 100
		finally:
			frappe.set_user("Administrator")

	def as_user(self, user, fn, *args):
		frappe.set_user(user)
		try:
			return fn(*args)
		finally:
			frappe.set_user("Administrator")

	def reload(self, so):
		return frappe.get_doc("Sales Order", so.name)


class TestApprovalFlow(ApprovalCase):
	def test_without_rules_orders_pass_straight_through(self):
		so = self.reload(self.order_by(SALES))
		self.assertEqual((so.oo_approval_status or "", so.status), ("", "To Deliver and Bill"))
		self.assertEqual(logs(so.name), [])

	def test_order_below_every_tier_needs_no_approval(self):
		self.two_level_rule()
		so = self.reload(self.order_by(SALES, items=[(make_item(f"{TEST_PREFIX}-ITEM-1"), 1, 100)]))
		self.assertEqual(so.oo_approval_status, "Not Required")
		self.assertNotEqual(so.status, "On Hold")

	def test_two_levels_then_released(self):
		self.two_level_rule()
		so = self.reload(self.order_by(SALES))
		self.assertEqual(
			(so.status, so.oo_approval_status, so.oo_approval_required_level), ("On Hold", "Pending", 2)
		)
		self.assertIn("_OO Big orders", so.oo_approval_summary)
		self.as_user(MANAGER, approve, [so.name])
		so = self.reload(so)
		self.assertEqual(
			(so.oo_approval_status, so.oo_approval_levels_approved, so.status), ("Pending", 1, "On Hold")
		)
		with self.assertRaises(frappe.PermissionError):  # level 2 is the CFO's
			self.as_user(MANAGER, approve, [so.name])
		self.as_user(CFO, approve, [so.name])
		so = self.reload(so)
		self.assertEqual(so.oo_approval_status, "Approved")
		self.assertNotEqual(so.status, "On Hold")
		self.assertEqual(
			logs(so.name),
			[("Submitted for Approval", 0, SALES), ("Approved", 1, MANAGER), ("Approved", 2, CFO)],
		)

	def test_non_approver_gets_a_permission_error_not_a_traceback(self):
		self.two_level_rule()
		so = self.order_by(SALES)
		with self.assertRaises(frappe.PermissionError) as err:
			self.as_user(SALES, approve, [so.name])
		self.assertIn("not an approver for level 1", str(err.exception))

	def test_self_approval_refused_unless_the_rule_allows_it(self):
		self.two_level_rule()
		so = self.order_by(MANAGER)
		with self.assertRaises(frappe.PermissionError) as err:
			self.as_user(MANAGER, approve, [so.name])
		self.assertIn("self-approval", str(err.exception))

	def test_self_approval_allowed_by_the_rule(self):
		self.two_level_rule(allow_self_approval=1)
		so = self.order_by(MANAGER)
		self.as_user(MANAGER, approve, [so.name])
		self.assertEqual(self.reload(so).oo_approval_levels_approved, 1)

	def test_rejection_needs_a_reason_and_cancels_the_order(self):
		self.two_level_rule()
		so = self.order_by(SALES)
		with self.assertRaises(frappe.ValidationError):
			self.as_user(MANAGER, reject, so.name, "  ")
		self.as_user(MANAGER, reject, so.name, "Price too low")
		so = self.reload(so)
		self.assertEqual((so.docstatus, so.oo_approval_status), (2, "Rejected"))
		row = frappe.get_all(
			"Order Approval Log",
			filters={"sales_order": so.name, "action": "Rejected"},
			fields=["reason", "user"],
		)
		self.assertEqual(row[0].reason, "Price too low")
		amended = frappe.copy_doc(so)  # server-side copy keeps no_copy fields...
		amended.amended_from = so.name
		amended.docstatus = 0
		amended.insert()
		self.assertFalse(amended.oo_approval_status)  # ...yet the amendment starts unapproved

	def test_log_rows_cannot_be_edited_or_deleted(self):
		self.two_level_rule()
		so = self.order_by(SALES)
		name = frappe.get_all("Order Approval Log", filters={"sales_order": so.name}, pluck="name")[0]
		row = frappe.get_doc("Order Approval Log", name)
		row.reason = "changed"
		with self.assertRaises(frappe.PermissionError):
			row.save(ignore_permissions=True)
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Order Approval Log", name, ignore_permissions=True)


class TestNoBypass(ApprovalCase):
	def pending_order(self):
		self.two_level_rule()
		return self.order_by(SALES)

	def approve_fully(self, so):
		self.as_user(MANAGER, approve, [so.name])
		self.as_user(CFO, approve, [so.name])

	def test_delivery_note_refused_while_pending_and_allowed_after(self):
		so = self.pending_order()
		with self.assertRaises(frappe.ValidationError):
			make_delivery_note(so.name).insert()
		self.approve_fully(so)
		dn = make_delivery_note(so.name).insert()
		self.assertTrue(dn.name)

	def test_sales_invoice_refused_while_pending_and_allowed_after(self):
		so = self.pending_order()
		with self.assertRaises(frappe.ValidationError):
			make_sales_invoice(so.name).insert()
		self.approve_fully(so)
		self.assertTrue(make_sales_invoice(so.name).insert().name)

	def test_pick_list_refused_while_pending_and_allowed_after(self):
		so = self.pending_order()
		with self.assertRaises(frappe.ValidationError):
			create_pick_list(so.name).save()
		self.approve_fully(so)
		self.assertTrue(create_pick_list(so.name).save().name)

	def test_rest_insert_of_a_delivery_note_is_refused(self):
		so = self.pending_order()
		values = make_delivery_note(so.name).as_dict()
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(json.loads(frappe.as_json(values))).insert()

	def test_resume_cannot_release_a_pending_order(self):
		so = self.pending_order()
		with self.assertRaises(frappe.PermissionError):
			self.as_user(MANAGER, update_status, "Draft", so.name)
		self.assertEqual(self.reload(so).status, "On Hold")
		self.approve_fully(so)
		self.as_user(MANAGER, update_status, "On Hold", so.name)  # ordinary hold/resume works again
		self.as_user(MANAGER, update_status, "Draft", so.name)
		self.assertNotEqual(self.reload(so).status, "On Hold")

	def test_update_items_raising_the_amount_needs_approval_again(self):
		from erpnext.controllers.accounts_controller import update_child_qty_rate

		so = self.pending_order()
		self.approve_fully(so)
		so = self.reload(so)
		rows = [
			{"docname": d.name, "item_code": d.item_code, "qty": d.qty + (1 if i == 0 else 0), "rate": d.rate}
			for i, d in enumerate(so.items)
		]
		update_child_qty_rate("Sales Order", json.dumps(rows), so.name)
		so = self.reload(so)
		self.assertEqual(
			(so.oo_approval_status, so.oo_approval_levels_approved, so.status), ("Pending", 0, "On Hold")
		)
		self.assertIn("Approval Required Again", [action for action, _, _ in logs(so.name)])

	def test_duplicate_of_an_approved_order_starts_unapproved(self):
		so = self.pending_order()
		self.approve_fully(so)
		copy = frappe.copy_doc(self.reload(so))
		copy.docstatus = 0
		copy.insert()
		self.assertFalse(copy.oo_approval_status)
		self.assertFalse(copy.oo_approval_levels_approved)
		copy.submit()  # and asks for approval afresh
		self.assertEqual(self.reload(copy).oo_approval_status, "Pending")


class TestEscalation(ApprovalCase):
	def test_overdue_order_escalates_once_to_the_next_level(self):
		from frappe.utils import add_to_date, now_datetime

		from order_online.approval.service import escalate_overdue_approvals

		self.two_level_rule(sla_hours=4)
		so = self.order_by(SALES)
		escalate_overdue_approvals()
		self.assertNotIn("Escalated", [a for a, _, _ in logs(so.name)])  # not overdue yet
		frappe.db.set_value(
			"Sales Order", so.name, "oo_approval_pending_since", add_to_date(now_datetime(), hours=-5)
		)
		frappe.db.delete("Notification Log", {"document_name": so.name})
		escalate_overdue_approvals()
		escalate_overdue_approvals()  # a second run does not escalate again
		self.assertEqual([a for a, _, _ in logs(so.name)].count("Escalated"), 1)
		notified = frappe.get_all("Notification Log", filters={"document_name": so.name}, pluck="for_user")
		self.assertIn(CFO, notified)  # the next level's approver is alerted
		self.assertIn(MANAGER, notified)  # and the current level reminded


class TestNotification(ApprovalCase):
	def test_approver_is_notified_with_a_link_that_opens_the_order_to_approve(self):
		self.two_level_rule()
		so = self.order_by(SALES)
		notes = frappe.get_all(
			"Notification Log",
			filters={"document_name": so.name, "for_user": MANAGER},
			fields=["subject", "email_content"],
		)
		self.assertEqual(len(notes), 1)
		self.assertIn("level 1", notes[0].subject)
		self.assertIn(f"/app/sales-order/{so.name}?approve=1", notes[0].email_content)
		self.assertFalse(  # level 2's approver hears nothing yet
			frappe.get_all("Notification Log", filters={"document_name": so.name, "for_user": CFO})
		)


class TestCreditAndDiscountRules(ApprovalCase):
	def setUp(self):
		super().setUp()
		# one customer per test: the class shares one transaction, so earlier orders would count as owed
		self.CUSTOMER = make_customer(f"{TEST_PREFIX} Credit {self._testMethodName[-20:]}")
		customer = frappe.get_doc("Customer", self.CUSTOMER)
		customer.set("credit_limits", [{"company": get_company(), "credit_limit": 300}])
		customer.save(ignore_permissions=True)

	def test_without_a_credit_rule_erpnext_still_refuses_the_submitter(self):
		make_approval_rule("_OO Big orders", [(1, "Sales Manager", None)], min_amount=10_000)
		with self.assertRaises(frappe.ValidationError) as err:
			self.order_by(SALES, customer=self.CUSTOMER)  # 500 against a limit of 300
		self.assertIn("Credit limit", str(err.exception))

	def test_credit_rule_holds_the_order_for_the_approver_instead_of_refusing(self):
		make_approval_rule("_OO Credit", [(1, "Sales Manager", None)], credit_limit_exceeded=1)
		so = self.reload(self.order_by(SALES, customer=self.CUSTOMER))
		self.assertEqual((so.status, so.oo_approval_status), ("On Hold", "Pending"))
		self.assertIn("credit limit", so.oo_approval_summary.lower())
		self.as_user(MANAGER, approve, [so.name])  # the approver is not refused by ERPNext's check either
		so = self.reload(so)
		self.assertEqual((so.oo_approval_status, so.status), ("Approved", "To Deliver and Bill"))

	def test_order_within_the_credit_limit_needs_no_approval(self):
		make_approval_rule("_OO Credit", [(1, "Sales Manager", None)], credit_limit_exceeded=1)
		item = make_item(f"{TEST_PREFIX}-ITEM-1")
		so = self.reload(self.order_by(SALES, customer=self.CUSTOMER, items=[(item, 2, 100)]))
		self.assertEqual((so.oo_approval_status, so.status), ("Not Required", "To Deliver and Bill"))

	def test_discount_above_the_limit_needs_approval(self):
		make_approval_rule("_OO Discount", [(1, "Sales Manager", None)], discount_above=10)
		item = make_item(f"{TEST_PREFIX}-ITEM-1")
		small = self.reload(self.order_by(SALES, items=[(item, 1, 100)], additional_discount_percentage=5))
		self.assertEqual(small.oo_approval_status, "Not Required")
		big = self.reload(self.order_by(SALES, items=[(item, 1, 100)], additional_discount_percentage=15))
		self.assertEqual((big.oo_approval_status, big.status), ("Pending", "On Hold"))
		self.assertIn("15", big.oo_approval_summary)

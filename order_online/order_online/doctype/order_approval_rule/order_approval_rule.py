import frappe
from frappe import _
from frappe.model.document import Document

from order_online.approval.service import clear_rule_cache, refuse_rules_beside_workflow, rule_from_record
from order_online.common.errors import throw_all
from order_online.domain.approval import rule_problems
from order_online.portal.printing import escape_free_text


class OrderApprovalRule(Document):
	def validate(self):
		self.validate_rule_is_complete()
		self.validate_no_sales_order_workflow()
		self.warn_about_authorization_rules()

	def validate_no_sales_order_workflow(self):
		refuse_rules_beside_workflow(self)

	def warn_about_authorization_rules(self):
		"""ERPNext's Authorization Rules would check whoever submits, before any approval can run."""
		if frappe.db.exists("Authorization Rule", {"transaction": "Sales Order"}):
			frappe.msgprint(
				_(
					"Authorization Rules for Sales Order exist. Order Approval Rules replace them: "
					"remove them, or they will refuse the salesperson's submit before approval starts."
				),
				indicator="orange",
				alert=True,
			)

	def validate_rule_is_complete(self):
		throw_all(rule_problems(rule_from_record(self, self.levels)))

	def on_change(self):
		clear_rule_cache()

	def on_trash(self):
		clear_rule_cache()

	def before_print(self, settings=None):
		escape_free_text(self)

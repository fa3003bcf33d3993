from frappe.model.document import Document

from order_online.approval import clear_rule_cache, rule_from_record
from order_online.domain.approval import rule_problems
from order_online.errors import throw_all


class OrderApprovalRule(Document):
	def validate(self):
		self.validate_rule_is_complete()

	def validate_rule_is_complete(self):
		throw_all(rule_problems(rule_from_record(self, self.levels)))

	def on_change(self):
		clear_rule_cache()

	def on_trash(self):
		clear_rule_cache()

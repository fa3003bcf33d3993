from frappe.model.document import Document

from order_online.common.errors import throw_all
from order_online.domain.order_rules import rule_definition_problems
from order_online.order_entry.rules import clear_rule_cache, rule_from_record
from order_online.portal.printing import escape_free_text


class OrderValidationRule(Document):
	def validate(self):
		self.validate_rule_is_complete()

	def validate_rule_is_complete(self):
		throw_all(rule_definition_problems(rule_from_record(self)))

	def on_change(self):
		clear_rule_cache()

	def on_trash(self):
		clear_rule_cache()

	def before_print(self, settings=None):
		escape_free_text(self)

import frappe
from frappe.model.document import Document
from frappe.utils import getdate

from order_online.common.errors import domain_errors_as_validation, throw
from order_online.domain.errors import DuplicateNumberTemplate
from order_online.domain.numbering import parse_template, render
from order_online.order_entry.numbering import clear_template_cache
from order_online.portal.printing import escape_free_text


class OrderNumberTemplate(Document):
	def validate(self):
		self.validate_template()
		self.validate_one_per_company_and_channel()

	def validate_template(self):
		with domain_errors_as_validation():
			template = parse_template(self.template)
			self.template = template.text
			abbr = frappe.get_cached_value("Company", self.company, "abbr")
			code = self.order_channel and frappe.db.get_value(
				"Order Channel", self.order_channel, "channel_code"
			)
			self.preview = render(
				template, getdate(), abbr, code or ("WEB" if template.needs_channel else None)
			)

	def on_change(self):
		clear_template_cache()
		if self.enabled:
			frappe.enqueue(
				"order_online.order_entry.numbering.prepare_series",
				template_names=[self.name],
				enqueue_after_commit=True,
			)

	def on_trash(self):
		clear_template_cache()

	def validate_one_per_company_and_channel(self):
		if not self.enabled:
			return
		other = frappe.db.get_value(
			"Order Number Template",
			{
				"company": self.company,
				"order_channel": self.order_channel or ("is", "not set"),
				"enabled": 1,
				"name": ("!=", self.name),
			},
		)
		if other:
			throw(DuplicateNumberTemplate(company=self.company, other=other))

	def before_print(self, settings=None):
		escape_free_text(self)

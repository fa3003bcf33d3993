import frappe
from frappe import _
from frappe.model.document import Document

from order_online.common.app_owned import refuse_outside_app
from order_online.portal.printing import escape_free_text


class OrderApprovalLog(Document):
	"""The audit trail of approvals: written once by the app, never edited or deleted."""

	def validate(self):
		if not self.is_new():
			frappe.throw(_("Approval history cannot be changed."), frappe.PermissionError)
		refuse_outside_app(self, "create")

	def on_trash(self):
		frappe.throw(_("Approval history cannot be deleted."), frappe.PermissionError)

	def before_print(self, settings=None):
		escape_free_text(self)

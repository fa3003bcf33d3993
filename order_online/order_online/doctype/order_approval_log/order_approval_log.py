import frappe
from frappe import _
from frappe.model.document import Document


class OrderApprovalLog(Document):
	"""The audit trail of approvals: written once by the app, never edited or deleted."""

	def validate(self):
		if not self.is_new():
			frappe.throw(_("Approval history cannot be changed."), frappe.PermissionError)

	def on_trash(self):
		frappe.throw(_("Approval history cannot be deleted."), frappe.PermissionError)

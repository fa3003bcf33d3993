import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from frappe import _

from order_online.portal.shipments import shipments_for

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("Please log in to see your shipments."), frappe.PermissionError)
	context.title = _("My Shipments")
	context.show_sidebar = True
	# ERPNext's own portal rule: the customers the session user is a Portal User of
	context.shipments = shipments_for(get_parents_for_user("Customer"))

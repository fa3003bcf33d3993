import frappe
from frappe import _

from order_online.portal import portal_customers, shipments_for

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("Please log in to see your shipments."), frappe.PermissionError)
	context.title = _("My Shipments")
	context.show_sidebar = True
	context.shipments = shipments_for(portal_customers(frappe.session.user))

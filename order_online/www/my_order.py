"""The customer's order page (/my_order?name=<order>): status, timeline, parcels with ETA, lines and the
shipping address of one of their own orders. Another customer's order and an order that does not exist
are the same 404; a guest is sent to log in first."""

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from frappe import _

from order_online.portal.orders import order_view

no_cache = 1


def get_context(context):
	name = frappe.form_dict.get("name") or ""
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?" + frappe.utils.urlencode(
			{"redirect-to": f"/my_order?{frappe.utils.urlencode({'name': name})}"}
		)
		raise frappe.Redirect
	# ERPNext's own portal rule: the customers the session user is a Portal User of
	context.order = order_view(name, get_parents_for_user("Customer"))
	context.title = _("Order {0}").format(context.order["name"])
	context.show_sidebar = True

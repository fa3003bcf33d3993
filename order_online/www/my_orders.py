"""The customer's order list (/my_orders): their own orders, 50 a page, with the status in their words,
the promised date, the latest tracking status and a late flag; filtered by status and dates, searched by
order number (theirs, the channel's, the company's) or item. A bad filter is told on the page; a guest
is sent to log in first."""

from urllib.parse import urlencode

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from frappe import _

from order_online.domain import portal
from order_online.domain.errors import DomainError
from order_online.portal.orders import order_list

no_cache = 1
FILTERS = ("status", "from", "to", "q")


def get_context(context):
	args = {key: (frappe.form_dict.get(key) or "").strip() for key in (*FILTERS, "page")}
	if frappe.session.user == "Guest":
		asked = urlencode({key: value for key, value in args.items() if value})
		frappe.local.flags.redirect_location = "/login?" + urlencode(
			{"redirect-to": "/my_orders" + (f"?{asked}" if asked else "")}
		)
		raise frappe.Redirect
	context.title = _("My Orders")
	context.show_sidebar = True
	context.args = args
	context.statuses = portal.STATUSES
	context.error = None
	try:
		query = portal.list_query(args["status"], args["from"], args["to"], args["q"], args["page"])
	except DomainError as error:
		context.error = error.render(_)
		query = portal.ListQuery()
	# ERPNext's own portal rule: the customers the session user is a Portal User of
	context.result = order_list(get_parents_for_user("Customer"), query)
	kept = {key: args[key] for key in FILTERS if args[key]} if not context.error else {}
	context.page_url = {
		page: "/my_orders?" + urlencode({**kept, "page": page})
		for page in (context.result["page"] - 1, context.result["page"] + 1)
	}

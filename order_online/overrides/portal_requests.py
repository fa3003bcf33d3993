"""A portal user asking for another customer's document gets the same 404 as for one that does not exist.

Why: Frappe answers a name that does not exist with 404 before it checks any permission, and a name
that exists but is not the user's with 403 (REST, print view, PDF, ERPNext's /orders/<name>), so a
customer could learn which order numbers exist by trying them. For a website user (a customer on the
portal) every request that names one Sales Order, Delivery Note, Sales Invoice or Shipment Tracking
(``order_online.domain.portal.document_asked``) is checked first: a document not of the customers the
user is a Portal User of is "not found", whether it exists or not. A private file needs none of this: Frappe answers 403 for one the user may not read and for one that is
not there alike (``frappe.utils.response.download_private_file``). The user's own documents go on to
Frappe's own checks unchanged (its print view and PDF admit them; its desk REST does not). Desk users
are not touched: their permissions are Frappe's, narrowed by ``order_online.permissions.rows``.
"""

from urllib.parse import unquote

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user
from frappe import _

from order_online.domain.portal import CUSTOMER_DOCUMENTS, document_asked


def hide_other_customers_documents() -> None:
	"""``auth_hooks``: once Frappe has set the request's user (session, API key or token); one query, and
	only for a website user's request that names a document."""
	request = getattr(frappe.local, "request", None)
	user = frappe.session.user if getattr(frappe.local, "session", None) else "Guest"
	if request is None or user == "Guest":
		return
	asked = document_asked(unquote(request.path), frappe.local.form_dict)
	if asked is None or frappe.get_cached_value("User", user, "user_type") != "Website User":
		return
	doctype, name = asked
	customers = get_parents_for_user("Customer")
	if not customers or not frappe.db.exists(
		doctype, {"name": name, CUSTOMER_DOCUMENTS[doctype]: ("in", customers)}
	):
		raise frappe.DoesNotExistError(_("{0} {1} not found").format(_(doctype), name))

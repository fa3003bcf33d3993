"""What a customer does on the portal: only with orders of the customers they are a Portal User of."""

import frappe
from erpnext.controllers.website_list_for_contact import get_parents_for_user

from order_online.portal import cancellation


@frappe.whitelist(methods=["POST"])
def request_cancellation(name: str, reason: str | None = None) -> dict:
	"""Ask to cancel one's own order that has not left yet (sales decides; the order is not cancelled
	here). Another customer's order and one that does not exist answer the same 404."""
	return cancellation.request_cancellation(name, reason, get_parents_for_user("Customer"))

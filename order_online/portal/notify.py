"""Emails to the customer about their order, each with a link to the order's own page on the portal
(``/my_order``), where they see the timeline, parcels and ETA."""

import frappe
from frappe import _
from frappe.utils import escape_html, get_url

from order_online.portal.orders import order_url


def email_customer(sales_order: str, subject: str, text: str) -> bool:
	"""Email the order's contact ``text`` (plain text: escaped here) and the order page's link. False
	when the order has no contact email; an outgoing-mail failure is logged, never raised, so the
	update that prompted it is not lost for want of an email."""
	email = frappe.db.get_value("Sales Order", sales_order, "contact_email")
	if not email:
		return False
	link = get_url(order_url(sales_order))
	message = '<p>{}</p><p><a href="{}">{}</a></p>'.format(
		escape_html(text), escape_html(link), escape_html(_("Follow your order {0}").format(sales_order))
	)
	try:
		frappe.sendmail(
			recipients=[email],
			subject=subject,
			message=message,
			reference_doctype="Sales Order",
			reference_name=sales_order,
		)
	except frappe.OutgoingEmailError:
		frappe.log_error(
			title=_("Customer email not sent"), reference_doctype="Sales Order", reference_name=sales_order
		)
		return False
	return True

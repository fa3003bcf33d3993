"""A customer asks to cancel an order that has not left the warehouse. The order is not cancelled: the
request is recorded on it (the time in ``oo_cancel_requested_at``, the reason as a comment in its
timeline) and the salespeople of the order are told, who decide in the desk."""

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime, now_datetime

from order_online.common.app_owned import app_writes
from order_online.common.errors import throw
from order_online.common.notifications import notify_users, users_with_roles
from order_online.domain import portal
from order_online.domain.errors import DomainError
from order_online.portal.orders import order_view


def salespeople_of(name: str) -> list[str]:
	"""The users of the order's Sales Team (Sales Person -> Employee -> User) and its author when a desk
	user; the Sales Managers when the order has neither."""
	team = frappe.qb.DocType("Sales Team")
	person = frappe.qb.DocType("Sales Person")
	employee = frappe.qb.DocType("Employee")
	query = (
		frappe.qb.from_(team)
		.join(person)
		.on(person.name == team.sales_person)
		.join(employee)
		.on(employee.name == person.employee)
		.select(employee.user_id)
		.where((team.parenttype == "Sales Order") & (team.parent == name) & employee.user_id.isnotnull())
	)
	users = set(query.run(pluck=True))
	owner = frappe.db.get_value("Sales Order", name, "owner")
	if (
		owner
		and frappe.db.get_value("User", owner, "user_type") == "System User"
		and owner != "Administrator"
	):
		users.add(owner)
	return sorted(users) or users_with_roles(["Sales Manager"])


def request_cancellation(name: str, reason: str | None, customers: list[str]) -> dict:
	"""Record the customer's request on ``name`` (one of ``customers``' orders, else OrderNotFound)."""
	view = order_view(name, customers)
	# the row locked: two requests at once record one
	requested = frappe.db.get_value("Sales Order", view["name"], "oo_cancel_requested_at", for_update=True)
	try:
		reason = portal.check_cancellation_request(
			view["name"], view["status"], get_datetime(requested) if requested else None, reason
		)
	except DomainError as error:
		throw(error)
	at = now_datetime()
	with app_writes():
		frappe.db.set_value("Sales Order", view["name"], "oo_cancel_requested_at", at, update_modified=False)
	who = frappe.session.user
	text = _("The customer ({0}) asked to cancel this order.").format(who)
	if reason:
		text += " " + _("Reason: {0}").format(reason)
	frappe.get_doc("Sales Order", view["name"]).add_comment("Comment", escape_html(text), comment_email=who)
	notify_users(
		salespeople_of(view["name"]),
		"Sales Order",
		view["name"],
		_("Customer asked to cancel {0}").format(view["name"]),
	)
	return {"name": view["name"], "requested_at": at}

"""Who to tell: enabled desk users holding any of some roles (one query)."""

import frappe


def users_with_roles(roles) -> list[str]:
	roles = [role for role in roles if role]
	if not roles:
		return []
	has_role = frappe.qb.DocType("Has Role")
	user = frappe.qb.DocType("User")
	return (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(has_role.parent)
		.distinct()
		.where(
			(has_role.parenttype == "User")
			& has_role.role.isin(roles)
			& (user.enabled == 1)
			& (user.user_type == "System User")
		)
	).run(pluck=True)


def notify_users(
	users, document_type: str, document_name: str, subject: str, email_content: str | None = None
) -> None:
	"""A desk notification (bell, and email per each user's settings) to ``users``, after commit.

	``subject`` is text: escaped here, since the bell and the email show it as HTML. ``email_content``
	is HTML the caller builds, escaping whatever data it puts in (approval and shortage messages carry
	only document names, which cannot hold ``<`` or ``>``, and numbers)."""
	users = sorted(set(users))
	if not users:
		return
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	message = {
		"type": "Alert",
		"document_type": document_type,
		"document_name": document_name,
		"subject": frappe.utils.escape_html(subject),
	}
	if email_content:
		message["email_content"] = email_content
	enqueue_create_notification(users, message)

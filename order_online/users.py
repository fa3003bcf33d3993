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

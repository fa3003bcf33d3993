"""Roles the app creates (plain data, checked by tier 1 and removed on uninstall)."""

ROLES: list[dict] = [
	{
		"role_name": "Order Online Manager",
		"desk_access": 1,
	},
	{
		# Approves orders at the levels Order Approval Rules give it (or give to other roles).
		"role_name": "Order Approver",
		"desk_access": 1,
	},
]


def role_names() -> list[str]:
	return [role["role_name"] for role in ROLES]

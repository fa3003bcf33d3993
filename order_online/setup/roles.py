"""Roles the app creates and the permissions it ships: plain data, used by install, migrate and uninstall,
checked by tier 1 and shown in the README (``permission_table``)."""

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

# Permissions the app adds to ERPNext's doctypes (install adds each once; uninstall removes them).
# ERPNext lets only Stock Manager touch a Shipment; the warehouse staff who ship need it too.
DOCTYPE_PERMISSIONS: list[dict] = [
	{"doctype": "Shipment", "role": "Stock User", "ptypes": ("read", "write", "create", "submit")}
]

# The roles the README's table shows, in this order, and the letters of each permission type.
TABLE_ROLES = (
	"System Manager",
	"Order Online Manager",
	"Sales Manager",
	"Sales User",
	"Order Approver",
	"Stock Manager",
	"Stock User",
	"Accounts User",
)
LETTERS = {"read": "R", "write": "W", "create": "C", "submit": "S", "cancel": "X", "delete": "D"}


def role_names() -> list[str]:
	return [role["role_name"] for role in ROLES]


def permission_rows(app_doctypes: list[dict]) -> dict[str, dict[str, str]]:
	"""doctype -> role -> letters (``RWCSXD``) for every permission the app ships: its own doctypes'
	(their JSON) and those it adds to ERPNext's."""
	rows: dict[str, dict[str, str]] = {}
	for doctype in sorted(app_doctypes, key=lambda d: d["name"]):
		if doctype.get("istable"):
			continue
		for perm in doctype.get("permissions", []):
			if perm.get("permlevel", 0) == 0:
				letters = "".join(letter for ptype, letter in LETTERS.items() if perm.get(ptype))
				rows.setdefault(doctype["name"], {})[perm["role"]] = letters
	for rule in DOCTYPE_PERMISSIONS:
		letters = "".join(letter for ptype, letter in LETTERS.items() if ptype in rule["ptypes"])
		rows.setdefault(f"{rule['doctype']} (ERPNext)", {})[rule["role"]] = letters
	return rows


def permission_table(app_doctypes: list[dict]) -> str:
	"""The README's table: one row per doctype, one column per role."""
	lines = [
		"| Doctype | " + " | ".join(TABLE_ROLES) + " |",
		"| --- |" + " :-: |" * len(TABLE_ROLES),
	]
	for doctype, roles in permission_rows(app_doctypes).items():
		cells = [roles.get(role, "") for role in TABLE_ROLES]
		lines.append(f"| {doctype} | " + " | ".join(cells) + " |")
	return "\n".join(lines)

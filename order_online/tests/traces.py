"""What the app leaves on a site: a snapshot to compare before install and after uninstall.

From the bench's ``sites`` folder (``bench execute`` refuses an app the site does not have):

    ../env/bin/python -m order_online.tests.traces SITE snapshot /tmp/before.json
    ... install-app, migrate, migrate, uninstall-app ...
    ../env/bin/python -m order_online.tests.traces SITE snapshot /tmp/after.json
    ../env/bin/python -m order_online.tests.traces SITE compare /tmp/before.json /tmp/after.json

The snapshot is the schema (every table and column with its type) and the rows that installing an app
could leave behind (custom fields, property setters, roles, permissions, doctypes, reports,
workspaces, scheduled jobs, portal menu items, defaults, singles).
"""

import json

import frappe

ROWS = {
	"Custom Field": ["dt", "fieldname", "module", "label", "fieldtype", "options", "insert_after"],
	"Property Setter": ["doc_type", "field_name", "property", "value"],
	"Role": ["name"],
	"Has Role": ["parent", "role"],
	"Custom DocPerm": ["parent", "role", "permlevel"],
	"DocType": ["name", "module"],
	"Report": ["name", "module"],
	"Workspace": ["name", "module"],
	"Module Def": ["name", "app_name"],
	"Scheduled Job Type": ["method"],
	"Portal Menu Item": ["route"],
	"Workflow": ["name"],
	"Workflow State": ["name"],
	"DefaultValue": ["parent", "defkey"],
}


def snapshot(path: str) -> None:
	tables = {
		table: sorted(f"{c[0]} {c[1]}" for c in frappe.db.sql(f"SHOW COLUMNS FROM `{table}`"))
		for (table,) in frappe.db.sql("SHOW TABLES")
	}
	rows = {
		doctype: sorted(
			json.dumps(r, sort_keys=True, default=str) for r in frappe.get_all(doctype, fields=fields)
		)
		for doctype, fields in ROWS.items()
	}
	singles = sorted(frappe.db.sql_list("SELECT DISTINCT doctype FROM tabSingles"))
	with open(path, "w", encoding="utf-8") as out:
		json.dump({"tables": tables, "rows": rows, "singles": singles}, out, indent=1, sort_keys=True)
	print(f"{path}: {len(tables)} tables, {sum(len(v) for v in rows.values())} rows")


def compare(before: str, after: str) -> None:
	"""Print every difference; the last line says how many."""
	a = json.load(open(before, encoding="utf-8"))
	b = json.load(open(after, encoding="utf-8"))
	differences = []
	for table in sorted(set(a["tables"]) | set(b["tables"])):
		if a["tables"].get(table) != b["tables"].get(table):
			gone = sorted(set(a["tables"].get(table, [])) - set(b["tables"].get(table, [])))
			new = sorted(set(b["tables"].get(table, [])) - set(a["tables"].get(table, [])))
			differences.append(f"table {table}: lost {gone or '-'}, gained {new or '-'}")
	for doctype in ROWS:
		gone = sorted(set(a["rows"][doctype]) - set(b["rows"][doctype]))
		new = sorted(set(b["rows"][doctype]) - set(a["rows"][doctype]))
		if gone or new:
			differences.append(f"{doctype}: lost {gone or '-'}, gained {new or '-'}")
	if a["singles"] != b["singles"]:
		differences.append(f"singles: {sorted(set(a['singles']) ^ set(b['singles']))}")
	for line in differences:
		print(line)
	print(f"RESULT differences={len(differences)}")


if __name__ == "__main__":
	import sys

	site, command, *paths = sys.argv[1:]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		{"snapshot": snapshot, "compare": compare}[command](*paths)
	finally:
		frappe.destroy()

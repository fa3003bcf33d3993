"""Indexes the app adds to ERPNext's own tables, each named with the app's prefix: install and migrate
add them when missing, uninstall drops them, and no other index is touched."""

import frappe

# doctype -> {index name: columns}
INDEXES: dict[str, dict[str, tuple[str, ...]]] = {
	# Fulfilment Performance finds an order's first Pick List by its rows (ERPNext indexes no such column)
	"Pick List Item": {"oo_sales_order": ("sales_order",)},
}


def add_indexes() -> None:
	for doctype, indexes in INDEXES.items():
		for name, columns in indexes.items():
			frappe.db.add_index(doctype, list(columns), index_name=name)


def remove_indexes() -> None:
	for doctype, indexes in INDEXES.items():
		for name in indexes:
			if frappe.db.has_index(f"tab{doctype}", name):
				# the doctype and index names are the constants above
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{name}`")

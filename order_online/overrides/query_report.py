"""Script reports show a narrowed salesperson only the rows of their own orders.

Why: a script report reads with ``frappe.get_all`` or ``frappe.qb`` (ERPNext's Sales Order Analysis does),
which applies no permission hook, so "Salespeople See Only Their Own Orders" would stop at the list view
and leak every order through the report, its chart, its totals and its export. Frappe's own report runner
filters rows by User Permissions of the linked doctypes after the report ran; this does the same for the
app's rule: a row stays when every order-side document it links to (a Link column to Sales Order,
Delivery Note, Sales Invoice, ...) is the user's. A report that totals such documents without naming them
(no such column) cannot be narrowed row by row and is refused to a narrowed user. For everyone else
both methods are Frappe's, unchanged.
"""

import json

import frappe
from frappe import _
from frappe.desk import query_report

from order_online.permissions.rows import GUARDED_DOCTYPES, narrowed, visible_names
from order_online.setup.custom_fields import MODULE


@frappe.whitelist()
@frappe.read_only()
def run(
	report_name: str,
	filters: str | dict | None = None,
	user: str | None = None,
	ignore_prepared_report: bool = False,
	custom_columns: str | list | None = None,
	is_tree: bool = False,
	parent_field: str | None = None,
	are_default_filters: bool = True,
) -> dict:
	"""``frappe.desk.query_report.run``, then the narrowed user's rows only."""
	result = query_report.run(
		report_name,
		filters,
		user,
		ignore_prepared_report,
		custom_columns,
		is_tree,
		parent_field,
		are_default_filters,
	)
	return only_own_rows(report_name, result)


def only_own_rows(report_name: str, result: dict) -> dict:
	user = frappe.session.user  # never the ``user`` a caller passes
	if not narrowed(user):
		return result
	if frappe.get_cached_value("Report", report_name, "module") == MODULE:
		return result  # the app's own reports read only the user's orders (order_online/analytics/figures.py)
	columns = [column for column in result.get("columns") or [] if isinstance(column, dict)]
	guarded = [c for c in columns if c.get("fieldtype") == "Link" and c.get("options") in GUARDED_DOCTYPES]
	if not guarded:
		if frappe.get_cached_value("Report", report_name, "ref_doctype") in GUARDED_DOCTYPES:
			frappe.throw(
				_(
					"{0} totals the orders of every salesperson and cannot show only yours. Ask your sales "
					"manager for it."
				).format(_(report_name)),
				frappe.PermissionError,
			)
		return result
	rows = list(result.get("result") or [])
	total = rows.pop() if rows and result.get("add_total_row") else None
	positions = {c["fieldname"]: i for i, c in enumerate(result.get("columns") or []) if isinstance(c, dict)}

	def cell(row, column):
		if isinstance(row, dict):
			return row.get(column["fieldname"])
		index = positions[column["fieldname"]]
		return row[index] if index < len(row) else None

	visible = {
		column["fieldname"]: visible_names(column["options"], {cell(r, column) for r in rows} - {None, ""})
		for column in guarded
	}
	kept = [r for r in rows if all(cell(r, c) in visible[c["fieldname"]] or not cell(r, c) for c in guarded)]
	if len(kept) != len(rows):
		# chart and summary were drawn from every row: they would tell what the rows no longer show
		result.update(chart=None, report_summary=None)
		result["message"] = _("Only the rows of your own orders are shown.")
	if total is not None and kept:
		kept = query_report.add_total_row(kept, result["columns"])
	result["result"] = kept
	return result


@frappe.whitelist()
def export_query() -> None:
	"""``frappe.desk.query_report.export_query``; a narrowed user's export holds the rows they may see."""
	if not narrowed(frappe.session.user):
		return query_report.export_query()
	from frappe.desk.reportview import clean_params, parse_json
	from frappe.desk.utils import get_csv_bytes, pop_csv_params, provide_binary_file
	from frappe.utils.xlsxutils import make_xlsx

	form = frappe._dict(frappe.local.form_dict)
	csv_params = pop_csv_params(form)
	clean_params(form)
	parse_json(form)
	frappe.permissions.can_export(
		frappe.get_cached_value("Report", form.report_name, "ref_doctype"), raise_exception=True
	)
	visible_idx = json.loads(form.visible_idx) if isinstance(form.visible_idx, str) else form.visible_idx
	data = frappe._dict(
		run(
			form.report_name,
			form.filters,
			custom_columns=frappe.parse_json(form.custom_columns or "[]"),
			are_default_filters=False,
		)
	)
	data.filters = form.applied_filters
	query_report.format_fields(data)
	rows, widths = query_report.build_xlsx_data(
		data, visible_idx, form.include_indentation, include_filters=form.include_filters
	)
	if form.file_format_type == "CSV":
		provide_binary_file(form.report_name, "csv", get_csv_bytes(rows, csv_params))
	else:
		content = make_xlsx(rows, "Query Report", column_widths=widths).getvalue()
		provide_binary_file(form.report_name, "xlsx", content)

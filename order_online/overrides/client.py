"""Counts a narrowed salesperson sees are of their own rows only.

Why: Frappe's ``frappe.client.get_count`` is ``frappe.db.count`` and a form's connection counts use
``frappe.get_all``; neither applies a permission hook, so a salesperson could count every salesperson's
orders with them. For a narrowed user and an order-side doctype the counts go through
``frappe.get_list`` (the permission hooks apply); everyone else gets Frappe's own answer.
"""

import frappe
from frappe import client
from frappe.desk import listview, notifications
from frappe.utils import get_safe_filters

from order_online.permissions.rows import GUARDED_DOCTYPES, narrowed, visible_names


@frappe.whitelist()
def get_count(
	doctype: str, filters: str | dict | list | None = None, debug: bool = False, cache: bool = False
) -> int:
	if doctype not in GUARDED_DOCTYPES or not narrowed(frappe.session.user):
		return client.get_count(doctype, filters, debug, cache)
	rows = frappe.get_list(doctype, filters=get_safe_filters(filters), fields=["count(*) as count"])
	return rows[0].count if rows else 0


@frappe.whitelist()
@frappe.read_only()
def get_open_count(doctype: str, name: str, items: str | list | None = None) -> dict:
	"""``frappe.desk.notifications.get_open_count`` (a form's connection counts) with a narrowed user's
	order-side counts taken through ``frappe.get_list``: Frappe counts them with ``frappe.get_all``."""
	out = notifications.get_open_count(doctype, name, items)
	if not narrowed(frappe.session.user) or not isinstance(out.get("count"), dict):
		return out
	links = frappe.get_meta(doctype).get_dashboard_data()
	for entry in out["count"].get("external_links_found", []):
		if entry.get("doctype") not in GUARDED_DOCTYPES:
			continue
		linked = entry["doctype"]
		fieldname = links.get("non_standard_fieldnames", {}).get(linked, links.get("fieldname"))
		filters = {
			fieldname: name,
			**(notifications.get_dynamic_link_filters(linked, links, fieldname) or {}),
		}
		entry["count"] = _count(linked, filters)
		if open_filters := notifications.get_filters_for(linked):
			entry["open_count"] = _count(linked, {**filters, **open_filters})
	for entry in out["count"].get("internal_links_found", []):
		if entry.get("doctype") in GUARDED_DOCTYPES:
			entry["names"] = sorted(visible_names(entry["doctype"], set(entry.get("names") or [])))
			entry["count"] = len(entry["names"])
	return out


def _count(doctype: str, filters: dict) -> int:
	# as Frappe counts them (up to 100, distinct), with the permission hooks applied
	if not frappe.has_permission(doctype, "read"):
		return 0
	return len(
		frappe.get_list(doctype, filters=filters, limit=100, distinct=True, ignore_ifnull=True, order_by=None)
	)


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""``frappe.desk.listview.get_group_by_count`` (the list sidebar's counts). Frappe counts "Assigned
	To" over a ``frappe.qb`` query of the rows, which applies no permission; for a narrowed user the
	rows are those ``frappe.get_list`` gives (every other field already goes through it)."""
	if field != "assigned_to" or doctype not in GUARDED_DOCTYPES or not narrowed(frappe.session.user):
		return listview.get_group_by_count(doctype, current_filters, field)
	rows = frappe.get_list(doctype, filters=frappe.parse_json(current_filters), fields=["name"], run=0)
	query = f"""select `todo`.`allocated_to` as name, count(*) as count
		from `tabToDo` `todo` join `tabUser` `user` on `user`.`name` = `todo`.`allocated_to`
		where `todo`.`status` != 'Cancelled' and `user`.`user_type` = 'System User'
			and `todo`.`reference_type` = %s and `todo`.`reference_name` in (select `name` from ({rows}) `rows`)
		group by `todo`.`allocated_to` order by count desc limit 50"""
	# nosemgrep: oo-sql-string-building -- the sub-query is the permission-checked get_list query
	return frappe.db.sql(query, doctype, as_dict=True)

"""Approval Turnaround: how long each approval level waited per approver, SLA breaches (the levels the
escalation job had to chase), the rejection rate and the reasons given."""

import html

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime

from order_online.analytics import figures
from order_online.domain import analytics


def execute(filters: dict | None = None):
	f = figures.parse({"period": "Month", **(filters or {})})
	decisions = analytics.level_decisions(events(f))
	rows = analytics.turnaround(decisions)
	data = [row.__dict__ for row in rows]
	return columns(), data, reasons(decisions), chart(rows), summary(analytics.turnaround_figures(decisions))


def events(f) -> list:
	"""The approval history of the company's orders with a step in the date range: every step of those
	orders (a level that started before the range still has its start). Read with ``frappe.get_list``:
	a salesperson narrowed to their own orders gets those orders' history only."""
	start, end = get_datetime(f.from_date), get_datetime(add_days(f.to_date, 1))
	orders = set(
		frappe.get_list(
			"Order Approval Log",
			filters=[["logged_at", ">=", start], ["logged_at", "<", end]],
			pluck="sales_order",
			limit=0,
		)
	)
	orders = frappe.get_list(
		"Sales Order",
		filters={"name": ("in", list(orders) or [""]), "company": f.company},
		pluck="name",
		limit=0,
	)
	rows = frappe.get_list(
		"Order Approval Log",
		filters={"sales_order": ("in", orders or [""])},
		fields=["sales_order", "action", "level", "user", "logged_at", "reason"],
		limit=0,
	)
	return [
		analytics.ApprovalEvent(
			r.sales_order, r.action, r.level or 0, r.user, get_datetime(r.logged_at), r.reason
		)
		for r in rows
	]


def columns() -> list[dict]:
	return [
		{"fieldname": "level", "label": _("Level"), "fieldtype": "Int", "width": 70},
		{
			"fieldname": "approver",
			"label": _("Approver"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "decisions", "label": _("Decisions"), "fieldtype": "Int", "width": 90},
		{"fieldname": "approved", "label": _("Approved"), "fieldtype": "Int", "width": 90},
		{"fieldname": "rejected", "label": _("Rejected"), "fieldtype": "Int", "width": 90},
		{"fieldname": "average_hours", "label": _("Average Hours"), "fieldtype": "Float", "width": 110},
		{"fieldname": "longest_hours", "label": _("Longest Hours"), "fieldtype": "Float", "width": 110},
		{"fieldname": "sla_breaches", "label": _("SLA Breaches"), "fieldtype": "Int", "width": 100},
	]


def reasons(decisions) -> str | None:
	"""The rejection reasons, most frequent first, as the report's message (each escaped)."""
	counted = analytics.rejection_reasons(decisions)
	if not counted:
		return None
	items = "".join(
		# escaped once: text Frappe stored entity-escaped is decoded first, so it reads as typed
		f"<li>{frappe.utils.escape_html(html.unescape(reason))} ({count})</li>"
		for reason, count in counted[:10]
	)
	return f"<b>{_('Reasons for rejection')}</b><ul>{items}</ul>"


def chart(rows) -> dict | None:
	if not rows:
		return None
	return {
		"data": {
			"labels": [f"{_('Level')} {r.level}: {r.approver or '-'}" for r in rows],
			"datasets": [{"name": _("Average Hours"), "values": [round(r.average_hours, 2) for r in rows]}],
		},
		"type": "bar",
	}


def summary(figures: analytics.TurnaroundFigures) -> list[dict]:
	return [
		{"label": _("Orders Decided"), "value": figures.orders, "datatype": "Int", "indicator": "Blue"},
		{
			"label": _("Rejection Rate (%)"),
			"value": figures.rejection_rate,
			"datatype": "Percent",
			"indicator": "Red",
		},
		{"label": _("Median Hours per Level"), "value": figures.median_hours, "datatype": "Float"},
		{"label": _("SLA Breaches"), "value": figures.sla_breaches, "datatype": "Int", "indicator": "Orange"},
	]

"""Order approval on Sales Order: hold on submit, approve level by level, reject, and no bypass.

A submitted order that fires an Order Approval Rule is put On Hold (ERPNext then refuses Delivery
Notes and Sales Invoices against it and keeps it out of the Bin's reserved quantity) with
``oo_approval_status = Pending``. Each approval is checked by ``order_online.domain.approval`` against
the requirement frozen at submit time; the last one releases the hold. A rejection cancels the
order (it can be amended and submitted again). Every step writes an Order Approval Log row.
"""

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import flt, getdate, now_datetime, nowdate

from order_online.common.app_owned import app_writes
from order_online.common.cache import CachedRows
from order_online.common.errors import throw
from order_online.common.masters import customer_credit, tree_scope
from order_online.common.notifications import notify_users, users_with_roles
from order_online.common.settings import get_settings
from order_online.domain import approval as domain
from order_online.domain.app_owned import APPROVAL
from order_online.portal.notify import email_customer

RULE_CACHE_KEY = "order_online:approval_rules"
PENDING, APPROVED, REJECTED, NOT_REQUIRED = (
	domain.PENDING,
	domain.APPROVED,
	domain.REJECTED,
	domain.NOT_REQUIRED,
)
RULE_FIELDS = [
	"name",
	"company",
	"allow_self_approval",
	"sla_hours",
	"min_amount",
	"max_amount",
	"discount_above",
	"credit_limit_exceeded",
	"new_customer",
	"new_customer_days",
	"scope_customer_group",
	"scope_territory",
	"scope_channel",
]


# Rules --------------------------------------------------------------------------------------


def rule_from_record(record, levels) -> domain.ApprovalRule:
	return domain.ApprovalRule(
		name=record.get("name") or record.get("rule_name"),
		approvers=tuple(
			domain.Approver(
				int(row.get("level") or 0), row.get("approver_role") or None, row.get("approver_user") or None
			)
			for row in levels
		),
		min_amount=flt(record.get("min_amount")),
		max_amount=flt(record.get("max_amount")),
		new_customer=bool(record.get("new_customer")),
		new_customer_days=int(record.get("new_customer_days") or 0),
		discount_above=flt(record.get("discount_above")),
		credit_limit_exceeded=bool(record.get("credit_limit_exceeded")),
		customer_group=record.get("scope_customer_group") or None,
		territory=record.get("scope_territory") or None,
		channel=record.get("scope_channel") or None,
		allow_self_approval=bool(record.get("allow_self_approval")),
		sla_hours=flt(record.get("sla_hours")),
	)


def _load_rule_rows() -> list[dict]:
	rows = frappe.get_all("Order Approval Rule", filters={"enabled": 1}, fields=RULE_FIELDS)
	levels = frappe.get_all(
		"Order Approval Level",
		filters={"parenttype": "Order Approval Rule", "parent": ("in", [r.name for r in rows] or [""])},
		fields=["parent", "level", "approver_role", "approver_user"],
		order_by="idx",
	)
	for row in rows:
		row["levels"] = [dict(level) for level in levels if level.parent == row.name]
	return [dict(row) for row in rows]


_rules = CachedRows(RULE_CACHE_KEY, _load_rule_rows)


def load_rules(company: str) -> list[domain.ApprovalRule]:
	rows = _rules.get()
	return [
		rule_from_record(row, row["levels"])
		for row in rows
		if not row["company"] or row["company"] == company
	]


clear_rule_cache = _rules.clear


# Beside a site's own Workflow on Sales Order: one approval or the other, never both -------------


def active_workflow() -> str | None:
	"""The site's active Workflow on Sales Order (Frappe's own cached lookup)."""
	from frappe.model.workflow import get_workflow_name

	return get_workflow_name("Sales Order")


def refuse_rules_beside_workflow(rule) -> None:
	"""Order Approval Rule saved enabled while a Sales Order workflow is active."""
	workflow = rule.enabled and active_workflow()
	if workflow:
		throw(domain.errors.RulesBesideWorkflow(workflow=workflow), title=_("Approval"))


def refuse_workflow_beside_rules(workflow) -> None:
	"""A Workflow on Sales Order activated while Order Approval Rules are enabled."""
	if workflow.document_type != "Sales Order" or not workflow.is_active:
		return
	rules = frappe.get_all("Order Approval Rule", filters={"enabled": 1}, pluck="name", limit=5)
	if rules:
		throw(domain.errors.WorkflowBesideRules(rules=rules), title=_("Approval"))


# Reading the order --------------------------------------------------------------------------


def _max_discount(doc) -> float:
	return domain.max_discount_percent(
		flt(doc.additional_discount_percentage),
		flt(doc.discount_amount),
		flt(doc.total),
		[(flt(d.discount_percentage), flt(d.price_list_rate), flt(d.rate)) for d in doc.items],
	)


def order_facts(doc, rules: list[domain.ApprovalRule]) -> domain.OrderFacts:
	customer = (
		frappe.db.get_value(
			"Customer", doc.customer, ["creation", "customer_group", "territory"], as_dict=True
		)
		or frappe._dict()
	)
	has_earlier = True
	if any(rule.new_customer for rule in rules):
		has_earlier = bool(
			frappe.db.exists(
				"Sales Order", {"customer": doc.customer, "docstatus": 1, "name": ("!=", doc.name)}
			)
		)
	credit_limit = outstanding = 0.0
	if any(rule.credit_limit_exceeded for rule in rules):
		credit_limit, outstanding = customer_credit(doc)
	return domain.OrderFacts(
		customer=doc.customer,
		owner=doc.owner,
		amount=domain.company_amount(flt(doc.grand_total), flt(doc.conversion_rate)),
		today=getdate(nowdate()),
		currency=frappe.get_cached_value("Company", doc.company, "default_currency"),
		customer_created=getdate(customer.creation) if customer.creation else None,
		has_earlier_orders=has_earlier,
		max_discount_percent=_max_discount(doc),
		credit_limit=credit_limit,
		outstanding=outstanding,
		customer_groups=tree_scope("Customer Group", doc.customer_group, customer.customer_group)
		if any(r.customer_group for r in rules)
		else (),
		territories=tree_scope("Territory", doc.territory, customer.territory)
		if any(r.territory for r in rules)
		else (),
		channel=doc.get("oo_order_channel"),
	)


def approved_terms(doc) -> domain.ApprovedTerms:
	return domain.ApprovedTerms(
		amount=flt(doc.base_grand_total),
		customer=doc.customer,
		lines=frozenset((d.item_code, flt(d.qty), flt(d.rate)) for d in doc.items),
		discount_percent=_max_discount(doc),
	)


# The stored requirement: frozen at submit, so rule edits do not move orders already waiting.


def stored_requirement(doc) -> tuple[domain.Requirement, domain.ApprovedTerms | None]:
	return domain.load_requirement(doc.get("oo_approval_requirement"))


def reset_for_new_order(doc) -> None:
	"""A duplicate or amendment starts unapproved, however it was copied (no_copy covers only the desk)."""
	for fieldname in APPROVAL:  # the approval fields only the app writes
		doc.set(fieldname, None)


# Steps --------------------------------------------------------------------------------------


@app_writes()
def log(doc, action: str, level: int = 0, reason: str | None = None, rules_fired: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": "Order Approval Log",
			"sales_order": doc.name,
			"action": action,
			"level": level,
			"user": frappe.session.user,
			"logged_at": now_datetime(),
			"currency": doc.currency,
			"amount": doc.grand_total,
			"company_currency": frappe.get_cached_value("Company", doc.company, "default_currency"),
			"base_amount": doc.base_grand_total,
			"rules_fired": rules_fired,
			"reason": reason,
		}
	).insert(ignore_permissions=True)


def requirement_for(doc) -> domain.Requirement | None:
	"""What the order needs now; None when no rule is configured (ERPNext's behaviour, untouched)."""
	rules = load_rules(doc.company)
	if not rules or active_workflow():  # a site workflow is the approval (rules cannot be enabled beside it)
		return None
	return domain.evaluate(order_facts(doc, rules), rules)


def requirement_before_submit(doc) -> domain.Requirement | None:
	"""Before submit: what the order's rules ask for, kept on the document for ``request_approval``."""
	requirement = doc.flags.oo_approval_requirement = requirement_for(doc)
	return requirement


def request_approval(doc) -> bool:
	"""On submit (and after changes that need it again): hold the order if its rules ask for approval."""
	requirement = doc.flags.pop("oo_approval_requirement", None) or requirement_for(doc)
	if requirement is None:
		return False
	if not requirement.needs_approval:
		doc.db_set(
			{"oo_approval_status": NOT_REQUIRED, "oo_approval_requirement": None}, update_modified=False
		)
		return False
	summary = requirement.explain(_)
	doc.db_set(
		{
			"oo_approval_status": PENDING,
			"oo_approval_required_level": requirement.required_level,
			"oo_approval_levels_approved": 0,
			"oo_approval_pending_since": now_datetime(),
			"oo_approval_summary": summary,
			"oo_approval_requirement": domain.dump_requirement(requirement, approved_terms(doc)),
		},
		update_modified=False,
	)
	doc.update_status("On Hold")
	if not get_settings().reserve_while_pending:
		doc.cancel_stock_reservation_entries(notify=False)  # the stock goes back to others meanwhile
	log(doc, "Submitted for Approval", 0, rules_fired=summary)
	notify_approvers(doc, requirement, 1)
	return True


def check_approver(doc) -> domain.Requirement:
	"""The order's requirement, if the session user may act on its next level now; else an error."""
	requirement, _terms = stored_requirement(doc)
	if doc.oo_approval_status != PENDING:
		throw(domain.errors.NothingToApprove())
	problem = domain.approval_problem(
		requirement, doc.oo_approval_levels_approved or 0, frappe.session.user, frappe.get_roles(), doc.owner
	)
	if problem:
		frappe.throw(problem.render(_), frappe.PermissionError)
	return requirement


def approve(doc) -> None:
	requirement = check_approver(doc)
	step = domain.approve_step(doc.oo_approval_levels_approved, requirement.required_level)
	doc.db_set(
		{
			"oo_approval_levels_approved": step.level,
			"oo_approval_status": step.status,
			"oo_approval_pending_since": None if step.released else now_datetime(),  # SLA runs per level
		},
		update_modified=False,
	)
	log(doc, "Approved", step.level)
	if step.released:
		release_hold(doc)
		if get_settings().notify_customers_on_confirmation:
			email_customer(
				doc.name,
				_("Your order {0} is confirmed").format(doc.name),
				_("We have confirmed your order {0}. We will tell you when it ships.").format(doc.name),
			)
	else:
		notify_approvers(doc, requirement, step.level + 1)


def release_hold(doc) -> None:
	"""ERPNext's Resume without its credit check: the approval was the credit decision, and ERPNext
	would otherwise refuse the approver for a limit the order was approved to exceed."""
	doc.set_status(update=True, status="Draft")
	doc.update_reserved_qty()
	# What follows a release (stock, prepayment, invoice) belongs to fulfilment: the Sales Order
	# dispatcher calls it, so approval does not import fulfilment (imported here: events imports us).
	from order_online.events import sales_order as dispatcher

	dispatcher.on_release(doc)
	doc.notify_update()


def reject(doc, reason: str) -> None:
	if not (reason or "").strip():
		throw(domain.errors.RejectionNeedsReason())
	check_approver(doc)
	doc.db_set({"oo_approval_status": REJECTED}, update_modified=False)
	log(doc, "Rejected", (doc.oo_approval_levels_approved or 0) + 1, reason=reason)
	doc.reload()
	doc.flags.ignore_permissions = True
	doc.cancel()


def notify_approvers(doc, requirement: domain.Requirement, level: int) -> None:
	approvers = requirement.approvers.get(level, ())
	users = set(users_with_roles([a.role for a in approvers])) | {a.user for a in approvers if a.user}
	link = frappe.utils.get_url(f"/app/sales-order/{quote(doc.name)}?approve=1")
	notify_users(
		users,
		"Sales Order",
		doc.name,
		_("Sales Order {0} waits for your approval (level {1})").format(doc.name, level),
		# The email's button opens the order and asks to approve it there (a bare link never approves).
		email_content=_("{0}: {1} {2}, level {3} of {4}.").format(
			doc.name, doc.currency, doc.grand_total, level, requirement.required_level
		)
		+ f'<p><a class="btn btn-primary" href="{link}">{_("Review and Approve")}</a></p>',
	)


# Escalation ---------------------------------------------------------------------------------


def escalate_overdue_approvals() -> None:
	"""Scheduled: remind the approvers of orders waiting past their SLA and alert the next level, once."""
	if not get_settings().enabled:
		return
	now = now_datetime()
	pending = frappe.get_all(
		"Sales Order",
		filters={"docstatus": 1, "oo_approval_status": PENDING},
		fields=[
			"name",
			"oo_approval_pending_since",
			"oo_approval_levels_approved",
			"oo_approval_requirement",
		],
	)
	escalated: dict[str, set[int]] = {}
	for order, level in frappe.get_all(
		"Order Approval Log",
		filters={"action": "Escalated", "sales_order": ("in", [p.name for p in pending] or [""])},
		fields=["sales_order", "level"],
		as_list=True,
	):
		escalated.setdefault(order, set()).add(level)
	for row in pending:
		requirement, _terms = stored_requirement(row)
		step = domain.escalation(
			row.oo_approval_levels_approved,
			row.oo_approval_pending_since,
			requirement,
			escalated.get(row.name, ()),
			now,
		)
		if step is None:
			continue
		doc = frappe.get_doc("Sales Order", row.name)
		for level in step.notify:
			notify_approvers(doc, requirement, level)
		log(doc, "Escalated", step.level)


# Guards: nothing moves before the last approval ---------------------------------------------


def _blocked_orders(names: set[str]) -> list[str]:
	names = {n for n in names if n}
	if not names:
		return []
	return frappe.get_all(
		"Sales Order",
		filters={"name": ("in", list(names)), "oo_approval_status": ("in", [PENDING, REJECTED])},
		pluck="name",
	)


def guard_fulfilment(doc, method=None) -> None:
	"""Delivery Note, Sales Invoice, Pick List: refuse lines of orders still waiting for approval.

	Runs on every save and submit, whatever made the document (form, list action, REST, mapper, job).
	"""
	if not get_settings().enabled:
		return
	names = {
		d.get("against_sales_order") or d.get("sales_order")
		for d in doc.get("items") or doc.get("locations") or []
	}
	blocked = _blocked_orders(names)
	if blocked:
		frappe.throw(
			_(
				"Sales Order {0} is waiting for approval; it cannot be picked, delivered or invoiced yet."
			).format(", ".join(blocked)),
			frappe.ValidationError,
		)


def refuse_release_while_pending(status: str, name: str) -> None:
	"""ERPNext's Resume (status "Draft") would release a pending order's hold: only approval may."""
	if status == "Draft" and frappe.db.get_value("Sales Order", name, "oo_approval_status") == PENDING:
		frappe.throw(
			_("Sales Order {0} is waiting for approval; only its approval releases the hold.").format(name),
			frappe.PermissionError,
		)


def recheck_after_update(doc, method=None) -> None:
	"""Update Items after submit: a raise, another customer, items or discount need approval again."""
	if not get_settings().enabled or doc.get("oo_approval_status") == REJECTED:
		return
	_requirement, terms = stored_requirement(doc)
	if terms is not None and not domain.reapproval_reasons(terms, approved_terms(doc)):
		return
	was_held = doc.get("oo_approval_status") == PENDING
	if request_approval(doc) and not was_held:
		log(doc, "Approval Required Again", 0, rules_fired=doc.oo_approval_summary)

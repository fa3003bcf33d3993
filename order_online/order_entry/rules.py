"""Order entry on Sales Order: the Frappe side of the rule engine and availability.

Loads what the domain needs in a fixed number of queries, whatever the number of lines, builds the
plain snapshots of ``order_online.domain`` and applies the results to the document.
"""

from collections import defaultdict

import frappe
from erpnext.controllers.accounts_controller import InvalidQtyError
from frappe import _
from frappe.exceptions import NonNegativeError
from frappe.query_builder.functions import IfNull
from frappe.utils import cint, escape_html, flt, getdate, nowdate

from order_online.common.cache import CachedRows
from order_online.common.masters import customer_credit, tree_paths, tree_scope
from order_online.common.settings import get_settings
from order_online.domain import order_rules as rules
from order_online.domain.availability import BinQty, Incoming, LineAvailability, StockLine, check_availability
from order_online.domain.errors import OrderProblems, QtyNotPositive
from order_online.domain.fulfilment_plan import pending_stock_qty
from order_online.domain.spec import format_spec

RULE_CACHE_KEY = "order_online:validation_rules"
RULE_FIELDS = [
	"name",
	"rule_type",
	"action",
	"company",
	"amount",
	"max_qty",
	"scope_item",
	"scope_item_group",
	"scope_customer_group",
	"scope_territory",
	"extra_days",
]


# Rules --------------------------------------------------------------------------------------


def rule_from_record(record) -> rules.Rule:
	return rules.Rule(
		name=record.name or record.rule_name,
		kind=record.rule_type,
		action=record.action or rules.BLOCK,
		amount=flt(record.amount),
		max_qty=flt(record.max_qty),
		item_code=record.scope_item or None,
		item_group=record.scope_item_group or None,
		customer_group=record.scope_customer_group or None,
		territory=record.scope_territory or None,
		extra_days=cint(record.extra_days),
	)


def _load_rule_rows() -> list[dict]:
	return frappe.get_all("Order Validation Rule", filters={"enabled": 1}, fields=RULE_FIELDS)


_rules = CachedRows(RULE_CACHE_KEY, _load_rule_rows)


def load_rules(company: str) -> list[rules.Rule]:
	rows = _rules.get()
	return [
		rule_from_record(frappe._dict(row)) for row in rows if not row["company"] or row["company"] == company
	]


clear_rule_cache = _rules.clear


# Reading the order --------------------------------------------------------------------------


def _as_number(value):
	"""The quantity as a float, or as typed when it is not a number (the domain names it)."""
	if isinstance(value, int | float):
		return float(value)
	try:
		return float(str(value).strip())
	except (TypeError, ValueError):
		return value


def _item_details(codes: set[str]) -> dict[str, frappe._dict]:
	if not codes:
		return {}
	rows = frappe.get_all(
		"Item",
		filters={"name": ("in", list(codes))},
		fields=[
			"name",
			"disabled",
			"is_stock_item",
			"item_group",
			"lead_time_days",
			"stock_uom",
			"variant_of",
			"weight_per_unit",
			"weight_uom",
		],
	)
	return {row.name: row for row in rows}


def order_items(doc) -> dict[str, frappe._dict]:
	"""Item master data of the order's lines, read once per save/submit of the document."""
	codes = frozenset(d.item_code for d in doc.get("items") or [] if d.item_code)
	memo = doc.flags.order_online_items
	if memo is None or memo[0] != codes:
		memo = doc.flags.order_online_items = (codes, _item_details(set(codes)))
	return memo[1]


def _uom_factors(lines, items: dict) -> dict[tuple[str, str], float]:
	"""(item, uom) -> factor for every line whose UOM differs from the stock UOM; two queries."""
	wanted = {
		(d.item_code, d.uom)
		for d in lines
		if d.item_code in items and d.uom and d.uom != items[d.item_code].stock_uom
	}
	if not wanted:
		return {}
	parents = {code for code, _ in wanted} | {items[c].variant_of for c, _ in wanted if items[c].variant_of}
	item_rows = frappe.get_all(
		"UOM Conversion Detail",
		filters={
			"parent": ("in", list(parents)),
			"parenttype": "Item",
			"uom": ("in", [u for _, u in wanted]),
		},
		fields=["parent", "uom", "conversion_factor"],
	)
	by_item = {(row.parent, row.uom): row.conversion_factor for row in item_rows}
	global_rows = frappe.get_all(
		"UOM Conversion Factor",
		filters={"from_uom": ("in", [u for _, u in wanted])},
		fields=["from_uom", "to_uom", "value"],
	)
	by_uom = {(row.from_uom, row.to_uom): row.value for row in global_rows}
	factors = {}
	for code, uom in wanted:
		item = items[code]
		factor = (
			by_item.get((code, uom))
			or by_item.get((item.variant_of, uom))
			or by_uom.get((uom, item.stock_uom))
		)
		if factor:
			factors[(code, uom)] = flt(factor)
	return factors


def _rules_need(active: list[rules.Rule], *kinds: str) -> bool:
	return any(rule.kind in kinds for rule in active)


def _holidays(company: str) -> frozenset:
	holiday_list = frappe.get_cached_value("Company", company, "default_holiday_list")
	if not holiday_list:
		return frozenset()
	dates = frappe.get_all(
		"Holiday",
		filters={"parent": holiday_list, "holiday_date": (">=", nowdate())},
		pluck="holiday_date",
	)
	return frozenset(getdate(d) for d in dates)


def order_snapshot(doc, active_rules: list[rules.Rule] | None = None) -> rules.Order:
	"""A plain snapshot of the Sales Order for the domain; loads only what the rules need."""
	active_rules = active_rules or []
	lines = doc.get("items") or []
	items = order_items(doc)
	factors = _uom_factors(lines, items)
	customer = (
		frappe.db.get_value(
			"Customer", doc.customer, ["disabled", "is_frozen", "customer_group", "territory"], as_dict=True
		)
		or frappe._dict()
	)
	item_paths, customer_groups, territories = {}, (), ()
	if any(rule.item_group for rule in active_rules):
		item_paths = tree_paths("Item Group", {i.item_group for i in items.values()})
	if _rules_need(active_rules, rules.RESTRICTED_ITEM):
		customer_groups = tree_scope("Customer Group", doc.customer_group, customer.customer_group)
		territories = tree_scope("Territory", doc.territory, customer.territory)
	oo_dispatch_days = {}
	if _rules_need(active_rules, rules.EARLIEST_DELIVERY):
		warehouses = list({d.warehouse for d in lines if d.warehouse})
		oo_dispatch_days = (
			dict(
				frappe.get_all(
					"Warehouse",
					filters={"name": ("in", warehouses)},
					fields=["name", "oo_dispatch_days"],
					as_list=True,
				)
			)
			if warehouses
			else {}
		)

	refuse_unconverted = get_settings().refuse_unconverted_units
	order_lines = []
	for d in lines:
		item = items.get(d.item_code)
		uom_differs = item and d.uom and d.uom != item.stock_uom
		# A factor given on the line (the form fills it; an API caller may) is ERPNext's to use.
		factor = (
			(factors.get((d.item_code, d.uom)) or flt(d.conversion_factor) or None) if uom_differs else 1.0
		)
		if factor is None and not refuse_unconverted:
			factor = 1.0  # ERPNext's own behaviour
		order_lines.append(
			rules.OrderLine(
				row=d.idx,
				item_code=d.item_code,
				qty=_as_number(d.qty),
				uom=d.uom,
				conversion_factor=factor,
				warehouse=d.warehouse,
				delivery_date=getdate(d.delivery_date) if d.delivery_date else None,
				item_exists=bool(item and not item.disabled),
				item_groups=item_paths.get(item.item_group, (item.item_group,)) if item else (),
				lead_time_days=(cint(item.lead_time_days) if item else 0)
				+ cint(oo_dispatch_days.get(d.warehouse)),
			)
		)
	credit_limit = outstanding = 0.0
	if _rules_need(active_rules, rules.CREDIT_LIMIT) and doc.customer:
		credit_limit, outstanding = customer_credit(doc)
	return rules.Order(
		company=doc.company,
		customer=doc.customer,
		transaction_date=getdate(doc.transaction_date or nowdate()),
		today=getdate(nowdate()),
		lines=tuple(order_lines),
		currency=frappe.get_cached_value("Company", doc.company, "default_currency") if doc.company else "",
		delivery_date=getdate(doc.delivery_date) if doc.delivery_date else None,
		base_grand_total=flt(doc.base_grand_total),
		customer_groups=customer_groups,
		territories=territories,
		contact_person=doc.contact_person,
		shipping_address=doc.shipping_address_name,
		customer_disabled=bool(customer.disabled),
		customer_frozen=bool(customer.is_frozen),
		credit_limit=credit_limit,
		outstanding=outstanding,
		holidays=_holidays(doc.company)
		if _rules_need(active_rules, rules.EARLIEST_DELIVERY)
		else frozenset(),
		allow_zero_qty=bool(doc.flags.allow_zero_qty),
	)


# Availability -------------------------------------------------------------------------------


def stock_lines(doc) -> list[StockLine]:
	lines = [d for d in doc.get("items") or [] if d.item_code]
	items = order_items(doc)
	out = []
	for d in lines:
		qty = _as_number(d.qty)
		out.append(
			StockLine(
				row=d.idx,
				item_code=d.item_code,
				warehouse=d.warehouse,
				qty=qty if isinstance(qty, float) else 0.0,
				conversion_factor=flt(d.conversion_factor) or 1.0,
				is_stock_item=bool(items.get(d.item_code) and items[d.item_code].is_stock_item),
			)
		)
	return out


def load_stock_position(company: str, item_codes: set[str], extra_warehouses: set[str]):
	"""Bins, the company's warehouses and incoming purchases for ``item_codes``: three queries."""
	warehouses = set(
		frappe.get_all("Warehouse", filters={"company": company, "is_group": 0, "disabled": 0}, pluck="name")
	)
	all_warehouses = warehouses | {w for w in extra_warehouses if w}
	if not item_codes or not all_warehouses:
		return {}, warehouses, []
	bins = {
		(row.item_code, row.warehouse): BinQty(actual=flt(row.actual_qty), reserved=flt(row.reserved_qty))
		for row in frappe.get_all(
			"Bin",
			filters={"item_code": ("in", list(item_codes)), "warehouse": ("in", list(all_warehouses))},
			fields=["item_code", "warehouse", "actual_qty", "reserved_qty"],
		)
	}
	po = frappe.qb.DocType("Purchase Order")
	poi = frappe.qb.DocType("Purchase Order Item")
	pending = poi.stock_qty - poi.received_qty * poi.conversion_factor
	rows = (
		frappe.qb.from_(poi)
		.join(po)
		.on(po.name == poi.parent)
		.select(
			poi.item_code,
			poi.warehouse,
			IfNull(poi.expected_delivery_date, poi.schedule_date).as_("date"),
			pending.as_("qty"),
		)
		.where(
			(po.docstatus == 1)
			& po.status.notin(["Closed", "On Hold", "Completed"])
			& poi.item_code.isin(list(item_codes))
			& poi.warehouse.isin(list(all_warehouses))
			& (pending > 0)
		)
	).run(as_dict=True)
	incoming = [Incoming(r.item_code, r.warehouse, getdate(r.date), flt(r.qty)) for r in rows]
	return bins, warehouses, incoming


def order_availability(doc) -> list[LineAvailability]:
	"""Availability of every line of ``doc`` in a constant number of queries."""
	lines = stock_lines(doc)
	stock = [line for line in lines if line.is_stock_item]
	bins, warehouses, incoming = load_stock_position(
		doc.company, {line.item_code for line in stock}, {line.warehouse for line in stock}
	)
	own = None
	if doc.docstatus == 1 and getattr(doc, "_action", None) != "submit":
		# A submitted order is already in the Bin's reserved quantity; it must not compete with itself.
		# (While it is being submitted it is not yet there.)
		own = defaultdict(float)
		for d in doc.get("items"):
			own[(d.item_code, d.warehouse)] += pending_stock_qty(
				flt(d.stock_qty), flt(d.delivered_qty), flt(d.conversion_factor)
			)
	return check_availability(lines, bins, warehouses, incoming, getdate(nowdate()), own)


def apply_availability(doc, results: list[LineAvailability]) -> None:
	by_row = {result.row: result for result in results}
	for d in doc.get("items") or []:
		result = by_row.get(d.idx)
		if result:
			d.oo_availability_status = result.status
			d.oo_available_to_promise = max(result.available, 0.0) / (flt(d.conversion_factor) or 1.0)
			d.oo_earliest_ship_date = result.earliest_date


# Specifications -----------------------------------------------------------------------------


def set_item_specs(doc) -> None:
	"""Empty specifications of variant lines from the variant's attributes (one query)."""
	items = order_items(doc)
	# Only variants have attributes to describe them.
	lines = [
		d
		for d in doc.get("items") or []
		if d.item_code
		and not d.get("oo_item_spec")
		and d.item_code in items
		and items[d.item_code].variant_of
	]
	if not lines:
		return
	rows = frappe.get_all(
		"Item Variant Attribute",
		filters={"parent": ("in", list({d.item_code for d in lines})), "parenttype": "Item"},
		fields=["parent", "attribute", "attribute_value"],
		order_by="idx",
	)
	attributes = defaultdict(list)
	for row in rows:
		if row.attribute_value:
			attributes[row.parent].append((row.attribute, row.attribute_value))
	for d in lines:
		if attributes.get(d.item_code):
			d.oo_item_spec = format_spec(attributes[d.item_code])


# Messages -----------------------------------------------------------------------------------


def findings_html(findings) -> str:
	items = "".join(f"<li>{escape_html(finding.render(_))}</li>" for finding in findings)
	return f"<ul>{items}</ul>"


class OrderQuantityError(NonNegativeError, InvalidQtyError):
	"""Bad quantities among the order's problems: still the errors ERPNext itself raises for them,
	so callers that catch ERPNext's NonNegativeError or InvalidQtyError keep working."""


def throw_findings(findings) -> None:
	error = OrderProblems(findings)
	exception = (
		OrderQuantityError
		if any(isinstance(f.message, QtyNotPositive) for f in findings)
		else frappe.ValidationError
	)
	frappe.throw(_(error.template) + findings_html(findings), exception, title=_("Order not saved"))


def warn_findings(findings) -> None:
	frappe.msgprint(findings_html(findings), title=_("Please check"), indicator="orange")

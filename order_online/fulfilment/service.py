"""Warehouse allocation on Sales Order submit: cheapest feasible warehouses, rows split, stock reserved.

ERPNext fixes a row's warehouse at submit (Update Items and Delivery Notes take it from the row), so
the allocation is applied while the order is submitted: in ``before_validate`` of the submit, before
ERPNext recomputes the totals. The Bins of every candidate (item, warehouse) are locked first and
stock is read with locking reads (``order_online.fulfilment.reservation``), so the reservations ERPNext then
creates on submit are exactly what the allocation saw as free. With no enabled Warehouse Allocation
Rule for the company nothing here runs.
"""

import frappe
from frappe import _
from frappe.utils import flt

from order_online.common.db import attempt
from order_online.common.errors import throw, throw_all
from order_online.common.masters import tree_paths, tree_scope
from order_online.common.settings import get_settings
from order_online.domain import allocation, fulfilment_plan
from order_online.domain.fulfilment_plan import Restriction, ShippingRate
from order_online.domain.region import delivery_address
from order_online.fulfilment.reservation import free_stock, sync_rows_of
from order_online.order_entry.regions import region_for_address
from order_online.order_entry.rules import order_items

STRATEGY = {
	"Cheapest": allocation.CHEAPEST,
	"Fewest Parcels": allocation.FEWEST_PARCELS,
	"Fastest": allocation.FASTEST,
}


# Configuration ------------------------------------------------------------------------------


def active_rule(company: str):
	name = frappe.db.get_value("Warehouse Allocation Rule", {"company": company, "enabled": 1})
	return frappe.get_doc("Warehouse Allocation Rule", name) if name else None


def load_rates(company: str) -> list[ShippingRate]:
	"""Rates for every company first, then the company's own, which replace them lane by lane."""
	rows = frappe.get_all(
		"Shipping Rate",
		or_filters=[["company", "=", company], ["company", "is", "not set"]],
		fields=[
			"company",
			"origin_region",
			"destination_region",
			"cost_per_parcel",
			"cost_per_kg",
			"transit_days",
		],
		order_by="name",
	)
	rows.sort(key=lambda r: bool(r.company))
	return [
		ShippingRate(
			r.origin_region,
			r.destination_region,
			flt(r.cost_per_parcel),
			flt(r.cost_per_kg),
			flt(r.transit_days),
		)
		for r in rows
	]


def restrictions_of(rule) -> list[Restriction]:
	return [
		Restriction(
			r.action, r.warehouse, r.item_group or None, r.customer_group or None, r.scope_channel or None
		)
		for r in rule.restrictions
	]


def item_weights_kg(items: dict) -> dict[str, float]:
	"""Weight per stock unit in kg; other weight UOMs through ERPNext's conversion, once per UOM."""
	from erpnext.stock.doctype.item.item import get_uom_conv_factor

	uoms = {i.weight_uom for i in items.values() if i.weight_uom and i.weight_uom.lower() not in KG}
	to_kg = {uom: flt(get_uom_conv_factor(uom, "Kg")) for uom in uoms}
	return {code: flt(item.weight_per_unit) * to_kg.get(item.weight_uom, 1.0) for code, item in items.items()}


KG = ("kg", "kilogram")


# Allocation ---------------------------------------------------------------------------------


def rows_to_allocate(doc, stock_items: set[str]) -> list:
	return [
		d
		for d in doc.items
		if d.item_code in stock_items and not d.get("oo_keep_warehouse") and flt(d.qty) > 0
	]


def build_problem(doc, rule, rows, items: dict) -> tuple[allocation.Problem, dict[str, float]]:
	"""The allocation problem of ``rows`` and, per row, the stock units of one allocated unit."""
	codes = {d.item_code for d in rows}
	items = {code: items[code] for code in codes}
	warehouses = frappe.get_all(
		"Warehouse",
		filters={"company": doc.company, "is_group": 0, "disabled": 0, "oo_shipping_region": ("is", "set")},
		fields=["name", "oo_shipping_region"],
		order_by="name",
	)
	destination = doc.get("oo_shipping_region") or region_for_address(delivery_address(doc))
	paths = tree_paths("Shipping Region", {destination, *(w.oo_shipping_region for w in warehouses)})
	rates = load_rates(doc.company)
	lanes = {}
	if destination in paths:
		for w in warehouses:
			lane = fulfilment_plan.lane_for(paths.get(w.oo_shipping_region, ()), paths[destination], rates)
			if lane is not None:
				lanes[w.name] = lane
	weights = item_weights_kg(items)
	throw_all(
		fulfilment_plan.input_problems(destination, weights, list(lanes)), title=_("Warehouse Allocation")
	)

	restrictions = restrictions_of(rule)
	item_groups = tree_paths("Item Group", {i.item_group for i in items.values()}) if restrictions else {}
	customer_groups = tree_scope("Customer Group", doc.customer_group) if restrictions else ()
	whole = set(
		frappe.get_all(
			"UOM",
			filters={"name": ("in", list({d.uom for d in rows})), "must_be_whole_number": 1},
			pluck="name",
		)
	)
	units = [
		fulfilment_plan.RowUnit(str(d.idx), d.item_code, flt(d.conversion_factor) or 1.0, d.uom in whole)
		for d in rows
	]
	factor = fulfilment_plan.allocation_units(units)
	lines = tuple(
		allocation.Line(
			key=str(d.idx),
			item_code=d.item_code,
			qty=flt(d.qty) * (flt(d.conversion_factor) or 1.0) / factor[str(d.idx)],
			weight_per_unit=weights[d.item_code] * factor[str(d.idx)],
			allowed=fulfilment_plan.allowed_warehouses(
				list(lanes),
				restrictions,
				item_groups.get(items[d.item_code].item_group, ()),
				customer_groups,
				doc.get("oo_order_channel"),
			),
		)
		for d in rows
	)
	# locks these Bins until commit (and the reservation counter, when the order will reserve)
	free = free_stock(((code, w) for code in codes for w in lanes), reserving=bool(rule.reserve_stock))
	unit_of_item = {u.item_code: (factor[u.key], u.whole_numbers) for u in units}  # alike per item
	stock = {
		(code, w): fulfilment_plan.stock_in_units(qty, *unit_of_item[code]) for (code, w), qty in free.items()
	}
	problem = allocation.Problem(
		lines,
		lanes,
		stock,
		split_penalty=flt(rule.split_penalty),
		strategy=STRATEGY.get(rule.strategy, allocation.CHEAPEST),
		max_parcels=int(rule.max_parcels or 0),
	)
	return problem, factor


def allocate_order(doc) -> allocation.Allocation | None:
	"""Choose warehouses for the order's stock rows and split them; None when allocation is off."""
	rule = active_rule(doc.company)
	if rule is None:
		return None
	items = order_items(doc)
	rows = rows_to_allocate(doc, {code for code, item in items.items() if item.is_stock_item})
	if not rows:
		return None
	problem, units = build_problem(doc, rule, rows, items)
	result = allocation.allocate(problem)
	if fulfilment_plan.nothing_available(result, sum(line.qty for line in problem.lines)):
		# As for any order beyond stock: a backorder (rows unreserved, a warning, a shortage alert)
		# unless the company refuses backorders. Losing a race for the last units ends the same way.
		if not get_settings().allow_backorders:
			throw(fulfilment_plan.errors.NoWarehouseHasStock(), title=_("Warehouse Allocation"))
	reserve = bool(rule.reserve_stock) and bool(
		frappe.db.get_single_value("Stock Settings", "enable_stock_reservation")
	)
	if result.unallocated:
		doc.flags.shortage_floor = unallocated_shortage(rows, problem, result, units)
	apply_rows(doc, rows, result, reserve, units)
	describe(doc, problem, result)
	if result.unallocated:  # the backorder warning, as for any order beyond stock
		frappe.msgprint(
			doc.oo_allocation_summary.splitlines()[-1], title=_("Warehouse Allocation"), indicator="orange"
		)
	return result


def unallocated_shortage(rows, problem, result: allocation.Allocation, units) -> dict:
	"""What nobody could supply, as a shortage of the row's own warehouse where the locking read
	covered it (the allocator used up all the free stock there first)."""
	by_key = {str(d.idx): d for d in rows}
	return fulfilment_plan.shortage_floor(
		(
			((by_key[key].item_code, by_key[key].warehouse), qty * units[key])
			for key, qty in result.unallocated.items()
			if (by_key[key].item_code, by_key[key].warehouse) in problem.stock
		),
		{},
	)


def apply_rows(doc, rows, result: allocation.Allocation, reserve: bool, units: dict[str, float]) -> None:
	"""One row per line and warehouse; what nobody can supply stays on the line's own row, unreserved."""
	planned: dict[str, list] = {}
	for step in fulfilment_plan.planned_rows([str(d.idx) for d in rows], result):
		planned.setdefault(step.line, []).append(step)
	new_items = []
	for d in doc.items:
		steps = planned.get(str(d.idx))  # only allocated rows have steps
		if not steps:
			new_items.append(d)
			continue
		# allocated units -> the row's UOM (they are the same unless the item's rows differ in UOM)
		to_row_uom = units[str(d.idx)] / (flt(d.conversion_factor) or 1.0)
		template = d.as_dict(no_default_fields=True)
		for n, step in enumerate(steps):
			row = d if n == 0 else frappe.get_doc(dict(template, doctype=d.doctype))
			row.qty = step.qty * to_row_uom
			if step.warehouse:
				row.warehouse = step.warehouse
			row.reserve_stock = 1 if (reserve and step.reserved) else 0
			new_items.append(row)
	doc.set("items", [])
	for idx, row in enumerate(new_items, start=1):
		row.idx = idx
		doc.append("items", row)
	if reserve:
		doc.reserve_stock = 1


def describe(doc, problem: allocation.Problem, result: allocation.Allocation) -> None:
	explanation = allocation.explain(problem, result)
	item_of = {line.key: line.item_code for line in problem.lines}

	def listed(shares) -> str:  # "BOLT × 6 (row 1), NUT × 3 (row 2)"
		return ", ".join(_("{0} × {1} (row {2})").format(item_of[k], f"{q:g}", k) for k, q in shares.items())

	lines = [
		_("{0}: {1}; parcel cost {2}").format(w, listed(shares), f"{result.breakdown[w]:.2f}")
		for w, shares in result.shipments.items()
	]
	if explanation.single is not None:
		lines.append(
			_("Best single warehouse {0} would cost {1}; this choice saves {2}.").format(
				explanation.single.warehouses[0],
				f"{explanation.single.cost:.2f}",
				f"{explanation.saving:.2f}",
			)
		)
	else:
		lines.append(_("No single warehouse can ship the whole order."))
	if result.unallocated:
		lines.append(_("Not in stock anywhere, left unreserved: {0}").format(listed(result.unallocated)))
	doc.oo_allocation_summary = "\n".join(lines)
	doc.oo_allocation_shipping_cost = result.shipping_cost
	doc.oo_allocation_parcels = result.parcels


# Setup checks -------------------------------------------------------------------------------


def validate_shipping_rate(doc) -> None:
	duplicate = frappe.db.exists(
		"Shipping Rate",
		{
			"origin_region": doc.origin_region,
			"destination_region": doc.destination_region,
			"company": doc.company or ("is", "not set"),
			"name": ("!=", doc.name),
		},
	)
	if duplicate:
		frappe.throw(
			_("Shipping Rate {0} already covers {1} to {2}.").format(
				duplicate, doc.origin_region, doc.destination_region
			)
		)


def validate_allocation_rule(doc) -> None:
	companies = dict(
		frappe.get_all(
			"Warehouse",
			filters={"name": ("in", [row.warehouse for row in doc.restrictions] or [""])},
			fields=["name", "company"],
			as_list=True,
		)
	)
	for row in doc.restrictions:
		if companies.get(row.warehouse) != doc.company:
			frappe.throw(
				_("Row {0}: warehouse {1} belongs to another company.").format(row.idx, row.warehouse)
			)
	if doc.enabled and doc.reserve_stock:
		enable_stock_reservation()


def enable_stock_reservation() -> None:
	"""Switch on ERPNext's stock reservation, or say clearly why it cannot be (negative stock)."""
	settings = frappe.get_doc("Stock Settings")
	if settings.enable_stock_reservation:
		return
	settings.enable_stock_reservation = 1
	with attempt("oo_enable_reservation") as tried:
		settings.save(ignore_permissions=True)
	if tried.error:
		frappe.msgprint(
			_(
				"Stock reservation could not be switched on in Stock Settings (negative stock is allowed or "
				"exists). Orders will be allocated but not reserved until it is."
			),
			indicator="orange",
		)
		return
	frappe.db.set_single_value("Order Online Settings", "enabled_stock_reservation", 1)
	frappe.msgprint(_("Stock reservation is now enabled in Stock Settings."), indicator="green", alert=True)


def follow_status_change(sales_order: str, status: str) -> None:
	"""Close releases the order's reservations (ERPNext keeps them, holding stock nobody will ship);
	re-opening a closed order reserves again what is free."""
	so = frappe.get_doc("Sales Order", sales_order)
	change = fulfilment_plan.reservation_on_status_change(
		status, bool(so.get("reserve_stock")), so.get("oo_approval_status") == "Pending"
	)
	if change == fulfilment_plan.RELEASE:
		from order_online.fulfilment.reservation import lock_rows_of

		lock_rows_of(so)
		so.cancel_stock_reservation_entries(notify=False)
	elif change == fulfilment_plan.RESERVE:
		from order_online.overrides.sales_order import reserve_free_stock

		reserve_free_stock(so)
	if so.get("reserve_stock"):
		sync_rows_of(so)  # ERPNext's status change rewrote the Bins from its snapshot


# Delivery and invoicing per warehouse -------------------------------------------------------


def make_delivery_notes(sales_order: str) -> list[str]:
	"""One draft Delivery Note per warehouse for what is still to deliver (ERPNext's mapper, split)."""
	from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note

	mapped = make_delivery_note(sales_order)
	names = []
	for warehouse, rows in fulfilment_plan.per_warehouse((row.warehouse, row) for row in mapped.items):
		note = frappe.copy_doc(mapped)
		note.set("items", [])
		for row in rows:
			note.append("items", row.as_dict(no_default_fields=True))
		note.set_warehouse = warehouse or None
		note.run_method("set_missing_values")
		note.run_method("calculate_taxes_and_totals")
		note.insert()
		names.append(note.name)
	return names


def make_pick_lists(sales_order: str) -> list[str]:
	"""One draft Pick List per warehouse, picking each row from the warehouse it was allocated and
	reserved in (``pick_manually``: ERPNext would otherwise look for stock anywhere, around the
	reservations)."""
	so = frappe.get_doc("Sales Order", sales_order)
	pending = {
		row.name: fulfilment_plan.pending_stock_qty(
			flt(row.stock_qty), flt(row.delivered_qty), flt(row.conversion_factor), flt(row.picked_qty)
		)
		for row in so.items
	}
	to_pick = fulfilment_plan.per_warehouse(
		(row.warehouse, (row, pending[row.name]))
		for row in so.items
		if row.warehouse and pending[row.name] > 0 and not row.delivered_by_supplier
	)
	names = []
	for warehouse, rows in to_pick:
		pick = frappe.get_doc(
			{
				"doctype": "Pick List",
				"company": so.company,
				"customer": so.customer,
				"purpose": "Delivery",
				"parent_warehouse": None,
				"pick_manually": 1,
				"locations": [
					{
						"item_code": row.item_code,
						"warehouse": warehouse,
						"qty": pending / (flt(row.conversion_factor) or 1.0),
						"stock_qty": pending,
						"uom": row.uom,
						"stock_uom": row.stock_uom,
						"conversion_factor": row.conversion_factor,
						"sales_order": so.name,
						"sales_order_item": row.name,
					}
					for row, pending in rows
				],
			}
		)
		pick.insert()
		names.append(pick.name)
	return names


def invoice_delivery(doc, method=None) -> None:
	"""Delivery Note submitted: its Sales Invoice, when the settings ask for one per delivery."""
	settings = get_settings()
	if settings.enabled and settings.auto_invoice == "On Delivery":
		from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

		_submit_invoice(make_sales_invoice(doc.name), doc)


def order_released(doc) -> None:
	"""Sales Order approved, or submitted without needing approval: what finance makes follows it."""
	record_prepayment(doc)
	invoice_order(doc)


def invoice_order(doc) -> None:
	"""A prepayment invoice for the whole order, per settings."""
	if get_settings().auto_invoice == "On Approval":
		from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

		_submit_invoice(make_sales_invoice(doc.name), doc)


def record_prepayment(doc) -> None:
	"""Sales Order released from a channel that collected the money: its Payment Entry (an advance)."""
	channel = doc.get("oo_order_channel") and frappe.get_cached_doc("Order Channel", doc.oo_order_channel)
	if not channel or not fulfilment_plan.needs_prepayment(
		channel.prepaid, flt(doc.advance_paid), flt(doc.grand_total)
	):
		return
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	def build():
		entry = get_payment_entry("Sales Order", doc.name, ignore_permissions=True)
		entry.mode_of_payment = channel.mode_of_payment
		account = frappe.db.get_value(
			"Mode of Payment Account",
			{"parent": channel.mode_of_payment, "company": doc.company},
			"default_account",
		)
		if account:
			entry.paid_to = account
		entry.reference_no = doc.po_no or doc.name
		entry.reference_date = doc.transaction_date
		return entry

	_submit_follow_up(build, doc, _("The channel's Payment Entry could not be made: {0}"))


def _submit_invoice(invoice, source) -> None:
	if invoice.get("items"):
		_submit_follow_up(lambda: invoice, source, _("The automatic Sales Invoice could not be made: {0}"))


def _submit_follow_up(build, source, failure: str) -> None:
	"""Submit a document that follows ``source``; if accounting refuses it, ``source`` stands and the
	reason is commented on it (a savepoint keeps the half-made document out)."""
	with attempt("oo_follow_up") as tried:
		follow_up = build()
		follow_up.flags.ignore_permissions = True
		follow_up.insert()
		follow_up.submit()
	if tried.error:
		source.add_comment("Comment", failure.format(frappe.utils.strip_html(str(tried.error))))

"""Pick List: picking for an order whose stock is reserved.

**What ERPNext does.** ``PickList.validate_sales_order`` refuses any Pick List for a Sales Order with
reserved stock (erpnext#41994), because its own picking would look for stock around the reservations.

**What the app does instead.** A Pick List that picks every row from the very warehouse the order's
row is reserved in cannot take anyone else's stock, so for it (and only it) that refusal is skipped;
the reservations stay, and its Delivery Note consumes them.

**For which documents.** Pick Lists of purpose Delivery, on submit, whose every row is in the
warehouse its order row is reserved in (the app's own per-warehouse Pick Lists always are).

**Why no hook.** The refusal is an unconditional method call inside ERPNext's validate; the bound
method of this one document is shadowed, every other Pick List keeps ERPNext's check.
"""

import frappe

from order_online.domain import fulfilment_plan


def picks_from_reserved_warehouses(doc) -> None:
	"""Before validate of a Pick List (see the module docstring)."""
	if getattr(doc, "_action", None) != "submit" or doc.purpose != "Delivery":
		return
	rows = [loc for loc in doc.locations if loc.sales_order_item]
	if not rows:
		return
	warehouses = dict(
		frappe.get_all(
			"Sales Order Item",
			filters={"name": ("in", [loc.sales_order_item for loc in rows])},
			fields=["name", "warehouse"],
			as_list=True,
		)
	)
	if fulfilment_plan.picks_only_reserved_warehouses(
		(loc.warehouse, warehouses.get(loc.sales_order_item)) for loc in rows
	):
		doc.validate_sales_order = lambda: None  # this document only; see the docstring

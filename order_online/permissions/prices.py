"""Stock staff do not set prices: a save by warehouse staff that would change a price is refused.

A server-side check rather than permission levels on ERPNext's fields: it holds for the form, REST and
``frappe.client`` alike, and it leaves ERPNext's own permission rows untouched for every other role.
The rule (which fields, compared with what) is ``order_online.domain.access``.
"""

import frappe
from frappe import _

from order_online.common.errors import throw
from order_online.domain.access import (
	HEADER_PRICE_FIELDS_FROM_SOURCE,
	ROW_PRICE_FIELDS,
	may_set_prices,
	price_changes,
)
from order_online.domain.errors import PricesAreNotForStockStaff

# doctype -> (the row field naming the Sales Order row it was made from, the one naming the order)
SOURCES = {"Delivery Note": ("so_detail", "against_sales_order"), "Sales Order": (None, None)}


def refuse_price_changes(doc) -> None:
	"""Refuse the save when a user without a price role changes a rate, discount or price list."""
	if doc.flags.ignore_permissions or may_set_prices(frappe.get_roles()):
		return  # the app's own processes (they copy the order's prices) and everyone who sets prices
	row_key, order_key = SOURCES[doc.doctype]
	before = doc.get_doc_before_save()
	if before is None and not row_key:
		return  # a new Sales Order: stock roles cannot create one
	rows = [row.as_dict() for row in doc.get("items")]
	if before is not None:
		header, saved = before.as_dict(), {row.name: row.as_dict() for row in before.get("items")}
	else:
		orders = sorted({row.get(order_key) for row in rows if row.get(order_key)})
		header = _source_header(orders[0]) if orders else None
		saved = {}
	source_rows = _source_rows(
		[row for row in rows if row.get("name") not in saved], row_key
	)  # new rows only
	changes = price_changes(
		header, doc.as_dict(), saved, rows, source_rows, row_key or "", header_is_source=before is None
	)
	if changes:
		item_meta = frappe.get_meta(doc.meta.get_field("items").options)
		described = [
			_(doc.meta.get_label(change.field))
			if change.row is None
			else _("Row {0}: {1}").format(change.row, _(item_meta.get_label(change.field)))
			for change in changes
		]
		throw(PricesAreNotForStockStaff(changes=described), title=_("Not permitted"))


def _source_rows(rows: list[dict], row_key: str | None) -> dict[str, dict]:
	names = [row.get(row_key) for row in rows if row_key and row.get(row_key)]
	if not names:
		return {}
	fields = ["name", *ROW_PRICE_FIELDS]
	# rows of the orders these rows were made from; read to compare, never shown
	return {
		r.name: r for r in frappe.get_all("Sales Order Item", filters={"name": ("in", names)}, fields=fields)
	}


def _source_header(order: str) -> dict | None:
	return frappe.db.get_value("Sales Order", order, list(HEADER_PRICE_FIELDS_FROM_SOURCE), as_dict=True)

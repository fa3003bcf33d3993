"""Who may see and do what: the role rules behind the app's permission hooks, in plain Python.

Two rules live here:

* **Salespeople see only their own orders** (when the setting is on): a user whose order work is selling
  and nothing else. Managers, and the staff whose job is every order (warehouse, finance, approvers),
  keep seeing everything; so does a user with no sales role (ERPNext's own permissions decide for them).
* **Stock staff do not set prices**: a user whose only document role on a sales document is the warehouse's
  may change quantities, warehouses and batches, not a rate, a discount or the price list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Users with one of these roles see every order, whatever the setting says.
SEES_ALL_ORDERS = frozenset({"Administrator", "System Manager", "Sales Manager", "Order Online Manager"})
# Roles whose work is every order (they ship, invoice or approve orders of all salespeople).
ORDER_WIDE_JOBS = frozenset(
	{"Stock User", "Stock Manager", "Accounts User", "Accounts Manager", "Order Approver", "Delivery Manager"}
)
# The selling roles the setting narrows.
SALES_ROLES = frozenset({"Sales User", "Maintenance User"})

# Roles that may set prices on a sales document.
PRICE_ROLES = frozenset(
	{
		"Administrator",
		"System Manager",
		"Sales User",
		"Sales Manager",
		"Accounts User",
		"Accounts Manager",
		"Order Online Manager",
	}
)
# Roles that can edit a Delivery Note or Sales Order without setting prices.
STOCK_ROLES = frozenset({"Stock User", "Stock Manager", "Delivery User", "Delivery Manager"})


def sees_only_own_orders(roles: Iterable[str], setting_on: bool) -> bool:
	"""True when the user's order lists, forms and reports are narrowed to their own orders."""
	roles = set(roles)
	if not setting_on or not roles & SALES_ROLES:
		return False
	return not roles & (SEES_ALL_ORDERS | ORDER_WIDE_JOBS)


def may_set_prices(roles: Iterable[str]) -> bool:
	"""False for warehouse staff: they edit a sales document through a stock role only."""
	roles = set(roles)
	return bool(roles & PRICE_ROLES) or not roles & STOCK_ROLES


# The fields of a sales document that make its price. Amounts follow from rate × quantity, and a
# quantity is the warehouse's to change, so amounts are not compared.
HEADER_PRICE_FIELDS = (
	"selling_price_list",
	"price_list_currency",
	"plc_conversion_rate",
	"ignore_pricing_rule",
	"apply_discount_on",
	"additional_discount_percentage",
	"discount_amount",
	"coupon_code",
)
# What a new document must keep of the one it was made from (a partial delivery prorates the rest).
HEADER_PRICE_FIELDS_FROM_SOURCE = (
	"selling_price_list",
	"price_list_currency",
	"ignore_pricing_rule",
	"apply_discount_on",
	"additional_discount_percentage",
)
ROW_PRICE_FIELDS = (
	"price_list_rate",
	"margin_type",
	"margin_rate_or_amount",
	"discount_percentage",
	"discount_amount",
	"rate",
)


@dataclass(frozen=True)
class PriceChange:
	row: int | None  # None for the document itself
	field: str
	before: object
	after: object


def _same(before: object, after: object) -> bool:
	if isinstance(before, int | float) or isinstance(after, int | float):
		return abs(float(before or 0) - float(after or 0)) < 1e-9
	return (before or None) == (after or None)


def price_changes(
	header_before: Mapping | None,
	header_after: Mapping,
	rows_before: Mapping[str, Mapping],
	rows_after: Iterable[Mapping],
	source_rows: Mapping[str, Mapping] | None = None,
	source_key: str = "so_detail",
	header_is_source: bool = False,
) -> list[PriceChange]:
	"""Every price a save would change.

	``rows_before`` are the saved rows by name. A new row is compared with the row it was made from
	(``source_rows`` by ``source_key``, e.g. the Sales Order row of a Delivery Note row); a new row made
	from nothing may carry the price list's rate and no discount, nothing of its own.
	``header_before`` is the saved document, or (``header_is_source``) the one a new document was made
	from, or None."""
	changes: list[PriceChange] = []
	if header_before is not None:
		for field in HEADER_PRICE_FIELDS_FROM_SOURCE if header_is_source else HEADER_PRICE_FIELDS:
			if field in header_after and not _same(header_before.get(field), header_after.get(field)):
				changes.append(PriceChange(None, field, header_before.get(field), header_after.get(field)))
	source_rows = source_rows or {}
	for row in rows_after:
		before = rows_before.get(row.get("name")) or source_rows.get(row.get(source_key) or "")
		if before is None:
			before = {"rate": row.get("price_list_rate"), "price_list_rate": row.get("price_list_rate")}
			fields = ("rate", "discount_percentage", "discount_amount", "margin_rate_or_amount")
		else:
			fields = ROW_PRICE_FIELDS
		for field in fields:
			if field in row and not _same(before.get(field), row.get(field)):
				changes.append(PriceChange(row.get("idx"), field, before.get(field), row.get(field)))
	return changes

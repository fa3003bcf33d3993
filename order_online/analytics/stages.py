"""Each submitted order's way to delivery, for Fulfilment Performance: one Order Fulfilment Entry per
order with the documents' own stamps (placed, approved, first Pick List, first shipment, delivered) and
the hours of each stage (``domain.analytics.order_stages``).

An entry is refreshed for the orders a document touches, when it happens: the order's submit, update
after submit and cancel, its release by the last approver, a Pick List made or cancelled for it, a
Delivery Note submitted or cancelled, a Shipment Tracking that shipped or delivered. Each refresh is one
read of the stamps of those orders (indexed look-ups per order) and one write; ``rebuild`` does the same
for every submitted order, a month at a time.
"""

import frappe
from frappe.utils import add_days, get_datetime, getdate, nowdate

from order_online.domain.analytics import dated_name, order_stages, periods_between, shift
from order_online.domain.approval import approved_at

ENTRY = "Order Fulfilment Entry"

# the stamps of the orders chosen by %(where)s; all of it constant text, the values bound
_STAMPS = """select so.name, so.company, so.transaction_date, nullif(so.oo_order_channel, '') channel,
	nullif(so.territory, '') territory, nullif(so.customer_group, '') customer_group,
	nullif(so.oo_shipping_region, '') shipping_region, so.creation ordered_at, so.delivery_date,
	so.oo_approval_status approval_status,
	(select max(lg.logged_at) from `tabOrder Approval Log` lg
		where lg.sales_order = so.name and lg.action = 'Approved') approved_at,
	(select min(pl.creation) from `tabPick List Item` pli join `tabPick List` pl on pl.name = pli.parent
		where pli.sales_order = so.name and pl.docstatus < 2) picked_at,
	(select min(timestamp(dn.posting_date, dn.posting_time)) from `tabDelivery Note Item` dni
		join `tabDelivery Note` dn on dn.name = dni.parent
		where dni.against_sales_order = so.name and dn.docstatus = 1) shipped_at,
	(select dni.warehouse from `tabDelivery Note Item` dni join `tabDelivery Note` dn on dn.name = dni.parent
		where dni.against_sales_order = so.name and dn.docstatus = 1
		order by dn.posting_date, dn.posting_time, dni.idx limit 1) warehouse,
	(select coalesce(nullif(st.carrier_code, ''), st.carrier_account) from `tabShipment Tracking` st
		where st.sales_order = so.name order by st.shipped_at, st.creation limit 1) carrier,
	(select if(count(*) > 0 and count(st.delivered_at) = count(*), max(st.delivered_at), null)
		from `tabShipment Tracking` st where st.sales_order = so.name) delivered_at
	from `tabSales Order` so where so.docstatus = 1 and """
_BY_NAME = _STAMPS + "so.name in %(orders)s"
_BY_DATE = _STAMPS + "so.transaction_date between %(start)s and %(end)s"

COLUMNS = (
	"name", "sales_order", "transaction_date", "company", "channel", "territory", "customer_group",
	"shipping_region", "warehouse", "carrier", "ordered_at", "approved_at", "picked_at", "shipped_at",
	"delivered_at", "promised_date", "approval_hours", "approval_done", "picking_hours", "picking_done",
	"shipping_hours", "shipping_done", "delivery_hours", "delivery_done", "total_hours", "total_done",
	"promise_judged", "kept_promise",
)  # fmt: skip
_STAMP_COLUMNS = ("creation", "modified", "owner", "modified_by", "docstatus")
_UPSERT = (
	f"insert into `tab{ENTRY}` ({', '.join(f'`{c}`' for c in (*COLUMNS, *_STAMP_COLUMNS))}) values {{rows}} "
	f"on duplicate key update {', '.join(f'`{c}` = values(`{c}`)' for c in COLUMNS[2:])}, `modified` = now(6)"
)
_ROW = "(" + ", ".join(["%s"] * len(COLUMNS)) + ", now(6), now(6), 'Administrator', 'Administrator', 0)"


def _datetime(value):
	return get_datetime(value) if value else None


def entry(stamps: dict, today) -> tuple:
	"""The entry's values (COLUMNS) from an order's stamps."""
	approved = approved_at(stamps["approval_status"], _datetime(stamps["approved_at"]))
	promised = getdate(stamps["delivery_date"]) if stamps["delivery_date"] else None
	times = [_datetime(stamps[k]) for k in ("ordered_at", "picked_at", "shipped_at", "delivered_at")]
	ordered, picked, shipped, delivered = times
	stages = order_stages(ordered, approved, picked, shipped, delivered, promised, today)
	return (
		dated_name(stamps["transaction_date"], stamps["name"]),
		stamps["name"],
		stamps["transaction_date"],
		stamps["company"],
		stamps["channel"],
		stamps["territory"],
		stamps["customer_group"],
		stamps["shipping_region"],
		stamps["warehouse"],
		stamps["carrier"],
		ordered,
		approved,
		picked,
		shipped,
		delivered,
		promised,
		# hours and whether the stage ended (a stage not ended yet counts for no average)
		*(
			v
			for hours in (stages.approval, stages.picking, stages.shipping, stages.delivery, stages.total)
			for v in (hours or 0.0, int(hours is not None))
		),  # fmt: skip
		int(stages.on_time is not None),
		int(bool(stages.on_time)),
	)


def _write(rows: list[dict]) -> None:
	if not rows:
		return
	today = getdate(nowdate())
	values = [v for stamps in rows for v in entry(stamps, today)]
	statement = _UPSERT.format(rows=", ".join([_ROW] * len(rows)))  # placeholders only: the values are bound
	frappe.db.sql(statement, values)  # nosemgrep: oo-sql-string-building -- constant text and placeholders


def refresh(orders) -> None:
	"""The entries of ``orders`` (names) as their documents say now; an order no longer submitted has none."""
	orders = sorted({name for name in orders if name})
	if not orders:
		return
	rows = frappe.db.sql(_BY_NAME, {"orders": orders}, as_dict=True)
	_write(rows)
	gone = set(orders) - {row["name"] for row in rows}
	if gone:
		frappe.db.delete(ENTRY, {"sales_order": ("in", list(gone))})


def record_submitted(doc) -> None:
	"""On submit: the entry from the order alone (nothing follows an order before its submit, so there is
	nothing to read: no approval decided yet, no Pick List, no Delivery Note, no tracking)."""
	_write(
		[
			{
				"name": doc.name,
				"company": doc.company,
				"transaction_date": doc.transaction_date,
				"channel": doc.get("oo_order_channel") or None,
				"territory": doc.get("territory") or None,
				"customer_group": doc.get("customer_group") or None,
				"shipping_region": doc.get("oo_shipping_region") or None,
				"ordered_at": doc.creation,
				"delivery_date": doc.get("delivery_date"),
				"approval_status": None,
				"approved_at": None,
				"picked_at": None,
				"shipped_at": None,
				"warehouse": None,
				"carrier": None,
				"delivered_at": None,
			}
		]
	)


def orders_named_in(doc, field: str, table: str = "items") -> list[str]:
	"""The orders a document's rows name in ``field``."""
	return [row.get(field) for row in doc.get(table) or []]


def rebuild(progress: bool = False) -> int:
	"""Every submitted order's entry again, a month at a time; returns the entries made."""
	frappe.db.delete(ENTRY)
	first, last = frappe.db.sql(
		"select min(`transaction_date`), max(`transaction_date`) from `tabSales Order` where `docstatus` = 1"
	)[0]
	if not first:
		return 0
	months = periods_between(getdate(first), getdate(last), "Month")
	for done, month in enumerate(months, 1):
		rows = frappe.db.sql(
			_BY_DATE, {"start": month, "end": add_days(shift(month, "Month", 1), -1)}, as_dict=True
		)
		for start in range(0, len(rows), 2000):
			_write(rows[start : start + 2000])
		if progress:
			frappe.utils.update_progress_bar("Rebuilding fulfilment stages", done - 1, len(months))
	if progress:
		print()
	return frappe.db.count(ENTRY)

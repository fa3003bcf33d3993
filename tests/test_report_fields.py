"""Every field the order reports, their summaries and the fulfilment stages read exists on a v15 site with
the app: in ERPNext's schema, the app's custom fields or the app's own doctypes. A field read through the
summary must also be in its entries, which a salesperson narrowed to their own orders reads instead."""

from pathlib import Path

import pytest

from order_online.domain import analytics
from tests import appcheck, fieldcheck

APP = appcheck.APP_DIR
REPORTS = sorted((APP / "order_online" / "report").glob("*/*.py"))
ANALYTICS = sorted(p for p in (APP / "analytics").glob("*.py") if not p.name.startswith("test_"))
SOURCES = [p for p in (*ANALYTICS, *REPORTS) if not p.name.startswith(("test_", "__"))]
GRAINS = fieldcheck.literal((APP / "analytics" / "figures.py").read_text(), "GRAINS")


def _fields(model):
	return lambda doctype: set(model.fieldnames(doctype)) | appcheck.STANDARD_COLUMNS


def _rel(path: Path) -> str:
	return str(path.relative_to(appcheck.REPO_ROOT))


def test_the_reports_are_all_read():
	names = {p.parent.name for p in REPORTS}
	assert {"customer_distribution", "fulfilment_performance", "order_volume_and_amount"} <= names
	assert len([p for p in SOURCES if p.parent.parent.name == "report"]) == len(names)


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_every_field_the_sql_and_the_query_builder_read_exists(path, model):
	source = path.read_text(encoding="utf-8")
	references = (
		fieldcheck.sql_references(source, _rel(path))
		+ fieldcheck.qb_references(source, _rel(path), GRAINS)
		+ fieldcheck.list_references(source, _rel(path))
	)
	assert fieldcheck.missing(references, _fields(model)) == []


def test_the_sql_of_the_summaries_and_stages_is_read():
	for name in ("summary.py", "stages.py"):
		source = (APP / "analytics" / name).read_text()
		doctypes = {ref.doctypes[0] for ref in fieldcheck.sql_references(source, name)}
		assert "Sales Order" in doctypes, name
	report = APP / "order_online" / "report"
	for name in ("approval_turnaround", "stock_shortage"):  # these read through frappe.get_list
		assert fieldcheck.list_references((report / name / f"{name}.py").read_text(), name), name
	stages = fieldcheck.sql_references((APP / "analytics" / "stages.py").read_text(), "stages.py")
	assert {"Pick List Item", "Delivery Note", "Shipment Tracking", "Order Approval Log"} <= {
		ref.doctypes[0] for ref in stages
	}


def test_the_grains_and_the_stage_columns_are_fields_of_their_doctypes(model):
	fields = _fields(model)
	for summary, entries, key, values in (
		("Order Sales Summary", "Order Summary Entry", analytics.SUMMARY_KEY, analytics.SUMMARY_VALUES),
		("Order Item Summary", "Order Item Entry", analytics.ITEM_KEY, analytics.ITEM_VALUES),
	):
		for doctype in (summary, entries):
			assert set(key) | set(values) <= fields(doctype), doctype
	assert "customer" in fields("Order Summary Entry")  # the customer figures read it
	columns = fieldcheck.literal((APP / "analytics" / "stages.py").read_text(), "COLUMNS")
	assert set(columns) <= fields("Order Fulfilment Entry")
	for stage in (*analytics.STAGES, "total"):
		assert {f"{stage}_hours", f"{stage}_done"} <= set(columns)
	report = APP / "order_online" / "report"
	groups = fieldcheck.literal(
		(report / "fulfilment_performance" / "fulfilment_performance.py").read_text(), "GROUPS"
	)
	assert {field for field, _link in groups.values()} <= fields("Order Fulfilment Entry")
	assert {"territory", "customer_group", "customer"} <= fields("Order Summary Entry")  # the customer rows


def test_the_check_catches_a_field_that_is_not_there(model):
	source = """
def read(f):
	query, t = figures.source(f)
	so = frappe.qb.DocType("Sales Order")
	frappe.get_list("Shipment Tracking", fields=["name", "is_late", "`tabShipment Tracking Event`.event_tim"])
	return query.select(t.customer, t["base_amount"], so.grand_totl)

STAMPS = "select so.transaction_date, so.no_such_column from `tabSales Order` so"
"""
	references = (
		fieldcheck.sql_references(source, "x.py")
		+ fieldcheck.qb_references(source, "x.py", GRAINS)
		+ fieldcheck.list_references(source, "x.py")
	)
	assert sorted(fieldcheck.missing(references, _fields(model))) == [
		"x.py:5: Shipment Tracking Event.event_tim",
		"x.py:6: Order Sales Summary.customer",  # the entries have it; the summary does not
		"x.py:6: Sales Order.grand_totl",
		"x.py:8: Sales Order.no_such_column",
	]

"""Which fields only the app writes, and what counts as a user's change to them."""

import datetime

from order_online.domain import app_owned
from order_online.domain.app_owned import Change, changes, same
from order_online.setup.custom_fields import CUSTOM_FIELDS


def test_every_app_owned_field_is_one_of_the_apps_custom_fields():
	for doctype, fields in app_owned.ON_ERPNEXT_DOCTYPES.items():
		defined = {df["fieldname"]: df for df in CUSTOM_FIELDS[doctype]}
		for field in fields:
			assert field in defined, (doctype, field)
			assert defined[field].get("read_only"), (doctype, field)  # the form never offers them


def test_the_decisions_the_issue_names_are_all_guarded():
	so = set(app_owned.ON_ERPNEXT_DOCTYPES["Sales Order"])
	assert {"oo_approval_status", "oo_approval_levels_approved", "oo_approval_required_level"} <= so
	assert {"oo_approval_requirement", "oo_approval_summary", "oo_approval_pending_since"} <= so
	assert {"oo_allocation_shipping_cost", "oo_allocation_parcels", "oo_allocation_summary"} <= so
	assert {"oo_tracking_status", "oo_tracking_eta"} <= so
	assert set(app_owned.ON_ERPNEXT_DOCTYPES["Delivery Note"]) == {"oo_tracking_status", "oo_tracking_eta"}
	assert {"status", "eta", "is_late", "delivered_at", "events"} <= set(app_owned.SHIPMENT_TRACKING_STATE)
	# what a user registers a waybill with stays theirs
	assert not {"tracking_number", "carrier_account", "carrier_code", "delivery_note"} & set(
		app_owned.SHIPMENT_TRACKING_STATE
	)


def test_a_changed_value_is_a_change_and_the_same_value_in_another_form_is_not():
	stored = {
		"oo_approval_status": "Pending",
		"oo_approval_levels_approved": 0,
		"oo_approval_pending_since": datetime.datetime(2026, 12, 1, 9, 30, 5, 120000),
		"oo_allocation_shipping_cost": 23.0,
		"oo_tracking_eta": None,
	}
	sent = {
		"oo_approval_status": "Pending",
		"oo_approval_levels_approved": "0",  # REST sends text
		"oo_approval_pending_since": "2026-12-01 09:30:05.120000",
		"oo_allocation_shipping_cost": "23",
		"oo_tracking_eta": "",
	}
	assert changes(stored, stored, sent) == []
	sent["oo_approval_status"] = "Approved"
	sent["oo_approval_levels_approved"] = 1
	assert changes(stored, stored, sent) == [
		Change("oo_approval_status", "Pending", "Approved"),
		Change("oo_approval_levels_approved", 0, 1),
	]


def test_on_a_new_record_any_value_is_a_change():
	assert changes(["status", "is_late"], None, {"status": "Delivered", "is_late": 0}) == [
		Change("status", None, "Delivered")
	]


def test_child_rows_compare_by_their_own_fields():
	row = {"event_time": datetime.datetime(2026, 12, 1, 8), "status": "In Transit", "description": "hub"}
	assert same([row], [dict(row, event_time="2026-12-01 08:00:00", location=None)])
	assert not same([row], [row, dict(row, status="Delivered")])
	assert not same([], [row])


def test_text_that_looks_like_a_number_or_a_date_is_compared_as_one():
	assert same("1", 1) and same("1.50", 1.5) and same(None, 0) and same(False, "")
	assert same(datetime.date(2026, 12, 24), "2026-12-24")
	assert not same("nan", None) and not same("Delivered", "delivered")


def test_every_save_path_of_the_guarded_doctypes_starts_in_their_dispatcher():
	import pathlib

	root = pathlib.Path(__file__).resolve().parents[1] / "order_online"
	hooks: dict = {}
	exec((root / "hooks.py").read_text(), hooks)  # plain data, no frappe
	for doctype, module in (("Sales Order", "sales_order"), ("Delivery Note", "delivery_note")):
		source = (root / "events" / f"{module}.py").read_text()
		for event in ("before_validate", "before_update_after_submit", "before_cancel"):
			assert hooks["doc_events"][doctype][event] == f"order_online.events.{module}.{event}"
			body = source[source.index(f"def {event}(") :].split("\ndef ")[0]
			assert "app_owned.restore_stored(doc)" in body, (doctype, event)

"""Each static check reports a deliberately broken fixture (so a green metadata test means something)."""

import copy

import pytest

from tests import appcheck


def _doctype(**overrides):
	base = {
		"name": "Demo Thing",
		"module": "Order Online",
		"autoname": "field:title",
		"field_order": ["title", "customer"],
		"fields": [
			{"fieldname": "title", "fieldtype": "Data", "label": "Title"},
			{"fieldname": "customer", "fieldtype": "Link", "label": "Customer", "options": "Customer"},
		],
		"permissions": [{"role": "Sales User", "read": 1}],
	}
	base.update(overrides)
	return base


def _field(dt, **overrides):
	dt = copy.deepcopy(dt)
	dt["fields"][1].update(overrides)
	return dt


def _only(problems, fragment):
	assert problems, "the check reported nothing"
	assert any(fragment in p for p in problems), problems


def test_valid_doctype_fixture_passes(model):
	assert appcheck.check_doctype(_doctype(), model) == []


@pytest.mark.parametrize(
	"broken, fragment",
	[
		(_field(_doctype(), options="Custmer"), "is not a DocType"),
		(_field(_doctype(), fieldtype="Table", options="Customer"), "is not a child table"),
		(_field(_doctype(), fieldtype="Link", options="Sales Order Item"), "Link to child table"),
		(_field(_doctype(), fieldname="Customer Name"), "invalid fieldname"),
		(_field(_doctype(), fieldname="modified"), "standard column"),
		(_field(_doctype(), fieldname="title"), "duplicate fieldname"),
		(_field(_doctype(), fieldtype="Dynamic Link", options="nowhere"), "Dynamic Link"),
		(_field(_doctype(), fetch_from="customer.no_such_field"), "has no field"),
		(_doctype(autoname="field:missing"), "names no field"),
		(_doctype(permissions=[{"role": "Order Wizard", "read": 1}]), "role 'Order Wizard'"),
		(_doctype(permissions=[]), "no permission rows"),
		(_doctype(module="Somewhere Else"), "modules.txt"),
		(_doctype(field_order=["customer", "title"]), "field_order"),
		(_doctype(is_tree=1), "tree"),
	],
)
def test_doctype_check_reports(broken, fragment, model):
	_only(appcheck.check_doctype(broken, model), fragment)


@pytest.mark.parametrize(
	"definitions, fragment",
	[
		(
			{
				"Sales Ordr": [
					{"fieldname": "x", "label": "X", "fieldtype": "Data", "insert_after": "customer"}
				]
			},
			"unknown DocType",
		),
		(
			{"Sales Order": [{"fieldname": "x", "label": "X", "fieldtype": "Data", "insert_after": "nope"}]},
			"insert_after",
		),
		(
			{
				"Sales Order": [
					{"fieldname": "customer", "label": "X", "fieldtype": "Data", "insert_after": "title"}
				]
			},
			"already exists",
		),
		(
			{
				"Sales Order": [
					{
						"fieldname": "x",
						"label": "X",
						"fieldtype": "Link",
						"options": "Nope",
						"insert_after": "title",
					}
				]
			},
			"not a DocType",
		),
		(
			{
				"Sales Order": [
					{"fieldname": "X-1", "label": "X", "fieldtype": "Data", "insert_after": "title"}
				]
			},
			"invalid fieldname",
		),
		({"Sales Order": [{"fieldname": "x", "fieldtype": "Data", "insert_after": "title"}]}, "no label"),
		(
			{
				"Sales Order": [
					{"fieldname": "x", "label": "X", "fieldtype": "Data", "insert_after": "title"},
					{"fieldname": "x", "label": "X", "fieldtype": "Data", "insert_after": "x"},
				]
			},
			"already exists",
		),
	],
)
def test_custom_field_check_reports(definitions, fragment, schema_model):
	_only(appcheck.check_custom_fields(definitions, schema_model), fragment)


def test_custom_field_may_follow_an_earlier_custom_field(schema_model):
	chain = {
		"Sales Order": [
			{"fieldname": "oo_a", "label": "A", "fieldtype": "Data", "insert_after": "title"},
			{"fieldname": "oo_b", "label": "B", "fieldtype": "Data", "insert_after": "oo_a"},
		]
	}
	assert appcheck.check_custom_fields(chain, schema_model) == []


def test_report_check_reports(model, tmp_path):
	good = {
		"name": "R",
		"ref_doctype": "Sales Order",
		"report_type": "Script Report",
		"module": "Order Online",
	}
	folder = tmp_path / "r"
	folder.mkdir()
	(folder / "r.py").write_text("def execute(filters=None):\n\treturn [], []\n")
	assert appcheck.check_report(good, model, folder) == []
	_only(appcheck.check_report(dict(good, ref_doctype="Sales Ordr"), model), "ref_doctype")
	_only(appcheck.check_report(dict(good, roles=[{"role": "Nobody"}]), model), "role 'Nobody'")
	_only(appcheck.check_report(dict(good, report_type="Chart"), model), "report_type")
	(folder / "r.py").write_text("def run():\n\tpass\n")
	_only(appcheck.check_report(good, model, folder), "execute")


def test_workspace_check_reports(model):
	good = {
		"name": "W",
		"links": [{"type": "Link", "label": "Orders", "link_type": "DocType", "link_to": "Sales Order"}],
		"shortcuts": [{"type": "Report", "link_to": "Sales Analytics"}],
	}
	assert appcheck.check_workspace(good, model) == []
	bad_link = copy.deepcopy(good)
	bad_link["links"][0]["link_to"] = "Sales Ordr"
	_only(appcheck.check_workspace(bad_link, model), "Sales Ordr")
	bad_shortcut = copy.deepcopy(good)
	bad_shortcut["shortcuts"][0]["link_to"] = "No Such Report"
	_only(appcheck.check_workspace(bad_shortcut, model), "No Such Report")


def _package(
	tmp_path, source="def validate(doc, method=None):\n\tpass\n\n\nclass Thing:\n\tdef go(self):\n\t\tpass\n"
):
	package = tmp_path / "order_online"
	(package / "events").mkdir(parents=True)
	(package / "__init__.py").write_text("")
	(package / "events" / "__init__.py").write_text("")
	(package / "events" / "so.py").write_text(source)
	return package


def test_hooks_check_passes_good_paths(tmp_path, model):
	package = _package(tmp_path)
	hooks = (
		'required_apps = ["erpnext"]\n'
		'doc_events = {"Sales Order": {"validate": "order_online.events.so.validate"}}\n'
		'override_doctype_class = {"ToDo": "order_online.events.so.Thing"}\n'
		'scheduler_events = {"daily": ["order_online.events.so.Thing.go", "frappe.utils.now"],'
		' "cron": {"*/10 * * * *": ["order_online.events.so.validate"]}}\n'
		'standard_portal_menu_items = [{"title": "Mine", "route": "/mine", "role": "Customer"}]\n'
	)
	(package / "www").mkdir()
	(package / "www" / "mine.html").write_text("<p></p>")
	assert appcheck.check_hooks(hooks, package, model) == []


@pytest.mark.parametrize(
	"hooks, fragment",
	[
		('doc_events = {"Sales Order": {"validate": "order_online.events.so.validat"}}', "has no 'validat'"),
		('doc_events = {"Sales Order": {"validate": "order_online.events.nope.validate"}}', "has no 'nope'"),
		('doc_events = {"Sales Ordr": {"validate": "order_online.events.so.validate"}}', "is not a DocType"),
		('after_install = "order_online.events.so"', "names a module"),
		('after_install = "order_online.events.so.Thing.stop"', "has no 'stop'"),
		('after_install = "shopify_app.install.run"', "no installed app"),
		('doctype_js = {"Sales Order": "public/js/sales_order.js"}', "does not exist"),
		('app_include_js = "/assets/order_online/js/app.js"', "does not exist"),
		('scheduler_events = {"cron": {"*/10 * * * *": ["order_online.events.so.nope"]}}', "has no 'nope'"),
		('standard_portal_menu_items = [{"title": "X", "route": "/nowhere"}]', "no page '/nowhere'"),
	],
)
def test_hooks_check_reports(hooks, fragment, tmp_path, model):
	package = _package(tmp_path)
	_only(appcheck.check_hooks('required_apps = ["erpnext"]\n' + hooks, package, model), fragment)


def test_hooks_must_require_erpnext(tmp_path, model):
	_only(appcheck.check_hooks('app_name = "order_online"\n', _package(tmp_path), model), "required_apps")


@pytest.mark.parametrize(
	"line",
	[
		"import frappe",
		"from frappe import _",
		"from frappe.utils import flt",
		"def f():\n\timport frappe.utils",
	],
)
def test_frappe_import_in_domain_is_found(tmp_path, line):
	(tmp_path / "rules.py").write_text("import json\n" + line + "\n")
	assert appcheck.frappe_imports(tmp_path) != []


def test_plain_module_passes_frappe_import_check(tmp_path):
	(tmp_path / "rules.py").write_text("import json\nfrom decimal import Decimal\nfrappe_like = 1\n")
	assert appcheck.frappe_imports(tmp_path) == []


def test_hooks_required_apps_forms(tmp_path, model):
	package = _package(tmp_path)
	assert appcheck.check_hooks('required_apps = ["frappe/erpnext"]\n', package, model) == []
	_only(appcheck.check_hooks('required_apps = ["frappe/hrms"]\n', package, model), "required_apps")


def test_import_cycle_is_found():
	assert appcheck.import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
	assert appcheck.import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_module_level_imports_leave_function_level_ones_out(tmp_path):
	package = tmp_path / "order_online" / "approval"
	package.mkdir(parents=True)
	(package / "service.py").write_text(
		"from order_online.common import x\nimport order_online.fulfilment.service\n\n"
		"def f():\n\tfrom order_online.events import sales_order\n"
	)
	assert appcheck.module_level_imports(tmp_path / "order_online", "approval") == {"common", "fulfilment"}


def test_doc_event_targets_reads_strings_and_lists():
	hooks = {"doc_events": {"A": {"validate": "x.y", "on_submit": ["x.a", "x.b"]}}}
	assert appcheck.doc_event_targets(hooks) == ["x.y", "x.a", "x.b"]

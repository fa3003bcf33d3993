"""The app's real DocType, Custom Field, Report, Workspace and hooks definitions are sound."""

import pytest

from order_online.setup.custom_fields import CUSTOM_FIELDS
from tests import appcheck


def test_schema_is_the_fresh_erpnext_site(schema):
	assert schema["apps"]["erpnext"].startswith("15.")
	assert "Sales Order" in schema["doctypes"]


def test_missing_schema_fails_loudly(tmp_path):
	with pytest.raises(appcheck.SchemaMissing):
		appcheck.load_schema(tmp_path / "nope.json")


@pytest.mark.parametrize("package", ["domain", "integrations"])
def test_core_never_imports_frappe(package):
	assert appcheck.frappe_imports(appcheck.APP_DIR / package) == []


def _hooks() -> dict:
	namespace: dict = {}
	exec((appcheck.APP_DIR / "hooks.py").read_text(encoding="utf-8"), namespace)  # plain data, no frappe
	return namespace


def test_document_events_enter_through_one_dispatcher_per_doctype(model):
	targets = appcheck.doc_event_targets(_hooks())
	assert len(targets) > 30
	assert [t for t in targets if not t.startswith("order_online.events.")] == []
	assert [p for t in targets if (p := appcheck.resolve_app_path(t, appcheck.APP_DIR))] == []
	for doctype in _hooks()["doc_events"]:
		assert doctype in model.doctypes


def test_capabilities_do_not_import_each_other_in_circles():
	graph = {
		name: appcheck.module_level_imports(appcheck.APP_DIR, name) & {*appcheck.CAPABILITIES, "events"}
		for name in (*appcheck.CAPABILITIES, "events")
	}
	assert appcheck.import_cycles(graph) == []
	for name in appcheck.CAPABILITIES:
		assert "events" not in graph[name], f"{name} imports the dispatchers at module level"


def test_app_ships_its_doctypes():
	names = {dt["name"] for dt in appcheck.app_doctypes()}
	assert {"Order Online Settings", "Order Channel", "Shipping Region"} <= names


@pytest.mark.parametrize("doctype", appcheck.app_doctypes(), ids=lambda dt: dt["name"])
def test_doctype(doctype, model):
	assert appcheck.check_doctype(doctype, model) == []


def test_custom_fields(schema_model):
	assert appcheck.check_custom_fields(CUSTOM_FIELDS, schema_model) == []


def test_reports(model):
	problems = [
		p
		for path, report in appcheck.app_reports()
		for p in appcheck.check_report(report, model, path.parent)
	]
	assert problems == []


def test_workspaces(model):
	assert [p for ws in appcheck.app_workspaces() for p in appcheck.check_workspace(ws, model)] == []


def test_hooks(model):
	source = (appcheck.APP_DIR / "hooks.py").read_text(encoding="utf-8")
	assert appcheck.check_hooks(source, appcheck.APP_DIR, model) == []


def test_every_doctype_folder_has_a_controller():
	for dt in appcheck.app_doctypes():
		folder = appcheck.APP_DIR / "order_online" / "doctype" / dt["name"].lower().replace(" ", "_")
		assert (folder / f"{folder.name}.py").is_file(), dt["name"]
		assert (folder / "__init__.py").is_file(), dt["name"]


def test_every_custom_field_is_the_apps_own_by_prefix_and_module():
	from order_online.setup.custom_fields import MODULE, PREFIX

	for doctype, fields in CUSTOM_FIELDS.items():
		for df in fields:
			assert df["fieldname"].startswith(PREFIX), f"{doctype}.{df['fieldname']}"
			assert df["module"] == MODULE, f"{doctype}.{df['fieldname']}"


def test_the_rename_patch_carries_each_previous_field_to_a_defined_one():
	from order_online.patches.v0_2.prefix_custom_fields import PREFIX, PREVIOUS

	defined = {(doctype, df["fieldname"]) for doctype, fields in CUSTOM_FIELDS.items() for df in fields}
	carried = {(doctype, PREFIX + old) for doctype, olds in PREVIOUS.items() for old in olds}
	assert carried <= defined
	assert len(carried) == sum(len(olds) for olds in PREVIOUS.values())


def test_patches_resolve():
	text = (appcheck.APP_DIR / "patches.txt").read_text(encoding="utf-8")
	patches = [line.strip() for line in text.splitlines() if line.strip() and line[0] not in "#["]
	assert patches
	for patch in patches:
		assert appcheck.resolve_app_path(patch + ".execute", appcheck.APP_DIR) is None, patch


def test_every_order_side_doctype_is_narrowed_by_both_permission_hooks(model):
	from order_online.domain.visibility import SCOPES

	hooks = _hooks()
	for key in ("permission_query_conditions", "has_permission"):
		assert set(hooks[key]) == set(SCOPES), key
		assert set(hooks[key]) <= set(model.doctypes)
	# the report runner and its export are narrowed too (a script report applies no permission hook)
	overrides = hooks["override_whitelisted_methods"]
	assert overrides["frappe.desk.query_report.run"] == "order_online.overrides.query_report.run"
	assert (
		overrides["frappe.desk.query_report.export_query"]
		== "order_online.overrides.query_report.export_query"
	)

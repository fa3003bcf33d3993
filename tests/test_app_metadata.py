"""The app's real DocType, Custom Field, Report, Workspace, Workflow and hooks definitions are sound."""

import pytest

from order_online.setup.custom_fields import CUSTOM_FIELDS
from order_online.workflows import load_workflow_definitions
from tests import appcheck


def test_schema_is_the_fresh_erpnext_site(schema):
	assert schema["apps"]["erpnext"].startswith("15.")
	assert "Sales Order" in schema["doctypes"]


def test_missing_schema_fails_loudly(tmp_path):
	with pytest.raises(appcheck.SchemaMissing):
		appcheck.load_schema(tmp_path / "nope.json")


def test_domain_never_imports_frappe():
	assert appcheck.frappe_imports(appcheck.APP_DIR / "domain") == []


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


def test_workflows(model):
	assert [p for wf in load_workflow_definitions() for p in appcheck.check_workflow(wf, model)] == []


def test_hooks(model):
	source = (appcheck.APP_DIR / "hooks.py").read_text(encoding="utf-8")
	assert appcheck.check_hooks(source, appcheck.APP_DIR, model) == []


def test_every_doctype_folder_has_a_controller():
	for dt in appcheck.app_doctypes():
		folder = appcheck.APP_DIR / "order_online" / "doctype" / dt["name"].lower().replace(" ", "_")
		assert (folder / f"{folder.name}.py").is_file(), dt["name"]
		assert (folder / "__init__.py").is_file(), dt["name"]

"""Static checks of the app's shipped metadata against a fresh ERPNext v15 site's schema.

Frappe-free: every check takes plain data (parsed JSON, the schema, the app's own definitions) and
returns a list of human-readable problems, empty when all is well. ``tests/test_app_metadata.py``
runs them on the real app; ``tests/test_appcheck_catches.py`` feeds each one a broken fixture.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_DIR = REPO_ROOT / "order_online"
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "erpnext-v15-schema.json"

FIELDNAME = re.compile(r"[a-z][a-z0-9_]*")
DOTTED_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
LAYOUT_TYPES = {"Section Break", "Column Break", "Tab Break"}
LINK_TYPES = {"Link", "Table", "Table MultiSelect"}
TABLE_TYPES = {"Table", "Table MultiSelect"}
# Columns every DocType table has; a field may not reuse them.
STANDARD_COLUMNS = {
	"name",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"docstatus",
	"idx",
	"parent",
	"parentfield",
	"parenttype",
	"doctype",
}
# Hook keys whose dict keys are DocType names.
DOCTYPE_KEYED_HOOKS = {
	"doc_events",
	"doctype_js",
	"doctype_list_js",
	"doctype_tree_js",
	"doctype_calendar_js",
	"override_doctype_class",
	"permission_query_conditions",
	"has_permission",
	"standard_queries",
	"override_doctype_dashboards",
}


class SchemaMissing(FileNotFoundError):
	pass


def load_schema(path: Path = SCHEMA_PATH) -> dict:
	if not path.is_file():
		raise SchemaMissing(f"ERPNext schema not found at {path}; the static checks cannot run without it")
	return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Model:
	"""What exists on a site with the app installed: the schema plus what the app ships."""

	doctypes: dict[str, dict]
	roles: set[str]
	reports: dict[str, dict]
	pages: set[str]
	apps: set[str]
	modules: set[str] = field(default_factory=set)

	def fieldnames(self, doctype: str) -> list[str]:
		return [f["fieldname"] for f in self.doctypes.get(doctype, {}).get("fields", [])]

	def field(self, doctype: str, fieldname: str) -> dict | None:
		return next(
			(f for f in self.doctypes.get(doctype, {}).get("fields", []) if f["fieldname"] == fieldname), None
		)


def build_model(
	schema: dict,
	app_doctypes: Iterable[dict] = (),
	app_roles: Iterable[str] = (),
	custom_fields: dict[str, list[dict]] | None = None,
	app_reports: Iterable[dict] = (),
	app_modules: Iterable[str] = (),
	app_name: str = "order_online",
) -> Model:
	doctypes = {
		name: dict(meta, fields=list(meta.get("fields", []))) for name, meta in schema["doctypes"].items()
	}
	for dt in app_doctypes:
		doctypes[dt["name"]] = {
			"app": app_name,
			"module": dt.get("module"),
			"istable": dt.get("istable", 0),
			"issingle": dt.get("issingle", 0),
			"is_tree": dt.get("is_tree", 0),
			"fields": list(dt.get("fields", [])),
			"permission_roles": sorted({p["role"] for p in dt.get("permissions", [])}),
		}
	for doctype, fields in (custom_fields or {}).items():
		if doctype in doctypes:
			doctypes[doctype]["fields"].extend(dict(f, custom=1) for f in fields)
	reports = dict(schema.get("reports", {}))
	for report in app_reports:
		reports[report["name"]] = report
	return Model(
		doctypes=doctypes,
		roles=set(schema["roles"]) | set(app_roles),
		reports=reports,
		pages=set(schema.get("pages", [])),
		apps=set(schema.get("apps", {})) | {app_name},
		modules=set(app_modules),
	)


# Shared field checks ------------------------------------------------------------------------


def _check_field_links(where: str, df: dict, model: Model, own_fields: dict[str, dict]) -> list[str]:
	problems = []
	fieldtype, options = df.get("fieldtype"), df.get("options")
	if fieldtype in LINK_TYPES:
		if not options:
			problems.append(f"{where}: {fieldtype} field has no options")
		elif options not in model.doctypes:
			problems.append(f"{where}: {fieldtype} options {options!r} is not a DocType")
		elif fieldtype in TABLE_TYPES and not model.doctypes[options].get("istable"):
			problems.append(f"{where}: Table options {options!r} is not a child table")
		elif fieldtype == "Link" and model.doctypes[options].get("istable"):
			problems.append(f"{where}: Link to child table {options!r}")
	if fieldtype == "Dynamic Link":
		target = own_fields.get(options or "")
		if target is None or target.get("fieldtype") not in ("Link", "Select", "Data"):
			problems.append(f"{where}: Dynamic Link options {options!r} is not a field naming a DocType")
	fetch_from = df.get("fetch_from")
	if fetch_from:
		link_field, _, target_field = fetch_from.partition(".")
		link = own_fields.get(link_field)
		if link is None or link.get("fieldtype") != "Link":
			problems.append(f"{where}: fetch_from {fetch_from!r} does not start with a Link field")
		elif target_field not in model.fieldnames(link["options"]) and target_field not in STANDARD_COLUMNS:
			problems.append(
				f"{where}: fetch_from {fetch_from!r}: {link['options']} has no field {target_field!r}"
			)
	return problems


def _check_fieldname(where: str, fieldname: str | None) -> list[str]:
	if not fieldname or not FIELDNAME.fullmatch(fieldname) or len(fieldname) > 64:
		return [f"{where}: invalid fieldname {fieldname!r}"]
	if fieldname in STANDARD_COLUMNS:
		return [f"{where}: fieldname {fieldname!r} is a standard column"]
	return []


def _check_roles(where: str, roles: Iterable[str], model: Model) -> list[str]:
	return [f"{where}: role {role!r} does not exist" for role in roles if role and role not in model.roles]


# DocTypes -----------------------------------------------------------------------------------


def check_doctype(dt: dict, model: Model) -> list[str]:
	name = dt.get("name", "?")
	problems: list[str] = []
	if model.modules and dt.get("module") not in model.modules:
		problems.append(f"{name}: module {dt.get('module')!r} is not in modules.txt")
	fields = dt.get("fields", [])
	own = {}
	for df in fields:
		fieldname = df.get("fieldname")
		problems += _check_fieldname(f"{name}.{fieldname}", fieldname)
		if fieldname in own:
			problems.append(f"{name}: duplicate fieldname {fieldname!r}")
		own[fieldname] = df
	for df in fields:
		problems += _check_field_links(f"{name}.{df.get('fieldname')}", df, model, own)
	if "field_order" in dt and dt["field_order"] != [df.get("fieldname") for df in fields]:
		problems.append(f"{name}: field_order does not match the fields")
	autoname = dt.get("autoname") or ""
	if autoname.startswith("field:") and autoname[len("field:") :] not in own:
		problems.append(f"{name}: autoname {autoname!r} names no field")
	for key in ("title_field", "image_field"):
		if dt.get(key) and dt[key] not in own:
			problems.append(f"{name}: {key} {dt[key]!r} names no field")
	if dt.get("is_tree"):
		parent_field = dt.get("nsm_parent_field") or "parent_" + name.lower().replace(" ", "_")
		parent = own.get(parent_field)
		if parent is None or parent.get("options") != name:
			problems.append(f"{name}: tree parent field {parent_field!r} must link to {name}")
		for required in ("lft", "rgt", "is_group", "old_parent"):
			if required not in own:
				problems.append(f"{name}: tree DocType lacks {required!r}")
	problems += _check_roles(name, (p.get("role") for p in dt.get("permissions", [])), model)
	if not dt.get("istable") and not dt.get("permissions"):
		problems.append(f"{name}: no permission rows (only Administrator could use it)")
	return problems


# Custom fields ------------------------------------------------------------------------------


def check_custom_fields(definitions: dict[str, list[dict]], schema_model: Model) -> list[str]:
	"""``schema_model`` must not already contain these custom fields (build it without them)."""
	problems: list[str] = []
	for doctype, fields in definitions.items():
		if doctype not in schema_model.doctypes:
			problems.append(f"Custom Field on unknown DocType {doctype!r}")
			continue
		existing = {f["fieldname"]: f for f in schema_model.doctypes[doctype]["fields"]}
		placed = set(existing)
		for df in fields:
			fieldname = df.get("fieldname")
			where = f"{doctype}-{fieldname}"
			problems += _check_fieldname(where, fieldname)
			if fieldname in placed:
				problems.append(f"{where}: fieldname already exists on {doctype}")
			if not df.get("label") and df.get("fieldtype") not in LAYOUT_TYPES:
				problems.append(f"{where}: no label")
			if df.get("insert_after") not in placed:
				problems.append(
					f"{where}: insert_after {df.get('insert_after')!r} is not a field of {doctype}"
				)
			placed.add(fieldname)
			existing[fieldname] = df
			problems += _check_field_links(where, df, schema_model, existing)
	return problems


# Reports and workspaces ---------------------------------------------------------------------


def check_report(report: dict, model: Model, report_dir: Path | None = None) -> list[str]:
	name = report.get("name", "?")
	problems = []
	if report.get("ref_doctype") not in model.doctypes:
		problems.append(f"Report {name}: ref_doctype {report.get('ref_doctype')!r} is not a DocType")
	if report.get("report_type") not in ("Script Report", "Query Report", "Report Builder"):
		problems.append(f"Report {name}: unknown report_type {report.get('report_type')!r}")
	if model.modules and report.get("module") not in model.modules:
		problems.append(f"Report {name}: module {report.get('module')!r} is not in modules.txt")
	problems += _check_roles(f"Report {name}", (r.get("role") for r in report.get("roles", [])), model)
	if report_dir is not None and report.get("report_type") == "Script Report":
		script = report_dir / f"{report_dir.name}.py"
		if not script.is_file() or "execute" not in _top_level_names(script):
			problems.append(f"Report {name}: {script.name} has no execute()")
	return problems


def _link_target_exists(link_type: str | None, link_to: str | None, model: Model) -> bool:
	if link_type == "DocType":
		return link_to in model.doctypes
	if link_type == "Report":
		return link_to in model.reports
	if link_type == "Page":
		return link_to in model.pages
	return True  # URLs and dashboards are not in the schema


def check_workspace(workspace: dict, model: Model) -> list[str]:
	name = workspace.get("name", "?")
	problems = []
	for link in workspace.get("links", []):
		if link.get("type") == "Card Break":
			continue
		if not _link_target_exists(link.get("link_type"), link.get("link_to"), model):
			problems.append(
				f"Workspace {name}: link {link.get('label')!r} to missing {link.get('link_to')!r}"
			)
	for shortcut in workspace.get("shortcuts", []):
		if not _link_target_exists(shortcut.get("type"), shortcut.get("link_to"), model):
			problems.append(f"Workspace {name}: shortcut to missing {shortcut.get('link_to')!r}")
	problems += _check_roles(f"Workspace {name}", (r.get("role") for r in workspace.get("roles", [])), model)
	return problems


# hooks.py -----------------------------------------------------------------------------------


def _top_level_names(path: Path) -> dict[str, ast.AST]:
	tree = ast.parse(path.read_text(encoding="utf-8"))
	names: dict[str, ast.AST] = {}
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			names[node.name] = node
		elif isinstance(node, ast.Assign):
			for target in node.targets:
				if isinstance(target, ast.Name):
					names[target.id] = node
		elif isinstance(node, ast.ImportFrom | ast.Import):
			for alias in node.names:
				names[alias.asname or alias.name.split(".")[0]] = node
	return names


def resolve_app_path(dotted: str, package_root: Path) -> str | None:
	"""None when ``dotted`` names a function/class (or a class's method) in the app; else the problem."""
	parts = dotted.split(".")
	for cut in range(len(parts), 0, -1):
		base = package_root.joinpath(*parts[1:cut])
		module = base.with_suffix(".py") if cut > 1 else None
		if module is None or not module.is_file():
			module = base / "__init__.py"
			if not module.is_file():
				continue
		rest = parts[cut:]
		if not rest:
			return f"{dotted} names a module, not a function"
		names = _top_level_names(module)
		if rest[0] not in names:
			return f"{dotted}: {module.relative_to(package_root.parent)} has no {rest[0]!r}"
		if len(rest) == 1:
			return None
		node = names[rest[0]]
		if len(rest) == 2 and isinstance(node, ast.ClassDef):
			members = {n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
			return None if rest[1] in members else f"{dotted}: class {rest[0]} has no {rest[1]!r}"
		return f"{dotted}: cannot resolve {'.'.join(rest)!r}"
	return f"{dotted}: no such module in the app"


def _strings(node: ast.AST) -> Iterable[str]:
	for sub in ast.walk(node):
		if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
			yield sub.value


def hooks_assignments(hooks_source: str) -> dict[str, ast.AST]:
	tree = ast.parse(hooks_source)
	found = {}
	for node in tree.body:
		if isinstance(node, ast.Assign):
			for target in node.targets:
				if isinstance(target, ast.Name):
					found[target.id] = node.value
	return found


CRON = re.compile(r"(\S+\s+){4}\S+")


def check_hooks(hooks_source: str, package_root: Path, model: Model) -> list[str]:
	problems = []
	app = package_root.name
	assignments = hooks_assignments(hooks_source)
	required = assignments.get("required_apps")
	if required is None or "erpnext" not in {text.rsplit("/", 1)[-1] for text in _strings(required)}:
		problems.append("hooks.required_apps must list erpnext")
	for key, value in assignments.items():
		if key == "required_apps":
			continue
		if key in DOCTYPE_KEYED_HOOKS and isinstance(value, ast.Dict):
			for k in value.keys:
				if isinstance(k, ast.Constant) and k.value != "*" and k.value not in model.doctypes:
					problems.append(f"hooks.{key}: {k.value!r} is not a DocType")
		for text in _strings(value):
			if key == "scheduler_events" and CRON.fullmatch(text):
				continue  # a cron expression ("*/10 * * * *") keys its jobs
			if key == "standard_portal_menu_items" and text.startswith("/"):
				problems += _check_route(key, text, package_root)
				continue
			if "/" in text or text.endswith((".js", ".css")):
				problems += _check_asset(key, text, package_root)
				continue
			if not DOTTED_PATH.fullmatch(text):
				continue
			root = text.split(".")[0]
			if root == app:
				problem = resolve_app_path(text, package_root)
				if problem:
					problems.append(f"hooks.{key}: {problem}")
			elif root not in model.apps:
				problems.append(f"hooks.{key}: {text!r} belongs to no installed app")
	return problems


def _check_route(key: str, route: str, package_root: Path) -> list[str]:
	"""A website route of the app: a page under ``www/`` (``.html``, ``.md`` or ``.py``)."""
	base = package_root / "www" / route.strip("/")
	found = any(base.with_suffix(ext).is_file() for ext in (".html", ".md", ".py"))
	return [] if found else [f"hooks.{key}: no page {route!r} under www/"]


def _check_asset(key: str, path: str, package_root: Path) -> list[str]:
	if path.startswith(("http://", "https://")):
		return []
	prefix = f"/assets/{package_root.name}/"
	if path.startswith(prefix):
		candidate = package_root / "public" / path[len(prefix) :]
	elif ".bundle." in path:
		candidate = next(
			iter((package_root / "public").rglob(Path(path).name)), package_root / "public" / path
		)
	else:
		candidate = package_root / path
	return [] if candidate.is_file() else [f"hooks.{key}: file {path!r} does not exist"]


# The domain stays frappe-free ---------------------------------------------------------------


def frappe_imports(package: Path) -> list[str]:
	"""Modules under ``package`` that import frappe (at any depth, including inside functions)."""
	offenders = []
	for path in sorted(package.rglob("*.py")):
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for node in ast.walk(tree):
			names = []
			if isinstance(node, ast.Import):
				names = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
				names = [node.module]
			elif (
				isinstance(node, ast.Call)
				and isinstance(node.func, ast.Name)
				and node.func.id == "__import__"
				and node.args
				and isinstance(node.args[0], ast.Constant)
			):
				names = [str(node.args[0].value)]
			if any(n == "frappe" or n.startswith("frappe.") for n in names):
				offenders.append(f"{path}:{node.lineno}")
	return offenders


# Loading what the app ships -----------------------------------------------------------------


def _json_files(kind: str, package_root: Path) -> list[tuple[Path, dict]]:
	out = []
	for path in sorted(package_root.glob(f"*/{kind}/*/*.json")):
		data = json.loads(path.read_text(encoding="utf-8"))
		out.append((path, data))
	return out


def app_doctypes(package_root: Path = APP_DIR) -> list[dict]:
	return [d for _, d in _json_files("doctype", package_root) if d.get("doctype") == "DocType"]


def app_reports(package_root: Path = APP_DIR) -> list[tuple[Path, dict]]:
	return [(p, d) for p, d in _json_files("report", package_root) if d.get("doctype") == "Report"]


def app_workspaces(package_root: Path = APP_DIR) -> list[dict]:
	return [d for _, d in _json_files("workspace", package_root) if d.get("doctype") == "Workspace"]


def app_modules(package_root: Path = APP_DIR) -> list[str]:
	lines = (package_root / "modules.txt").read_text(encoding="utf-8").splitlines()
	return [line.strip() for line in lines if line.strip()]


# Layout: one door per ERPNext doctype, capabilities that do not import each other in circles ------

CAPABILITIES = (
	"order_entry",
	"approval",
	"fulfilment",
	"stock_alerts",
	"tracking",
	"portal",
	"permissions",
	"analytics",
)


def doc_event_targets(hooks: dict) -> list[str]:
	"""Every dotted path of ``hooks['doc_events']`` (a string or a list of them per event)."""
	targets = []
	for events in hooks.get("doc_events", {}).values():
		for value in events.values():
			targets += [value] if isinstance(value, str) else list(value)
	return targets


def module_level_imports(package_root: Path, package: str) -> set[str]:
	"""The app's top-level packages that ``package`` imports at module level (function-level imports,
	the documented way to reach the dispatcher, are left out)."""
	found = set()
	for path in sorted((package_root / package).rglob("*.py")):
		if path.name.startswith("test_"):
			continue
		for node in ast.parse(path.read_text(encoding="utf-8")).body:
			modules = []
			if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
				modules = [node.module]
			elif isinstance(node, ast.Import):
				modules = [alias.name for alias in node.names]
			for module in modules:
				parts = module.split(".")
				if parts[0] == package_root.name and len(parts) > 1 and parts[1] != package:
					found.add(parts[1])
	return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Cycles among the graph's nodes (each reported once, from its smallest node)."""
	cycles = []

	def walk(start: str, node: str, path: list[str]) -> None:
		for nxt in sorted(graph.get(node, ())):
			if nxt == start:
				cycles.append([*path, start])
			elif nxt not in path and nxt > start:
				walk(start, nxt, [*path, nxt])

	for start in sorted(graph):
		walk(start, start, [start])
	return cycles

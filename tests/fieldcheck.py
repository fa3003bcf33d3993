"""Which fields the reports and summaries read, found in their source without running them, so a test
can check each against the v15 schema and the app's own doctypes.

Two readers:

* ``sql_references``: in SQL text (the summaries' and stages' constant statements), every
  ``alias.column`` whose alias a ``\\`tabDoctype\\` alias`` clause of the same module names.
* ``list_references``: the fields of ``frappe.get_list`` and its kin with a constant doctype.
* ``qb_references``: in ``frappe.qb`` code, every ``table.field`` and ``table["field"]`` where ``table``
  was bound by ``frappe.qb.DocType("X")`` or is the table ``figures.source`` / ``figures.orders_of``
  returns for a grain (the summary, and the entries a narrowed salesperson reads instead, so a field
  must be in both; with ``entries=True`` only the entries).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

ALIAS = re.compile(r"`tab([^`]+)`\s+`?([a-z]\w*)`?")


@dataclass(frozen=True)
class Reference:
	where: str  # file:line
	doctypes: tuple[str, ...]  # the field must be in each of them
	field: str


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
	return [
		(node.lineno, node.value)
		for node in ast.walk(tree)
		if isinstance(node, ast.Constant) and isinstance(node.value, str)
	]


def sql_references(source: str, path: str) -> list[Reference]:
	strings = _strings(ast.parse(source))
	aliases: dict[str, str] = {}
	for _line, text in strings:
		for doctype, alias in ALIAS.findall(text):
			if alias not in {"on", "where", "join", "left", "group", "order", "set", "values"}:
				aliases[alias] = doctype
	if not aliases:
		return []
	names = "|".join(sorted(map(re.escape, aliases), key=len, reverse=True))
	reference = re.compile(rf"(?<![\w.`])`?({names})`?\.`?([a-z_]\w*)`?")
	return [
		Reference(f"{path}:{line}", (aliases[alias],), column)
		for line, text in strings
		for alias, column in reference.findall(text)
	]


def literal(source: str, name: str):
	"""The value of a module-level ``name = <literal>``."""
	for node in ast.parse(source).body:
		targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
		if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
			return ast.literal_eval(node.value)
	raise KeyError(name)


def _call_name(node: ast.AST) -> str | None:
	if isinstance(node, ast.Call):
		return ast.unparse(node.func)
	return None


def _tables_of_call(call: ast.Call, grains: dict[str, tuple]) -> tuple[str, ...] | None:
	name = _call_name(call)
	if name == "frappe.qb.DocType" and call.args and isinstance(call.args[0], ast.Constant):
		return (call.args[0].value,)
	if name not in ("figures.source", "figures.orders_of", "source", "orders_of"):
		return None
	grain = "orders"
	if len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
		grain = call.args[1].value
	entries = any(
		k.arg == "entries" and isinstance(k.value, ast.Constant) and k.value.value for k in call.keywords
	)
	summary, entry, _order_field = grains[grain]
	return tuple(dict.fromkeys((entry,) if entries else (summary, entry)))


def qb_references(source: str, path: str, grains: dict[str, tuple]) -> list[Reference]:
	"""Fields read through query-builder tables, function by function."""
	out = []
	for function in ast.walk(ast.parse(source)):
		if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
			continue
		tables: dict[str, tuple[str, ...]] = {}
		for node in ast.walk(function):
			if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
				doctypes = _tables_of_call(node.value, grains)
				if doctypes is None:
					continue
				target = node.targets[0]
				if isinstance(target, ast.Tuple):  # query, table = figures.source(...)
					target = target.elts[-1]
				if isinstance(target, ast.Name):
					tables[target.id] = doctypes
		for node in ast.walk(function):
			field = None
			if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
				field = node.attr
			elif (
				isinstance(node, ast.Subscript)
				and isinstance(node.value, ast.Name)
				and isinstance(node.slice, ast.Constant)
				and isinstance(node.slice.value, str)
			):
				field = node.slice.value
			if field is not None and node.value.id in tables:
				out.append(Reference(f"{path}:{node.lineno}", tables[node.value.id], field))
	return out


LIST_CALLS = {"frappe.get_list", "frappe.get_all", "frappe.db.get_all", "frappe.db.get_value"}
FIELD = re.compile(r"^(?:`?tab([^`.]+)`?\.)?`?([a-z_]\w*)`?(?:\s+as\s+\w+)?$")


def list_references(source: str, path: str) -> list[Reference]:
	"""Fields named in ``frappe.get_list("Doctype", fields=[...], filters={...})`` and its kin: plain
	field names, ``tabChild.field`` of a child table, ``field as alias``; an aggregate is not checked."""
	out = []
	for node in ast.walk(ast.parse(source)):
		if _call_name(node) not in LIST_CALLS or not node.args or not isinstance(node.args[0], ast.Constant):
			continue
		doctype = node.args[0].value
		named = []
		for keyword in node.keywords:
			if keyword.arg in ("fields", "pluck", "order_by") or (
				keyword.arg == "fieldname" and _call_name(node) == "frappe.db.get_value"
			):
				values = (
					keyword.value.elts if isinstance(keyword.value, ast.List | ast.Tuple) else [keyword.value]
				)
				named += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
			if keyword.arg == "filters" and isinstance(keyword.value, ast.Dict):
				named += [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
		for text in named:
			text = re.sub(r"\s+(asc|desc)$", "", text.strip())
			match = FIELD.match(text)
			if match:
				out.append(Reference(f"{path}:{node.lineno}", (match.group(1) or doctype,), match.group(2)))
	return out


def missing(references: Iterable[Reference], fields_of) -> list[str]:
	"""``where: Doctype.field`` for each reference to a field its doctype lacks."""
	return [
		f"{ref.where}: {doctype}.{ref.field}"
		for ref in references
		for doctype in ref.doctypes
		if ref.field not in fields_of(doctype)
	]

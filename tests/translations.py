"""Find every user-facing string the app ships and read its translation catalogues (frappe-free)."""

from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path

from tests.appcheck import APP_DIR

_JS_CALL = re.compile(r"""(?<![\w.$])__\(\s*(["'`])((?:\\.|(?!\1).)*)\1""", re.S)
_HTML_CALL = re.compile(r"""(?<![\w.])_\(\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)
_PY_FUNCS = {"_", "_lt"}


def load_translations(lang: str, package_root: Path = APP_DIR) -> dict[str, str]:
	"""source → translation from ``translations/<lang>.csv`` (the format Frappe 15 loads)."""
	path = package_root / "translations" / f"{lang}.csv"
	with path.open(encoding="utf-8", newline="") as handle:
		return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2 and row[0]}


def python_strings(source: str) -> list[str]:
	found = []
	for node in ast.walk(ast.parse(source)):
		if not isinstance(node, ast.Call) or not node.args:
			continue
		func = node.func
		name = (
			func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
		)
		is_frappe_attr = (
			isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "frappe"
		)
		if (name in _PY_FUNCS and (isinstance(func, ast.Name) or is_frappe_attr)) and isinstance(
			node.args[0], ast.Constant
		):
			if isinstance(node.args[0].value, str):
				found.append(node.args[0].value)
	return found


def js_strings(source: str) -> list[str]:
	return [m.group(2) for m in _JS_CALL.finditer(source)]


def html_strings(source: str) -> list[str]:
	return [m.group(2) for m in _HTML_CALL.finditer(source)]


def _select_options(df: dict) -> list[str]:
	if df.get("fieldtype") != "Select" or not df.get("options"):
		return []
	return [line for line in df["options"].split("\n") if line.strip() and not line.strip().isdigit()]


def field_strings(fields: Iterable[dict]) -> list[str]:
	out = []
	for df in fields:
		out += [df[k] for k in ("label", "description") if df.get(k)]
		out += _select_options(df)
	return out


def json_strings(data: dict) -> list[str]:
	kind = data.get("doctype")
	if kind == "DocType":
		return [data["name"], *field_strings(data.get("fields", []))]
	if kind == "Report":
		return [data["name"]]
	if kind == "Workspace":
		out = [data.get("label") or data["name"]]
		out += [link["label"] for link in data.get("links", []) if link.get("label")]
		out += [s["label"] for s in data.get("shortcuts", []) if s.get("label")]
		out += [c["label"] for c in data.get("charts", []) if c.get("label")]
		out += [n["label"] for n in data.get("number_cards", []) if n.get("label")]
		return out
	if kind == "Workflow":
		return [
			*(row["state"] for row in data.get("states", [])),
			*(row["action"] for row in data.get("transitions", [])),
			*(row["message"] for row in data.get("states", []) if row.get("message")),
		]
	return []


def app_strings(package_root: Path = APP_DIR) -> dict[str, str]:
	"""Every translatable string → the first file it was found in."""
	found: dict[str, str] = {}

	def add(strings: Iterable[str], where: str) -> None:
		for text in strings:
			found.setdefault(text, where)

	for path in sorted(package_root.rglob("*")):
		rel = str(path.relative_to(package_root.parent))
		if path.suffix == ".py":
			add(python_strings(path.read_text(encoding="utf-8")), rel)
		elif path.suffix == ".js":
			add(js_strings(path.read_text(encoding="utf-8")), rel)
		elif path.suffix == ".html":
			add(html_strings(path.read_text(encoding="utf-8")), rel)
		elif path.suffix == ".json":
			add(json_strings(json.loads(path.read_text(encoding="utf-8"))), rel)
	return found


def missing_translations(strings: dict[str, str], catalogue: dict[str, str]) -> list[str]:
	"""Problems: a string with no entry, or whose entry is empty or just the English text."""
	problems = []
	for text, where in sorted(strings.items()):
		translated = catalogue.get(text)
		if translated is None:
			problems.append(f"{where}: no translation for {text!r}")
		elif not translated.strip() or translated.strip() == text.strip():
			problems.append(f"{where}: translation of {text!r} is just the English text")
	return problems

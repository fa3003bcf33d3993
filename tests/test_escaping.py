"""Static checks that the app's templates and desk scripts print data only escaped, and that every one
of its doctypes escapes its free text before a print. Each check is also fed a broken fixture."""

import json
import re
from pathlib import Path

import pytest

from order_online.setup.custom_fields import CUSTOM_FIELDS

APP = Path(__file__).resolve().parent.parent / "order_online"
TEMPLATES = sorted([*APP.glob("www/**/*.html"), *APP.glob("templates/**/*.html")])
SCRIPTS = sorted([*APP.glob("public/js/*.js"), *APP.glob("order_online/doctype/*/*.js")])
TEXT_TYPES = {"Data", "Small Text", "Text", "Long Text"}
ESCAPERS = ("frappe.utils.escape_html(", "order_online.as_text(")


# Jinja: {{ ... }} -------------------------------------------------------------------------------

_OUTPUT = re.compile(r"{{-?(.*?)-?}}", re.S)
_FILTERED = re.compile(r"^(?P<expr>.*?)\|\s*(e|escape)\s*$", re.S)
_LITERAL_TRANSLATION = re.compile(r"""^_\(\s*("[^"]*"|'[^']*')\s*\)$""")


def _top_level(expr: str) -> str:
	"""``expr`` without what is inside brackets and quotes (where an operator binds no filter)."""
	out, depth, quote = [], 0, None
	for char in expr:
		if quote:
			quote = None if char == quote else quote
		elif char in "\"'":
			quote = char
		elif char in "([{":
			depth += 1
		elif char in ")]}":
			depth -= 1
		elif depth == 0:
			out.append(char)
	return "".join(out)


def unescaped_outputs(template: str) -> list[str]:
	"""Every ``{{ ... }}`` that may print data unescaped: not a translated literal, and not ending
	in ``| e`` applied to the whole expression (``a or b | e`` escapes only ``b``)."""
	bad = []
	for match in _OUTPUT.finditer(template):
		expr = match.group(1).strip()
		if _LITERAL_TRANSLATION.match(expr):
			continue
		filtered = _FILTERED.match(expr)
		top = _top_level(filtered.group("expr")) if filtered else ""
		if not filtered or re.search(r"\b(or|and|if|else|not)\b|[~+|]", top):
			bad.append(expr)
	return bad


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(APP)))
def test_every_template_output_is_escaped(path):
	assert unescaped_outputs(path.read_text(encoding="utf-8")) == []


def test_the_template_check_catches_what_is_not_escaped():
	template = """
	{{ _("Title") }} {{ doc.note | e }} {{ (doc.a or "") | e }} {{ _("On {0}").format(x) | e }}
	{{ doc.note }} {{ doc.a or "" | e }} {{ _("On {0}").format(x) }} {{ doc.b|safe }} {{ 'x' if a else b | e }}
	"""
	assert unescaped_outputs(template) == [
		"doc.note",
		'doc.a or "" | e',
		'_("On {0}").format(x)',
		"doc.b|safe",
		"'x' if a else b | e",
	]


def test_the_templates_are_found():
	assert APP / "www" / "parcels.html" in TEMPLATES


# JavaScript: ${...} in HTML and "<...>" + ... -----------------------------------------------------


def _template_literals(source: str):
	"""(text, [interpolations]) of every backtick literal, ${...} nesting included."""
	i = 0
	while (start := source.find("`", i)) != -1:
		i, text, parts = start + 1, [], []
		while i < len(source) and source[i] != "`":
			if source.startswith("${", i):
				depth, j = 1, i + 2
				while depth:
					depth += {"{": 1, "}": -1}.get(source[j], 0)
					j += 1
				parts.append(source[i + 2 : j - 1].strip())
				i = j
			else:
				text.append(source[i])
				i += 1
		i += 1
		yield "".join(text), parts


def _escaped(expr: str, source: str) -> bool:
	if expr.startswith(ESCAPERS) and expr.endswith(")"):
		return True
	# a name bound to an escaped value (const text = frappe.utils.escape_html(...))
	return bool(
		re.fullmatch(r"\w+", expr)
		and re.search(
			rf"\b(const|let)\s+{expr}\s*=\s*(frappe\.utils\.escape_html|order_online\.as_text)\(", source
		)
	)


_HTML_CONCAT = re.compile(r"""(["'])<[^"']*\1\s*\+\s*(?P<operand>[^;,\n]+)""")


def unescaped_interpolations(source: str) -> list[str]:
	"""What goes into HTML without ``frappe.utils.escape_html``: a ``${...}`` in a backtick literal
	holding a tag, or the operand after ``"<tag>" +``."""
	bad = [
		expr
		for text, parts in _template_literals(source)
		if "<" in text
		for expr in parts
		if not _escaped(expr, source)
	]
	for match in _HTML_CONCAT.finditer(source):
		operand = match.group("operand").strip().rstrip(")").strip()
		if not (_escaped(operand, source) or operand.startswith(ESCAPERS) or operand[:1] in "\"'"):
			bad.append(operand)
	return bad


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(APP)))
def test_every_interpolation_into_html_is_escaped(path):
	assert unescaped_interpolations(path.read_text(encoding="utf-8")) == []


def test_the_script_check_catches_what_is_not_escaped():
	source = """
	const text = frappe.utils.escape_html(value);
	const a = `<b>${frappe.utils.escape_html(doc.note)}</b> ${text}`;
	const b = `<span class="${colour}">${__(value)}</span>`;
	const c = `order_online.api.${method}`;  // no tag: not HTML
	frm.set_intro("x" + ("<br>" + order_online.as_text(doc.summary)));
	frm.set_intro("x" + ("<br>" + doc.summary));
	"""
	assert unescaped_interpolations(source) == ["colour", "__(value)", "doc.summary"]


def test_the_scripts_are_found():
	assert APP / "public" / "js" / "sales_order.js" in SCRIPTS


def test_the_forms_show_every_free_text_field_as_text():
	source = (APP / "public" / "js" / "free_text.js").read_text(encoding="utf-8")
	shown = json.loads(
		re.sub(
			r",(\s*[}\]])", r"\1", re.search(r"order_online\.FREE_TEXT = (\{.*?\});", source, re.S).group(1)
		)
	)
	for doctype in (*SHOWN_ON, *(f"{doctype} Item" for doctype in SHOWN_ON)):
		text_fields = [df["fieldname"] for df in CUSTOM_FIELDS[doctype] if df["fieldtype"] in TEXT_TYPES]
		assert sorted(shown[doctype]) == sorted(text_fields), doctype


SHOWN_ON = ("Sales Order", "Delivery Note", "Pick List")


def test_the_free_text_script_loads_on_each_form_first():
	namespace: dict = {}
	exec((APP / "hooks.py").read_text(encoding="utf-8"), namespace)
	for doctype in SHOWN_ON:
		scripts = namespace["doctype_js"][doctype]
		scripts = [scripts] if isinstance(scripts, str) else scripts
		assert scripts[0] == "public/js/free_text.js", doctype
		assert "before_print" in namespace["doc_events"][doctype], doctype


# Prints: every doctype of the app escapes its text before printing ------------------------------


def _doctypes_with_text():
	for path in sorted(APP.glob("order_online/doctype/*/*.json")):
		meta = json.loads(path.read_text(encoding="utf-8"))
		if meta.get("istable") or meta.get("issingle"):
			continue  # rows print with their parent; a single has no text field to print
		if any(df["fieldtype"] in TEXT_TYPES for df in meta["fields"]):
			yield meta["name"], path.with_suffix(".py")


def escapes_before_print(controller_source: str) -> bool:
	return bool(
		re.search(r"def before_print\(self[^)]*\):\s*\n\s*escape_free_text\(self\)", controller_source)
	)


@pytest.mark.parametrize("doctype,controller", list(_doctypes_with_text()), ids=lambda v: str(v)[:40])
def test_every_doctype_with_text_escapes_it_before_a_print(doctype, controller):
	assert escapes_before_print(controller.read_text(encoding="utf-8")), doctype


def test_the_print_check_catches_a_controller_without_it():
	assert escapes_before_print(
		"class A(Document):\n\tdef before_print(self, settings=None):\n\t\tescape_free_text(self)\n"
	)
	assert not escapes_before_print("class A(Document):\n\tdef validate(self):\n\t\tpass\n")
	assert len(list(_doctypes_with_text())) >= 8

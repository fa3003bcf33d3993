"""Every user-facing string has a real Chinese translation in the catalogue Frappe loads."""

from order_online.domain import order_rules
from order_online.domain.errors import TEMPLATE_PROBLEMS, all_error_types
from order_online.setup.custom_fields import CUSTOM_FIELDS
from order_online.setup.roles import role_names
from tests import translations as tr


def all_app_strings() -> dict[str, str]:
	strings = tr.app_strings()
	for cls in all_error_types():
		strings.setdefault(cls.template, f"order_online/domain/errors.py:{cls.__name__}")
	for doctype, fields in CUSTOM_FIELDS.items():
		for text in tr.field_strings(fields):
			strings.setdefault(text, f"order_online/setup/custom_fields.py:{doctype}")
	for role in role_names():
		strings.setdefault(role, "order_online/setup/roles.py")
	# Vocabulary the domain puts into messages (row and field names, template problems).
	vocabulary = [order_rules.ROW_LABEL, *order_rules.FIELD_LABELS.values(), *TEMPLATE_PROBLEMS]
	for text in vocabulary:
		strings.setdefault(text, "order_online/domain")
	return strings


def test_strings_are_found_in_every_kind_of_source():
	strings = all_app_strings()
	assert "Order Channel" in strings  # DocType JSON
	assert "Shipping Region" in strings  # custom field label
	assert "No shipping region matches the address in {country}." in strings  # domain error


def test_every_string_has_a_chinese_translation():
	assert tr.missing_translations(all_app_strings(), tr.load_translations("zh")) == []


def test_extractors_read_each_source_kind():
	source = 'from frappe import _\nx = _("Hello {0}").format(1)\ny = frappe._("Bye")\nz = other._("no")'
	assert sorted(tr.python_strings(source)) == ["Bye", "Hello {0}"]
	assert tr.js_strings("frm.set_intro(__('Held for approval')); __(\"Go\", [1]); x.__('no')") == [
		"Held for approval",
		"Go",
	]
	assert tr.html_strings('<h1>{{ _("My Orders") }}</h1> {{ row._("x") }}') == ["My Orders"]
	dt = {
		"doctype": "DocType",
		"name": "Demo",
		"fields": [{"label": "A", "fieldtype": "Select", "options": "\nX\nY"}],
	}
	assert tr.json_strings(dt) == ["Demo", "A", "X", "Y"]


def test_missing_and_untranslated_entries_are_reported():
	strings = {"Order Channel": "a.json", "Region": "b.json", "Ok": "c.py"}
	problems = tr.missing_translations(strings, {"Order Channel": "订单渠道", "Region": "Region"})
	assert len(problems) == 2
	assert any("no translation for 'Ok'" in p for p in problems)
	assert any("'Region' is just the English text" in p for p in problems)

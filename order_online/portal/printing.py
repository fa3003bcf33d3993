"""Prints show the app's free text as text.

Frappe's standard print format puts a text field's value into the page as HTML (``format_value`` only
turns its newlines into ``<br>``). What keeps a stored ``<script>`` out is Frappe's sanitising on
save, and that skips fields marked *Ignore XSS Filter*, a document inserted as submitted and
whatever is written with ``db_set``. So before a print the app escapes its own free-text fields on
the document being printed (a copy loaded for the print; nothing is saved): every text field of the
app's doctypes, and its custom text fields on ERPNext's (packaging, marking, specification, approval
and allocation notes).
"""

from frappe.utils import escape_html

from order_online.setup.custom_fields import CUSTOM_FIELDS, MODULE

# Code fields are left out: the standard print shows them escaped in a <pre> itself.
TEXT_TYPES = frozenset({"Data", "Small Text", "Text", "Long Text"})
# (doctype, fieldname) of the app's custom text fields on other apps' doctypes
CUSTOM_TEXT_FIELDS = frozenset(
	(doctype, df["fieldname"])
	for doctype, fields in CUSTOM_FIELDS.items()
	for df in fields
	if df["fieldtype"] in TEXT_TYPES
)


def escape_free_text(doc, method=None, settings=None) -> None:
	"""``before_print``: the app's free-text fields of ``doc`` and of its rows, escaped."""
	for row in (doc, *doc.get_all_children()):
		apps_doctype = row.meta.module == MODULE
		for df in row.meta.fields:
			value = row.get(df.fieldname)
			if (
				isinstance(value, str)
				and df.fieldtype in TEXT_TYPES
				and (apps_doctype or (row.doctype, df.fieldname) in CUSTOM_TEXT_FIELDS)
			):
				row.set(df.fieldname, escape_html(value))

"""Only the app writes the fields that record its decisions (``order_online.domain.app_owned``).

Every save of a Sales Order or Delivery Note starts here, whatever path it came by (form,
``/api/resource``, ``frappe.client.set_value`` / ``save``, bulk edit, Data Import): the app's fields
are set back to what is stored before anything else runs, so a user's value never reaches the
database or the rules that read it. The app itself writes them afterwards (allocation on submit) or
with ``db_set`` (approval, tracking), which no hook sees. A desk form opened before a background
update sends the old values back; restoring the stored ones is the right answer there too.

Each refused change to a stored document is told to the user and recorded as an Activity Log row
on the document (in its timeline): who, from which address, which field, the stored and the sent
value. A new document simply starts with these fields empty: server-side copies (an amendment,
Auto Repeat, ``frappe.copy_doc``) carry them, and a new document has no decision to protect yet.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import frappe
from frappe import _

from order_online.domain import app_owned as domain
from order_online.domain.app_owned import Change
from order_online.domain.errors import AppOwnedDocument, AppOwnedField


@contextmanager
def app_writes() -> Iterator[None]:
	"""The app's own code writing its records (Shipment Tracking, alerts, approval log)."""
	frappe.local.order_online_writes = getattr(frappe.local, "order_online_writes", 0) + 1
	try:
		yield
	finally:
		frappe.local.order_online_writes -= 1


def app_is_writing() -> bool:
	return getattr(frappe.local, "order_online_writes", 0) > 0


def _values(row, fields) -> dict:
	return {field: _field_value(row, field) for field in fields}


def _field_value(row, field):
	value = row.get(field)
	if isinstance(value, list):  # a child table: its rows' own fields, in order
		return [child.as_dict(no_default_fields=True, no_child_table_fields=True) for child in value]
	return value


def restore_stored(doc, method=None) -> None:
	"""First step of every save of an ERPNext document the app keeps fields on: the stored values of
	the app's fields win (nothing stored: a new document, where they start empty)."""
	if app_is_writing():
		return
	stored = doc.get_doc_before_save()
	refused = _restore(doc, domain.ON_ERPNEXT_DOCTYPES.get(doc.doctype, ()), stored)
	for df in doc.meta.get_table_fields():
		fields = domain.ON_ERPNEXT_DOCTYPES.get(df.options)
		if not fields:
			continue
		stored_rows = {row.name: row for row in (stored.get(df.fieldname) if stored else [])}
		for row in doc.get(df.fieldname):
			refused += _restore(row, fields, stored_rows.get(row.name))
	if refused and stored:  # a new document starts empty, silently: copies (amend, Auto Repeat) carry them
		report(doc, refused)


def _restore(row, fields, stored) -> list[Change]:
	"""Set ``fields`` of ``row`` back to ``stored`` (nothing stored: empty); the changes refused."""
	if not fields:
		return []
	refused = domain.changes(fields, _values(stored, fields) if stored else None, _values(row, fields))
	for field in fields:  # all of them: a datetime sent back as text is stored as it was read
		value = stored.get(field) if stored else None
		if isinstance(row.get(field), list):  # a child table: the stored rows again
			value = [child.as_dict() for child in value or []]
		row.set(field, value)
	return refused


def keep_state(doc, fields) -> None:
	"""The app's own doctypes: a user may save what they may enter, never the state fields."""
	if app_is_writing():
		return
	stored = doc.get_doc_before_save()
	refused = _restore(doc, fields, stored)
	if refused and stored:
		report(doc, refused)


def refuse_outside_app(doc, action: str) -> None:
	"""Records only the app writes (alerts, the approval log): anyone else is refused, and logged."""
	if app_is_writing():
		return
	_log(doc, [Change(action, None, None)], after_rollback=True)
	frappe.throw(AppOwnedDocument(doctype=_(doc.doctype)).render(_), frappe.PermissionError)


def report(doc, refused: list[Change]) -> None:
	labels = [_(doc.meta.get_label(c.fieldname)) for c in refused]
	frappe.msgprint(
		AppOwnedField(fields=labels, doctype=_(doc.doctype), name=doc.name or "").render(_),
		indicator="orange",
		alert=False,
	)
	_log(doc, refused)


def _log(doc, refused: list[Change], after_rollback: bool = False) -> None:
	parent = doc.get("parent_doc") or doc
	values = {
		"doctype": "Activity Log",
		"subject": _("Order Online refused a change to {0} of {1} {2} by {3}").format(
			", ".join(c.fieldname for c in refused), _(doc.doctype), doc.name or "", frappe.session.user
		)[:1000],
		"content": "<br>".join(
			frappe.utils.escape_html(f"{c.fieldname}: {c.stored!r} -> {c.sent!r}"[:500]) for c in refused
		),
		"reference_doctype": parent.doctype,
		"reference_name": None if parent.is_new() else parent.name,  # a refused new record never exists
		"user": frappe.session.user,
		"ip_address": getattr(frappe.local, "request_ip", None),
		"communication_date": frappe.utils.now_datetime(),
	}
	frappe.logger("order_online").warning(values["subject"])
	if after_rollback and getattr(frappe.local, "request", None):
		# the request is about to fail and be rolled back: write the row after that, on its own
		frappe.db.after_rollback.add(lambda: _insert_and_commit(values))
	else:
		_insert(values)


def _insert(values: dict) -> None:
	frappe.get_doc(values).insert(ignore_permissions=True)


def _insert_and_commit(values: dict) -> None:
	_insert(values)
	frappe.db.commit()  # nosemgrep: frappe-manual-commit -- the refused request was rolled back; this row stands alone

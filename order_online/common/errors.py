"""Turn domain errors into translated ``frappe.ValidationError``s: the one bridge from domain to desk."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import frappe
from frappe import _

from order_online.domain.errors import DomainError


def throw(error: DomainError, title: str | None = None) -> None:
	"""Show ``error`` to the user in their language; raises ``frappe.ValidationError``."""
	frappe.throw(error.render(_), frappe.ValidationError, title=title)


def throw_all(errors: Iterable[DomainError], title: str | None = None) -> None:
	"""Show several problems in one message (so the user fixes them in one pass)."""
	messages = [error.render(_) for error in errors]
	if messages:
		frappe.throw("<br>".join(messages), frappe.ValidationError, title=title)


@contextmanager
def domain_errors_as_validation(title: str | None = None) -> Iterator[None]:
	"""Let a block call the domain; its errors reach the user as a clear message, not a traceback."""
	try:
		yield
	except DomainError as error:
		throw(error, title)

"""Turn domain errors into translated ``frappe.ValidationError``s: the one bridge from domain to desk."""

from collections.abc import Iterator
from contextlib import contextmanager

import frappe
from frappe import _

from order_online.domain.errors import DomainError


def throw(error: DomainError, title: str | None = None) -> None:
	"""Show ``error`` to the user in their language; raises ``frappe.ValidationError``."""
	frappe.throw(error.render(_), frappe.ValidationError, title=title)


@contextmanager
def domain_errors_as_validation(title: str | None = None) -> Iterator[None]:
	"""Let a block call the domain; its errors reach the user as a clear message, not a traceback."""
	try:
		yield
	except DomainError as error:
		throw(error, title)

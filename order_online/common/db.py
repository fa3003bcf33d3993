"""One attempt that may fail without sinking the transaction around it."""

import frappe


class attempt:
	"""``with attempt("name", SomeError) as tried:`` runs the block behind a savepoint.

	When the block raises one of ``errors``, the database goes back to the savepoint, the message the
	failure queued for the user is dropped (the caller says what matters instead), and
	``tried.error`` holds the exception; any other exception propagates as usual.
	"""

	def __init__(self, name: str, *errors: type[BaseException]):
		self.name, self.errors, self.error = name, errors or (frappe.ValidationError,), None

	def __enter__(self) -> "attempt":
		frappe.db.savepoint(self.name)
		return self

	def __exit__(self, kind, error, traceback) -> bool:
		if kind is None or not issubclass(kind, self.errors):
			return False
		frappe.db.rollback(save_point=self.name)
		frappe.clear_last_message()
		self.error = error
		return True

"""Read access to Order Online Settings for the rest of the app (cached per site)."""

import frappe


def get_settings():
	return frappe.get_cached_doc("Order Online Settings")


def is_enabled() -> bool:
	"""The master switch: off means the app's hooks leave ERPNext documents untouched."""
	return bool(get_settings().enabled)

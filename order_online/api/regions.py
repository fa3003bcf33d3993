"""Whitelisted calls for shipping regions."""

import frappe

from order_online.order_entry.regions import load_region_set


@frappe.whitelist()
def load_china_provinces() -> list[str]:
	"""Create China and its provincial-level regions (those not there yet)."""
	frappe.only_for(("System Manager", "Order Online Manager"))
	return load_region_set("china")

import frappe
from frappe.utils.nestedset import NestedSet

from order_online.common.errors import domain_errors_as_validation
from order_online.domain.region import CITY, COUNTRY, RegionTree
from order_online.order_entry.regions import clear_region_cache, load_region_rows, region_from_row
from order_online.portal.printing import escape_free_text


class ShippingRegion(NestedSet):
	nsm_parent_field = "parent_shipping_region"

	def validate(self):
		self.set_is_group()
		self.clear_country_below_country_level()
		self.validate_tree()

	def set_is_group(self):
		# Countries and provinces hold children; cities are leaves.
		self.is_group = 0 if self.region_type == CITY else 1

	def clear_country_below_country_level(self):
		# Frappe fills Country links with the system default; only a Country region names one.
		if self.region_type != COUNTRY:
			self.country = None

	def validate_tree(self):
		"""The whole tree with this region in it must still resolve addresses unambiguously."""
		rows = [row for row in load_region_rows() if row.name != self.name]
		rows.append(frappe._dict(self.as_dict()))
		with domain_errors_as_validation():
			RegionTree(region_from_row(row) for row in rows)

	def on_update(self):
		super().on_update()
		clear_region_cache()

	def after_rename(self, old, new, merge=False):
		clear_region_cache()

	def on_trash(self):
		super().on_trash()
		clear_region_cache()

	def before_print(self, settings=None):
		escape_free_text(self)

import frappe

from order_online.order_entry.regions import region_for_address, resolve_region
from order_online.tests.factories import TEST_PREFIX, make_address, make_china_regions, make_customer
from order_online.tests.utils import OrderTestCase


class TestShippingRegion(OrderTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_china_regions()

	def test_address_gets_its_region_from_local_spellings(self):
		address = make_address(make_customer(), "China", "广东省", "深圳市")
		self.assertEqual(
			frappe.db.get_value("Address", address, "oo_shipping_region"), f"{TEST_PREFIX} Shenzhen"
		)
		self.assertEqual(region_for_address(address), f"{TEST_PREFIX} Shenzhen")

	def test_unknown_city_lands_in_its_province(self):
		self.assertEqual(resolve_region("China", "Guangdong", "Dongguan"), f"{TEST_PREFIX} Guangdong")

	def test_unknown_country_has_no_region(self):
		self.assertIsNone(resolve_region("Iceland", "", "Reykjavik"))

	def test_tree_is_kept_in_order(self):
		self.assertEqual(frappe.db.get_value("Shipping Region", f"{TEST_PREFIX} Guangdong", "is_group"), 1)
		self.assertEqual(frappe.db.get_value("Shipping Region", f"{TEST_PREFIX} Shenzhen", "is_group"), 0)

	def test_province_without_parent_is_a_clear_error(self):
		doc = frappe.get_doc(
			{"doctype": "Shipping Region", "region_name": "_OO Orphan", "region_type": "Province"}
		)
		with self.assertRaises(frappe.ValidationError) as err:
			doc.insert()
		self.assertIn("needs a parent region", str(err.exception))

	def test_clashing_alias_is_refused_in_chinese(self):
		doc = frappe.get_doc(
			{
				"doctype": "Shipping Region",
				"region_name": "_OO Clash",
				"region_type": "City",
				"parent_shipping_region": f"{TEST_PREFIX} Guangdong",
				"aliases": "深圳",
			}
		)
		frappe.local.lang = "zh"
		try:
			with self.assertRaises(frappe.ValidationError) as err:
				doc.insert()
		finally:
			frappe.local.lang = "en"
		self.assertIn("同时被", str(err.exception))

	def test_new_region_is_used_at_once(self):
		# The cached tree is cleared on save, so a new city resolves immediately.
		self.assertEqual(resolve_region("China", "广东", "珠海"), f"{TEST_PREFIX} Guangdong")
		from order_online.tests.factories import make_region

		make_region(f"{TEST_PREFIX} Zhuhai", "City", f"{TEST_PREFIX} Guangdong", aliases="珠海")
		self.assertEqual(resolve_region("China", "广东", "珠海"), f"{TEST_PREFIX} Zhuhai")


class TestChinaRegionSet(OrderTestCase):
	def test_china_set_resolves_autonomous_regions_and_is_idempotent(self):
		from order_online.order_entry.regions import load_region_set

		created = load_region_set("china")
		self.assertEqual(len(created), 35)  # China and its 34 provincial-level regions
		self.assertEqual(load_region_set("china"), [])  # second run creates nothing
		self.assertEqual(resolve_region("China", "广西壮族自治区", "南宁市"), "Guangxi")
		self.assertEqual(resolve_region("China", "新疆维吾尔自治区", ""), "Xinjiang")
		self.assertEqual(resolve_region("China", "Hong Kong SAR", ""), "China")  # unknown spelling: country
		self.assertEqual(resolve_region("China", "香港特别行政区", ""), "Hong Kong")

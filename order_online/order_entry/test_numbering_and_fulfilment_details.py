"""Order numbers from templates, specifications and packaging that follow the order."""

import multiprocessing

import frappe
from erpnext.selling.doctype.sales_order.sales_order import create_pick_list, make_delivery_note
from frappe.utils import add_months, getdate, nowdate

from order_online.order_entry.numbering import clear_template_cache, prepare_series
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_channel,
	make_customer,
	make_item,
	make_sales_order,
	set_settings,
)
from order_online.tests.utils import OrderTestCase


def make_template(template: str, channel: str | None = None) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Order Number Template",
			"company": get_company(),
			"order_channel": channel,
			"template": template,
		}
	).insert(ignore_permissions=True)
	return doc.name


class TestOrderNumbers(OrderTestCase):
	def setUp(self):
		set_settings(enabled=1, apply_number_templates=1)
		frappe.db.delete("Order Number Template")
		clear_template_cache()
		self.abbr = frappe.get_cached_value("Company", get_company(), "abbr")
		self.channel = make_channel(f"{TEST_PREFIX} Number Shop", code="NUM")

	def tearDown(self):
		# The cache outlives the test's rolled-back templates.
		clear_template_cache()

	def test_channel_template_numbers_the_order(self):
		make_template("SO-{company abbr}-{channel}-{YYYY}{MM}-{#####}", self.channel)
		so = make_sales_order(oo_order_channel=self.channel)
		period = getdate(nowdate()).strftime("%Y%m")
		self.assertRegex(so.name, rf"^SO-{self.abbr}-NUM-{period}-\d{{5}}$")

	def test_order_date_decides_the_period_and_the_counter_restarts(self):
		make_template("T-{YY}{MM}-{###}", self.channel)
		later = add_months(nowdate(), 2)
		first = make_sales_order(oo_order_channel=self.channel, transaction_date=later, delivery_date=later)
		second = make_sales_order(oo_order_channel=self.channel, transaction_date=later, delivery_date=later)
		self.assertEqual(first.name, f"T-{getdate(later).strftime('%y%m')}-001")
		self.assertEqual(second.name, f"T-{getdate(later).strftime('%y%m')}-002")
		now = make_sales_order(oo_order_channel=self.channel)
		self.assertEqual(now.name, f"T-{getdate(nowdate()).strftime('%y%m')}-001")

	def test_order_made_from_a_quotation_is_numbered_the_same_way(self):
		from erpnext.selling.doctype.quotation.quotation import make_sales_order as quotation_to_order

		make_template("Q-{YYYY}-{#####}")
		quotation = frappe.get_doc(
			{
				"doctype": "Quotation",
				"quotation_to": "Customer",
				"party_name": make_customer(),
				"company": get_company(),
				"items": [{"item_code": make_item(f"{TEST_PREFIX}-ITEM-1"), "qty": 2, "rate": 50}],
			}
		).insert()
		quotation.submit()
		so = quotation_to_order(quotation.name)
		so.delivery_date = add_months(nowdate(), 1)
		so.items[0].warehouse = get_warehouse(get_company())
		so.insert()
		self.assertTrue(so.name.startswith(f"Q-{getdate(nowdate()).year}-"), so.name)

	def test_company_template_for_channels_without_their_own(self):
		make_template("GEN-{#####}")
		other = make_channel(f"{TEST_PREFIX} Other Shop", code="OTH")
		self.assertTrue(make_sales_order(oo_order_channel=other).name.startswith("GEN-"))

	def test_without_template_erpnext_numbering_stays(self):
		so = make_sales_order()
		self.assertTrue(
			so.name.startswith(
				frappe.get_meta("Sales Order").get_field("naming_series").options.split("\n")[0].split(".")[0]
			)
		)

	def test_bad_template_is_refused_with_its_problem(self):
		with self.assertRaises(frappe.ValidationError) as err:
			make_template("SO-{#####}-{YYYY}")
		self.assertIn("the counter must come last", str(err.exception))

	def test_one_template_per_company_and_channel(self):
		make_template("A-{#####}", self.channel)
		with self.assertRaises(frappe.ValidationError):
			make_template("B-{#####}", self.channel)


def _insert_numbered_order(site: str, customer: str, channel: str) -> str:
	"""Runs in a separate process: one order, committed."""
	frappe.init(site=site)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		name = make_sales_order(customer, oo_order_channel=channel).name
		frappe.db.commit()
		return name
	finally:
		frappe.destroy()


class TestConcurrentNumbers(OrderTestCase):
	"""Commits on purpose (other processes must see the template); cleans up after itself."""

	def test_concurrent_inserts_never_repeat_a_number(self):
		set_settings(enabled=1, apply_number_templates=1)
		channel = make_channel(f"{TEST_PREFIX} Rush Shop", code="RUSH")
		customer = make_customer(f"{TEST_PREFIX} Rush Customer")
		for i in range(1, 6):
			make_item(f"{TEST_PREFIX}-ITEM-{i}")
		template = make_template("RUSH-{YYYY}-{#####}", channel)
		frappe.db.commit()
		prepare_series([template])  # what saving the template queues (and the daily job repeats)
		self.assertTrue(frappe.db.exists("Series", f"RUSH-{frappe.utils.getdate().year}-"))
		names = []
		try:
			with multiprocessing.get_context("spawn").Pool(4) as pool:
				names = pool.starmap(_insert_numbered_order, [(frappe.local.site, customer, channel)] * 12)
			self.assertEqual(len(names), 12)
			self.assertEqual(len(set(names)), 12, names)
			self.assertTrue(all(name.startswith("RUSH-") for name in names))
		finally:
			frappe.db.commit()  # a fresh snapshot: the orders the other processes committed
			for name in frappe.get_all("Sales Order", filters={"customer": customer}, pluck="name"):
				frappe.delete_doc("Sales Order", name, force=True, ignore_permissions=True)
			frappe.delete_doc("Order Number Template", template, force=True, ignore_permissions=True)
			frappe.db.delete("Series", {"name": ("like", "RUSH-%")})
			frappe.db.commit()


class TestDetailsFollowTheOrder(OrderTestCase):
	def setUp(self):
		set_settings(enabled=1)
		if not frappe.db.exists("Packaging Type", "_OO Carton"):
			frappe.get_doc({"doctype": "Packaging Type", "packaging_type_name": "_OO Carton"}).insert()

	def test_packaging_and_spec_reach_pick_list_and_delivery_note(self):
		for i in range(1, 6):
			add_stock(make_item(f"{TEST_PREFIX}-ITEM-{i}"), get_warehouse(get_company()), 5)
		so = make_sales_order(
			oo_packaging_type="_OO Carton",
			oo_marking_text="THIS SIDE UP",
			oo_fragile=1,
			oo_temperature_requirement="Chilled (2-8 °C)",
		)
		so.items[0].oo_item_spec = "Blue, 2 m"
		so.items[0].oo_line_packaging_type = "_OO Carton"
		so.items[0].oo_line_fragile = 1
		so.save()
		so.submit()
		dn = make_delivery_note(so.name)
		self.assertEqual(
			(dn.oo_packaging_type, dn.oo_marking_text, dn.oo_fragile), ("_OO Carton", "THIS SIDE UP", 1)
		)
		self.assertEqual(dn.oo_temperature_requirement, "Chilled (2-8 °C)")
		self.assertEqual((dn.items[0].oo_item_spec, dn.items[0].oo_line_fragile), ("Blue, 2 m", 1))
		pick_list = create_pick_list(so.name)
		self.assertEqual(pick_list.oo_marking_text, "THIS SIDE UP")
		self.assertEqual(pick_list.locations[0].oo_item_spec, "Blue, 2 m")

	def test_variant_attributes_fill_the_specification(self):
		variant = _make_variant()
		so = make_sales_order(items=[(variant, 1, 10)])
		self.assertEqual(so.items[0].oo_item_spec, "_OO Colour: Blue")

	def test_packaging_fields_print_on_the_order(self):
		so = make_sales_order(oo_marking_text="HANDLE WITH CARE")
		html = frappe.get_print("Sales Order", so.name, doc=so)
		self.assertIn("HANDLE WITH CARE", html)


def _make_variant() -> str:
	if not frappe.db.exists("Item Attribute", "_OO Colour"):
		frappe.get_doc(
			{
				"doctype": "Item Attribute",
				"attribute_name": "_OO Colour",
				"item_attribute_values": [{"attribute_value": "Blue", "abbr": "BLU"}],
			}
		).insert()
	template = f"{TEST_PREFIX}-SHIRT"
	if not frappe.db.exists("Item", template):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": template,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}),
				"stock_uom": "Nos",
				"has_variants": 1,
				"attributes": [{"attribute": "_OO Colour"}],
			}
		).insert()
	from erpnext.controllers.item_variant import create_variant

	variant = f"{template}-BLU"
	if not frappe.db.exists("Item", variant):
		create_variant(template, {"_OO Colour": "Blue"}).insert()
	return variant

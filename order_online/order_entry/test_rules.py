"""Order entry on a real site: bad input, business rules, availability, packaging, specification."""

import frappe
from frappe.utils import add_days, nowdate

from order_online.api.order_entry import get_availability
from order_online.order_entry.rules import clear_rule_cache
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_purchase_order,
	make_rule,
	make_sales_order,
	make_warehouse,
	set_settings,
)
from order_online.tests.utils import OrderTestCase


def order_count() -> int:
	return frappe.db.count("Sales Order", {"customer": make_customer()})


class TestBadInput(OrderTestCase):
	def setUp(self):
		set_settings(enabled=1)
		self.item = make_item(f"{TEST_PREFIX}-ENTRY-1")

	def assert_refused(self, fragment, **values):
		before = order_count()
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order(**values)
		self.assertIn(fragment, str(err.exception))
		self.assertEqual(order_count(), before, "nothing may be saved")
		return str(err.exception)

	def test_zero_and_text_quantities_name_their_rows_at_once(self):
		message = self.assert_refused(
			"Row 2", items=[(self.item, 1, 10), (self.item, 0, 10), (self.item, "abc", 10)]
		)
		self.assertIn("Row 3", message)
		self.assertIn("(it is abc)", message)
		self.assertNotIn("Traceback", message)

	def test_negative_quantity(self):
		self.assert_refused("greater than 0", items=[(self.item, -2, 10)])

	def order_in_boxes(self):
		"""An order for the item in Box, a unit the item has no conversion for."""
		if not frappe.db.exists("UOM", "Box"):
			frappe.get_doc({"doctype": "UOM", "uom_name": "Box"}).insert()
		company = get_company()
		line = {
			"item_code": self.item,
			"qty": 1,
			"rate": 5,
			"uom": "Box",
			"warehouse": get_warehouse(company),
		}
		return frappe.get_doc(
			{
				"doctype": "Sales Order",
				"customer": make_customer(),
				"company": company,
				"delivery_date": add_days(nowdate(), 5),
				"items": [line],
			}
		)

	def test_unit_without_conversion(self):
		with self.assertRaises(frappe.ValidationError) as err:
			self.order_in_boxes().insert()
		self.assertIn("no conversion factor", str(err.exception))

	def test_unit_without_conversion_allowed_when_not_strict(self):
		set_settings(refuse_unconverted_units=0)
		try:
			so = self.order_in_boxes().insert()
			self.assertEqual(so.items[0].conversion_factor, 1)
		finally:
			set_settings(refuse_unconverted_units=1)

	def test_delivery_date_in_the_past(self):
		self.assert_refused("is in the past", delivery_date=add_days(nowdate(), -1))

	def test_disabled_and_frozen_customer(self):
		customer = make_customer(f"{TEST_PREFIX} Stopped Customer")
		frappe.db.set_value("Customer", customer, {"disabled": 1, "is_frozen": 1})
		message = self.assert_refused("is disabled", customer=customer)
		self.assertIn("is frozen", message)

	def test_unknown_item_is_a_clear_message(self):
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order(items=[("_OO-NO-SUCH-ITEM", 1, 10)])
		self.assertIn("_OO-NO-SUCH-ITEM", str(err.exception))

	def test_switched_off_app_checks_nothing(self):
		set_settings(enabled=0)
		so = make_sales_order(delivery_date=add_days(nowdate(), 3))
		self.assertTrue(so.name)


class TestBusinessRules(OrderTestCase):
	def setUp(self):
		set_settings(enabled=1)
		frappe.db.delete("Order Validation Rule")
		clear_rule_cache()

	def tearDown(self):
		# The cache outlives the test's rolled-back rules.
		clear_rule_cache()

	def test_minimum_amount_blocks(self):
		make_rule("_OO Min 10000", "Minimum Order Amount", amount=10000)
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order()  # 5 lines x 100
		self.assertIn("below the minimum", str(err.exception))

	def test_all_failing_rules_are_reported_together(self):
		make_rule("_OO Max 3", "Maximum Quantity per Line", max_qty=3)
		make_rule("_OO Contact", "Contact Required")
		item = make_item(f"{TEST_PREFIX}-ENTRY-1")
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order(items=[(item, 5, 10), (item, 1, 10), (item, 9, 10)])
		message = str(err.exception)
		for fragment in ("Row 1", "Row 3", "contact person is required"):
			self.assertIn(fragment, message)
		self.assertNotIn("Row 2", message)

	def test_warning_rule_lets_the_order_through(self):
		make_rule("_OO Min warn", "Minimum Order Amount", amount=10000, action="Warn")
		frappe.clear_messages()
		so = make_sales_order()
		self.assertTrue(frappe.db.exists("Sales Order", so.name))
		self.assertIn("below the minimum", str(frappe.message_log))

	def test_item_group_not_sold_to_territory(self):
		item = make_item(f"{TEST_PREFIX}-ENTRY-1")
		group = frappe.db.get_value("Item", item, "item_group")
		territory = frappe.db.get_value("Customer", make_customer(), "territory")
		make_rule("_OO Not here", "Item Not Sold To", scope_item_group=group, scope_territory=territory)
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order(items=[(item, 1, 10)])
		self.assertIn("is not sold to", str(err.exception))

	def test_earliest_delivery_from_item_lead_time_and_warehouse_dispatch_days(self):
		item = make_item(f"{TEST_PREFIX}-LEAD-1")
		frappe.db.set_value("Item", item, "lead_time_days", 2)
		warehouse = get_warehouse(get_company())
		frappe.db.set_value("Warehouse", warehouse, "oo_dispatch_days", 1)
		make_rule("_OO Lead time", "Earliest Delivery Date")
		with self.assertRaises(frappe.ValidationError) as err:
			make_sales_order(items=[(item, 1, 10)], delivery_date=add_days(nowdate(), 1))
		self.assertIn("too early", str(err.exception))
		# Three working days (plus any holidays of the company's list) later is fine.
		so = make_sales_order(items=[(item, 1, 10)], delivery_date=add_days(nowdate(), 30))
		self.assertTrue(so.name)

	def test_credit_limit_rule_warns_at_entry(self):
		customer = make_customer(f"{TEST_PREFIX} Credit Customer")
		doc = frappe.get_doc("Customer", customer)
		doc.set("credit_limits", [{"company": get_company(), "credit_limit": 100}])
		doc.save()
		make_rule("_OO Credit", "Credit Limit", action="Warn")
		frappe.clear_messages()
		so = make_sales_order(customer)  # 500 > 100
		self.assertTrue(so.name)
		self.assertIn("above the credit limit", str(frappe.message_log))

	def test_scope_fields_are_not_filled_from_user_defaults(self):
		# Frappe fills empty links from defaults keyed by fieldname (e.g. customer_group): a rule
		# scoped to one territory must not silently get "All Customer Groups" too.
		name = make_rule(
			"_OO Scoped",
			"Item Not Sold To",
			scope_item_group="All Item Groups",
			scope_territory="All Territories",
		)
		self.assertFalse(frappe.db.get_value("Order Validation Rule", name, "scope_customer_group"))

	def test_incomplete_rule_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			make_rule("_OO Empty", "Item Not Sold To")

	def test_messages_in_chinese(self):
		make_rule("_OO Max 3", "Maximum Quantity per Line", max_qty=3)
		frappe.local.lang = "zh"
		try:
			with self.assertRaises(frappe.ValidationError) as err:
				make_sales_order(items=[(make_item(f"{TEST_PREFIX}-ENTRY-1"), 5, 10)])
		finally:
			frappe.local.lang = "en"
		self.assertIn("第 1 行", str(err.exception))
		self.assertIn("超过每行最大数量", str(err.exception))


class TestAvailability(OrderTestCase):
	def setUp(self):
		# A fresh item per test: orders of one test must not hold stock another test counts on.
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0)
		self.company = frappe.db.get_single_value("Global Defaults", "default_company")
		self.main = get_warehouse(self.company)
		self.north = make_warehouse("_OO North")
		self.item = make_item(f"{TEST_PREFIX}-ATP-{self._testMethodName[-12:]}")
		add_stock(self.item, self.main, 10)
		add_stock(self.item, self.north, 20)

	def test_lines_show_status_and_available_quantity(self):
		so = make_sales_order(items=[(self.item, 4, 10), (self.item, 4, 10), (self.item, 4, 10)])
		statuses = [(d.oo_availability_status, d.oo_available_to_promise) for d in so.items]
		self.assertEqual(statuses, [("Green", 10), ("Green", 6), ("Orange", 2)])

	def test_submitted_orders_hold_stock_for_later_orders(self):
		make_sales_order(items=[(self.item, 8, 10)], submit=True)
		so = make_sales_order(items=[(self.item, 5, 10)])
		self.assertEqual(
			(so.items[0].oo_availability_status, so.items[0].oo_available_to_promise), ("Orange", 2)
		)

	def test_submit_beyond_availability_blocks_without_backorders(self):
		set_settings(allow_backorders=0)
		try:
			so = make_sales_order(items=[(self.item, 50, 10)])
			with self.assertRaises(frappe.ValidationError) as err:
				so.submit()
			self.assertIn("Only 10 of 50", str(err.exception))
			self.assertEqual(frappe.db.get_value("Sales Order", so.name, "docstatus"), 0)
		finally:
			set_settings(allow_backorders=1)

	def test_open_purchase_order_gives_the_earliest_ship_date(self):
		arrival = add_days(nowdate(), 12)
		make_purchase_order(self.item, self.main, 30, arrival)
		so = make_sales_order(items=[(self.item, 25, 10)], warehouse=self.main)
		line = so.items[0]
		self.assertEqual((line.oo_availability_status, str(line.oo_earliest_ship_date)), ("Orange", arrival))
		# More than stock and purchase together: red, no date.
		so = make_sales_order(items=[(self.item, 100, 10)], warehouse=self.main)
		self.assertEqual(
			(so.items[0].oo_availability_status, so.items[0].oo_earliest_ship_date), ("Red", None)
		)

	def test_submit_beyond_availability_warns_with_backorders(self):
		so = make_sales_order(items=[(self.item, 50, 10)], submit=True)
		self.assertEqual(so.docstatus, 1)

	def test_availability_call_needs_sales_order_permission(self):
		doc = {"doctype": "Sales Order", "company": self.company, "customer": make_customer(), "items": []}
		frappe.set_user("Guest")
		try:
			with self.assertRaises(frappe.PermissionError):
				get_availability(doc)
		finally:
			frappe.set_user("Administrator")

	def test_availability_call_makes_the_same_queries_for_5_or_50_lines(self):
		counts = []
		for lines in (5, 50):
			doc = {
				"doctype": "Sales Order",
				"company": self.company,
				"customer": make_customer(),
				"items": [
					{
						"idx": i + 1,
						"item_code": self.item,
						"qty": 1,
						"warehouse": self.main,
						"conversion_factor": 1,
					}
					for i in range(lines)
				],
			}
			get_availability(doc)  # warm caches
			queries, result = count_queries(get_availability, doc)
			counts.append(len(queries))
			self.assertEqual(len(result["lines"]), lines)
		self.assertEqual(counts[0], counts[1], counts)
		self.assertLessEqual(counts[1], 5, queries)


def count_queries(fn, *args):
	"""The SQL statements ``fn`` runs, and its result."""
	queries = []
	original = frappe.db.__class__.sql

	def counting(db, *a, **kw):
		queries.append(a[0] if a else kw.get("query"))
		return original(db, *a, **kw)

	frappe.db.__class__.sql = counting
	try:
		result = fn(*args)
	finally:
		frappe.db.__class__.sql = original
	return queries, result

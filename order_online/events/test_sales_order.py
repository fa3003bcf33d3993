import frappe

from order_online.tests.factories import (
	TEST_PREFIX,
	make_address,
	make_channel,
	make_china_regions,
	make_customer,
	make_sales_order,
)
from order_online.tests.utils import OrderTestCase


class TestSalesOrderHooks(OrderTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_china_regions()
		cls.customer = make_customer()
		cls.address = make_address(cls.customer, "China", "广东", "广州")
		cls.channel = make_channel()

	def setUp(self):
		settings = frappe.get_single("Order Online Settings")
		settings.enabled = 1
		settings.default_order_channel = self.channel
		settings.save()

	def test_order_gets_region_of_its_shipping_address(self):
		so = make_sales_order(self.customer, shipping_address_name=self.address)
		self.assertEqual(so.oo_shipping_region, f"{TEST_PREFIX} Guangzhou")

	def test_order_without_channel_gets_the_default(self):
		so = make_sales_order(self.customer)
		self.assertEqual(so.oo_order_channel, self.channel)

	def test_explicit_channel_is_kept(self):
		other = make_channel("_OO Marketplace", code="MKT", channel_type="Marketplace")
		so = make_sales_order(self.customer, oo_order_channel=other)
		self.assertEqual(so.oo_order_channel, other)

	def test_switched_off_app_leaves_the_order_alone(self):
		frappe.db.set_single_value("Order Online Settings", "enabled", 0)
		frappe.clear_document_cache("Order Online Settings", "Order Online Settings")
		so = make_sales_order(self.customer, shipping_address_name=self.address)
		self.assertFalse(so.oo_order_channel)
		self.assertFalse(so.oo_shipping_region)

	def test_submitted_order_keeps_working(self):
		so = make_sales_order(self.customer, shipping_address_name=self.address, submit=True)
		self.assertEqual(so.docstatus, 1)
		self.assertEqual(
			frappe.db.get_value("Sales Order", so.name, "oo_shipping_region"), f"{TEST_PREFIX} Guangzhou"
		)

import frappe

from order_online.tests.factories import make_channel
from order_online.tests.utils import OrderTestCase


class TestOrderChannel(OrderTestCase):
	def test_code_is_upper_cased(self):
		name = make_channel("_OO Mini Program", code="wx01", channel_type="Mobile App")
		self.assertEqual(frappe.db.get_value("Order Channel", name, "channel_code"), "WX01")

	def test_bad_code_is_refused_with_a_clear_message(self):
		doc = frappe.get_doc(
			{
				"doctype": "Order Channel",
				"channel_name": "_OO Bad",
				"channel_code": "WEB-SHOP",
				"channel_type": "Website",
			}
		)
		with self.assertRaises(frappe.ValidationError) as err:
			doc.insert()
		self.assertIn("WEB-SHOP", str(err.exception))
		self.assertFalse(frappe.db.exists("Order Channel", "_OO Bad"))

"""Shortage alerts on a real site: raised once, kept current, replenished, closed by stock or cancel."""

import frappe

from order_online.stock_alerts.shortage import alert_key
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_item,
	make_sales_order,
	make_warehouse,
	set_settings,
)
from order_online.tests.utils import OrderTestCase


class TestShortageAlerts(OrderTestCase):
	def setUp(self):
		set_settings(
			enabled=1,
			allow_backorders=1,
			raise_shortage_alerts=1,
			replenishment_mode="Transfer, then Purchase",
			notify_stock_users=1,
		)
		self.main = get_warehouse(get_company())
		self.north = make_warehouse("_OO North")
		self.item = make_item(f"{TEST_PREFIX}-SHORT-{self._testMethodName[-12:]}")
		add_stock(self.item, self.main, 2)
		add_stock(self.item, self.north, 3)

	def order(self, qty):
		return make_sales_order(items=[(self.item, qty, 10)], warehouse=self.main, submit=True)

	def alert(self):
		name = frappe.db.get_value("Stock Shortage Alert", {"alert_key": alert_key(self.item, self.main)})
		return frappe.get_doc("Stock Shortage Alert", name) if name else None

	def requests(self, alert):
		return sorted((r.request_type, r.from_warehouse or "", r.qty) for r in alert.material_requests)

	def test_shortage_raises_one_alert_and_proposes_transfer_then_purchase(self):
		so = self.order(10)
		alert = self.alert()
		self.assertEqual((alert.status, alert.shortage_qty, alert.actual_qty), ("Open", 8, 2))
		self.assertEqual([row.sales_order for row in alert.waiting_orders], [so.name])
		self.assertEqual(self.requests(alert), [("Material Transfer", self.north, 3), ("Purchase", "", 5)])
		request = frappe.get_doc("Material Request", alert.material_requests[0].material_request)
		self.assertEqual((request.docstatus, request.items[0].warehouse), (0, self.main))
		self.assertTrue(
			frappe.db.exists(
				"Notification Log", {"document_type": "Stock Shortage Alert", "document_name": alert.name}
			)
		)

	def test_second_order_updates_the_same_alert_and_asks_only_for_the_rest(self):
		self.order(10)
		second = self.order(2)
		alert = self.alert()
		self.assertEqual(
			frappe.db.count("Stock Shortage Alert", {"alert_key": alert_key(self.item, self.main)}), 1
		)
		self.assertEqual(alert.shortage_qty, 10)
		self.assertIn(second.name, [row.sales_order for row in alert.waiting_orders])
		self.assertEqual(sum(r.qty for r in alert.material_requests), 10)

	def test_arriving_stock_resolves_the_alert(self):
		self.order(10)
		add_stock(self.item, self.main, 8)
		alert = self.alert()
		self.assertEqual((alert.status, alert.shortage_qty), ("Resolved", 0))
		self.assertEqual(alert.waiting_orders, [])

	def test_cancelled_order_resolves_the_alert(self):
		so = self.order(10)
		so.cancel()
		self.assertEqual(self.alert().status, "Resolved")

	def test_covered_orders_raise_nothing(self):
		self.order(2)
		self.assertIsNone(self.alert())

	def test_alert_only_mode_requests_nothing(self):
		set_settings(replenishment_mode="Alert Only")
		self.order(10)
		self.assertEqual(self.alert().material_requests, [])

	def test_switched_off_alerts(self):
		set_settings(raise_shortage_alerts=0)
		self.order(10)
		self.assertIsNone(self.alert())

"""Fulfilment Performance on a real site: an order's entry follows its documents (submit, approval, Pick
List, Delivery Note, tracking, cancel), equals a rebuild, and the report's hours and on-time rate equal
plain SQL over the documents' own stamps."""

import frappe
from erpnext.selling.doctype.sales_order.sales_order import create_pick_list, make_delivery_note
from frappe.utils import add_days, add_to_date, flt, get_datetime, now_datetime, nowdate

from order_online.analytics import stages
from order_online.approval import service as approval
from order_online.approval.service import clear_rule_cache
from order_online.common.app_owned import app_writes
from order_online.order_online.report.fulfilment_performance.fulfilment_performance import execute
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_approval_rule,
	make_carrier_account,
	make_channel,
	make_item,
	make_sales_order,
	make_user,
	plain_orders,
)
from order_online.tests.utils import OrderTestCase

APPROVER = "oo.fulfilment.approver@example.com"
ENTRY = "Order Fulfilment Entry"


class TestFulfilmentPerformance(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		self.company = get_company()
		self.warehouse = get_warehouse(self.company)
		self.item = make_item(f"{TEST_PREFIX}-FP-1")
		add_stock(self.item, self.warehouse, 500)
		self.channel = make_channel(f"{TEST_PREFIX} Fulfilment Shop", "FPS")  # only this test's orders
		make_user(APPROVER, "Sales Manager")

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		clear_rule_cache()

	def order(self, **values):
		return make_sales_order(
			items=[(self.item, 2, 50)],
			warehouse=self.warehouse,
			submit=True,
			oo_order_channel=self.channel,
			delivery_date=values.pop("delivery_date", add_days(nowdate(), 5)),
			**values,
		)

	def ship(self, so):
		dn = make_delivery_note(so.name)
		dn.insert()
		dn.submit()
		return dn

	def track(self, so, dn, delivered_at=None):
		account = make_carrier_account(f"{TEST_PREFIX} Fulfilment Carrier")
		with app_writes():  # the waybill as the tracking service records it
			tracking = frappe.get_doc(
				{
					"doctype": "Shipment Tracking",
					"tracking_number": f"FP{frappe.generate_hash(length=8)}",
					"carrier_account": account,
					"carrier_code": "sf-express",
					"sales_order": so.name,
					"delivery_note": dn.name,
					"customer": so.customer,
					"status": "In Transit",
				}
			).insert(ignore_permissions=True)
		if delivered_at:
			self.deliver(tracking, delivered_at)
		return tracking

	def deliver(self, tracking, at):
		with app_writes():  # the carrier's delivery event, as the tracking service stores it
			tracking.status, tracking.delivered_at = "Delivered", at
			tracking.save(ignore_permissions=True)

	def entry(self, so):
		return frappe.db.get_value(ENTRY, {"sales_order": so.name}, "*", as_dict=True)

	def test_the_entry_follows_the_orders_documents(self):
		make_approval_rule(f"{TEST_PREFIX} Fulfilment", [(1, "Sales Manager", None)], min_amount=1)
		clear_rule_cache()
		so = self.order()
		entry = self.entry(so)
		self.assertEqual((entry.approved_at, entry.shipped_at, entry.approval_done), (None, None, 0))
		frappe.set_user(APPROVER)
		approval.approve(frappe.get_doc("Sales Order", so.name))
		frappe.set_user("Administrator")
		self.assertIsNotNone(self.entry(so).approved_at)
		self.assertEqual(self.entry(so).approval_done, 1)
		pick_list = create_pick_list(so.name)
		pick_list.insert()
		self.assertEqual(get_datetime(self.entry(so).picked_at), get_datetime(pick_list.creation))
		dn = self.ship(so)
		entry = self.entry(so)
		self.assertEqual(get_datetime(entry.shipped_at), get_datetime(f"{dn.posting_date} {dn.posting_time}"))
		self.assertEqual(entry.warehouse, self.warehouse)
		first = self.track(so, dn)
		self.assertEqual(self.entry(so).carrier, "sf-express")
		second = self.track(so, dn, delivered_at=add_to_date(now_datetime(), hours=20))
		self.assertEqual(self.entry(so).delivery_done, 0)  # one parcel of two is not delivered yet
		self.assertIsNone(self.entry(so).delivered_at)
		self.deliver(first, add_to_date(now_datetime(), hours=30))
		self.assertEqual(get_datetime(self.entry(so).delivered_at), get_datetime(first.delivered_at))
		self.assertTrue(second.delivered_at)
		entry = self.entry(so)
		self.assertEqual(
			(entry.delivery_done, entry.total_done, entry.promise_judged, entry.kept_promise), (1, 1, 1, 1)
		)
		self.assertAlmostEqual(
			flt(entry.total_hours),
			(get_datetime(entry.delivered_at) - get_datetime(entry.ordered_at)).total_seconds() / 3600,
			places=3,
		)
		before = frappe.db.get_value(ENTRY, {"sales_order": so.name}, stages.COLUMNS, as_dict=True)
		stages.rebuild()
		self.assertEqual(
			frappe.db.get_value(ENTRY, {"sales_order": so.name}, stages.COLUMNS, as_dict=True), before
		)
		dn.reload()
		dn.cancel()
		self.assertIsNone(self.entry(so).shipped_at)
		frappe.get_doc("Sales Order", so.name).cancel()
		self.assertFalse(frappe.db.exists(ENTRY, {"sales_order": so.name}))

	def test_the_reports_hours_and_on_time_rate_equal_plain_sql(self):
		late = self.order(delivery_date=nowdate())
		kept = self.order(delivery_date=add_days(nowdate(), 9))
		open_late = self.order(
			transaction_date=add_days(nowdate(), -6), delivery_date=add_days(nowdate(), -1)
		)
		for so, hours in ((late, 72), (kept, 24)):
			dn = self.ship(so)
			self.track(so, dn, delivered_at=add_to_date(now_datetime(), hours=hours))
		filters = {
			"company": self.company,
			"from_date": add_days(nowdate(), -7),
			"to_date": nowdate(),
			"channel": self.channel,
			"group_by": "Warehouse",
		}
		_c, data, _m, chart, report_summary = execute(filters)
		names = (late.name, kept.name, open_late.name)
		expected = frappe.db.sql(
			"""select avg(timestampdiff(second, timestamp(dn.posting_date, dn.posting_time), st.delivered_at))
			/ 3600, sum(date(st.delivered_at) <= so.delivery_date) / count(*)
			from `tabSales Order` so join `tabShipment Tracking` st on st.sales_order = so.name
			join `tabDelivery Note` dn on dn.name = st.delivery_note where so.name in %s""",
			(names,),
		)[0]
		shipped = next(row for row in data if row["key"] == self.warehouse)
		self.assertEqual((shipped["orders"], shipped["shipped"], shipped["delivered"]), (2, 2, 2))
		self.assertAlmostEqual(shipped["delivery_hours"], flt(expected[0]), delta=0.01)
		self.assertAlmostEqual(shipped["on_time_rate"], flt(expected[1]) * 100)
		self.assertEqual(chart["type"], "bar")
		figures = {f["label"]: f["value"] for f in report_summary}
		self.assertEqual(
			(figures["Orders"], figures["Delivered"], figures["Overdue, Not Delivered"]), (3, 2, 1)
		)
		by_carrier = execute({**filters, "group_by": "Carrier"})[1]
		self.assertEqual({row["key"] for row in by_carrier}, {"sf-express", None})

	def test_bad_filters_get_a_clear_message(self):
		for filters in ({"group_by": "Colour"}, {"from_date": "2026-13-45"}, {"company": "No Such Company"}):
			with self.assertRaises(frappe.ValidationError, msg=filters):
				execute({"company": self.company, **filters})

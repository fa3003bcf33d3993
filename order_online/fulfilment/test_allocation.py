"""Warehouse allocation on a real site: split rows, reservations, restrictions, bad input, cancel."""

import frappe

from order_online.api.approval import approve, reject
from order_online.api.fulfilment import make_delivery_notes, make_pick_lists
from order_online.fulfilment.reservation import check_reservation
from order_online.overrides.sales_order import update_status
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	make_allocation_network,
	make_allocation_rule,
	make_approval_rule,
	make_channel,
	make_item,
	make_sales_order,
	remove_approval_rules,
	set_settings,
)
from order_online.tests.utils import OrderTestCase


def reservations(so) -> list[tuple[str, str, float]]:
	rows = frappe.get_all(
		"Stock Reservation Entry",
		filters={"voucher_no": so, "docstatus": 1},
		fields=["item_code", "warehouse", "reserved_qty"],
		order_by="warehouse",
	)
	return [(r.item_code, r.warehouse, r.reserved_qty) for r in rows]


def bin_reserved(item, warehouse) -> float:
	return frappe.db.get_value("Bin", {"item_code": item, "warehouse": warehouse}, "reserved_stock") or 0.0


class AllocationCase(OrderTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		set_settings(
			enabled=1, allow_backorders=0, raise_shortage_alerts=0, reserve_while_pending=1, auto_invoice=""
		)
		remove_approval_rules()
		frappe.db.delete("Warehouse Allocation Rule")
		frappe.db.delete("Warehouse Allocation Restriction")
		frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 1)
		self.net = make_allocation_network()

	def order(self, items, submit=True, **values):
		values.setdefault("warehouse", self.net["far"])
		return make_sales_order(
			customer=self.net["customer"],
			items=items,
			submit=submit,
			customer_address=self.net["address"],
			shipping_address_name=self.net["address"],
			**values,
		)

	def rows(self, so):
		so = frappe.get_doc("Sales Order", so.name)
		return [(d.item_code, d.warehouse, d.qty) for d in so.items]


class TestAllocation(AllocationCase):
	def test_a_line_is_split_when_splitting_is_cheaper(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-1")  # 1 kg
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 10, 100)])
		# Chengdu alone: 20 + 10 x 3 = 50. Guangzhou 6 + Chengdu 4: (6 + 3) + (20 + 12) = 41.
		self.assertEqual(self.rows(so), [(item, self.net["near"], 6), (item, self.net["far"], 4)])
		self.assertEqual(so.grand_total, 1000)  # the split moves no money
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 6), (item, self.net["far"], 4)])
		self.assertEqual(bin_reserved(item, self.net["near"]), 6)
		so = frappe.get_doc("Sales Order", so.name)
		self.assertEqual((so.oo_allocation_parcels, so.oo_allocation_shipping_cost), (2, 41))
		self.assertIn("saves 9.00", so.oo_allocation_summary)
		self.assertIn(f"{self.net['near']}: {item} × 6 (row 1); parcel cost 9.00", so.oo_allocation_summary)

	def test_one_warehouse_when_the_split_penalty_outweighs_the_saving(self):
		make_allocation_rule(split_penalty=10)
		item = make_item(f"{TEST_PREFIX}-ALLOC-2")
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 10, 100)])
		self.assertEqual(self.rows(so), [(item, self.net["far"], 10)])  # 50 < 41 + 10

	def test_pinned_item_group_ships_only_from_its_warehouse(self):
		item = make_item(f"{TEST_PREFIX}-ALLOC-3")
		group = frappe.db.get_value("Item", item, "item_group")
		make_allocation_rule(
			restrictions=[{"action": "Pin", "warehouse": self.net["far"], "item_group": group}]
		)
		add_stock(item, self.net["near"], 10)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 3, 100)])
		self.assertEqual(self.rows(so), [(item, self.net["far"], 3)])

	def test_a_row_the_user_keeps_is_left_alone(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-4")
		add_stock(item, self.net["near"], 10)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 3, 100)], submit=False)
		so.items[0].oo_keep_warehouse = 1
		so.submit()
		self.assertEqual(self.rows(so), [(item, self.net["far"], 3)])

	def test_sixty_lines_are_all_reserved(self):
		make_allocation_rule()
		items = [make_item(f"{TEST_PREFIX}-ALLOC-L{i:02d}") for i in range(60)]
		for i, item in enumerate(items):
			add_stock(item, self.net["near"] if i % 2 else self.net["far"], 5)
		so = self.order([(item, 2, 10) for item in items])
		found = reservations(so.name)
		self.assertEqual(len(found), 60)
		self.assertEqual(sum(r[2] for r in found), 120)

	def test_cancel_releases_the_reservations(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-5")
		add_stock(item, self.net["near"], 5)
		so = self.order([(item, 4, 100)])
		self.assertEqual(bin_reserved(item, self.net["near"]), 4)
		so.reload()
		so.cancel()
		self.assertEqual(reservations(so.name), [])
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)

	def test_without_a_rule_erpnext_chooses_nothing_for_the_user(self):
		item = make_item(f"{TEST_PREFIX}-ALLOC-6")
		add_stock(item, self.net["near"], 10)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 3, 100)])
		self.assertEqual(self.rows(so), [(item, self.net["far"], 3)])
		self.assertEqual(reservations(so.name), [])


class TestAllocationBadInput(AllocationCase):
	def test_item_without_weight_is_refused_and_nothing_is_reserved(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-NOWEIGHT")
		frappe.db.set_value("Item", item, "weight_per_unit", 0)
		add_stock(item, self.net["near"], 10)
		so = self.order([(item, 2, 100)], submit=False)
		with self.assertRaises(frappe.ValidationError) as err:
			so.submit()
		self.assertIn("no weight per unit", str(err.exception))
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "docstatus"), 0)
		self.assertEqual(reservations(so.name), [])

	def test_no_warehouse_with_stock_is_a_clear_message(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-EMPTY")
		so = self.order([(item, 2, 100)], submit=False)
		with self.assertRaises(frappe.ValidationError) as err:
			so.submit()
		self.assertIn("No warehouse has stock", str(err.exception))

	def test_reservation_beyond_free_stock_is_refused(self):
		item = make_item(f"{TEST_PREFIX}-ALLOC-SRE")
		add_stock(item, self.net["near"], 5)
		first = self.order([(item, 4, 100)], submit=False, warehouse=self.net["near"])
		first.reserve_stock = 1
		first.submit()
		sre = frappe.get_doc(
			{
				"doctype": "Stock Reservation Entry",
				"item_code": item,
				"warehouse": self.net["near"],
				"voucher_type": "Sales Order",
				"voucher_no": first.name,
				"voucher_detail_no": first.items[0].name,
				"available_qty": 5,
				"voucher_qty": 4,
				"reserved_qty": 2,
				"stock_uom": "Nos",
				"company": first.company,
			}
		)
		# ERPNext's own check reads a snapshot; the app's reads under the Bin's lock what others committed.
		with self.assertRaises(frappe.ValidationError) as err:
			check_reservation(sre)
		self.assertIn("only 1 are still free", str(err.exception))
		sre.reserved_qty = 1
		check_reservation(sre)  # exactly what is free: allowed


class TestDeliveryAndInvoices(AllocationCase):
	def split_order(self):
		make_allocation_rule()
		item = make_item(
			f"{TEST_PREFIX}-ALLOC-{self._testMethodName[-24:]}"
		)  # the class shares one transaction
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		return item, self.order([(item, 10, 100)])

	def test_one_delivery_note_per_warehouse_consumes_the_reservations(self):
		item, so = self.split_order()
		names = make_delivery_notes(so.name)
		notes = [frappe.get_doc("Delivery Note", n) for n in names]
		self.assertEqual(
			sorted((n.items[0].warehouse, n.items[0].qty, len(n.items)) for n in notes),
			[(self.net["near"], 6, 1), (self.net["far"], 4, 1)],
		)
		for note in notes:
			note.submit()
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "per_delivered"), 100)
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)  # delivered: nothing held any more
		self.assertEqual(bin_reserved(item, self.net["far"]), 0)

	def test_invoice_follows_each_delivery_when_set(self):
		set_settings(auto_invoice="On Delivery")
		_item, so = self.split_order()
		for name in make_delivery_notes(so.name):
			frappe.get_doc("Delivery Note", name).submit()
		invoices = frappe.get_all(
			"Sales Invoice Item",
			filters={"sales_order": so.name, "docstatus": 1},
			fields=["parent", "qty"],
		)
		self.assertEqual(sorted(i.qty for i in invoices), [4, 6])
		self.assertEqual(len({i.parent for i in invoices}), 2)
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "per_billed"), 100)

	def test_prepayment_invoice_once_the_order_needs_no_approval(self):
		set_settings(auto_invoice="On Approval")
		_item, so = self.split_order()
		billed = frappe.get_all(
			"Sales Invoice Item", filters={"sales_order": so.name, "docstatus": 1}, pluck="qty"
		)
		self.assertEqual(sum(billed), 10)

	def test_no_invoice_unless_asked(self):
		set_settings(auto_invoice="")
		_item, so = self.split_order()
		self.assertFalse(frappe.get_all("Sales Invoice Item", filters={"sales_order": so.name}))


class TestPicking(AllocationCase):
	def test_pick_lists_per_warehouse_then_delivery_consumes_the_reservations(self):
		from erpnext.stock.doctype.pick_list.pick_list import create_delivery_note

		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-PICK")
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 10, 100)])
		picks = [frappe.get_doc("Pick List", n) for n in make_pick_lists(so.name)]
		self.assertEqual(
			sorted((p.locations[0].warehouse, p.locations[0].stock_qty) for p in picks),
			[(self.net["near"], 6), (self.net["far"], 4)],
		)
		for pick in picks:
			pick.submit()  # ERPNext alone refuses: the order has reserved stock
			note = create_delivery_note(pick.name)  # ERPNext saves it
			note.submit()
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "per_delivered"), 100)
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)
		self.assertEqual(bin_reserved(item, self.net["far"]), 0)

	def test_a_pick_list_from_another_warehouse_is_still_refused(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-PICK2")
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		so = self.order([(item, 3, 100)])  # all from the near warehouse, reserved there
		pick = frappe.get_doc("Pick List", make_pick_lists(so.name)[0])
		pick.locations[0].warehouse = self.net["far"]  # someone picks elsewhere: other orders' stock
		pick.save()
		with self.assertRaises(frappe.ValidationError) as err:
			pick.submit()
		self.assertIn("reserved stock", str(err.exception))


class TestChannelPrepayment(AllocationCase):
	def prepaid_channel(self):
		company = self.net["company"]
		cash = frappe.get_cached_value("Company", company, "default_cash_account")
		mode = frappe.get_doc("Mode of Payment", "Cash")
		if not any(a.company == company for a in mode.accounts):
			mode.append("accounts", {"company": company, "default_account": cash})
			mode.save(ignore_permissions=True)
		channel = make_channel(f"{TEST_PREFIX} Marketplace", "MKT", "Marketplace")
		frappe.db.set_value("Order Channel", channel, {"prepaid": 1, "mode_of_payment": "Cash"})
		frappe.clear_document_cache("Order Channel", channel)
		return channel

	def test_prepaid_channel_order_gets_its_payment_entry(self):
		channel = self.prepaid_channel()
		item = make_item(f"{TEST_PREFIX}-ALLOC-PREPAID")
		add_stock(item, self.net["far"], 5)
		so = self.order([(item, 2, 150)], oo_order_channel=channel, po_no="MKT-778812")
		payments = frappe.get_all(
			"Payment Entry Reference",
			filters={"reference_name": so.name, "docstatus": 1},
			fields=["parent", "allocated_amount"],
		)
		self.assertEqual([p.allocated_amount for p in payments], [300])
		entry = frappe.get_doc("Payment Entry", payments[0].parent)
		self.assertEqual((entry.mode_of_payment, entry.reference_no), ("Cash", "MKT-778812"))
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "advance_paid"), 300)

	def test_other_channels_get_no_payment_entry(self):
		item = make_item(f"{TEST_PREFIX}-ALLOC-UNPAID")
		add_stock(item, self.net["far"], 5)
		so = self.order([(item, 2, 150)])
		self.assertFalse(frappe.get_all("Payment Entry Reference", filters={"reference_name": so.name}))


class TestAfterSubmit(AllocationCase):
	def split_order(self, qty=10):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-{self._testMethodName[-24:]}")
		add_stock(item, self.net["near"], 6)
		add_stock(item, self.net["far"], 10)
		return item, self.order([(item, qty, 100)])

	def test_update_items_keeps_reservations_in_step_with_the_rows(self):
		from erpnext.controllers.accounts_controller import update_child_qty_rate

		item, so = self.split_order()
		so.reload()
		rows = [
			{
				"docname": d.name,
				"item_code": d.item_code,
				"qty": d.qty + (1 if d.warehouse == self.net["far"] else 0),
				"rate": d.rate,
			}
			for d in so.items
		]
		update_child_qty_rate("Sales Order", frappe.as_json(rows), so.name)
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 6), (item, self.net["far"], 5)])
		self.assertEqual(bin_reserved(item, self.net["far"]), 5)

	def test_amended_order_is_allocated_and_reserved_again(self):
		item, so = self.split_order()
		so.reload()
		so.cancel()
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)
		amended = frappe.copy_doc(so)
		amended.amended_from = so.name
		amended.docstatus = 0
		amended.items = amended.items[:1]  # back to one line of 10, as it was entered
		amended.items[0].qty = 10
		amended.items[0].warehouse = self.net["far"]
		amended.insert()
		amended.submit()
		self.assertEqual(
			reservations(amended.name), [(item, self.net["near"], 6), (item, self.net["far"], 4)]
		)

	def test_address_without_region_is_refused_before_anything_is_reserved(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-NOREGION")
		add_stock(item, self.net["near"], 5)
		so = self.order([(item, 1, 100)], submit=False)
		frappe.db.set_value("Address", self.net["address"], "oo_shipping_region", None)
		so.oo_shipping_region = None
		so.customer_address = so.shipping_address_name = None
		with self.assertRaises(frappe.ValidationError) as err:
			so.submit()
		self.assertIn("no Shipping Region", str(err.exception))
		self.assertEqual(reservations(so.name), [])


class TestStockWhileApprovalIsPending(AllocationCase):
	def setUp(self):
		super().setUp()
		frappe.db.delete("Order Approval Level")
		from order_online.approval.service import clear_rule_cache

		clear_rule_cache()
		make_approval_rule(
			"_OO Hold big orders", [(1, "Sales Manager", None)], min_amount=500, allow_self_approval=1
		)
		make_allocation_rule()

	def tearDown(self):
		from order_online.approval.service import clear_rule_cache

		clear_rule_cache()

	def held_order(self):
		item = make_item(f"{TEST_PREFIX}-ALLOC-{self._testMethodName[-24:]}")
		add_stock(item, self.net["near"], 10)
		so = self.order([(item, 6, 100)])
		self.assertEqual(frappe.db.get_value("Sales Order", so.name, "oo_approval_status"), "Pending")
		return item, so

	def test_a_pending_order_keeps_its_stock_and_rejection_releases_it(self):
		item, so = self.held_order()
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 6)])
		reject(so.name, "Too big")
		self.assertEqual(reservations(so.name), [])
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)

	def test_without_holding_stock_it_is_released_on_hold_and_reserved_on_approval(self):
		set_settings(reserve_while_pending=0)
		item, so = self.held_order()
		self.assertEqual(reservations(so.name), [])
		approve([so.name])
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 6)])


class TestCloseReleases(AllocationCase):
	def test_closing_releases_and_reopening_reserves_again(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-CLOSE")
		add_stock(item, self.net["near"], 10)
		so = self.order([(item, 4, 100)])
		update_status("Closed", so.name)
		self.assertEqual(reservations(so.name), [])
		self.assertEqual(bin_reserved(item, self.net["near"]), 0)
		update_status("Draft", so.name)  # ERPNext's Re-open
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 4)])


class TestBoxes(AllocationCase):
	def test_a_line_in_boxes_splits_into_whole_boxes(self):
		make_allocation_rule()
		item = make_item(f"{TEST_PREFIX}-ALLOC-BOXED")
		if not frappe.db.exists("UOM", "_OO Box"):
			frappe.get_doc({"doctype": "UOM", "uom_name": "_OO Box", "must_be_whole_number": 1}).insert()
		doc = frappe.get_doc("Item", item)
		if not any(u.uom == "_OO Box" for u in doc.uoms):
			doc.append("uoms", {"uom": "_OO Box", "conversion_factor": 12})
			doc.save()
		add_stock(item, self.net["near"], 30)  # two whole boxes and six loose
		add_stock(item, self.net["far"], 30)
		so = self.order([(item, 4, 1200)], submit=False)
		so.items[0].uom, so.items[0].conversion_factor = "_OO Box", 12
		so.save()
		so.submit()
		so.reload()
		self.assertEqual(
			[(d.warehouse, d.qty, d.uom, d.stock_qty) for d in so.items],
			[(self.net["near"], 2, "_OO Box", 24), (self.net["far"], 2, "_OO Box", 24)],
		)
		self.assertEqual(reservations(so.name), [(item, self.net["near"], 24), (item, self.net["far"], 24)])

"""Order Summary Entry gained the order's customer (the customer figures read it): fill it in for the
entries made before, from their orders, in one statement."""

import frappe


def execute():
	entry = frappe.qb.DocType("Order Summary Entry")
	order = frappe.qb.DocType("Sales Order")
	(
		frappe.qb.update(entry)
		.join(order)
		.on(order.name == entry.sales_order)
		.set(entry.customer, order.customer)
		.where(entry.customer.isnull())
	).run()

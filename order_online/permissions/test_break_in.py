"""Who may see and do what, tried over the served site's HTTP API by real users.

Salesperson B tries every path a user has to reach salesperson A's order (form, REST, list, count,
sidebar, link search, report, exports, print, PDF, attachment, comment, the app's and ERPNext's
methods); each denial has a positive control (B's own order, or the order both share through its Sales
Team). The stock user tries to change prices on a Delivery Note; the accounts user invoices an order
but cannot change it. Hostile strings go into the searches. Every attempt is counted and printed.

The data is committed (the served site runs in another process) and removed afterwards. Set
``OO_SITE_URL`` (default http://127.0.0.1:8010, Host header = the site).
"""

import csv
import io
from urllib.parse import quote

import frappe
from frappe.desk.form import assign_to
from frappe.utils.password import update_password

from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_sales_order,
	make_sales_person,
	make_user,
	remove_approval_rules,
	remove_documents,
	set_settings,
)
from order_online.tests.http import Client
from order_online.tests.utils import ServedSiteTestCase

A, B = "oo.perm.a@example.com", "oo.perm.b@example.com"
# ERPNext gives Sales User neither export nor Sales Invoice read; a company that grants them through a role
# of its own still narrows its salespeople (the role is neither a manager's nor an order-wide job).
READER = f"{TEST_PREFIX} Perm Reader"
READER_PERMS = {
	"Sales Order": ("read", "report", "export", "print"),
	"Sales Invoice": ("read", "report", "print"),
	"Payment Entry": ("read",),
}
STOCK, ACCOUNTS = "oo.perm.stock@example.com", "oo.perm.accounts@example.com"
PASSWORD = "Oo-perm-test-42!"
A_PERSON, B_PERSON = f"{TEST_PREFIX} A O'Brien", f"{TEST_PREFIX} B Person"  # a quote in a name, on purpose
HOSTILE = [
	"' or '1'='1",
	"%' or 1=1 -- ",
	'") or ("1"="1',
	"'; drop table `tabSales Order`; --",
	"\\' or 1=1#",
]
SO_METHODS = "erpnext.selling.doctype.sales_order.sales_order"
ATTEMPTS = {"count": 0}


def grant(role: str, perms: dict[str, tuple[str, ...]]) -> set[str]:
	"""A role with ``perms`` (doctype -> permission types); returns the doctypes that had custom rules."""
	from frappe.permissions import add_permission, update_permission_property

	if not frappe.db.exists("Role", role):
		frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
			ignore_permissions=True
		)
	had = {doctype for doctype in perms if frappe.db.exists("Custom DocPerm", {"parent": doctype})}
	for doctype, ptypes in perms.items():
		add_permission(doctype, role, 0)
		for ptype in ptypes:
			update_permission_property(doctype, role, 0, ptype, 1, validate=False)
		frappe.clear_cache(doctype=doctype)
	return had


def revoke(role: str, perms: dict, had_custom: set[str]) -> None:
	from frappe.permissions import reset_perms

	for doctype in perms:
		if doctype in had_custom:
			frappe.db.delete("Custom DocPerm", {"parent": doctype, "role": role})
		else:
			reset_perms(doctype)
		frappe.clear_cache(doctype=doctype)


class TestBreakIn(ServedSiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		remove_approval_rules()
		set_settings(enabled=1, allow_backorders=1, raise_shortage_alerts=0, sales_see_only_own_orders=1)
		cls.had_custom_perms = grant(READER, READER_PERMS)
		for user, roles in (
			(A, ("Sales User", READER)),
			(B, ("Sales User", READER)),
			(STOCK, ("Stock User",)),
			(ACCOUNTS, ("Accounts User",)),
		):
			make_user(user, *roles)
			update_password(user, PASSWORD)
		make_sales_person(A_PERSON, A)
		make_sales_person(B_PERSON, B)
		cls.item = make_item(f"{TEST_PREFIX}-PERM-1")
		cls.warehouse = get_warehouse(get_company())
		cls.customer = make_customer(f"{TEST_PREFIX} Perm Customer")
		cls.created = [("Stock Entry", add_stock(cls.item, cls.warehouse, 100).name)]
		cls.orders = {}
		for key, owner, team in (("a", A, []), ("b", B, []), ("team", "Administrator", [A_PERSON, B_PERSON])):
			frappe.set_user(owner)
			so = make_sales_order(
				cls.customer,
				[(cls.item, 2, 100)],
				submit=True,
				warehouse=cls.warehouse,
				sales_team=[{"sales_person": p, "allocated_percentage": 100 / len(team)} for p in team],
			)
			cls.orders[key] = so.name
			cls.created.append(("Sales Order", so.name))
		frappe.set_user("Administrator")
		# a private attachment and a comment on A's order
		cls.file = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "oo-perm-contract.txt",
				"content": b"A's contract terms",
				"is_private": 1,
				"attached_to_doctype": "Sales Order",
				"attached_to_name": cls.orders["a"],
			}
		).insert(ignore_permissions=True)
		cls.created.append(("File", cls.file.name))
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		names = list(cls.orders.values())
		for doctype, field in (
			("Delivery Note Item", "against_sales_order"),
			("Sales Invoice Item", "sales_order"),
		):
			for parent in set(frappe.get_all(doctype, filters={field: ("in", names)}, pluck="parent")):
				cls.created.append((doctype.removesuffix(" Item"), parent))
		remove_documents(cls.created)
		frappe.db.delete("Comment", {"reference_name": ("in", names)})
		frappe.db.delete("ToDo", {"reference_name": ("in", names)})
		frappe.db.delete("Order Approval Log", {"sales_order": ("in", names)})
		set_settings(sales_see_only_own_orders=0)
		revoke(READER, READER_PERMS, cls.had_custom_perms)
		frappe.db.commit()
		print(f"\nbreak-in attempts: {ATTEMPTS['count']}")
		super().tearDownClass()

	def setUp(self):
		super().setUp()
		self.b = Client(self.url, frappe.local.site, B, PASSWORD, ATTEMPTS)

	# B reaching A's order ------------------------------------------------------------------

	def test_single_document_paths_deny_b_and_serve_b_own_and_shared_orders(self):
		a, own, team = self.orders["a"], self.orders["b"], self.orders["team"]
		for name, allowed in ((a, False), (own, True), (team, True)):
			paths = [
				self.b.get(f"/api/resource/Sales Order/{quote(name)}"),
				self.b.call("frappe.client.get", doctype="Sales Order", name=name),
				self.b.get("/api/method/frappe.desk.form.load.getdoc", doctype="Sales Order", name=name),
				self.b.get(
					"/api/method/frappe.utils.print_format.download_pdf", doctype="Sales Order", name=name
				),
				self.b.call(
					"frappe.desk.form.utils.add_comment",
					reference_doctype="Sales Order",
					reference_name=name,
					content="B was here",
					comment_email=B,
					comment_by="B",
				),
			]
			value = self.b.call(
				"frappe.client.get_value", doctype="Sales Order", filters=name, fieldname="grand_total"
			)
			self.assertEqual("grand_total" in value.text, allowed, value.text[:300])  # {} when not allowed
			printed = self.b.get("/printview", doctype="Sales Order", name=name)  # an error page when denied
			self.assertEqual(self.item in printed.text, allowed, printed.text[:300])
			for reply in paths:
				if allowed:
					self.assertEqual(reply.status_code, 200, (name, reply.url, reply.text[:300]))
				else:
					self.assertIn(reply.status_code, (403, 417), (name, reply.url, reply.text[:300]))
					self.assertNotIn("A&#39;s contract", reply.text)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Comment", {"reference_name": a, "content": "B was here"}))
		self.assertTrue(frappe.db.exists("Comment", {"reference_name": own, "content": "B was here"}))

	def test_the_attachment_of_a_order_stays_private_to_b(self):
		self.assertEqual(self.b.get(self.file.file_url).status_code, 403)
		owner = Client(self.url, frappe.local.site, A, PASSWORD, ATTEMPTS)
		reply = owner.get(self.file.file_url)
		self.assertEqual((reply.status_code, reply.text), (200, "A's contract terms"))

	def test_lists_counts_and_searches_hold_only_b_orders(self):
		a, mine = self.orders["a"], {self.orders["b"], self.orders["team"]}
		ours = {"customer": self.customer}
		listed = self.b.get(
			"/api/resource/Sales Order", fields=["*"], filters=ours, limit_page_length=0
		).json()["data"]
		self.assertEqual({row["name"] for row in listed}, mine)
		rows = self.b.message(
			"frappe.client.get_list", doctype="Sales Order", filters=ours, limit_page_length=0
		)
		self.assertEqual({row["name"] for row in rows}, mine)
		self.assertEqual(
			self.b.message("frappe.client.get_list", doctype="Sales Order", filters={"name": a}), []
		)
		self.assertEqual(self.b.message("frappe.client.get_count", doctype="Sales Order", filters=ours), 2)
		view = self.b.message(
			"frappe.desk.reportview.get",
			doctype="Sales Order",
			fields=["name"],
			filters=ours,
			page_length=500,
		)
		self.assertEqual({row[0] for row in view["values"]}, mine)
		# "Assigned To": A's order and B's own are both assigned to the stock user
		frappe.set_user("Administrator")
		for name in (a, self.orders["b"]):
			assign_to.add(
				{"assign_to": [STOCK], "doctype": "Sales Order", "name": name}, ignore_permissions=True
			)
		frappe.db.commit()
		assigned = self.b.message(
			"frappe.desk.listview.get_group_by_count",
			doctype="Sales Order",
			current_filters=ours,
			field="assigned_to",
		)
		self.assertEqual({row["name"]: row["count"] for row in assigned}, {STOCK: 1})
		for field in ("customer", "owner", "status"):
			counts = self.b.message(
				"frappe.desk.listview.get_group_by_count",
				doctype="Sales Order",
				current_filters=ours,
				field=field,
			)
			self.assertEqual(sum(row["count"] for row in counts), 2, field)
		for txt, expected in ((a, []), (self.orders["b"], [self.orders["b"]])):
			found = self.b.message("frappe.desk.search.search_link", doctype="Sales Order", txt=txt)
			self.assertEqual([row["value"] for row in found], expected)
		# the customer's dashboard counts B's orders only
		counts = self.b.message(
			"frappe.desk.notifications.get_open_count", doctype="Customer", name=self.customer
		)
		so_count = next(
			c
			for c in counts["count"]["internal_links_found"] + counts["count"].get("external_links_found", [])
			if c["doctype"] == "Sales Order"
		)
		self.assertEqual(so_count["count"], 2)

	def test_reports_and_exports_hold_only_b_orders(self):
		a, own = self.orders["a"], self.orders["b"]
		filters = {"company": get_company(), "from_date": "2000-01-01", "to_date": "2100-01-01"}
		result = self.b.message(
			"frappe.desk.query_report.run", report_name="Sales Order Analysis", filters=filters
		)
		rows = {row.get("sales_order") for row in result["result"] if isinstance(row, dict)}
		self.assertIn(own, rows)
		self.assertNotIn(a, rows)
		exported = self.b.call(
			"frappe.desk.query_report.export_query",
			report_name="Sales Order Analysis",
			filters=filters,
			file_format_type="CSV",
			visible_idx=[],
		)
		self.assertEqual(exported.status_code, 200, exported.text[:300])
		self.assertIn(own, exported.text)
		self.assertNotIn(a, exported.text)
		# a report that totals every salesperson's orders without naming them is refused, not leaked
		refused = self.b.call(
			"frappe.desk.query_report.run",
			report_name="Sales Analytics",
			filters={
				"company": get_company(),
				"from_date": "2000-01-01",
				"to_date": "2100-01-01",
				"tree_type": "Customer",
				"doc_type": "Sales Order",
				"value_quantity": "Value",
				"range": "Monthly",
			},
		)
		self.assertEqual(refused.status_code, 403, refused.text[:300])
		listed = self.b.call(
			"frappe.desk.reportview.export_query",
			doctype="Sales Order",
			file_format_type="CSV",
			fields=["`tabSales Order`.`name`"],
			filters={"customer": self.customer},
		)
		self.assertEqual(listed.status_code, 200, listed.text[:300])
		cells = {cell for row in csv.reader(io.StringIO(listed.text)) for cell in row}
		self.assertIn(own, cells)
		self.assertNotIn(a, cells)

	def test_the_documents_made_from_a_order_and_the_app_methods_deny_b(self):
		a = self.orders["a"]
		for method, args in (
			("order_online.api.approval.approve", {"names": a}),
			("order_online.api.approval.reject", {"name": a, "reason": "B says no"}),
			("order_online.api.fulfilment.make_delivery_notes", {"sales_order": a}),
			("order_online.api.fulfilment.make_pick_lists", {"sales_order": a}),
			("order_online.api.order_entry.get_availability", {"doc": {"name": a, "items": []}}),
			(f"{SO_METHODS}.make_delivery_note", {"source_name": a}),
			(f"{SO_METHODS}.make_sales_invoice", {"source_name": a}),
			(f"{SO_METHODS}.update_status", {"status": "Closed", "name": a}),
		):
			reply = self.b.call(method, **args)
			self.assertIn(reply.status_code, (403, 417), (method, reply.text[:300]))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Sales Order", a, "status"), "To Deliver and Bill")
		# an invoice of A's order, made by finance, is A's: B does not see it, A does
		accounts = Client(self.url, frappe.local.site, ACCOUNTS, PASSWORD, ATTEMPTS)
		invoice = accounts.message(f"{SO_METHODS}.make_sales_invoice", source_name=a)
		saved = accounts.call("frappe.client.insert", doc=invoice)
		self.assertEqual(saved.status_code, 200, saved.text[:500])
		name = saved.json()["message"]["name"]
		submitted = accounts.call("frappe.client.submit", doc=saved.json()["message"])
		self.assertEqual(submitted.status_code, 200, submitted.text[:500])  # finance invoices any order
		payment = accounts.message(
			"erpnext.accounts.doctype.payment_entry.payment_entry.get_payment_entry",
			dt="Sales Invoice",
			dn=name,
		)
		paid = accounts.call(
			"frappe.client.insert",
			doc={**payment, "reference_no": "OO-PERM", "reference_date": frappe.utils.nowdate()},
		)
		self.assertEqual(paid.status_code, 200, paid.text[:500])
		self.assertEqual(accounts.call("frappe.client.submit", doc=paid.json()["message"]).status_code, 200)
		self.created.append(("Payment Entry", paid.json()["message"]["name"]))
		owner = Client(self.url, frappe.local.site, A, PASSWORD, ATTEMPTS)
		for url in (
			f"/api/resource/Sales Invoice/{quote(name)}",
			f"/api/resource/Payment Entry/{quote(paid.json()['message']['name'])}",  # it pays A's invoice
		):
			self.assertEqual(self.b.get(url).status_code, 403, url)
			self.assertEqual(owner.get(url).status_code, 200, url)
		ours = {"customer": self.customer}
		invoices = self.b.message("frappe.client.get_list", doctype="Sales Invoice", filters=ours)
		self.assertNotIn(name, {row["name"] for row in invoices})
		invoices = owner.message("frappe.client.get_list", doctype="Sales Invoice", filters=ours)
		self.assertIn(name, {row["name"] for row in invoices})

	def test_hostile_strings_in_searches_and_filters_match_nothing_and_break_nothing(self):
		for text in HOSTILE:
			for reply in (
				self.b.call("frappe.desk.search.search_link", doctype="Sales Order", txt=text),
				self.b.call("frappe.desk.search.search_link", doctype="Shipment Tracking", txt=text),
				self.b.call("frappe.desk.search.search_link", doctype="Order Channel", txt=text),
				self.b.get("/api/resource/Sales Order", filters=[["name", "like", f"%{text}%"]]),
				self.b.get("/api/resource/Sales Order", filters=[["customer", "=", text]]),
				self.b.call(
					"frappe.client.get_count", doctype="Stock Shortage Alert", filters={"item_code": text}
				),
			):
				self.assertIn(reply.status_code, (200, 417), (text, reply.url, reply.text[:300]))
				body = reply.json()
				self.assertFalse(body.get("message") or body.get("data"), (text, body))
		frappe.db.rollback()
		self.assertGreaterEqual(frappe.db.count("Sales Order"), 3)

	def test_with_the_setting_off_b_sees_every_order_as_in_erpnext(self):
		set_settings(sales_see_only_own_orders=0)
		frappe.db.commit()
		try:
			self.assertEqual(
				self.b.get(f"/api/resource/Sales Order/{quote(self.orders['a'])}").status_code, 200
			)
			count = self.b.message(
				"frappe.client.get_count", doctype="Sales Order", filters={"customer": self.customer}
			)
			self.assertEqual(count, 3)
		finally:
			set_settings(sales_see_only_own_orders=1)
			frappe.db.commit()
		self.assertEqual(self.b.get(f"/api/resource/Sales Order/{quote(self.orders['a'])}").status_code, 403)

	# The warehouse and finance ------------------------------------------------------------

	def test_the_stock_user_ships_but_does_not_set_prices(self):
		stock = Client(self.url, frappe.local.site, STOCK, PASSWORD, ATTEMPTS)
		note = stock.message(f"{SO_METHODS}.make_delivery_note", source_name=self.orders["team"])
		saved = stock.call("frappe.client.insert", doc=note)
		self.assertEqual(saved.status_code, 200, saved.text[:500])  # made from the order, its prices
		name = saved.json()["message"]["name"]
		doc = saved.json()["message"]
		row = dict(doc["items"][0])
		cheaper = stock.put("Delivery Note", name, {"items": [{**row, "rate": 1}]})
		self.assertEqual(cheaper.status_code, 417, cheaper.text[:300])
		self.assertIn("not prices", cheaper.text)
		doc["items"][0]["discount_percentage"] = 50
		self.assertEqual(stock.call("frappe.client.save", doc=doc).status_code, 417)
		listed = stock.put("Delivery Note", name, {"selling_price_list": "Standard Buying"})
		self.assertEqual(listed.status_code, 417, listed.text[:300])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Delivery Note Item", row["name"], "rate"), 100)
		fewer = stock.put("Delivery Note", name, {"items": [{**row, "qty": 1}]})  # quantities are theirs
		self.assertEqual(fewer.status_code, 200, fewer.text[:300])
		submitted = stock.call("frappe.client.submit", doc=fewer.json()["data"])
		self.assertEqual(submitted.status_code, 200, submitted.text[:500])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Delivery Note", name, "docstatus"), 1)

	def test_finance_cannot_change_an_order_or_release_it(self):
		accounts = Client(self.url, frappe.local.site, ACCOUNTS, PASSWORD, ATTEMPTS)
		name = self.orders["b"]
		self.assertEqual(accounts.get(f"/api/resource/Sales Order/{quote(name)}").status_code, 200)
		changed = accounts.put("Sales Order", name, {"customer_name": "Changed by finance"})
		self.assertEqual(changed.status_code, 403, changed.text[:300])
		items = accounts.call(
			"erpnext.controllers.accounts_controller.update_child_qty_rate",
			parent_doctype="Sales Order",
			trans_items=[{"docname": None, "item_code": self.item, "qty": 9, "rate": 1}],
			parent_doctype_name=name,
		)
		self.assertIn(items.status_code, (403, 417), items.text[:300])
		approve = accounts.call("order_online.api.approval.approve", names=name)
		self.assertNotEqual(approve.status_code, 200)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Sales Order Item", {"parent": name}), 1)

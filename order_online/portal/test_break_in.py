"""A customer on the portal tries to reach another customer's orders over the served site's HTTP.

The customer ("me") changes the order number in every URL and argument they can reach: the app's order
page and ERPNext's, REST (v1 and v2), Frappe's form loaders, print view and PDF for the order, its
Delivery Note, Sales Invoice and parcel, the comment box, a private file attached to the order, and
every whitelisted method of the app. Each answer for the other customer's document must be the answer
for a document that does not exist (status and text, the name aside) and hold none of their data; each
has a positive control: the same path for my own document gives what the portal gives me. A guest is
sent to log in. Every attempt is counted and printed.

The data is committed (the served site runs in another process) and removed afterwards. Set
``OO_SITE_URL`` (default http://127.0.0.1:8010, Host header = the site).
"""

import importlib
import inspect
import pkgutil
import re
from urllib.parse import quote

import frappe
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note, make_sales_invoice
from frappe.utils.password import update_password

import order_online.api
from order_online.tests.factories import (
	TEST_PREFIX,
	add_stock,
	get_company,
	get_warehouse,
	make_customer,
	make_item,
	make_parcel,
	make_portal_user,
	make_sales_order,
	plain_orders,
	remove_documents,
)
from order_online.tests.http import Client
from order_online.tests.utils import ServedSiteTestCase

ME, THEM = "oo.portal.me@example.com", "oo.portal.them@example.com"
PASSWORD = "Oo-portal-test-42!"
ATTEMPTS = {"count": 0}
PRINT = "frappe.utils.print_format.download_pdf"


def ghost(name: str) -> str:
	"""A name like ``name`` that no document has: its last number all nines."""
	return re.sub(r"\d+$", lambda number: "9" * len(number.group()), name)


def answer(reply, name: str) -> tuple[int, str]:
	"""What a reply tells about ``name``: its status and its text with the name taken out. Frappe's
	development server adds a traceback to an API error (``exc``); it is left out, a production site
	does not send it. So is the random id Frappe gives each error message."""
	text = reply.text
	if reply.headers.get("Content-Type", "").startswith("application/json"):
		body = reply.json()
		body.pop("exc", None)
		text = frappe.as_json(body)
	text = re.sub(r"__frappe_exc_id[^0-9a-f]+[0-9a-f]+", "__frappe_exc_id", text)
	return reply.status_code, text.replace(quote(name), "<name>").replace(name, "<name>")


class TestCustomerBreakIn(ServedSiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		warehouse = get_warehouse(get_company())
		cls.created, cls.docs = [], {}
		for who, user, rate in ((ME, ME, 1111.11), (THEM, THEM, 7777.77)):
			key = "me" if who == ME else "them"
			customer = make_customer(f"{TEST_PREFIX} Portal {key.title()} Customer")
			update_password(make_portal_user(user, customer), PASSWORD)
			item = make_item(f"{TEST_PREFIX}-PORTAL-{key.upper()}-ITEM")
			cls.created.append(("Stock Entry", add_stock(item, warehouse, 10).name))
			order = make_sales_order(customer, [(item, 1, rate)], submit=True, warehouse=warehouse)
			open_order = make_sales_order(customer, [(item, 1, rate)], submit=True, warehouse=warehouse)
			cls.created += [("Sales Order", order.name), ("Sales Order", open_order.name)]
			note = make_delivery_note(order.name).insert()
			note.submit()
			invoice = make_sales_invoice(order.name).insert()
			invoice.submit()
			cls.created += [("Delivery Note", note.name), ("Sales Invoice", invoice.name)]
			number = f"PBI{int(rate)}{frappe.generate_hash(length=6)}"
			parcel = make_parcel(order, number, frappe.utils.now_datetime(), delivery_note=note.name)
			cls.created.insert(0, ("Shipment Tracking", parcel.name))  # removed after its note
			attachment = frappe.get_doc(
				{
					"doctype": "File",
					"file_name": f"oo-portal-{key}-terms.txt",
					"content": f"{key} contract terms".encode(),
					"is_private": 1,
					"attached_to_doctype": "Sales Order",
					"attached_to_name": order.name,
				}
			).insert(ignore_permissions=True)
			cls.created.append(("File", attachment.name))
			cls.docs[key] = frappe._dict(
				customer=customer,
				item=item,
				rate=rate,
				order=order.name,
				open_order=open_order.name,
				note=note.name,
				invoice=invoice.name,
				parcel=parcel.name,
				tracking_number=parcel.tracking_number,
				file_url=attachment.file_url,
			)
		from frappe.core.doctype.user.user import generate_keys

		cls.api_secret = generate_keys(ME)["api_secret"]  # the customer's own API key, as a shop app uses
		cls.api_key = frappe.db.get_value("User", ME, "api_key")
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		remove_documents(cls.created)
		names = [doc[field] for doc in cls.docs.values() for field in ("order", "open_order")]
		frappe.db.delete("Comment", {"reference_name": ("in", names)})
		frappe.db.delete("Notification Log", {"document_name": ("in", names)})
		frappe.db.commit()
		print(f"\ncustomer break-in attempts: {ATTEMPTS['count']}")
		super().tearDownClass()

	def setUp(self):
		super().setUp()
		self.me = Client(self.url, frappe.local.site, ME, PASSWORD, ATTEMPTS)
		self.mine, self.theirs = self.docs["me"], self.docs["them"]

	def leaks(self, text: str) -> list[str]:
		"""What of the other customer's data ``text`` holds."""
		them = self.theirs
		marks = (
			them.customer,
			them.item,
			them.note,
			them.invoice,
			them.tracking_number,
			"7,777.77",
			"7777.77",
		)
		return [mark for mark in marks if mark in text]

	def assert_like_nothing(self, ask, name: str):
		"""``ask(name)`` for the other customer's ``name`` answers as for a name no document has."""
		theirs, missing = ask(name), ask(ghost(name))
		self.assertIn(theirs.status_code, (403, 404), (name, theirs.url, theirs.text[:300]))
		self.assertEqual(answer(theirs, name), answer(missing, ghost(name)), theirs.url)
		self.assertEqual(self.leaks(theirs.text), [], theirs.url)

	# One document, every path ---------------------------------------------------------------

	def paths(self, doctype: str):
		"""Frappe's and ERPNext's ways to one document of ``doctype``, each as name -> reply."""
		yield "REST", lambda name: self.me.get(f"/api/resource/{quote(doctype)}/{quote(name)}")
		yield "REST v2", lambda name: self.me.get(f"/api/v2/document/{quote(doctype)}/{quote(name)}")
		yield "client.get", lambda name: self.me.call("frappe.client.get", doctype=doctype, name=name)
		yield (
			"getdoc",
			lambda name: self.me.get("/api/method/frappe.desk.form.load.getdoc", doctype=doctype, name=name),
		)
		yield "printview", lambda name: self.me.get("/printview", doctype=doctype, name=name)
		yield "PDF", lambda name: self.me.get(f"/api/method/{PRINT}", doctype=doctype, name=name)
		yield (
			"comment",
			lambda name: self.me.call(
				"frappe.desk.form.utils.add_comment",
				reference_doctype=doctype,
				reference_name=name,
				content="me was here",
				comment_email=ME,
				comment_by="me",
			),
		)
		yield (  # Frappe's old RPC: ``cmd`` on any path
			"cmd",
			lambda name: self.me.get("/", cmd="frappe.client.get", doctype=doctype, name=name),
		)
		yield (
			"run_doc_method",
			lambda name: self.me.call("run_doc_method", dt=doctype, dn=name, method="get_title"),
		)

	def test_every_path_to_their_documents_answers_as_for_none(self):
		for doctype, field in (
			("Sales Order", "order"),
			("Delivery Note", "note"),
			("Sales Invoice", "invoice"),
			("Shipment Tracking", "parcel"),
		):
			for path, ask in self.paths(doctype):
				with self.subTest(doctype=doctype, path=path):
					self.assert_like_nothing(ask, self.theirs[field])
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Comment", {"content": "me was here"}))

	def test_my_own_documents_print_and_download_on_the_same_paths(self):
		for doctype, field in (
			("Sales Order", "order"),
			("Delivery Note", "note"),
			("Sales Invoice", "invoice"),
		):
			name = self.mine[field]
			printed = self.me.get("/printview", doctype=doctype, name=name)
			self.assertEqual(printed.status_code, 200, (doctype, printed.text[:300]))
			self.assertIn(self.mine.item, printed.text)
			pdf = self.me.get(f"/api/method/{PRINT}", doctype=doctype, name=name)
			self.assertEqual(pdf.status_code, 200, (doctype, pdf.text[:300]))
			self.assertTrue(pdf.content.startswith(b"%PDF"), doctype)
			# the desk's REST is ERPNext's: closed to a portal user for every document, their own too
			rest = self.me.get(f"/api/resource/{quote(doctype)}/{quote(name)}")
			self.assertEqual(rest.status_code, 403, (doctype, rest.text[:300]))

	def test_with_my_api_key_their_documents_answer_as_none_too(self):
		keyed = Client(self.url, frappe.local.site, tally=ATTEMPTS)
		keyed.session.headers["Authorization"] = f"token {self.api_key}:{self.api_secret}"
		for doctype, field in (
			("Sales Order", "order"),
			("Delivery Note", "note"),
			("Sales Invoice", "invoice"),
		):
			with self.subTest(doctype=doctype):

				def rest(name, doctype=doctype):
					return keyed.get(f"/api/resource/{quote(doctype)}/{quote(name)}")

				def printed(name, doctype=doctype):
					return keyed.get("/printview", doctype=doctype, name=name)

				self.assert_like_nothing(rest, self.theirs[field])
				self.assert_like_nothing(printed, self.theirs[field])
				own = printed(self.mine[field])
				self.assertEqual(own.status_code, 200, own.text[:300])  # the key is mine: my own prints
				self.assertIn(self.mine.item, own.text)

	# The portal's pages --------------------------------------------------------------------

	def test_the_order_pages_show_mine_and_answer_theirs_as_none(self):
		pages = (
			("my_order", lambda name: self.me.get("/my_order", name=name)),
			("orders", lambda name: self.me.get(f"/orders/{quote(name)}")),
		)
		for page, ask in pages:
			with self.subTest(page=page):
				self.assert_like_nothing(ask, self.theirs.order)
				own = ask(self.mine.order)
				self.assertEqual(own.status_code, 200, (page, own.text[:300]))
				self.assertIn(self.mine.item, own.text)
		invoice = lambda name: self.me.get(f"/invoices/{quote(name)}")  # noqa: E731
		self.assert_like_nothing(invoice, self.theirs.invoice)
		self.assertIn(self.mine.item, invoice(self.mine.invoice).text)
		listed = self.me.get("/my_orders").text
		self.assertIn(self.mine.order, listed)
		self.assertNotIn(self.theirs.order, listed)
		self.assertEqual(self.leaks(listed), [])
		parcels = self.me.get("/parcels").text
		self.assertIn(self.mine.tracking_number, parcels)
		self.assertEqual(self.leaks(parcels), [])

	def test_their_private_attachment_answers_as_a_file_that_is_not_there(self):
		theirs = self.me.get(self.theirs.file_url)
		missing = self.me.get(self.theirs.file_url.replace("terms", "nothing"))
		self.assertEqual(theirs.status_code, 403)
		self.assertEqual(answer(theirs, "terms"), answer(missing, "nothing"))
		self.assertNotIn("contract terms", theirs.text)
		# a private file on my own order is the company's (a contract, a note): the portal does not offer it
		self.assertEqual(self.me.get(self.mine.file_url).status_code, 403)
		self.assertTrue(frappe.db.exists("File", {"file_url": self.theirs.file_url}))  # it is there

	# The app's methods ---------------------------------------------------------------------

	def test_cancel_request_takes_my_open_order_and_answers_theirs_as_none(self):
		ask = lambda name: self.me.call("order_online.api.portal.request_cancellation", name=name)  # noqa: E731
		self.assert_like_nothing(ask, self.theirs.open_order)
		frappe.db.rollback()
		self.assertFalse(frappe.db.get_value("Sales Order", self.theirs.open_order, "oo_cancel_requested_at"))
		mine = ask(self.mine.open_order)
		self.assertEqual(mine.status_code, 200, mine.text[:300])
		frappe.db.rollback()
		self.assertTrue(frappe.db.get_value("Sales Order", self.mine.open_order, "oo_cancel_requested_at"))

	def test_every_whitelisted_method_of_the_app_answers_their_order_as_none(self):
		"""Each of the app's methods, every argument the other customer's order number (a list of it,
		a document naming it): the answer is the answer for an order that does not exist."""
		methods = app_methods()
		self.assertGreater(len(methods), 5)
		for path, params in methods:
			with self.subTest(method=path):
				self.assert_like_nothing(
					lambda name, path=path, params=params: self.me.call(path, **arguments(params, name)),
					self.theirs.order,
				)

	def test_a_guest_is_sent_to_log_in(self):
		guest = Client(self.url, frappe.local.site, tally=ATTEMPTS)
		for path in ("/my_orders", f"/my_order?name={quote(self.mine.order)}"):
			status, location = guest.where_to(path)
			self.assertIn(status, (301, 302), path)
			self.assertTrue(location.startswith("/login"), location)
		reply = guest.call("order_online.api.portal.request_cancellation", name=self.mine.open_order)
		self.assertEqual(reply.status_code, 403)


def app_methods() -> list[tuple[str, list[str]]]:
	"""The whitelisted methods of ``order_online.api`` as (dotted path, parameter names)."""
	for module in pkgutil.iter_modules(order_online.api.__path__):
		importlib.import_module(f"order_online.api.{module.name}")
	found = []
	for method in frappe.whitelisted:
		module = getattr(method, "__module__", "")
		if module.startswith("order_online.api."):
			params = [p for p in inspect.signature(method).parameters if p not in ("args", "kwargs")]
			found.append((f"{module}.{method.__name__}", params))
	return sorted(found)


def arguments(params: list[str], name: str) -> dict:
	"""Every parameter set to the order's name, in the shape the parameter takes."""
	shaped = {"names": [name], "doc": {"doctype": "Sales Order", "name": name, "items": []}}
	return {param: shaped.get(param, name) for param in params}

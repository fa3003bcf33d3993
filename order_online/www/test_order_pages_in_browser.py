"""The customer's pages in a real browser (headless Chromium through Selenium) on the served site, at a
phone's width (390 px) and a desktop's (1280 px), for a customer who reads English and one who reads
Chinese: the order list shows the order in the reader's words; the order page shows the timeline with
the carrier's events, the parcel's tracking number, its ETA and late flag, and nothing runs off the
side of a phone; every form field has a label; the cancel request is sent with a click (and the
keyboard) and the page then says it was asked.

Needs Debian's chromium and chromium-driver (skipped without them) and ``bench serve`` (``OO_SITE_URL``).
Screenshots go to ``OO_SCREENSHOT_DIR`` when it is set (the README's come from here).
"""

import os
import shutil
import unittest

import frappe
from erpnext.selling.doctype.sales_order.sales_order import make_delivery_note
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import update_password

from order_online.common.app_owned import app_writes
from order_online.domain import portal
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
from order_online.tests.utils import ServedSiteTestCase

try:
	from selenium import webdriver
	from selenium.common.exceptions import TimeoutException
	from selenium.webdriver.common.by import By
	from selenium.webdriver.common.keys import Keys
	from selenium.webdriver.support import expected_conditions
	from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - the browser tests need the test extras
	webdriver = None

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
READERS = {"en": "oo.browser.en@example.com", "zh": "oo.browser.zh@example.com"}
PASSWORD = "Oo-browser-test-42!"
WIDTHS = (390, 1280)
# what the reader sees, in their language (the app's zh.csv)
WORDS = {
	"en": {
		"placed": "Order placed",
		"timeline": "Timeline",
		"expected": "Expected",
		"late": "Late",
		"asked": "You asked to cancel",
	},
	"zh": {"placed": "已下单", "timeline": "进度", "expected": "预计", "late": "延误", "asked": "您已于"},
}
STATUS = {"en": {portal.SHIPPED: "Shipped"}, "zh": {portal.SHIPPED: "已发货"}}


@unittest.skipUnless(webdriver and CHROMIUM and DRIVER, "needs selenium, chromium and chromedriver")
class TestOrderPagesInBrowser(ServedSiteTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		plain_orders(sales_see_only_own_orders=0)
		warehouse = get_warehouse(get_company())
		cls.customer = make_customer(f"{TEST_PREFIX} Browser Buyer")
		for lang, user in READERS.items():
			make_portal_user(user, cls.customer)
			frappe.db.set_value("User", user, "language", lang)
			update_password(user, PASSWORD)
		item = make_item(f"{TEST_PREFIX}-BROWSER-1")
		cls.created = [("Stock Entry", add_stock(item, warehouse, 20).name)]
		cls.shipped = make_sales_order(
			cls.customer, [(item, 2, 120)], submit=True, warehouse=warehouse, po_no="PO-BROWSER-1"
		)
		start = add_to_date(now_datetime(), days=-3)
		# placed three days ago, shipped two hours later; the carrier's promise has passed: late
		frappe.db.set_value(
			"Sales Order",
			cls.shipped.name,
			{"creation": start, "transaction_date": start.date()},
			update_modified=False,
		)
		cls.parcel = make_parcel(
			cls.shipped,
			"SF1234567890",
			add_to_date(start, hours=2),
			[
				(add_to_date(start, hours=5), "In Transit", "Left the Shenzhen hub"),
				(add_to_date(start, days=1), "In Transit", "Arrived at Shanghai"),
			],
			eta=add_to_date(start, days=2),
			is_late=1,
		)
		with app_writes():  # what the tracking service writes on the order beside the waybill
			frappe.db.set_value("Sales Order", cls.shipped.name, "oo_tracking_status", "In Transit")
		note = make_delivery_note(cls.shipped.name).insert()  # the parcel left with this Delivery Note
		note.submit()
		cls.open_orders = {
			lang: make_sales_order(cls.customer, [(item, 1, 120)], submit=True, warehouse=warehouse).name
			for lang in READERS
		}
		cls.created += [("Sales Order", cls.shipped.name), ("Delivery Note", note.name)]
		cls.created += [("Sales Order", name) for name in cls.open_orders.values()]
		cls.created.insert(1, ("Shipment Tracking", cls.parcel.name))
		frappe.db.commit()
		cls.shots = os.environ.get("OO_SCREENSHOT_DIR")

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		remove_documents(cls.created)
		names = [cls.shipped.name, *cls.open_orders.values()]
		frappe.db.delete("Comment", {"reference_name": ("in", names)})
		frappe.db.delete("Notification Log", {"document_name": ("in", names)})
		frappe.db.commit()
		super().tearDownClass()

	def browser(self, lang: str, width: int):
		"""Chromium logged in as the ``lang`` reader, ``width`` wide."""
		options = webdriver.ChromeOptions()
		options.binary_location = CHROMIUM
		for flag in (
			"--headless=new",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
			"--lang=en-US",  # the page's language must come from the user, not the browser
			f"--window-size={width},900",
		):
			options.add_argument(flag)
		driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
		self.addCleanup(driver.quit)
		driver.set_window_size(width, 900)
		# logged in as the customer is: through the login page
		driver.get(f"{self.url}/login")
		WebDriverWait(driver, 20).until(
			expected_conditions.visibility_of_element_located((By.ID, "login_email"))
		).send_keys(READERS[lang])
		driver.find_element(By.ID, "login_password").send_keys(PASSWORD + Keys.ENTER)
		WebDriverWait(driver, 20).until(lambda d: "/login" not in d.current_url)
		return driver

	def open(self, driver, path: str, selector: str):
		"""Load ``path`` and wait for ``selector`` on it; fails with where the browser ended up."""
		driver.get(f"{self.url}{path}")
		try:
			return WebDriverWait(driver, 20).until(
				expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector))
			)
		except TimeoutException:
			body = driver.find_element(By.TAG_NAME, "body").text[:300]
			self.fail(f"{selector} not on {path}: at {driver.current_url}, {body!r}")

	def shot(self, driver, name: str) -> None:
		if self.shots:
			os.makedirs(self.shots, exist_ok=True)
			height = driver.execute_script("return document.documentElement.scrollHeight")
			driver.set_window_size(driver.get_window_size()["width"], min(height + 100, 2400))
			driver.save_screenshot(os.path.join(self.shots, f"{name}.png"))

	def assert_fits_and_labelled(self, driver) -> None:
		overflow = driver.execute_script(
			"return document.documentElement.scrollWidth - document.documentElement.clientWidth"
		)
		self.assertLessEqual(overflow, 0, "the page runs off the side")
		unlabelled = driver.execute_script(
			"""return [...document.querySelectorAll('.page-content input:not([type=hidden]),'
				+ '.page-content select, .page-content textarea')]
				.filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`))
					&& !el.getAttribute('aria-label')).map(el => el.name || el.outerHTML)"""
		)
		self.assertEqual(unlabelled, [])

	def test_the_order_page_shows_timeline_tracking_and_eta_in_the_readers_language(self):
		for lang in READERS:
			for width in WIDTHS:
				with self.subTest(lang=lang, width=width):
					driver = self.browser(lang, width)
					page = self.open(driver, f"/my_order?name={self.shipped.name}", ".oo-order")
					words = WORDS[lang]
					self.assertIn(words["timeline"], page.text)
					steps = driver.find_elements(By.CSS_SELECTOR, ".oo-timeline li")
					texts = [step.text for step in steps]
					self.assertTrue(any("Left the Shenzhen hub" in text for text in texts), texts)
					self.assertTrue(any("Arrived at Shanghai" in text for text in texts), texts)
					self.assertGreaterEqual(len(steps), 4, texts)  # placed, shipped, two carrier events
					self.assertIn(words["placed"], texts[0])  # in the order things happened
					parcel = driver.find_element(By.CSS_SELECTOR, ".oo-parcel").text
					self.assertIn("SF1234567890", parcel)
					self.assertIn(words["expected"], parcel)
					self.assertIn(words["late"], parcel)
					self.assertIn(STATUS[lang][portal.SHIPPED], page.text)
					self.assertNotIn("To Bill", page.text)  # ERPNext's internal status stays inside
					self.assert_fits_and_labelled(driver)
					self.shot(driver, f"my-order-{lang}-{width}")

	def test_the_list_filters_by_status_and_opens_the_order(self):
		for lang in READERS:
			for width in WIDTHS:
				with self.subTest(lang=lang, width=width):
					driver = self.browser(lang, width)
					self.open(driver, "/my_orders", ".oo-order-list")
					rows = driver.find_elements(By.CSS_SELECTOR, ".oo-order-list tbody tr")
					self.assertGreaterEqual(len(rows), 3)
					self.assert_fits_and_labelled(driver)
					cut = driver.execute_script(
						"""return [...document.querySelectorAll('.oo-order-status')]
							.filter(el => el.getBoundingClientRect().right > window.innerWidth).length"""
					)
					self.assertEqual(cut, 0, "a status is off the screen")  # a card per order on a phone
					self.shot(driver, f"my-orders-{lang}-{width}")
					status = driver.find_element(By.ID, "oo-status")
					status.find_element(By.CSS_SELECTOR, f'option[value="{portal.SHIPPED}"]').click()
					driver.find_element(By.CSS_SELECTOR, ".oo-order-filters button").click()
					WebDriverWait(driver, 20).until(expected_conditions.url_contains("status="))
					rows = driver.find_elements(By.CSS_SELECTOR, ".oo-order-list tbody tr")
					self.assertEqual(len(rows), 1)
					self.assertIn(STATUS[lang][portal.SHIPPED], rows[0].text)
					rows[0].find_element(By.LINK_TEXT, self.shipped.name).click()
					WebDriverWait(driver, 20).until(expected_conditions.url_contains("/my_order?"))
					self.assertIn("SF1234567890", driver.find_element(By.CSS_SELECTOR, ".oo-parcel").text)

	def test_the_cancel_request_is_sent_from_the_keyboard_and_then_told(self):
		for lang, name in self.open_orders.items():
			with self.subTest(lang=lang):
				driver = self.browser(lang, WIDTHS[0])
				self.open(driver, f"/my_order?name={name}", "#oo-cancel-reason")
				reason = driver.find_element(By.ID, "oo-cancel-reason")
				reason.send_keys("Ordered twice")
				reason.send_keys(Keys.TAB)  # to the button, then Enter, as a keyboard user does
				focused = driver.switch_to.active_element
				self.assertEqual(focused.get_attribute("type"), "submit")
				focused.send_keys(Keys.ENTER)
				told = WebDriverWait(driver, 20).until(
					expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".oo-cancel-requested"))
				)
				self.assertIn(WORDS[lang]["asked"], told.text)
				self.shot(driver, f"cancel-request-{lang}")
				frappe.db.rollback()
				self.assertTrue(frappe.db.get_value("Sales Order", name, "oo_cancel_requested_at"))
				self.assertEqual(frappe.db.get_value("Sales Order", name, "docstatus"), 1)

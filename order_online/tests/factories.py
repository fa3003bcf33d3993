"""Idempotent factories for tier-2 tests and site benchmarks: each returns the record, creating it once."""

import frappe

TEST_PREFIX = "_OO"


def get_company() -> str:
	"""The site's default company (ERPNext's test setup creates one)."""
	company = frappe.db.get_single_value("Global Defaults", "default_company") or frappe.db.get_value(
		"Company", {}, "name", order_by="creation"
	)
	if not company:
		frappe.throw("This site has no Company; run ERPNext's setup wizard or its test setup first")
	return company


def get_leaf(doctype: str) -> str:
	return frappe.db.get_value(doctype, {"is_group": 0}, "name", order_by="lft")


def get_warehouse(company: str) -> str:
	"""The company's stores warehouse (ERPNext's setup creates "Stores - ABBR")."""
	stores = f"Stores - {frappe.get_cached_value('Company', company, 'abbr')}"
	if frappe.db.exists("Warehouse", stores):
		return stores
	return frappe.db.get_value(
		"Warehouse",
		{"company": company, "is_group": 0, "disabled": 0, "warehouse_type": ("!=", "Transit")},
		"name",
		order_by="creation",
	)


def make_customer(name: str = f"{TEST_PREFIX} Customer") -> str:
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": get_leaf("Customer Group"),
				"territory": get_leaf("Territory"),
			}
		).insert(ignore_permissions=True)
	return name


def make_item(item_code: str, is_stock_item: int = 1) -> str:
	if not frappe.db.exists("Item", item_code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item_code,
				"item_name": item_code,
				"item_group": get_leaf("Item Group"),
				"stock_uom": "Nos",
				"is_stock_item": is_stock_item,
				"weight_per_unit": 1,
				"weight_uom": "Kg" if frappe.db.exists("UOM", "Kg") else None,
			}
		).insert(ignore_permissions=True)
	return item_code


def make_channel(
	name: str = f"{TEST_PREFIX} Web Shop", code: str = "WEB", channel_type: str = "Website"
) -> str:
	if not frappe.db.exists("Order Channel", name):
		frappe.get_doc(
			{
				"doctype": "Order Channel",
				"channel_name": name,
				"channel_code": code,
				"channel_type": channel_type,
			}
		).insert(ignore_permissions=True)
	return name


def make_region(name: str, region_type: str, parent: str | None = None, **values) -> str:
	if not frappe.db.exists("Shipping Region", name):
		frappe.get_doc(
			{
				"doctype": "Shipping Region",
				"region_name": name,
				"region_type": region_type,
				"parent_shipping_region": parent,
				**values,
			}
		).insert(ignore_permissions=True)
	return name


def make_china_regions() -> None:
	"""A small China tree: 中国 → 广东 → 深圳 / 广州."""
	make_region(f"{TEST_PREFIX} China", "Country", country="China", aliases="中国\nCN")
	make_region(f"{TEST_PREFIX} Guangdong", "Province", f"{TEST_PREFIX} China", aliases="广东\nGuangdong")
	make_region(f"{TEST_PREFIX} Shenzhen", "City", f"{TEST_PREFIX} Guangdong", aliases="深圳\nShenzhen")
	make_region(f"{TEST_PREFIX} Guangzhou", "City", f"{TEST_PREFIX} Guangdong", aliases="广州\nGuangzhou")


def ensure_address_template() -> None:
	"""Addresses render through a template; a fresh test site may not have one."""
	if not frappe.db.exists("Address Template", {"is_default": 1}):
		country = frappe.db.get_value("Company", get_company(), "country")
		frappe.get_doc({"doctype": "Address Template", "country": country, "is_default": 1}).insert(
			ignore_permissions=True
		)


def make_address(customer: str, country: str, state: str, city: str, title: str | None = None) -> str:
	title = title or f"{TEST_PREFIX} {customer} {city}"
	name = frappe.db.get_value("Address", {"address_title": title})
	if name:
		return name
	ensure_address_template()
	return (
		frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": title,
				"address_type": "Shipping",
				"address_line1": "1 Test Road",
				"city": city,
				"state": state,
				"country": country,
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_sales_order(
	customer: str | None = None,
	items: list[tuple[str, float, float]] | None = None,
	submit: bool = False,
	**values,
):
	"""A Sales Order for ``items`` as (item_code, qty, rate); five test items by default."""
	company = values.pop("company", None) or get_company()
	warehouse = values.pop("warehouse", None) or get_warehouse(company)
	customer = customer or make_customer()
	items = items or [(make_item(f"{TEST_PREFIX}-ITEM-{i}"), 1, 100) for i in range(1, 6)]
	doc = frappe.get_doc(
		{
			"doctype": "Sales Order",
			"company": company,
			"customer": customer,
			"transaction_date": frappe.utils.nowdate(),
			"delivery_date": frappe.utils.add_days(frappe.utils.nowdate(), 7),
			"items": [
				{"item_code": code, "qty": qty, "rate": rate, "warehouse": warehouse}
				for code, qty, rate in items
			],
			**values,
		}
	)
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def set_settings(**values) -> None:
	"""Order Online Settings with ``values`` (the rest as they are)."""
	settings = frappe.get_single("Order Online Settings")
	settings.update(values)
	settings.save(ignore_permissions=True)


def make_warehouse(name: str, company: str | None = None) -> str:
	company = company or get_company()
	abbr = frappe.get_cached_value("Company", company, "abbr")
	full = f"{name} - {abbr}"
	if not frappe.db.exists("Warehouse", full):
		frappe.get_doc({"doctype": "Warehouse", "warehouse_name": name, "company": company}).insert(
			ignore_permissions=True
		)
	return full


def add_stock(item_code: str, warehouse: str, qty: float, rate: float = 10):
	"""Receive ``qty`` into ``warehouse`` with a submitted Material Receipt."""
	from erpnext.stock.doctype.stock_entry.stock_entry_utils import make_stock_entry

	return make_stock_entry(item_code=item_code, target=warehouse, qty=qty, basic_rate=rate)


def make_rule(name: str, rule_type: str, **values) -> str:
	if not frappe.db.exists("Order Validation Rule", name):
		frappe.get_doc(
			{"doctype": "Order Validation Rule", "rule_name": name, "rule_type": rule_type, **values}
		).insert(ignore_permissions=True)
	return name


def make_supplier(name: str = f"{TEST_PREFIX} Supplier") -> str:
	if not frappe.db.exists("Supplier", name):
		frappe.get_doc(
			{"doctype": "Supplier", "supplier_name": name, "supplier_group": get_leaf("Supplier Group")}
		).insert(ignore_permissions=True)
	return name


def make_purchase_order(item_code: str, warehouse: str, qty: float, schedule_date, submit: bool = True):
	po = frappe.get_doc(
		{
			"doctype": "Purchase Order",
			"supplier": make_supplier(),
			"company": get_company(),
			"schedule_date": schedule_date,
			"items": [
				{
					"item_code": item_code,
					"warehouse": warehouse,
					"qty": qty,
					"rate": 10,
					"schedule_date": schedule_date,
				}
			],
		}
	).insert(ignore_permissions=True)
	if submit:
		po.submit()
	return po


def make_user(email: str, *roles: str) -> str:
	"""A system user with exactly ``roles`` (created once; roles topped up)."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.add_roles(*roles)
	return email


def make_approval_rule(name: str, levels: list[tuple[int, str | None, str | None]], **values) -> str:
	"""An Order Approval Rule with (level, role, user) rows."""
	if not frappe.db.exists("Order Approval Rule", name):
		frappe.get_doc(
			{
				"doctype": "Order Approval Rule",
				"rule_name": name,
				"levels": [
					{"level": lv, "approver_role": role, "approver_user": user} for lv, role, user in levels
				],
				**values,
			}
		).insert(ignore_permissions=True)
	return name


def make_allocation_network(company: str | None = None) -> dict:
	"""Two warehouses with regions and shipping rates, and a customer in Shenzhen.

	Guangzhou (WH-A) to Shenzhen: 6 per parcel + 0.5/kg, 1 day; Chengdu (WH-B), through the
	country-wide rate: 20 per parcel + 3/kg, 4 days.
	"""
	company = company or get_company()
	make_china_regions()
	make_region(f"{TEST_PREFIX} Sichuan", "Province", f"{TEST_PREFIX} China", aliases="四川\nSichuan")
	make_region(f"{TEST_PREFIX} Chengdu", "City", f"{TEST_PREFIX} Sichuan", aliases="成都\nChengdu")
	near, far = make_warehouse(f"{TEST_PREFIX} WH-A", company), make_warehouse(f"{TEST_PREFIX} WH-B", company)
	frappe.db.set_value("Warehouse", near, "oo_shipping_region", f"{TEST_PREFIX} Guangzhou")
	frappe.db.set_value("Warehouse", far, "oo_shipping_region", f"{TEST_PREFIX} Chengdu")
	for origin, destination, fixed, per_kg, days in (
		("Guangzhou", "Shenzhen", 6, 0.5, 1),
		("China", "China", 20, 3, 4),
	):
		if not frappe.db.exists(
			"Shipping Rate",
			{
				"origin_region": f"{TEST_PREFIX} {origin}",
				"destination_region": f"{TEST_PREFIX} {destination}",
			},
		):
			frappe.get_doc(
				{
					"doctype": "Shipping Rate",
					"origin_region": f"{TEST_PREFIX} {origin}",
					"destination_region": f"{TEST_PREFIX} {destination}",
					"cost_per_parcel": fixed,
					"cost_per_kg": per_kg,
					"transit_days": days,
				}
			).insert(ignore_permissions=True)
	customer = make_customer(f"{TEST_PREFIX} Shenzhen Customer")
	address = make_address(customer, "China", "Guangdong", "Shenzhen")
	return {"near": near, "far": far, "customer": customer, "address": address, "company": company}


def make_allocation_rule(company: str | None = None, **values) -> str:
	company = company or get_company()
	restrictions = values.pop("restrictions", [])
	if frappe.db.exists("Warehouse Allocation Rule", company):
		frappe.delete_doc("Warehouse Allocation Rule", company, ignore_permissions=True, force=True)
	frappe.get_doc(
		{
			"doctype": "Warehouse Allocation Rule",
			"company": company,
			"strategy": "Cheapest",
			"restrictions": restrictions,
			**values,
		}
	).insert(ignore_permissions=True)
	return company


def remove_allocation_network() -> None:
	"""Undo what ``make_allocation_network`` committed (for tests that must commit)."""
	like = ("like", f"{TEST_PREFIX} %")
	for name in frappe.get_all("Shipping Rate", filters={"origin_region": like}, pluck="name"):
		frappe.delete_doc("Shipping Rate", name, force=True, ignore_permissions=True)
	for name in frappe.get_all("Warehouse", filters={"oo_shipping_region": like}, pluck="name"):
		frappe.db.set_value("Warehouse", name, "oo_shipping_region", None)
	for name in frappe.get_all("Address", filters={"oo_shipping_region": like}, pluck="name"):
		frappe.db.set_value("Address", name, "oo_shipping_region", None)
	for name in frappe.get_all("Sales Order", filters={"oo_shipping_region": like}, pluck="name"):
		frappe.db.set_value("Sales Order", name, "oo_shipping_region", None, update_modified=False)
	for name in frappe.get_all("Shipping Region", filters={"name": like}, order_by="lft desc", pluck="name"):
		frappe.delete_doc("Shipping Region", name, force=True, ignore_permissions=True)
	from order_online.order_entry.regions import clear_region_cache

	clear_region_cache()


def remove_documents(created: list[tuple[str, str]]) -> None:
	"""Undo what a committing test or benchmark made, newest first: cancel what is submitted, delete."""
	for doctype, name in reversed(created):
		if not frappe.db.exists(doctype, name):
			continue
		doc = frappe.get_doc(doctype, name)
		if doc.docstatus == 1:
			doc.cancel()
		frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)


def remove_approval_rules() -> None:
	"""No Order Approval Rule on the site, and none left in the rules' cache (a bare delete keeps it)."""
	from order_online.approval.service import clear_rule_cache

	frappe.db.delete("Order Approval Level", {"parenttype": "Order Approval Rule"})
	frappe.db.delete("Order Approval Rule")
	clear_rule_cache()


def plain_orders(**settings) -> None:
	"""Orders only the test's subject acts on: the app on, backorders allowed, no shortage alerts, no
	approval or validation rule (both rule caches cleared), then ``settings``."""
	from order_online.order_entry.rules import clear_rule_cache

	remove_approval_rules()
	set_settings(**{"enabled": 1, "allow_backorders": 1, "raise_shortage_alerts": 0, **settings})
	frappe.db.set_value("Order Validation Rule", {"enabled": 1}, "enabled", 0)
	clear_rule_cache()


def make_carrier_account(name: str) -> str:
	"""A generic-webhook Carrier Account that polls nothing (created once)."""
	if not frappe.db.exists("Carrier Account", name):
		frappe.get_doc(
			{"doctype": "Carrier Account", "account_name": name, "provider": "Generic Webhook", "use_push": 0}
		).insert(ignore_permissions=True)
	return name


def make_parcel(
	so,
	number: str,
	shipped_at,
	events: tuple = (),
	delivered_at=None,
	delivery_note: str | None = None,
	eta=None,
	**values,
):
	"""A waybill of ``so`` as the tracking service records it: shipped at ``shipped_at`` (due two days
	later unless ``eta``), ``events`` as (time, status, text), delivered when ``delivered_at``."""
	from order_online.common.app_owned import app_writes

	account = make_carrier_account(f"{TEST_PREFIX} Portal Carrier")
	with app_writes():
		return frappe.get_doc(
			{
				"doctype": "Shipment Tracking",
				"tracking_number": number,
				"carrier_account": account,
				"carrier_code": "sf-express",
				"sales_order": so.name,
				"delivery_note": delivery_note,
				"customer": so.customer,
				"status": "Delivered" if delivered_at else "In Transit",
				"shipped_at": shipped_at,
				"delivered_at": delivered_at,
				"eta": eta or frappe.utils.add_to_date(shipped_at, days=2),
				"events": [
					{"event_time": at, "status": status, "description": text, "event_key": f"{number}-{i}"}
					for i, (at, status, text) in enumerate(events)
				],
				**values,
			}
		).insert(ignore_permissions=True)


def make_outgoing_email_account() -> str:
	"""A default outgoing Email Account (to localhost; the Email Queue keeps what is sent), once."""
	name = frappe.db.get_value("Email Account", {"default_outgoing": 1})
	if not name:
		name = (
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": f"{TEST_PREFIX} Outgoing",
					"email_id": "orders@example.com",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "localhost",
					"no_smtp_authentication": 1,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	return name


def make_sales_person(
	name: str, user: str | None = None, parent: str | None = None, is_group: int = 0
) -> str:
	"""A Sales Person, linked to ``user`` through an Employee (Sales Person -> Employee -> User)."""
	employee = None
	if user:
		employee = frappe.db.get_value("Employee", {"user_id": user})
		if not employee:
			employee = (
				frappe.get_doc(
					{
						"doctype": "Employee",
						"first_name": name,
						"gender": frappe.db.get_value("Gender", {}) or _make_gender(),
						"date_of_birth": "1990-01-01",
						"date_of_joining": "2020-01-01",
						"company": get_company(),
						"user_id": user,
						"status": "Active",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
	if not frappe.db.exists("Sales Person", name):
		frappe.get_doc(
			{
				"doctype": "Sales Person",
				"sales_person_name": name,
				"parent_sales_person": parent
				or frappe.db.get_value("Sales Person", {"is_group": 1, "lft": 1})
				or "",
				"is_group": is_group,
				"employee": employee,
			}
		).insert(ignore_permissions=True)
	elif employee:
		frappe.db.set_value("Sales Person", name, "employee", employee)
	return name


def _make_gender() -> str:
	return frappe.get_doc({"doctype": "Gender", "gender": "Other"}).insert(ignore_permissions=True).name


def make_portal_user(email: str, customer: str) -> str:
	"""A website user with the Customer role, a Portal User of ``customer`` (ERPNext 15's link)."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Buyer",
				"send_welcome_email": 0,
				"user_type": "Website User",
			}
		).insert(ignore_permissions=True)
	frappe.get_doc("User", email).add_roles("Customer")
	doc = frappe.get_doc("Customer", customer)
	if not any(row.user == email for row in doc.get("portal_users", [])):
		doc.append("portal_users", {"user": email})
		doc.save(ignore_permissions=True)
	return email


INTAKE_SECRET = "oo-intake-test-secret"


def make_intake_channel(
	name: str = f"{TEST_PREFIX} Intake Shop", code: str = "OOIN", platform: str = "Generic API", **values
) -> str:
	"""An enabled channel taking signed orders (its integration user a plain Sales User), set to
	``values`` each call."""
	company = values.pop("company", None) or get_company()
	user = make_user("oo-intake-bot@example.com", "Sales User")
	if not frappe.db.exists("Order Channel", name):
		frappe.get_doc(
			{
				"doctype": "Order Channel",
				"channel_name": name,
				"channel_code": code,
				"channel_type": "Website",
			}
		).insert(ignore_permissions=True)
	doc = frappe.get_doc("Order Channel", name)
	doc.update(
		{
			"enabled": 1,
			"platform": platform,
			"company": company,
			"integration_user": user,
			"api_secret": INTAKE_SECRET,
			"rate_limit_per_minute": 0,
			"customer_group": get_leaf("Customer Group"),
			"territory": get_leaf("Territory"),
			"default_warehouse": get_warehouse(company),
			"customer_matching": "Channel Id, Email and Phone",
			**values,
		}
	)
	doc.save(ignore_permissions=True)
	return name


def remove_intake_channel(name: str = f"{TEST_PREFIX} Intake Shop") -> None:
	"""The channel's intake rows, its orders (cancelled), customers and their addresses."""
	orders = frappe.get_all(
		"Sales Order",
		filters={"oo_order_channel": name},
		fields=["name", "docstatus"],
		order_by="creation desc",
	)
	for order in orders:
		for pick in frappe.get_all(
			"Pick List Item", filters={"sales_order": order.name}, pluck="parent", distinct=True
		):
			pick_doc = frappe.get_doc("Pick List", pick)
			if pick_doc.docstatus == 1:
				pick_doc.cancel()
			frappe.delete_doc("Pick List", pick, force=True, ignore_permissions=True)
		if order.docstatus == 1:
			frappe.get_doc("Sales Order", order.name).cancel()
		frappe.delete_doc("Sales Order", order.name, force=True, ignore_permissions=True)
	customers = set(frappe.get_all("Order Channel Customer", filters={"channel": name}, pluck="customer"))
	frappe.db.delete("Order Channel Customer", {"channel": name})
	frappe.db.delete("Order Intake Log", {"channel": name})
	for customer in customers:
		for link in frappe.get_all(
			"Dynamic Link",
			filters={
				"link_doctype": "Customer",
				"link_name": customer,
				"parenttype": ["in", ["Address", "Contact"]],
			},
			fields=["parent", "parenttype"],
		):
			frappe.delete_doc(link.parenttype, link.parent, force=True, ignore_permissions=True)
		if not frappe.db.exists("Sales Order", {"customer": customer}):
			frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)

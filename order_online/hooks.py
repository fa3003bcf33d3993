app_name = "order_online"
app_title = "Order Online"
app_publisher = "order_online developers"
app_description = "Online order management on ERPNext: entry, approval, allocation, tracking, channels"
app_email = "dev@order-online.example"
app_license = "mit"
# "org/repo" form: a bare "erpnext" makes install-app ask the GitHub API for the org (fails offline).
required_apps = ["frappe/erpnext"]

# Install, migrate, uninstall: custom fields, roles and workflows (order_online/setup/install.py)
after_install = "order_online.setup.install.after_install"
after_migrate = "order_online.setup.install.after_migrate"
before_uninstall = "order_online.setup.install.before_uninstall"

doc_events = {
	"Sales Order": {
		"validate": "order_online.events.sales_order.validate",
	},
	"Address": {
		"validate": "order_online.events.address.validate",
	},
}

# run-tests --app order_online: complete ERPNext's test setup first
before_tests = "order_online.tests.utils.before_tests"

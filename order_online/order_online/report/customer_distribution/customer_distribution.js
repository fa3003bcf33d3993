// Customer Distribution: territories, customer groups, top customers, new and returning customers.
frappe.query_reports["Customer Distribution"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: frappe.defaults.get_user_default("Company") },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.add_months(frappe.datetime.get_today(), -12) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.get_today() },
		{ fieldname: "view", label: __("View"), fieldtype: "Select", options: ["Territory", "Customer Group", "Top Customers", "New and Returning"], default: "Territory" },
		{ fieldname: "period", label: __("Period"), fieldtype: "Select", options: ["Day", "Week", "Month", "Quarter", "Year"], default: "Month", depends_on: "eval:doc.view == 'New and Returning'" },
		{ fieldname: "top", label: __("Top Customers"), fieldtype: "Int", default: 20, depends_on: "eval:doc.view == 'Top Customers'" },
		{ fieldname: "channel", label: __("Order Channel"), fieldtype: "Link", options: "Order Channel" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "customer_group", label: __("Customer Group"), fieldtype: "Link", options: "Customer Group" },
		{ fieldname: "shipping_region", label: __("Shipping Region"), fieldtype: "Link", options: "Shipping Region" },
	],
};

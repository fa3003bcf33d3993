// Regional Trend: amount per shipping region and period.
frappe.query_reports["Regional Trend"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: frappe.defaults.get_user_default("Company") },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.add_months(frappe.datetime.get_today(), -6) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.get_today() },
		{ fieldname: "period", label: __("Period"), fieldtype: "Select", options: ["Day", "Week", "Month", "Quarter", "Year"], default: "Month" },
		{ fieldname: "region_level", label: __("Region Level"), fieldtype: "Select", options: ["Country", "Province", "City"], default: "Province" },
		{ fieldname: "channel", label: __("Order Channel"), fieldtype: "Link", options: "Order Channel" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "customer_group", label: __("Customer Group"), fieldtype: "Link", options: "Customer Group" },
		{ fieldname: "shipping_region", label: __("Shipping Region"), fieldtype: "Link", options: "Shipping Region" },
	],
};

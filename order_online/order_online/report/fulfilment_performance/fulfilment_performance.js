// Fulfilment Performance: hours per stage and the on-time rate, by warehouse, carrier, region or channel.
frappe.query_reports["Fulfilment Performance"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: frappe.defaults.get_user_default("Company") },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.add_months(frappe.datetime.get_today(), -3) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.get_today() },
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: ["Warehouse", "Carrier", "Shipping Region", "Order Channel"], default: "Warehouse" },
		{ fieldname: "channel", label: __("Order Channel"), fieldtype: "Link", options: "Order Channel" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "customer_group", label: __("Customer Group"), fieldtype: "Link", options: "Customer Group" },
		{ fieldname: "shipping_region", label: __("Shipping Region"), fieldtype: "Link", options: "Shipping Region" },
	],
};

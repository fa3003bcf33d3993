// Product Share: items or item groups by amount, with the Pareto view.
frappe.query_reports["Product Share"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: frappe.defaults.get_user_default("Company") },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.add_months(frappe.datetime.get_today(), -1) },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", reqd: 1, default: frappe.datetime.get_today() },
		{ fieldname: "group_by", label: __("Group By"), fieldtype: "Select", options: ["Item", "Item Group"], default: "Item" },
		{ fieldname: "channel", label: __("Order Channel"), fieldtype: "Link", options: "Order Channel" },
	],
};

// Bulk approval from the Sales Order list: each selected order's next level, checked on the server.
frappe.listview_settings["Sales Order"] = frappe.listview_settings["Sales Order"] || {};
const order_online_list_onload = frappe.listview_settings["Sales Order"].onload;
frappe.listview_settings["Sales Order"].onload = function (listview) {
	if (order_online_list_onload) order_online_list_onload(listview);
	listview.page.add_action_item(__("Approve"), () => {
		const names = listview.get_checked_items(true);
		if (!names.length) return;
		frappe.call({
			method: "order_online.api.approval.approve",
			args: { names },
			freeze: true,
			callback: () => listview.refresh(),
		});
	});
};

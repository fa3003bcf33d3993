frappe.listview_settings["Order Intake Log"] = {
	get_indicator(doc) {
		const colours = { Accepted: "blue", Processed: "green", Failed: "red", Refused: "orange" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		listview.page.add_actions_menu_item(__("Replay"), () => {
			const logs = listview.get_checked_items(true);
			frappe
				.call("order_online.api.intake.replay", { logs })
				.then(() => {
					frappe.show_alert({ message: __("Queued again"), indicator: "blue" });
					listview.refresh();
				});
		});
	},
};

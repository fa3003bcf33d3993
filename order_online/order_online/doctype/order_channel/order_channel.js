// Many SKU rows at once: a CSV of channel_sku,item_code[,uom] (a header row first).
frappe.ui.form.on("Order Channel", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Import Item Mapping"), () => {
			const dialog = new frappe.ui.Dialog({
				title: __("Import Item Mapping"),
				fields: [
					{
						fieldname: "csv_text",
						fieldtype: "Code",
						label: __("CSV Rows"),
						reqd: 1,
						description: __("channel_sku,item_code,uom — one row per SKU, the header row first."),
					},
				],
				primary_action_label: __("Import"),
				primary_action({ csv_text }) {
					frappe
						.call("order_online.api.intake.import_item_mapping", { channel: frm.doc.name, csv_text })
						.then((r) => {
							dialog.hide();
							frappe.show_alert({
								message: __("{0} added, {1} updated", [r.message.added, r.message.updated]),
								indicator: "green",
							});
							frm.reload_doc();
						});
				},
			});
			dialog.show();
		});
	},
});

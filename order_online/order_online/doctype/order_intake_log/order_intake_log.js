// A failed intake row, its cause fixed (a SKU mapped, the channel's settings completed), is made again.
frappe.ui.form.on("Order Intake Log", {
	refresh(frm) {
		if (frm.doc.status === "Failed" && frm.perm[0] && frm.perm[0].write) {
			frm.add_custom_button(__("Replay"), () =>
				frappe
					.call("order_online.api.intake.replay", { logs: [frm.doc.name] })
					.then(() => {
						frappe.show_alert({ message: __("Queued again"), indicator: "blue" });
						frm.reload_doc();
					})
			);
		}
	},
});

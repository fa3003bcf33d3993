// A failed query or subscription can be run again from its log row.
frappe.ui.form.on("Order Online Integration Log", {
	refresh(frm) {
		if (frm.doc.status !== "Failed" || frm.doc.direction !== "Outbound") return;
		frm.add_custom_button(__("Retry"), () =>
			frappe.call({
				method: "order_online.api.tracking.retry",
				args: { log: frm.doc.name },
				freeze: true,
				callback: (r) => {
					frm.reload_doc();
					if (r.message) frappe.set_route("Form", "Order Online Integration Log", r.message);
				},
			})
		);
	},
});

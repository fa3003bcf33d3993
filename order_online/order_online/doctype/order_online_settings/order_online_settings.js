frappe.ui.form.on("Order Online Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Load China Provinces"), () => {
			frappe.call({
				method: "order_online.api.regions.load_china_provinces",
				freeze: true,
				callback(r) {
					const created = r.message || [];
					frappe.msgprint(
						created.length
							? __("{0} shipping regions created.", [created.length])
							: __("All of them exist already.")
					);
				},
			});
		}, __("Shipping Regions"));
	},
});

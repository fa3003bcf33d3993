// Live availability on Sales Order lines: one server call for the whole order (debounced).
const AVAILABILITY_COLOURS = { Green: "green", Orange: "orange", Red: "red" };

frappe.provide("order_online");  // free_text.js (loaded first) shows the app's free text as text

frappe.ui.form.on("Sales Order", {
	setup(frm) {
		// While the order is a draft the item's indicator shows its availability; otherwise
		// ERPNext's own indicator (delivery progress) stays.
		const df = frappe.meta.docfield_map["Sales Order Item"].item_code;
		const erpnext_formatter = df.formatter;
		df.formatter = (value, field, options, row) => {
			const colour = AVAILABILITY_COLOURS[row && row.oo_availability_status];
			if (value && colour && frm.doc.docstatus === 0) {
				const title = frappe.utils.escape_html(__("Availability") + ": " + __(row.oo_availability_status));
				const text = frappe.utils.escape_html(value);
				return `<span class="indicator ${frappe.utils.escape_html(colour)}" title="${title}">${text}</span>`;
			}
			return erpnext_formatter ? erpnext_formatter(value, field, options, row) : value;
		};
		const grid = frm.fields_dict.items.grid;
		grid.update_docfield_property("oo_availability_status", "formatter", (value) => {
			if (!value) return "";
			const colour = frappe.utils.escape_html(AVAILABILITY_COLOURS[value] || "gray");
			return `<span class="indicator-pill ${colour}">${frappe.utils.escape_html(__(value))}</span>`;
		});
	},
	refresh(frm) {
		if (frm.doc.docstatus === 0) order_online.refresh_availability(frm);
		if (frm.doc.docstatus === 1 && frm.doc.oo_approval_status === "Pending") order_online.approval_buttons(frm);
		if (frm.doc.docstatus === 1 && frm.doc.status !== "On Hold" && flt(frm.doc.per_delivered) < 100) {
			order_online.per_warehouse_button(frm, __("Pick Lists per Warehouse"), "make_pick_lists", "Pick List");
			order_online.per_warehouse_button(frm, __("Delivery Notes per Warehouse"), "make_delivery_notes", "Delivery Note");
		}
	},
	set_warehouse(frm) {
		order_online.refresh_availability(frm);
	},
});

frappe.ui.form.on("Sales Order Item", {
	item_code: (frm) => order_online.refresh_availability(frm),
	qty: (frm) => order_online.refresh_availability(frm),
	uom: (frm) => order_online.refresh_availability(frm),
	conversion_factor: (frm) => order_online.refresh_availability(frm),
	warehouse: (frm) => order_online.refresh_availability(frm),
	items_remove: (frm) => order_online.refresh_availability(frm),
});

// Create > one draft document per warehouse the order ships from.
order_online.per_warehouse_button = (frm, label, method, doctype) =>
	frm.add_custom_button(
		label,
		() =>
			frappe.call({
				method: `order_online.api.fulfilment.${method}`,
				args: { sales_order: frm.doc.name },
				freeze: true,
				callback: (r) =>
					frappe.msgprint(
						__("Drafts made: {0}", [
							(r.message || []).map((n) => frappe.utils.get_form_link(doctype, n, true, frappe.utils.escape_html(n))).join(", "),
						])
					),
			}),
		__("Create")
	);

order_online.refresh_availability = frappe.utils.debounce((frm) => {
	const lines = (frm.doc.items || []).filter((d) => d.item_code);
	if (!frm.doc.company || !lines.length || frm.doc.docstatus !== 0) return;
	frappe.call({
		method: "order_online.api.order_entry.get_availability",
		args: { doc: frm.doc },
		callback(r) {
			if (!r.message) return;
			const by_row = Object.fromEntries(r.message.lines.map((line) => [line.row, line]));
			let short = 0;
			(frm.doc.items || []).forEach((d) => {
				const line = by_row[d.idx];
				if (!line) return;
				d.oo_availability_status = line.status;
				d.oo_available_to_promise = line.available_uom;
				d.oo_earliest_ship_date = line.earliest_date;
				if (line.status !== "Green") short += 1;
			});
			frm.refresh_field("items");
			frm.set_intro(
				short ? __("{0} line(s) cannot ship in full from their warehouse today.", [short]) : "",
				"orange"
			);
		},
	});
}, 400);

// Approval: shown on orders waiting for it; the server decides who may approve which level.
order_online.approval_buttons = (frm) => {
	frm.set_intro(
		__("Waiting for approval: level {0} of {1}.", [
			(frm.doc.oo_approval_levels_approved || 0) + 1,
			frm.doc.oo_approval_required_level,
		]) + (frm.doc.oo_approval_summary ? "<br>" + order_online.as_text(frm.doc.oo_approval_summary) : ""),
		"orange"
	);
	const approve = () =>
		frappe.call({
			method: "order_online.api.approval.approve",
			args: { names: [frm.doc.name] },
			freeze: true,
			callback: () => frm.reload_doc(),
		});
	frm.add_custom_button(__("Approve"), approve, __("Approval"));
	// Opened from an approval notification (…?approve=1): ask once, on the form the approver sees.
	// A link never approves by itself: mail scanners follow links.
	if (frappe.utils.get_query_params().approve && !frm._oo_asked_to_approve) {
		frm._oo_asked_to_approve = true;
		frappe.confirm(
			__("Approve level {0} of Sales Order {1}?", [(frm.doc.oo_approval_levels_approved || 0) + 1, frappe.utils.escape_html(frm.doc.name)]),
			approve
		);
	}
	frm.add_custom_button(
		__("Reject"),
		() =>
			frappe.prompt(
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
				({ reason }) =>
					frappe.call({
						method: "order_online.api.approval.reject",
						args: { name: frm.doc.name, reason },
						freeze: true,
						callback: () => frm.reload_doc(),
					}),
				__("Reject Sales Order"),
				__("Reject")
			),
		__("Approval")
	);
};

// The app's free-text fields, shown as text on the Sales Order, Delivery Note and Pick List forms.
// Frappe shows a read-only text field (all of them once the document is submitted) as HTML, and its
// sanitising on save skips a document inserted as submitted. Loaded before each form's own script.
frappe.provide("order_online");

order_online.FREE_TEXT = {
	"Sales Order": [
		"oo_channel_order_no",
		"oo_marking_text",
		"oo_packaging_notes",
		"oo_approval_summary",
		"oo_allocation_summary",
	],
	"Sales Order Item": ["oo_item_spec", "oo_line_marking_text", "oo_line_packaging_notes"],
	"Delivery Note": ["oo_marking_text", "oo_packaging_notes", "oo_carrier_code", "oo_tracking_number"],
	"Delivery Note Item": ["oo_item_spec", "oo_line_marking_text", "oo_line_packaging_notes"],
	"Pick List": ["oo_marking_text", "oo_packaging_notes"],
	"Pick List Item": ["oo_item_spec", "oo_line_marking_text", "oo_line_packaging_notes"],
};
order_online.as_text = (value) => frappe.utils.escape_html(value).replace(/\n/g, "<br>");

if (!order_online.free_text_registered) {
	// each form's script bundle evaluates this file: register the handlers once
	order_online.free_text_registered = true;
	["Sales Order", "Delivery Note", "Pick List"].forEach((doctype) =>
		frappe.ui.form.on(doctype, {
			setup(frm) {
				const grid = frm.fields_dict.items && frm.fields_dict.items.grid;
				(order_online.FREE_TEXT[`${doctype} Item`] || []).forEach(
					(fieldname) => grid && grid.update_docfield_property(fieldname, "formatter", order_online.as_text)
				);
			},
			refresh(frm) {
				order_online.FREE_TEXT[doctype].forEach((fieldname) =>
					frm.set_df_property(fieldname, "formatter", order_online.as_text)
				);
			},
		})
	);
}

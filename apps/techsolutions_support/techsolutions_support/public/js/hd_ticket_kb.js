// HD Ticket in the desk: write a knowledge-base article from a resolved ticket (api/kb.py).
frappe.ui.form.on("HD Ticket", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.status_category !== "Resolved" || frm.doc.ts_solved_by_article) {
			return;
		}
		frm.add_custom_button(__("Draft Article"), () => {
			frappe.call({
				method: "techsolutions_support.api.kb.create_article_draft",
				args: { ticket: frm.doc.name },
				freeze: true,
				freeze_message: __("Writing the draft..."),
				callback(response) {
					const draft = response.message;
					frm.reload_doc();
					frappe.show_alert({
						message: __("Draft {0} created: read it before publishing.", [draft.article]),
						indicator: "green",
					});
					frappe.set_route("Form", "HD Article", draft.article);
				},
			});
		}, __("Knowledge Base"));
	},
});

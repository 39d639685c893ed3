// The rule form: field names to pick from, the condition as the engine reads it, and a dry run.

frappe.ui.form.on("TS Priority Rule", {
	setup(frm) {
		frappe.call("techsolutions_support.api.rules.rule_fields").then((r) => {
			frm.ts_rule_fields = r.message || [];
			frm.fields_dict.conditions.grid.update_docfield_property(
				"condition_field",
				"options",
				frm.ts_rule_fields
			);
		});
	},

	refresh(frm) {
		show_preview(frm);
		frm.add_custom_button(__("Dry Run on Recent Tickets"), () => dry_run(frm));
	},

	match_within: show_preview,
	match_between: show_preview,
});

frappe.ui.form.on("TS Priority Rule Condition", {
	group_no: show_preview,
	condition_field: show_preview,
	operator: show_preview,
	condition_value: show_preview,
	conditions_remove: show_preview,
});

function show_preview(frm) {
	frappe
		.call("techsolutions_support.api.rules.describe_rule", { rule: frm.doc })
		.then((r) => {
			const text = frappe.utils.escape_html(r.message || "");
			frm.fields_dict.logic_preview.$wrapper.html(
				`<div class="text-muted small">${__("Evaluated as")}</div><div><code>${text}</code></div>`
			);
		});
}

function dry_run(frm) {
	frappe
		.call("techsolutions_support.api.rules.dry_run", { rule: frm.doc, limit: 200 })
		.then((r) => {
			const result = r.message;
			const rows = result.changes
				.map(
					(c) =>
						`<tr><td>${frappe.utils.escape_html(c.ticket)}</td><td>${frappe.utils.escape_html(
							c.subject || ""
						)}</td><td>${c.current || ""}</td><td>${c.proposed || ""}</td><td>${frappe.utils.escape_html(
							c.decided_by || ""
						)}</td></tr>`
				)
				.join("");
			frappe.msgprint({
				title: __("Dry run: {0} of {1} tickets would change", [result.changes.length, result.checked]),
				message: result.changes.length
					? `<table class="table table-sm"><thead><tr><th>${__("Ticket")}</th><th>${__(
							"Subject"
					  )}</th><th>${__("Now")}</th><th>${__("Would Be")}</th><th>${__(
							"Decided By"
					  )}</th></tr></thead><tbody>${rows}</tbody></table>`
					: __("No ticket would change."),
				wide: true,
			});
		});
}

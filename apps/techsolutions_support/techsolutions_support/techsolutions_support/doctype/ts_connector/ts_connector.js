// The connector form: test the saved settings against the source, run a sync now, see its logs.

frappe.ui.form.on("TS Connector", {
	refresh(frm) {
		if (frm.is_new()) {
			return;
		}
		frm.add_custom_button(__("Test Connection"), () => test_connection(frm));
		frm.add_custom_button(__("Sync Now"), () => sync_now(frm));
		frm.add_custom_button(__("Sync Logs"), () =>
			frappe.set_route("List", "TS Sync Log", { connector: frm.doc.name })
		);
	},
});

function test_connection(frm) {
	if (frm.is_dirty()) {
		frappe.msgprint(__("Save the connector first: the test uses the saved settings."));
		return;
	}
	frappe
		.call({
			method: "techsolutions_support.api.connectors.test_connection",
			args: { connector: frm.doc.name },
			freeze: true,
			freeze_message: __("Asking the source..."),
		})
		.then((r) => {
			const result = r.message;
			frappe.msgprint({
				title: result.ok ? __("Connection works") : __("Connection failed ({0})", [result.stage]),
				indicator: result.ok ? "green" : "red",
				message: frappe.utils.escape_html(result.message),
			});
		});
}

function sync_now(frm) {
	frappe
		.call({
			method: "techsolutions_support.api.connectors.sync_now",
			args: { connector: frm.doc.name },
		})
		.then(() => {
			frappe.show_alert({
				message: __("Sync queued; its outcome appears in the Sync Logs."),
				indicator: "blue",
			});
		});
}

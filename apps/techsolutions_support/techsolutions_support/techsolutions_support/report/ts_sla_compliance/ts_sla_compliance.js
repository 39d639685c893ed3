frappe.query_reports["TS SLA Compliance"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.month_start(), -5),
		},
		{
			fieldname: "to_date",
			label: __("To"),
			fieldtype: "Date",
			default: frappe.datetime.month_end(),
		},
		{
			fieldname: "tier",
			label: __("Customer Tier"),
			fieldtype: "Link",
			options: "TS Customer Tier",
		},
	],
};

"""Install and migrate steps of the SLA clock: custom fields, pause statuses, default settings.

Run from setup/install.py on install and on every migrate; each step only adds what is missing,
so an admin's changes to statuses and settings are kept.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

# Same level as the priority trace (setup/install.py): agents read, customers never see.
INTERNAL_PERMLEVEL = 1

PAUSE_REASONS = ("Customer", "Carrier", "Spare Parts", "Other")

SLA_TICKET_FIELDS = [
	{
		"fieldname": "ts_sla_section",
		"fieldtype": "Section Break",
		"label": "SLA Clock",
		"insert_after": "total_hold_time",
		"collapsible": 1,
	},
	{
		"fieldname": "ts_sla_calendar",
		"fieldtype": "Link",
		"label": "Business Calendar",
		"options": "TS Business Calendar",
		"insert_after": "ts_sla_section",
		"read_only": 1,
		"description": "The calendar the deadlines count on; empty when Helpdesk's own SLA decides them.",
	},
	{
		"fieldname": "ts_response_target",
		"fieldtype": "Int",
		"label": "Response Target (min)",
		"insert_after": "ts_sla_calendar",
		"read_only": 1,
	},
	{
		"fieldname": "ts_resolution_target",
		"fieldtype": "Int",
		"label": "Resolution Target (min)",
		"insert_after": "ts_response_target",
		"read_only": 1,
	},
	{
		"fieldname": "ts_carrier",
		"fieldtype": "Data",
		"label": "Waiting on Carrier",
		"insert_after": "ts_resolution_target",
		"description": "The carrier the ticket waits on; its waiting time is measured per carrier.",
	},
	{
		"fieldname": "ts_sla_column",
		"fieldtype": "Column Break",
		"insert_after": "ts_carrier",
	},
	{
		"fieldname": "ts_response_warning_sent",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Response Warning Sent",
		"insert_after": "ts_sla_column",
		"read_only": 1,
		"description": "Set once by the SLA watch when the share of the response target set in TS SLA Settings is spent.",
	},
	{
		"fieldname": "ts_resolution_warning_sent",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Resolution Warning Sent",
		"insert_after": "ts_response_warning_sent",
		"read_only": 1,
	},
	{
		"fieldname": "ts_breached_at",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Datetime",
		"label": "Breached At",
		"insert_after": "ts_resolution_warning_sent",
		"read_only": 1,
	},
	{
		"fieldname": "ts_escalation_level",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Int",
		"label": "Escalation Level",
		"insert_after": "ts_breached_at",
		"read_only": 1,
		"description": "Raised by the SLA watch after a breach, one level per delay in TS SLA Settings; never lowered.",
	},
	{
		"fieldname": "ts_escalated_to",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Data",
		"label": "Escalated To",
		"insert_after": "ts_escalation_level",
		"read_only": 1,
	},
	{
		"fieldname": "ts_escalated_on",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Datetime",
		"label": "Escalated On",
		"insert_after": "ts_escalated_to",
		"read_only": 1,
	},
	{
		"fieldname": "ts_closed_without_reply",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Resolved Without a Reply",
		"insert_after": "ts_escalated_on",
		"read_only": 1,
	},
	{
		"fieldname": "ts_sla_terms",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Long Text",
		"label": "SLA Terms Over Time",
		"insert_after": "ts_closed_without_reply",
		"read_only": 1,
		"hidden": 1,
		"description": "JSON: the tier, priority, calendar and targets in force, each from an instant on.",
	},
]

HD_TICKET_STATUS_FIELDS = [
	{
		"fieldname": "ts_pause_reason",
		"fieldtype": "Select",
		"label": "Pause Reason",
		"options": "\n" + "\n".join(PAUSE_REASONS),
		"insert_after": "category",
		"depends_on": "eval:doc.category=='Paused'",
		"description": "What a ticket in this status waits on; waiting on a carrier is also measured per carrier.",
	},
]

SLA_CUSTOM_FIELDS = {
	"HD Ticket Status": HD_TICKET_STATUS_FIELDS,
}

# Paused statuses with their reasons. Helpdesk's "Replied" waits on the customer's answer.
# GAP: status names are records, not translatable strings; German sites show them in English
# until an admin renames them (the pause reason stays with the status).
PAUSE_STATUSES = (
	("Replied", "Customer", "Amber"),
	("Waiting on Carrier", "Carrier", "Orange"),
	("Waiting on Parts", "Spare Parts", "Violet"),
)

AGENT_TEMPLATE_SLA_FIELDS = ("ts_carrier",)

# GAP: escalation levels name a role in words only ("Team Lead"); no person or role is looked up
# and no Notification is shipped, so until an admin adds Notifications on ts_escalation_level
# (and on the warning fields) the levels are recorded on the ticket but reach nobody.
DEFAULT_ESCALATION_LEVELS = (("Team Lead", 0), ("Support Manager", 120))


def ensure_sla_setup() -> None:
	create_custom_fields(SLA_CUSTOM_FIELDS, ignore_validate=True, update=True)
	ensure_pause_statuses()
	ensure_default_settings()


def ensure_pause_statuses() -> None:
	for status, reason, color in PAUSE_STATUSES:
		if frappe.db.exists("HD Ticket Status", status):
			if not frappe.db.get_value("HD Ticket Status", status, "ts_pause_reason"):
				frappe.db.set_value("HD Ticket Status", status, "ts_pause_reason", reason)
			continue
		frappe.get_doc(
			{
				"doctype": "HD Ticket Status",
				"label_agent": status,
				"category": "Paused",
				"ts_pause_reason": reason,
				"color": color,
				"enabled": 1,
			}
		).insert(ignore_permissions=True)


def ensure_default_settings() -> None:
	"""Defaults on a site that never saved TS SLA Settings: warn at 75 %, two escalation levels."""
	if frappe.db.get_single_value("TS SLA Settings", "warn_share_percent"):
		return
	settings = frappe.get_single("TS SLA Settings")
	settings.warn_share_percent = 75
	settings.unanswered_resolution = "Settle at resolution"
	settings.is_watch_enabled = 1
	if not settings.escalation_levels:
		for name, delay in DEFAULT_ESCALATION_LEVELS:
			settings.append("escalation_levels", {"level_name": name, "delay_minutes": delay})
	settings.save(ignore_permissions=True)

"""Install and migrate steps of the SLA clock: custom fields, pause statuses, default settings.

Run from setup/install.py on install and on every migrate; each step only adds what is missing,
so an admin's changes to statuses and settings are kept.
"""

import os

import frappe
from frappe import _
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from techsolutions_support.languages import site_language

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
		"fieldname": "ts_warning_recipients",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Small Text",
		"label": "Last Warning Sent To",
		"insert_after": "ts_escalated_on",
		"read_only": 1,
		"description": "Set by the SLA watch with each warning; the Notifications TS SLA Response Warning and TS SLA Resolution Warning send to these addresses.",
	},
	{
		"fieldname": "ts_escalation_recipients",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Small Text",
		"label": "Last Escalation Sent To",
		"insert_after": "ts_warning_recipients",
		"read_only": 1,
		"description": "Set by the SLA watch with each escalation level; the Notification TS SLA Escalation sends to these addresses.",
	},
	{
		"fieldname": "ts_closed_without_reply",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Resolved Without a Reply",
		"insert_after": "ts_escalation_recipients",
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

# Escalations to "the team lead" reach the lead named here (the members of a team without one).
HD_TEAM_FIELDS = [
	{
		"fieldname": "ts_team_lead",
		"fieldtype": "Link",
		"label": "Team Lead",
		"options": "User",
		"insert_after": "users",
		"description": "Receives SLA escalations sent to the team lead (TS SLA Settings).",
	},
]

SLA_CUSTOM_FIELDS = {
	"HD Ticket Status": HD_TICKET_STATUS_FIELDS,
	"HD Team": HD_TEAM_FIELDS,
}

# Paused statuses with their reasons. Helpdesk's "Replied" waits on the customer's answer.
# A status's name is the value stored on tickets and the label Helpdesk shows agents, so it stays
# English; desk shows it translated (HD Ticket Status is a translated doctype), and customers
# read a label of their own in the site's language (customer_label).
# GAP: Helpdesk's agent UI shows a status by its name (label_agent), never translated, and writes
# that name back as the ticket's status, so agents on a German site read these names in English.
PAUSE_STATUSES = (
	("Replied", "Customer", "Amber"),
	("Waiting on Carrier", "Carrier", "Orange"),
	("Waiting on Parts", "Spare Parts", "Violet"),
)

AGENT_TEMPLATE_SLA_FIELDS = ("ts_carrier",)

# Level name, delay in business minutes, whom it reaches. The Notifications of the module
# (techsolutions_support/notification/) send each level to the addresses the watch stores.
DEFAULT_ESCALATION_LEVELS = (
	("Team Lead", 0, {"notify_team": "Team Lead"}),
	("Support Manager", 120, {"notify_role": "Agent Manager"}),
)


def ensure_sla_setup() -> None:
	create_custom_fields(SLA_CUSTOM_FIELDS, ignore_validate=True, update=True)
	ensure_pause_statuses()
	ensure_status_translations()
	ensure_default_settings()
	ensure_level_audiences()


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


# What Helpdesk's install sets as the customer label of its own statuses.
HELPDESK_CUSTOMER_LABELS = {"Replied": "Awaiting Response"}


def customer_label(status: str, lang: str | None) -> str | None:
	"""What customers read for a pause status of the app, in `lang`; None for other statuses."""
	labels = {
		"Replied": _("Awaiting your reply", lang=lang),
		"Waiting on Carrier": _("Waiting for the carrier", lang=lang),
		"Waiting on Parts": _("Waiting for spare parts", lang=lang),
	}
	return labels.get(status)


def ensure_status_translations() -> None:
	"""Status names translated in desk; the customer label of each pause status in the site's language.

	Helpdesk's portal shows `label_customer` as stored, without translating it, so it is stored
	translated. A label an admin wrote is kept: only an empty one, one of the app's own in any
	language it ships, or Helpdesk's English default on a site in another language, is
	(re)written, e.g. after the site's language was set or changed.
	"""
	if not frappe.db.exists(
		"Property Setter", {"doc_type": "HD Ticket Status", "property": "translated_doctype", "value": "1"}
	):
		make_property_setter("HD Ticket Status", None, "translated_doctype", 1, "Check", for_doctype=True)

	lang = site_language()
	# The app's own labels in every language it ships: a label from before a language change is ours.
	known = {"en", lang, *shipped_languages()}
	for status, _reason, _color in PAUSE_STATUSES:
		current = frappe.db.get_value("HD Ticket Status", status, ["different_view", "label_customer"])
		if not current:
			continue
		wanted = customer_label(status, lang)
		is_ours = not current[1] or current[1] in {customer_label(status, other) for other in known}
		# Helpdesk's own English label of Replied gives way on a site in another language only.
		is_upstream_default = current[1] == HELPDESK_CUSTOMER_LABELS.get(status) and not lang.startswith("en")
		if (is_ours or is_upstream_default) and (current[1] != wanted or not current[0]):
			frappe.db.set_value(
				"HD Ticket Status",
				status,
				{"different_view": 1, "label_customer": wanted},
				update_modified=False,
			)


def shipped_languages() -> list[str]:
	folder = frappe.get_app_path("techsolutions_support", "translations")
	return [name.removesuffix(".csv") for name in os.listdir(folder) if name.endswith(".csv")]


def ensure_default_settings() -> None:
	"""Defaults on a site that never saved TS SLA Settings: warn at 75 %, two escalation levels."""
	if frappe.db.get_single_value("TS SLA Settings", "warn_share_percent"):
		return
	settings = frappe.get_single("TS SLA Settings")
	settings.warn_share_percent = 75
	settings.unanswered_resolution = "Settle at resolution"
	settings.is_watch_enabled = 1
	settings.warn_team_when_unassigned = 1
	if not settings.escalation_levels:
		for name, delay, audience in DEFAULT_ESCALATION_LEVELS:
			settings.append("escalation_levels", {"level_name": name, "delay_minutes": delay, **audience})
	settings.save(ignore_permissions=True)


def ensure_level_audiences() -> None:
	"""Levels saved before they named anyone: the default levels get their default audience."""
	defaults = {name: audience for name, _delay, audience in DEFAULT_ESCALATION_LEVELS}
	levels = frappe.get_all(
		"TS SLA Escalation Level",
		filters={"parent": "TS SLA Settings", "parenttype": "TS SLA Settings"},
		fields=["name", "level_name", "notify_assignees", "notify_team", "notify_role", "notify_users"],
	)
	for level in levels:
		if level.notify_assignees or level.notify_team or level.notify_role or level.notify_users:
			continue
		if level.level_name in defaults:
			frappe.db.set_value("TS SLA Escalation Level", level.name, defaults[level.level_name])
	frappe.clear_document_cache("TS SLA Settings", "TS SLA Settings")

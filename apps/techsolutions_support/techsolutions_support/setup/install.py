"""Install and migrate steps: the custom fields this app adds to Helpdesk doctypes."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.permissions import add_permission, update_permission_property

from techsolutions_support.setup.kb import AGENT_TEMPLATE_KB_FIELDS, KB_TICKET_FIELDS, ensure_kb_setup
from techsolutions_support.setup.portal import ensure_portal_setup
from techsolutions_support.setup.sla import AGENT_TEMPLATE_SLA_FIELDS, SLA_TICKET_FIELDS, ensure_sla_setup
from techsolutions_support.setup.ticket_context import AGENT_TEMPLATE_CONTEXT_FIELDS, TICKET_CONTEXT_FIELDS

# Fields only agents read (the priority trace, the agent's lock); customers never see them,
# not in the portal, not through the REST API. Managers may release a lock.
INTERNAL_PERMLEVEL = 1
INTERNAL_READERS = ("Agent", "Agent Manager", "System Manager")
INTERNAL_WRITERS = ("Agent Manager", "System Manager")

# The customer's own view of impact and urgency, in plain words, asked in the portal form; the
# priority matrix (TS Priority Matrix) turns them into a priority. Customers never pick one.
IMPACT_OPTIONS = (
	"Just this shipment",
	"Several shipments or one vehicle",
	"Operations stopped or safety at risk",
)
URGENCY_OPTIONS = ("Can wait a few days", "Needed today", "Needed within hours")

HD_TICKET_FIELDS = [
	{
		"fieldname": "ts_impact",
		"fieldtype": "Select",
		"label": "What Is Affected?",
		"options": "\n" + "\n".join(IMPACT_OPTIONS),
		"insert_after": "ticket_type",
	},
	{
		"fieldname": "ts_urgency",
		"fieldtype": "Select",
		"label": "How Soon Do You Need Help?",
		"options": "\n" + "\n".join(URGENCY_OPTIONS),
		"insert_after": "ts_impact",
	},
	{
		"fieldname": "ts_section",
		"fieldtype": "Section Break",
		"label": "Prioritisation",
		"insert_after": "agreement_status",
		"collapsible": 1,
	},
	{
		"fieldname": "ts_tier",
		"fieldtype": "Link",
		"label": "Customer Tier",
		"options": "TS Customer Tier",
		"insert_after": "ts_section",
		"read_only": 1,
		"description": "The customer's tier when the ticket was created.",
	},
	{
		"fieldname": "ts_vehicle",
		"fieldtype": "Link",
		"label": "Vehicle",
		"options": "TS Vehicle",
		"insert_after": "ts_tier",
		# A sync looks up the open tickets of each page's vehicles by this field.
		"search_index": 1,
		"description": "Found from a plate, VIN or fleet number in the ticket, or set by an agent.",
	},
	{
		"fieldname": "ts_channel",
		"fieldtype": "Select",
		"label": "Channel",
		"options": "\nportal\nemail\napi\nagent",
		"insert_after": "ts_vehicle",
		"read_only": 1,
	},
	{
		"fieldname": "ts_priority_locked",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Priority Set by Agent",
		"insert_after": "ts_channel",
		"description": "An agent set the priority by hand; rules no longer change it. Untick to let the rules decide again.",
	},
	{
		"fieldname": "ts_priority_column",
		"fieldtype": "Column Break",
		"insert_after": "ts_priority_locked",
	},
	{
		"fieldname": "ts_priority_rule",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Data",
		"label": "Priority Decided By",
		"insert_after": "ts_priority_column",
		"read_only": 1,
	},
	{
		"fieldname": "ts_priority_reason",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Small Text",
		"label": "Why This Priority",
		"insert_after": "ts_priority_rule",
		"read_only": 1,
	},
	{
		# The portal form's idempotency key (portal/filing.py): a hash of user and draft id, so
		# a draft sent twice files one ticket. Unique: two sends at the same moment cannot both
		# insert. Hidden; the hash tells nobody the draft id.
		"fieldname": "ts_client_request_id",
		"fieldtype": "Data",
		"label": "Portal Request Key",
		"insert_after": "ts_priority_reason",
		"hidden": 1,
		"read_only": 1,
		"no_copy": 1,
		"unique": 1,
	},
]

INTERNAL_TICKET_FIELDS = tuple(
	field["fieldname"]
	for field in (*HD_TICKET_FIELDS, *TICKET_CONTEXT_FIELDS, *SLA_TICKET_FIELDS)
	if field.get("permlevel") == INTERNAL_PERMLEVEL
)

HD_CUSTOMER_FIELDS = [
	{
		"fieldname": "ts_tier",
		"fieldtype": "Link",
		"label": "Customer Tier",
		"options": "TS Customer Tier",
		"insert_after": "domain",
		"in_list_view": 1,
		"in_standard_filter": 1,
	},
]

CUSTOM_FIELDS = {
	"HD Ticket": HD_TICKET_FIELDS + TICKET_CONTEXT_FIELDS + SLA_TICKET_FIELDS + KB_TICKET_FIELDS,
	"HD Customer": HD_CUSTOMER_FIELDS,
}


def after_install() -> None:
	ensure_custom_fields()
	# Tiers come from the customer, and Helpdesk fills the customer from the contact only when
	# this is on. Turned on once at install; an admin may turn it off again.
	frappe.db.set_single_value("HD Settings", "auto_set_customer_from_contact", 1)


def after_migrate() -> None:
	ensure_custom_fields()


def ensure_custom_fields() -> None:
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True, update=True)
	ensure_internal_permissions()
	show_to_agents()
	ensure_sla_setup()
	ensure_kb_setup()
	ensure_portal_setup()


def ensure_internal_permissions() -> None:
	for role in INTERNAL_READERS:
		if not frappe.db.exists(
			"Custom DocPerm", {"parent": "HD Ticket", "role": role, "permlevel": INTERNAL_PERMLEVEL}
		):
			add_permission("HD Ticket", role, INTERNAL_PERMLEVEL)
		if role in INTERNAL_WRITERS:
			update_permission_property("HD Ticket", role, INTERNAL_PERMLEVEL, "write", 1)


# Helpdesk's agent UI shows the fields of the Default ticket template under "Ticket Info".
AGENT_TEMPLATE = "Default"
# Fields of the Default template customers fill in the portal; the others are for agents only.
CUSTOMER_TEMPLATE_FIELDS = ("ticket_type", "ts_impact", "ts_urgency")
AGENT_TEMPLATE_FIELDS = (
	*CUSTOMER_TEMPLATE_FIELDS,
	"ts_tier",
	"ts_vehicle",
	"ts_priority_rule",
	"ts_priority_reason",
	"ts_priority_locked",
	"ts_channel",
	*AGENT_TEMPLATE_CONTEXT_FIELDS,
	*AGENT_TEMPLATE_SLA_FIELDS,
	*AGENT_TEMPLATE_KB_FIELDS,
)


def show_to_agents() -> None:
	if not frappe.db.exists("HD Ticket Template", AGENT_TEMPLATE):
		return
	template = frappe.get_doc("HD Ticket Template", AGENT_TEMPLATE)
	present = {row.fieldname for row in template.fields}
	missing = [field for field in AGENT_TEMPLATE_FIELDS if field not in present]
	if not missing:
		return
	for field in missing:
		template.append(
			"fields", {"fieldname": field, "hide_from_customer": int(field not in CUSTOMER_TEMPLATE_FIELDS)}
		)
	template.save(ignore_permissions=True)


def configure_site(time_zone: str, language: str) -> None:
	"""Site-wide settings of the sites the workspace creates (demo and test), not of every install.

	Saves only what differs, so running the set-up again changes nothing.
	"""
	wanted = {
		"time_zone": time_zone,
		"language": language,
		# The demo and test sites send no usage data anywhere.
		"enable_telemetry": 0,
		"setup_complete": 1,
	}
	settings = frappe.get_single("System Settings")
	if any(settings.get(field) != value for field, value in wanted.items()):
		settings.update(wanted)
		settings.flags.ignore_mandatory = True
		settings.save(ignore_permissions=True)
	if frappe.db.get_default("time_zone") != time_zone:
		frappe.db.set_default("time_zone", time_zone)
	frappe.db.set_value(
		"Installed Application", {"app_name": "frappe", "is_setup_complete": 0}, "is_setup_complete", 1
	)

"""HD Ticket events: channel, tier, priority and SLA of a ticket.

Helpdesk's controller runs its own `before_validate` first (ticket type, a provisional priority,
contact, customer, a provisional SLA); these handlers then decide what the app owns:

	before_insert     record the channel; note an agent's explicit priority, drop a customer's
	before_validate   new ticket: tier, vehicle, the agent's priority or the rules' priority,
	                  the tier's SLA; existing ticket: an agent's priority sticks, customers
	                  cannot change it, rules run again when a field they read changed
	on_update         tags the rules added
"""

import frappe
from frappe import _
from frappe.utils import format_datetime, now_datetime

from helpdesk.utils import is_agent

from techsolutions_support.links import link_vehicle
from techsolutions_support.priority import apply_priority, apply_tags, ticket_facts
from techsolutions_support.tiers import tier_details, tier_for_customer

MANAGER_ROLES = frozenset({"Agent Manager", "System Manager"})

# Fields whose change makes the rules run again on an existing ticket.
REEVALUATE_ON = ("subject", "description", "ticket_type", "customer", "agent_group", "ts_vehicle")


def before_insert(ticket, method=None):
	ticket.ts_channel = ticket.ts_channel or detect_channel(ticket)

	# Only flags here: Frappe resets fields of a higher permlevel after before_insert, so the
	# lock itself is written in before_validate.
	if ticket.priority:
		if is_agent():
			ticket.flags.ts_priority_from_agent = True
		else:
			ticket.priority = None
			ticket.flags.ts_priority_request_ignored = True


def before_validate(ticket, method=None):
	if ticket.is_new():
		set_tier(ticket)
		link_vehicle(ticket)
		if ticket.flags.ts_priority_from_agent:
			lock_priority(ticket)
		else:
			evaluate_priority(ticket)
	else:
		guard_priority_change(ticket)
		if ticket.has_value_changed("customer"):
			set_tier(ticket)
		if not ticket.ts_priority_locked and (
			ticket.has_value_changed("ts_priority_locked")
			or any(map(ticket.has_value_changed, REEVALUATE_ON))
		):
			evaluate_priority(ticket)

	# Helpdesk picks an SLA again on every save; the tier's SLA replaces its pick every time.
	set_sla(ticket)


def on_update(ticket, method=None):
	apply_tags(ticket)


def detect_channel(ticket) -> str:
	if ticket.email_account:
		return "email"
	if is_agent():
		return "agent"
	if ticket.via_customer_portal:
		return "portal"
	return "api"


def set_tier(ticket) -> None:
	ticket.ts_tier = tier_for_customer(ticket.customer)


def set_sla(ticket) -> None:
	sla = tier_details(ticket.ts_tier).get("service_level_agreement")
	if sla:
		ticket.sla = sla


def evaluate_priority(ticket) -> None:
	facts = ticket_facts(ticket, ticket.ts_tier, ticket.ts_channel)
	apply_priority(ticket, facts)
	if ticket.flags.ts_priority_request_ignored:
		ticket.ts_priority_reason = "\n".join(
			(ticket.ts_priority_reason or "", _("The priority requested by the customer was ignored."))
		).strip()


def lock_priority(ticket) -> None:
	ticket.ts_priority_locked = 1
	ticket.ts_priority_rule = _("Agent")
	ticket.ts_priority_reason = _("Set to {0} by {1} on {2}.").format(
		ticket.priority, frappe.session.user, format_datetime(now_datetime())
	)


def guard_priority_change(ticket) -> None:
	"""An agent's change sticks; anyone else's is undone. Releasing the lock needs a manager."""
	if ticket.has_value_changed("ts_priority_locked") and not ticket.ts_priority_locked:
		if not MANAGER_ROLES.intersection(frappe.get_roles()):
			frappe.throw(
				_("Only an Agent Manager can release a priority set by an agent."),
				frappe.PermissionError,
				title=_("Not Permitted"),
			)
		return

	if not ticket.has_value_changed("priority"):
		return
	if is_agent():
		lock_priority(ticket)
	else:
		ticket.priority = ticket.get_doc_before_save().priority

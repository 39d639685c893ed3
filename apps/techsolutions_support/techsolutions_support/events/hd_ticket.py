"""HD Ticket events: channel, tier, vehicle, priority and SLA of a ticket.

Helpdesk's controller runs its own `before_validate` first (ticket type, a provisional priority,
contact, customer, a provisional SLA); these handlers then decide what the app owns:

	before_insert     record the channel; note an agent's explicit priority, drop a customer's
	before_validate   new ticket: tier, vehicle, the agent's priority or the rules' priority
	                  existing ticket: tier and channel are not edited, the vehicle only by
	                  agents; an agent's priority sticks, customers cannot change it; rules
	                  run again only when a field some rule reads changed
	                  every save: the tier's SLA (Helpdesk picks one again on every save)
	on_update         the trace entry of this evaluation, and tags the rules added
"""

import frappe
from frappe import _
from frappe.utils import format_datetime, now_datetime

from helpdesk.utils import is_agent

from techsolutions_support.languages import site_language
from techsolutions_support.links import link_vehicle
from techsolutions_support.priority import (
	apply_priority,
	fields_rules_read,
	record_agent_decision,
	ticket_facts,
	write_trace_and_tags,
)
from techsolutions_support.tiers import tier_details, tier_for_customer

MANAGER_ROLES = frozenset({"Agent Manager", "System Manager"})
CLOSED_CATEGORIES = ("Resolved",)


def before_insert(ticket, method=None):
	if is_agent():
		# Agents and system intake (Administrator) may say which channel and vehicle it is.
		ticket.ts_channel = ticket.ts_channel or detect_channel(ticket)
	else:
		# Customers never choose what the app derives: channel, tier, vehicle, priority.
		ticket.ts_channel = detect_channel(ticket)
		ticket.ts_tier = ticket.ts_vehicle = None
		# A customer files for themself. Helpdesk refuses a contact that is not theirs, but takes
		# the contact, and with it the customer and tier, from `raised_by` unchecked.
		ticket.raised_by = session_email()

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
			lock_priority(ticket, before=None)
		else:
			evaluate_priority(ticket, "Created")
	else:
		keep_derived_fields(ticket)
		guard_priority_change(ticket)
		if ticket.has_value_changed("customer"):
			set_tier(ticket)
		reevaluate_if_needed(ticket)

	set_sla(ticket)


def on_update(ticket, method=None):
	write_trace_and_tags(ticket)


def reevaluate_after_live_data(ticket_name: str) -> None:
	"""Run the rules again for an open ticket whose linked vehicle or delivery changed."""
	ticket = frappe.get_doc("HD Ticket", ticket_name)
	if ticket.ts_priority_locked or ticket.status_category in CLOSED_CATEGORIES:
		return
	ticket.flags.ts_live_data = True
	ticket.save(ignore_permissions=True)


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


def evaluate_priority(ticket, trigger: str, previous: dict | None = None) -> None:
	apply_priority(ticket, trigger, previous)
	if ticket.flags.ts_priority_request_ignored:
		ticket.ts_priority_reason = "\n".join(
			(
				ticket.ts_priority_reason or "",
				_("The priority requested by the customer was ignored.", lang=site_language()),
			)
		).strip()


def reevaluate_if_needed(ticket) -> None:
	"""Rules run again on release, on live data, or when a field they read changed; never else."""
	if ticket.ts_priority_locked:
		return
	if ticket.has_value_changed("ts_priority_locked"):
		evaluate_priority(ticket, "Released")
	elif ticket.flags.ts_live_data:
		evaluate_priority(ticket, "Live Data")
	elif any(ticket.has_value_changed(field) for field in fields_rules_read()):
		evaluate_priority(ticket, "Field Changed", previous=ticket_facts(ticket.get_doc_before_save()))


def lock_priority(ticket, before: str | None) -> None:
	ticket.ts_priority_locked = 1
	ticket.ts_priority_rule = _("Agent")
	ticket.ts_priority_reason = _("Set to {0} by {1} on {2}.", lang=site_language()).format(
		ticket.priority, frappe.session.user, format_datetime(now_datetime())
	)
	record_agent_decision(ticket, before, ticket.ts_priority_reason)


def keep_derived_fields(ticket) -> None:
	"""Tier and channel follow from the customer and the intake, never from an edit; the vehicle
	and who raised the ticket (replies are mailed there) may be corrected by an agent only.
	Anything else sent for them is undone."""
	before = ticket.get_doc_before_save()
	fixed = ("ts_tier", "ts_channel") if is_agent() else ("ts_tier", "ts_channel", "ts_vehicle", "raised_by")
	for field in fixed:
		if ticket.has_value_changed(field):
			ticket.set(field, before.get(field))


def session_email() -> str:
	return frappe.db.get_value("User", frappe.session.user, "email") or frappe.session.user


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
	before = ticket.get_doc_before_save().priority
	if is_agent():
		lock_priority(ticket, before)
	else:
		ticket.priority = before

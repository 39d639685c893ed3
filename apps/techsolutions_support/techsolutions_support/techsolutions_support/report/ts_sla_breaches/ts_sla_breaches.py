"""SLA breaches with their causes: which clock, how late, and what weighed on it.

Lists every ticket whose response or resolution target was missed (or is overdue now), created
in the period: the clock that broke, the deadline, the escalation reached, and the causes the
ticket's history shows (priority or tier changes, a reopening, time waited per reason).
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

from techsolutions_support.sla.clock import load_policy
from techsolutions_support.sla.reports import (
	MISSED,
	REPORT_TICKET_FIELDS,
	breach_causes,
	period_filters,
	resolution_outcome,
	response_outcome,
	stops_by_ticket,
	waited_hours,
)


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return columns(), rows(filters)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "ticket",
			"label": _("Ticket"),
			"fieldtype": "Link",
			"options": "HD Ticket",
			"width": 90,
		},
		{"fieldname": "subject", "label": _("Subject"), "fieldtype": "Data", "width": 200},
		{
			"fieldname": "tier",
			"label": _("Tier"),
			"fieldtype": "Link",
			"options": "TS Customer Tier",
			"width": 100,
		},
		{"fieldname": "priority", "label": _("Priority"), "fieldtype": "Data", "width": 80},
		{"fieldname": "clock", "label": _("Breached"), "fieldtype": "Data", "width": 140},
		{"fieldname": "deadline", "label": _("Deadline"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "escalation_level", "label": _("Escalation"), "fieldtype": "Int", "width": 90},
		{"fieldname": "escalated_to", "label": _("Escalated To"), "fieldtype": "Data", "width": 130},
		{
			"fieldname": "waited_hours",
			"label": _("Waited (h)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 90,
		},
		{"fieldname": "causes", "label": _("Causes"), "fieldtype": "Small Text", "width": 360},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
	]


def rows(filters: frappe._dict) -> list[dict]:
	# Judged from the deadlines and instants, not from agreement_status: the list is right even
	# where the watch has not run since a deadline passed.
	conditions = period_filters(filters, "service_level_agreement_creation")
	conditions["response_by"] = ("is", "set")
	if filters.get("tier"):
		conditions["ts_tier"] = filters.tier
	tickets = frappe.get_list(
		"HD Ticket",
		filters=conditions,
		fields=list(REPORT_TICKET_FIELDS),
		order_by="service_level_agreement_creation desc",
	)
	now = now_datetime()
	is_void = load_policy().unanswered_resolution == "void"
	stops = stops_by_ticket([ticket.name for ticket in tickets])

	found = []
	for ticket in tickets:
		clocks = []
		if response_outcome(ticket, now, is_void) == MISSED:
			clocks.append(("response", ticket.response_by))
		if resolution_outcome(ticket, now) == MISSED:
			clocks.append(("resolution", ticket.resolution_by))
		if not clocks:
			continue
		ticket_stops = stops.get(ticket.name, [])
		found.append(
			{
				"ticket": ticket.name,
				"subject": ticket.subject,
				"tier": ticket.ts_tier,
				"priority": ticket.priority,
				"clock": ", ".join(clock_label(name) for name, _deadline in clocks),
				"deadline": min(deadline for _name, deadline in clocks),
				"escalation_level": ticket.ts_escalation_level or 0,
				"escalated_to": ticket.ts_escalated_to,
				"waited_hours": sum(waited_hours(ticket_stops, now).values()),
				"causes": "; ".join(breach_causes(ticket, ticket_stops, now, is_void)),
				"status": ticket.status,
			}
		)
	return found


def clock_label(clock: str) -> str:
	return _("First response") if clock == "response" else _("Resolution")

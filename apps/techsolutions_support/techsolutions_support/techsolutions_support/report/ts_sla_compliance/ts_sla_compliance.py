"""SLA compliance per customer tier and month: response and resolution targets met and missed.

A ticket counts in the month its SLA clock started. Tickets whose clock still runs before its
deadline are counted as pending and left out of the compliance shares.
"""

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, now_datetime

from techsolutions_support.sla.clock import load_policy
from techsolutions_support.sla.reports import (
	MET,
	MISSED,
	PENDING,
	REPORT_TICKET_FIELDS,
	period_filters,
	resolution_outcome,
	response_outcome,
)


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return columns(), rows(filters)


def columns() -> list[dict]:
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "tier",
			"label": _("Tier"),
			"fieldtype": "Link",
			"options": "TS Customer Tier",
			"width": 120,
		},
		{"fieldname": "tickets", "label": _("Tickets"), "fieldtype": "Int", "width": 80},
		{"fieldname": "response_met", "label": _("Response Met"), "fieldtype": "Int", "width": 110},
		{"fieldname": "response_missed", "label": _("Response Missed"), "fieldtype": "Int", "width": 120},
		{"fieldname": "response_compliance", "label": _("Response %"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "resolution_met", "label": _("Resolution Met"), "fieldtype": "Int", "width": 110},
		{"fieldname": "resolution_missed", "label": _("Resolution Missed"), "fieldtype": "Int", "width": 130},
		{
			"fieldname": "resolution_compliance",
			"label": _("Resolution %"),
			"fieldtype": "Percent",
			"width": 100,
		},
		{"fieldname": "pending", "label": _("Still Running"), "fieldtype": "Int", "width": 110},
	]


def rows(filters: frappe._dict) -> list[dict]:
	conditions = period_filters(filters, "service_level_agreement_creation")
	if filters.get("tier"):
		conditions["ts_tier"] = filters.tier
	tickets = frappe.get_list("HD Ticket", filters=conditions, fields=list(REPORT_TICKET_FIELDS))
	now = now_datetime()
	is_void = load_policy().unanswered_resolution == "void"

	groups: dict[tuple[str, str], dict] = {}
	for ticket in tickets:
		month = get_datetime(ticket.service_level_agreement_creation).strftime("%Y-%m")
		key = (month, ticket.ts_tier or "")
		row = groups.setdefault(key, new_row(*key))
		row["tickets"] += 1
		response = response_outcome(ticket, now, is_void)
		resolution = resolution_outcome(ticket, now)
		row["response_met"] += response == MET
		row["response_missed"] += response == MISSED
		row["resolution_met"] += resolution == MET
		row["resolution_missed"] += resolution == MISSED
		row["pending"] += resolution == PENDING and response != MISSED

	for row in groups.values():
		row["response_compliance"] = share(row["response_met"], row["response_missed"])
		row["resolution_compliance"] = share(row["resolution_met"], row["resolution_missed"])
	return [groups[key] for key in sorted(groups)]


def new_row(month: str, tier: str) -> dict:
	return {
		"month": month,
		"tier": tier,
		"tickets": 0,
		"response_met": 0,
		"response_missed": 0,
		"resolution_met": 0,
		"resolution_missed": 0,
		"pending": 0,
	}


def share(met: int, missed: int) -> float | None:
	return flt(100 * met / (met + missed), 1) if met + missed else None

"""What the SLA reports read from a ticket: the outcome of each clock, and the causes of a breach.

Outcomes are read from the stored fields the clock writes (deadlines, first response,
resolution), so a report over many months costs one query and no clock computations.
"""

from datetime import datetime
from itertools import pairwise
from typing import Any

import frappe
from frappe import _
from frappe.utils import get_datetime

from techsolutions_support.sla.clock import read_terms

MET = "met"
MISSED = "missed"
PENDING = "pending"
NOT_APPLICABLE = "not applicable"

REPORT_TICKET_FIELDS = (
	"name",
	"subject",
	"status",
	"status_category",
	"priority",
	"ts_tier",
	"service_level_agreement_creation",
	"response_by",
	"resolution_by",
	"first_responded_on",
	"resolution_date",
	"agreement_status",
	"ts_closed_without_reply",
	"ts_breached_at",
	"ts_escalation_level",
	"ts_escalated_to",
	"ts_sla_terms",
)


def response_outcome(ticket: Any, now: datetime, is_unanswered_void: bool = False) -> str:
	"""`is_unanswered_void`: TS SLA Settings leave the response of a ticket resolved unanswered out."""
	if is_unanswered_void and ticket.ts_closed_without_reply and ticket.status_category == "Resolved":
		return NOT_APPLICABLE
	return outcome(ticket.response_by, ticket.first_responded_on, now)


def resolution_outcome(ticket: Any, now: datetime) -> str:
	resolved = ticket.resolution_date if ticket.status_category == "Resolved" else None
	return outcome(ticket.resolution_by, resolved, now)


def outcome(deadline: Any, done: Any, now: datetime) -> str:
	"""Met when done by the deadline; missed when done later or still not done after it."""
	if not deadline:
		return PENDING if not done else MET
	deadline = get_datetime(deadline)
	if done:
		return MET if get_datetime(done) <= deadline else MISSED
	return MISSED if now > deadline else PENDING


def breach_causes(
	ticket: Any, stops: list[Any], now: datetime, is_unanswered_void: bool = False
) -> list[str]:
	"""Why a ticket breached, in words for a support manager: which clock, and what weighed on it."""
	causes = []
	if response_outcome(ticket, now, is_unanswered_void) == MISSED:
		causes.append(_("First response late"))
	if resolution_outcome(ticket, now) == MISSED:
		causes.append(_("Resolution late"))

	terms = read_terms(ticket.ts_sla_terms)
	for before, after in pairwise(terms):
		if before["tier"] != after["tier"]:
			causes.append(_("Tier changed from {0} to {1}").format(before["tier"], after["tier"]))
		if before["priority"] != after["priority"]:
			causes.append(_("Priority changed from {0} to {1}").format(before["priority"], after["priority"]))
	if any(stop.reason == "Resolved" and stop.ended_at for stop in stops):
		causes.append(_("Reopened after resolution"))
	if ticket.ts_closed_without_reply:
		causes.append(_("Resolved without a reply"))
	for reason, hours in sorted(waited_hours(stops, now).items()):
		causes.append(_("Waited {0} h on {1}").format(f"{hours:.1f}", waited_on(reason)))
	return causes


def waited_on(reason: str) -> str:
	labels = {
		"Customer": _("the customer"),
		"Carrier": _("a carrier"),
		"Spare Parts": _("spare parts"),
	}
	return labels.get(reason) or reason


def waited_hours(stops: list[Any], now: datetime) -> dict[str, float]:
	"""Real hours waited per pause reason (the time resolved is no waiting)."""
	hours: dict[str, float] = {}
	for stop in stops:
		if stop.reason == "Resolved":
			continue
		end = get_datetime(stop.ended_at) if stop.ended_at else now
		waited = (end - get_datetime(stop.started_at)).total_seconds() / 3600
		hours[stop.reason] = hours.get(stop.reason, 0.0) + waited
	return hours


def stops_by_ticket(names: list[str]) -> dict[str, list[frappe._dict]]:
	stops: dict[str, list[frappe._dict]] = {}
	if not names:
		return stops
	for row in frappe.get_list(
		"TS SLA Pause",
		filters={"ticket": ("in", names)},
		fields=["ticket", "reason", "carrier", "started_at", "ended_at", "business_minutes"],
		order_by="started_at asc",
	):
		stops.setdefault(row.ticket, []).append(row)
	return stops


def period_filters(filters: Any, field: str) -> dict[str, Any]:
	"""Report filters from_date/to_date (whole days) as a filter on the datetime `field`."""
	conditions: dict[str, Any] = {}
	if filters.get("from_date") and filters.get("to_date"):
		conditions[field] = (
			"between",
			[f"{filters.from_date} 00:00:00", f"{filters.to_date} 23:59:59.999999"],
		)
	elif filters.get("from_date"):
		conditions[field] = (">=", f"{filters.from_date} 00:00:00")
	elif filters.get("to_date"):
		conditions[field] = ("<=", f"{filters.to_date} 23:59:59.999999")
	return conditions

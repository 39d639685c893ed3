"""HD Ticket events of the SLA clock: deadlines from the app's calendars, clock stops recorded.

Helpdesk's controller runs its `before_save` first (`apply_sla`: its own deadlines on its own
SLA record); these handlers then replace what the app owns:

	before_save   undo a customer's edit of the carrier; note a clock stop starting or ending
	              with this status change, and new terms when tier or priority changed; then
	              response_by, resolution_by and agreement_status from the core, with the
	              business time already spent kept
	on_update     write the clock stops noted (TS SLA Pause)
	on_trash      delete the ticket's clock stops

Warnings and escalation are not set here: the scheduled watch (sla/watch.py) sets them, once.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import frappe
from frappe.utils import get_datetime, now_datetime

from helpdesk.utils import is_agent

from techsolutions_support.core.business_time import BusinessTimeError, business_time_between
from techsolutions_support.core.sla import SlaError, agreement_status
from techsolutions_support.sla.calendars import get_calendar, terms_for
from techsolutions_support.sla.clock import (
	ClockInput,
	aware,
	evaluate,
	is_same_terms,
	load_policy,
	naive,
	now_in,
	read_terms,
	stop_kind,
	system_zone,
	terms_entry,
)

STOP_FIELDS = ("name", "reason", "status", "carrier", "started_at", "ended_at")


@dataclass(frozen=True)
class StopChange:
	"""A status change that ends the running clock stop, starts a new one, or both."""

	at: datetime
	ends_stop: bool = False
	# A stop that began before stops were recorded (installed on a live site): its start.
	legacy_start: datetime | None = None
	legacy_reason: str = ""
	new_reason: str = ""
	new_status: str = ""
	new_carrier: str = ""


def before_save(ticket, method=None):
	now = now_datetime()

	keep_carrier_from_customers(ticket)
	note_stop_change(ticket, now)
	terms = note_terms(ticket, now)
	note_closed_without_reply(ticket)

	if terms is None:
		# Not on the app's clock: Helpdesk's own SLA keeps the deadlines it just computed.
		ticket.ts_sla_calendar = None
		return
	set_deadlines(ticket, now)


def on_update(ticket, method=None):
	record_stop_change(ticket)
	# A carrier named after the ticket went to waiting on it: the running wait gets it too.
	if ticket.get_doc_before_save() and ticket.has_value_changed("ts_carrier"):
		frappe.db.set_value(
			"TS SLA Pause",
			{"ticket": ticket.name, "reason": "Carrier", "ended_at": ("is", "not set")},
			"carrier",
			ticket.ts_carrier,
		)


def on_trash(ticket, method=None):
	frappe.db.delete("TS SLA Pause", {"ticket": ticket.name})


# Steps


def keep_carrier_from_customers(ticket) -> None:
	"""The carrier a ticket waits on is named by agents; a customer's edit is undone."""
	if is_agent():
		return
	before = ticket.get_doc_before_save()
	ticket.ts_carrier = before.ts_carrier if before else None


def note_stop_change(ticket, now: datetime) -> None:
	before = ticket.get_doc_before_save()
	old_status = before.status if before else None
	if old_status == ticket.status:
		return
	old_kind, new_kind = stop_kind(old_status), stop_kind(ticket.status)
	# Resolved to Closed, or from one status to another with the same pause reason: the stop goes on.
	if old_kind == new_kind:
		return

	legacy_start = None
	if old_kind and before:
		legacy_start = before.on_hold_since if old_kind[0] == "pause" else before.resolution_date
	ticket.flags.ts_stop_change = StopChange(
		at=now,
		ends_stop=old_kind is not None,
		legacy_start=get_datetime(legacy_start) if legacy_start else None,
		legacy_reason=old_kind[1] if old_kind else "",
		new_reason=new_kind[1] if new_kind else "",
		new_status=ticket.status if new_kind else "",
		new_carrier=(ticket.ts_carrier or "") if new_kind and new_kind[1] == "Carrier" else "",
	)


def note_terms(ticket, now: datetime):
	"""Append the terms in force when tier or priority changed; None when no app terms apply."""
	terms = terms_for(ticket.ts_tier, ticket.priority)
	if terms is None:
		return None
	history = read_terms(ticket.ts_sla_terms)
	if not history or not is_same_terms(history[-1], terms):
		since = now if history else get_datetime(ticket.service_level_agreement_creation or now)
		history.append(terms_entry(terms, since))
		ticket.ts_sla_terms = json.dumps(history)
	ticket.ts_sla_calendar = terms.calendar
	ticket.ts_response_target = terms.response_minutes
	ticket.ts_resolution_target = terms.resolution_minutes
	return terms


def note_closed_without_reply(ticket) -> None:
	"""Helpdesk counts resolving an unanswered ticket as its first response; remember it was not one."""
	before = ticket.get_doc_before_save()
	if not before or before.first_responded_on or not ticket.first_responded_on:
		return
	if (stop_kind(ticket.status) or ("",))[0] != "resolved":
		return
	ticket.ts_closed_without_reply = int(not ticket.has_agent_replied)


def set_deadlines(ticket, now: datetime) -> None:
	zone = system_zone()
	clock = ClockInput(
		created=ticket.service_level_agreement_creation or now,
		terms=read_terms(ticket.ts_sla_terms),
		stops=stops_after_change(ticket),
		first_responded_on=ticket.first_responded_on,
		is_closed_without_reply=bool(ticket.ts_closed_without_reply),
	)
	try:
		report = evaluate(clock, now_in(zone), load_policy(), zone)
	except (SlaError, BusinessTimeError):
		# The ticket still saves, on Helpdesk's deadlines; the watch logs it again until fixed.
		frappe.log_error(
			title=f"SLA: clock of ticket {ticket.name} failed",
			reference_doctype="HD Ticket",
			reference_name=ticket.name,
		)
		return

	ticket.response_by = naive(report.response.deadline, zone)
	ticket.resolution_by = naive(report.resolution.deadline, zone)
	ticket.agreement_status = agreement_status(report).value
	if report.escalation.breached_at and not ticket.ts_breached_at:
		ticket.ts_breached_at = naive(report.escalation.breached_at, zone)


def stops_after_change(ticket) -> list[frappe._dict]:
	"""The ticket's clock stops as they stand once this save's change is recorded."""
	rows = [] if ticket.is_new() else stop_rows(ticket.name)
	change: StopChange | None = ticket.flags.ts_stop_change
	if change is None:
		return rows
	if change.ends_stop:
		running = [row for row in rows if not row.ended_at]
		if running:
			running[-1].ended_at = change.at
		elif change.legacy_start:
			rows.append(
				frappe._dict(reason=change.legacy_reason, started_at=change.legacy_start, ended_at=change.at)
			)
	if change.new_reason:
		rows.append(frappe._dict(reason=change.new_reason, started_at=change.at, ended_at=None))
	return rows


def stop_rows(ticket: str) -> list[frappe._dict]:
	return frappe.get_all(
		"TS SLA Pause", filters={"ticket": ticket}, fields=list(STOP_FIELDS), order_by="started_at asc"
	)


def record_stop_change(ticket) -> None:
	change: StopChange | None = ticket.flags.pop("ts_stop_change", None)
	if change is None:
		return
	if change.ends_stop:
		running = frappe.get_all(
			"TS SLA Pause",
			filters={"ticket": ticket.name, "ended_at": ("is", "not set")},
			fields=list(STOP_FIELDS),
			order_by="started_at desc",
			limit=1,
		)
		if running:
			end_stop(ticket, running[0].name, get_datetime(running[0].started_at), change.at)
		elif change.legacy_start:
			name = insert_stop(ticket, change.legacy_reason, "", "", change.legacy_start)
			end_stop(ticket, name, change.legacy_start, change.at)
	if change.new_reason:
		insert_stop(ticket, change.new_reason, change.new_status, change.new_carrier, change.at)


def insert_stop(ticket, reason: str, status: str, carrier: str, at: datetime) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "TS SLA Pause",
			"ticket": ticket.name,
			"reason": reason,
			"status": status or None,
			"carrier": carrier or None,
			"started_at": at,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def end_stop(ticket, name: str, started_at: datetime, ended_at: datetime) -> None:
	"""Close a stop and measure it: real time waited, and business time the clocks did not count."""
	business_minutes = None
	if ticket.ts_sla_calendar:
		zone = system_zone()
		started = aware(started_at, zone)
		paused = business_time_between(
			started, aware(ended_at, zone, started), get_calendar(ticket.ts_sla_calendar)
		)
		business_minutes = paused.total_seconds() / 60
	frappe.db.set_value(
		"TS SLA Pause",
		name,
		{
			"ended_at": ended_at,
			"waited_minutes": (ended_at - started_at).total_seconds() / 60,
			"business_minutes": business_minutes,
		},
	)

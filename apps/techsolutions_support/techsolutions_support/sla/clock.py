"""One ticket's SLA clock: the terms it was promised over time, its clock stops, the core's verdict.

What is stored, and where:

	ts_sla_terms      on the ticket, JSON: the terms in force, each from an instant on (tier,
	                  priority, calendar, targets in minutes). A tier or priority change appends
	                  one; business time already spent stays measured on the terms it ran under.
	TS SLA Pause      one record per span the clocks stood still: a pause with its reason (and
	                  carrier), or the time resolved until a reopening.
	response_by, resolution_by, agreement_status
	                  Helpdesk's own fields, written from the core's report, so Helpdesk's badges,
	                  lists, filters and portal show the app's deadlines.
	ts_sla_calendar, ts_response_target, ts_resolution_target
	                  the terms in force, for agents; no calendar means the app's clock is not in
	                  charge (the tier has no calendar or no target for the priority) and Helpdesk's
	                  own SLA decides the deadlines.

Times: Frappe stores naive datetimes in the system time zone; the core takes aware ones and
computes in UTC. Values are read as wall-clock times of the system zone and written back the same
way. In the hour that repeats when daylight saving ends a stored time names two instants: it is
read as the earlier one, unless it must come after an instant read before it (a pause's end after
its start, a first response or a pause after the creation); then as the later one
(`core.business_time.instant_of_wall_time`). Deadlines in the second of the repeated hours are
therefore stored, and shown, an hour early: never later than they are.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_datetime, get_system_timezone

from techsolutions_support.core.business_time import BusinessCalendar, instant_of_wall_time
from techsolutions_support.core.sla import (
	ClockStop,
	SlaReport,
	TargetChange,
	Targets,
	TicketTimeline,
	evaluate_sla,
	statuses_from_stops,
)
from techsolutions_support.core.sla_recipients import Audience, TeamPart, parse_users
from techsolutions_support.sla.calendars import Terms, get_calendar, minutes

RESOLVED = "Resolved"
SETTLE = "Settle at resolution"


@dataclass(frozen=True)
class SlaPolicy:
	"""TS SLA Settings, as the clock and the watch use them."""

	warn_share: float = 0.75
	unanswered_resolution: Literal["settle", "void"] = "settle"
	escalation_delays: tuple[timedelta, ...] = ()
	escalation_names: tuple[str, ...] = ()
	escalation_audiences: tuple[Audience, ...] = ()
	is_team_warned_when_unassigned: bool = True
	is_watch_enabled: bool = True


def load_policy() -> SlaPolicy:
	settings = frappe.get_cached_doc("TS SLA Settings")
	levels = sorted(settings.escalation_levels, key=lambda row: row.idx)
	share = settings.warn_share_percent
	return SlaPolicy(
		warn_share=float(share) / 100 if share else 0.75,
		unanswered_resolution="void" if settings.unanswered_resolution == "Not applicable" else "settle",
		escalation_delays=tuple(timedelta(minutes=row.delay_minutes or 0) for row in levels),
		escalation_names=tuple(row.level_name for row in levels),
		escalation_audiences=tuple(audience_of(row) for row in levels),
		is_team_warned_when_unassigned=settings.get("warn_team_when_unassigned") != 0,
		is_watch_enabled=bool(settings.is_watch_enabled) if settings.is_watch_enabled is not None else True,
	)


TEAM_PARTS: dict[str, TeamPart] = {"Team Lead": "lead", "Team Members": "members"}


def audience_of(level: Any) -> Audience:
	"""Whom a TS SLA Escalation Level row reaches."""
	return Audience(
		is_assignees=bool(level.get("notify_assignees")),
		team=TEAM_PARTS.get(level.get("notify_team") or "", ""),
		role=level.get("notify_role") or "",
		users=parse_users(level.get("notify_users")),
	)


# Time zones


def system_zone() -> ZoneInfo:
	return ZoneInfo(get_system_timezone())


def aware(value: Any, zone: ZoneInfo, not_before: datetime | None = None) -> datetime:
	"""A stored (naive, system time zone) datetime as an aware one; `not_before`: see the module."""
	return instant_of_wall_time(get_datetime(value), zone, not_before)


def in_utc(value: datetime) -> datetime:
	"""Sort key of aware instants: Python orders two datetimes of one zone by wall clock."""
	return value.astimezone(UTC)


def now_in(zone: ZoneInfo) -> datetime:
	"""The current instant, exact also in the repeated hour (a naive `now_datetime` is not)."""
	return datetime.now(zone)


def naive(value: datetime | None, zone: ZoneInfo) -> datetime | None:
	"""An aware datetime as Frappe stores it: naive, in the system time zone."""
	if value is None:
		return None
	return value.astimezone(zone).replace(tzinfo=None, fold=0)


# Terms over time


def read_terms(raw: str | None) -> list[dict[str, Any]]:
	return json.loads(raw) if raw else []


def terms_entry(terms: Terms, since: datetime) -> dict[str, Any]:
	return {
		"from": str(since),
		"tier": terms.tier,
		"priority": terms.priority,
		"calendar": terms.calendar,
		"response": terms.response_minutes,
		"resolution": terms.resolution_minutes,
	}


def is_same_terms(entry: dict[str, Any], terms: Terms) -> bool:
	return (entry["tier"], entry["priority"], entry["calendar"]) == (
		terms.tier,
		terms.priority,
		terms.calendar,
	)


# Clock stops


def stop_kind(status: str | None) -> tuple[str, str] | None:
	"""("pause", reason) for a paused status, ("resolved", "Resolved") for a resolved one, else None."""
	if not status:
		return None
	values = frappe.get_cached_value("HD Ticket Status", status, ["category", "ts_pause_reason"])
	if not values:
		return None
	category, reason = values
	if category == "Paused":
		return ("pause", reason or "Other")
	if category == "Resolved":
		return ("resolved", RESOLVED)
	return None


def stop_from_row(row: Any, zone: ZoneInfo, created: datetime | None = None) -> ClockStop:
	started = aware(row.started_at, zone, created)
	return ClockStop(
		started,
		aware(row.ended_at, zone, started) if row.ended_at else None,
		reason=row.reason,
		is_resolved=row.reason == RESOLVED,
	)


# The verdict


@dataclass(frozen=True)
class ClockInput:
	"""Everything the core needs of one ticket, read from the ticket and its TS SLA Pause records."""

	created: Any
	terms: list[dict[str, Any]]
	stops: list[Any]
	first_responded_on: Any
	is_closed_without_reply: bool


def evaluate(
	clock: ClockInput,
	now: datetime,
	policy: SlaPolicy,
	zone: ZoneInfo,
	calendar_of: Callable[[str], BusinessCalendar] = get_calendar,
) -> SlaReport:
	"""The core's report on one ticket at `now` (aware). Core errors pass through.

	`calendar_of` finds a calendar by name; a batch passes one that remembers them for the run.
	"""
	created = aware(clock.created, zone)
	first, *later = clock.terms
	changes = [
		TargetChange(
			max(aware(entry["from"], zone, created), created, key=in_utc),
			targets_of(entry),
			f"{entry['tier']} {entry['priority']}",
			calendar_of(entry["calendar"]),
		)
		for entry in later
	]
	statuses = statuses_from_stops(
		[stop_from_row(row, zone, created) for row in clock.stops], open_status="Open"
	)
	# Resolved without any reply, under the "not applicable" policy: the response clock is voided
	# only while the ticket stays resolved; a reopened ticket is judged as answered then.
	is_resolved = bool(statuses) and statuses[-1].is_resolved
	first_response = None
	if clock.first_responded_on and not (clock.is_closed_without_reply and is_resolved):
		first_response = aware(clock.first_responded_on, zone, created)
	timeline = TicketTimeline(created, targets_of(first), statuses, changes, first_response)
	return evaluate_sla(
		timeline,
		calendar_of(first["calendar"]),
		now,
		warn_share=policy.warn_share,
		unanswered_resolution=policy.unanswered_resolution,
		escalation_delays=policy.escalation_delays,
	)


def targets_of(entry: dict[str, Any]) -> Targets:
	return Targets(response=minutes(entry["response"]), resolution=minutes(entry["resolution"]))

"""SLA clocks of one ticket on a Mon-Fri 08:00-17:00 calendar, with the expected instants written out.

Monday 12 January 2026 is the creation day of every ticket here unless a case says otherwise.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from techsolutions_support.core.business_time import BusinessCalendar, Window
from techsolutions_support.core.sla import (
	Agreement,
	ClockState,
	ClockStatus,
	ClockStop,
	InvalidTimelineError,
	StatusChange,
	TargetChange,
	Targets,
	TicketTimeline,
	agreement_status,
	evaluate_sla,
	statuses_from_stops,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
OFFICE = BusinessCalendar("Europe/Berlin", {weekday: [Window(time(8), time(17))] for weekday in range(5)})
MEDIUM = Targets(response=2 * H, resolution=16 * H)
HIGH = Targets(response=1 * H, resolution=4 * H)
CREATED = "2026-01-12 09:00"


def at(text: str) -> datetime:
	return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def iso(value: datetime | None) -> str | None:
	return None if value is None else value.isoformat()


def opened(status: str, when: str) -> StatusChange:
	return StatusChange(at(when), status)


def waiting(reason: str, when: str) -> StatusChange:
	return StatusChange(at(when), f"Waiting on {reason}", is_paused=True, reason=reason)


def resolved(when: str) -> StatusChange:
	return StatusChange(at(when), "Resolved", is_resolved=True)


def ticket(*statuses: StatusChange, targets: Targets = MEDIUM, **kwargs: object) -> TicketTimeline:
	return TicketTimeline(at(CREATED), targets, statuses, **kwargs)  # type: ignore[arg-type]


def summary(clock: ClockStatus) -> tuple[str, str | None, str | None, timedelta, timedelta]:
	return (clock.state.value, iso(clock.deadline), iso(clock.warning_at), clock.spent, clock.paused)


@pytest.mark.parametrize(
	("now", "response", "resolution"),
	[
		(
			"2026-01-12 10:00",
			("running", "2026-01-12T11:00:00+01:00", "2026-01-12T10:30:00+01:00", 1 * H, 0 * H),
			("running", "2026-01-13T16:00:00+01:00", "2026-01-13T12:00:00+01:00", 1 * H, 0 * H),
		),
		(
			"2026-01-12 10:45",
			("warning", "2026-01-12T11:00:00+01:00", "2026-01-12T10:30:00+01:00", 1.75 * H, 0 * H),
			("running", "2026-01-13T16:00:00+01:00", "2026-01-13T12:00:00+01:00", 1.75 * H, 0 * H),
		),
		(
			"2026-01-13 12:00",
			("breached", "2026-01-12T11:00:00+01:00", "2026-01-12T10:30:00+01:00", 12 * H, 0 * H),
			("warning", "2026-01-13T16:00:00+01:00", "2026-01-13T12:00:00+01:00", 12 * H, 0 * H),
		),
		# Breached after closing time: the deadline passed at 16:00, the clock stands since 17:00.
		(
			"2026-01-13 18:00",
			("breached", "2026-01-12T11:00:00+01:00", "2026-01-12T10:30:00+01:00", 17 * H, 0 * H),
			("breached", "2026-01-13T16:00:00+01:00", "2026-01-13T12:00:00+01:00", 17 * H, 0 * H),
		),
	],
)
def test_clocks_of_an_untouched_ticket(
	now: str, response: tuple[object, ...], resolution: tuple[object, ...]
) -> None:
	report = evaluate_sla(ticket(), OFFICE, at(now))

	assert summary(report.response) == response
	assert summary(report.resolution) == resolution
	assert not report.is_paused


def test_first_response_stops_the_response_clock() -> None:
	report = evaluate_sla(ticket(first_response_at=at("2026-01-12 10:30")), OFFICE, at("2026-01-13 12:00"))

	assert report.response.state is ClockState.MET
	assert iso(report.response.stopped_at) == "2026-01-12T10:30:00+01:00"
	assert report.response.spent == 1.5 * H
	assert report.resolution.state is ClockState.WARNING


def test_priority_raised_after_three_business_hours_of_pause() -> None:
	# Waiting on the customer 10:00-13:00, then at 14:00 the priority goes from Medium (16 h) to
	# High (4 h): the two business hours spent are kept, the three paused ones stay excluded.
	timeline = ticket(
		waiting("customer", "2026-01-12 10:00"),
		opened("Open", "2026-01-12 13:00"),
		target_changes=[TargetChange(at("2026-01-12 14:00"), HIGH, "priority High")],
	)

	at_change = evaluate_sla(timeline, OFFICE, at("2026-01-12 14:00")).resolution
	before_change = evaluate_sla(timeline, OFFICE, at("2026-01-12 13:59")).resolution

	assert summary(before_change) == (
		"running",
		"2026-01-14T10:00:00+01:00",
		"2026-01-13T15:00:00+01:00",
		timedelta(hours=1, minutes=59),
		3 * H,
	)
	assert summary(at_change) == (
		"running",
		"2026-01-12T16:00:00+01:00",
		"2026-01-12T15:00:00+01:00",
		2 * H,
		3 * H,
	)
	assert at_change.remaining == 2 * H
	assert evaluate_sla(timeline, OFFICE, at("2026-01-12 15:30")).resolution.state is ClockState.WARNING
	assert evaluate_sla(timeline, OFFICE, at("2026-01-12 16:30")).resolution.state is ClockState.BREACHED


def test_a_lower_target_than_the_time_spent_is_breached_at_once() -> None:
	timeline = ticket(target_changes=[TargetChange(at("2026-01-13 12:00"), HIGH, "priority High")])

	report = evaluate_sla(timeline, OFFICE, at("2026-01-13 12:00"))

	assert summary(report.resolution) == (
		"breached",
		"2026-01-12T13:00:00+01:00",
		"2026-01-12T12:00:00+01:00",
		12 * H,
		0 * H,
	)


def test_from_a_pause_straight_to_resolved_the_pause_does_not_count() -> None:
	timeline = ticket(waiting("carrier", "2026-01-12 10:00"), resolved("2026-01-13 15:00"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-14 09:00"))

	assert report.resolution.state is ClockState.MET
	assert iso(report.resolution.stopped_at) == "2026-01-13T15:00:00+01:00"
	assert report.resolution.spent == 1 * H
	assert report.resolution.paused == 14 * H
	assert dict(report.paused_by_reason) == {"carrier": 14 * H}
	# The carrier's own clock: real time waited, nights included.
	assert dict(report.waited_by_reason) == {"carrier": 29 * H}


def test_while_paused_there_is_no_deadline() -> None:
	timeline = ticket(waiting("parts", "2026-01-12 10:00"), first_response_at=at("2026-01-12 09:30"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-13 12:00"))

	assert summary(report.resolution) == ("paused", None, None, 1 * H, 11 * H)
	assert report.response.state is ClockState.MET
	assert report.is_paused
	assert report.pause_reason == "parts"
	assert dict(report.paused_by_reason) == {"parts": 11 * H}


def test_a_breach_stays_a_breach_while_paused() -> None:
	timeline = ticket(
		waiting("customer", "2026-01-12 14:00"), targets=HIGH, first_response_at=at("2026-01-12 09:10")
	)

	report = evaluate_sla(timeline, OFFICE, at("2026-01-13 09:00"))

	assert summary(report.resolution) == (
		"breached",
		"2026-01-12T13:00:00+01:00",
		"2026-01-12T12:00:00+01:00",
		5 * H,
		4 * H,
	)


def test_the_time_spent_resolved_does_not_count_after_reopening() -> None:
	timeline = ticket(resolved("2026-01-12 11:00"), opened("Open", "2026-01-13 09:00"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-13 10:00"))

	assert summary(report.resolution) == (
		"running",
		"2026-01-14T14:00:00+01:00",
		"2026-01-14T10:00:00+01:00",
		3 * H,
		7 * H,
	)
	assert report.resolution.stopped_at is None


def test_a_reply_during_a_pause_stops_the_response_clock() -> None:
	timeline = ticket(waiting("customer", "2026-01-12 09:30"), first_response_at=at("2026-01-12 10:00"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-12 12:00"))

	assert summary(report.response) == (
		"met",
		"2026-01-12T11:30:00+01:00",
		"2026-01-12T11:00:00+01:00",
		0.5 * H,
		0.5 * H,
	)


@pytest.mark.parametrize(
	("resolved_when", "policy", "state"),
	[
		("2026-01-12 10:00", "settle", ClockState.MET),
		("2026-01-12 12:00", "settle", ClockState.MISSED),
		("2026-01-12 12:00", "void", ClockState.NOT_APPLICABLE),
	],
)
def test_resolved_without_a_response(resolved_when: str, policy: str, state: ClockState) -> None:
	report = evaluate_sla(
		ticket(resolved(resolved_when)),
		OFFICE,
		at("2026-01-13 12:00"),
		unanswered_resolution=policy,  # type: ignore[arg-type]
	)

	assert report.response.state is state
	assert iso(report.response.stopped_at) == iso(at(resolved_when))


def test_no_target() -> None:
	report = evaluate_sla(ticket(targets=Targets(resolution=8 * H)), OFFICE, at("2026-01-12 12:00"))

	assert summary(report.response) == ("no target", None, None, 3 * H, 0 * H)
	assert report.response.remaining is None
	assert report.resolution.state is ClockState.RUNNING


def test_events_after_now_are_ignored() -> None:
	timeline = ticket(resolved("2026-01-13 10:00"), first_response_at=at("2026-01-13 09:00"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-12 10:30"))

	assert report.resolution.state is ClockState.RUNNING
	assert report.response.state is ClockState.WARNING


def test_now_before_creation_counts_as_creation() -> None:
	report = evaluate_sla(ticket(), OFFICE, at("2026-01-12 08:59"))

	assert report.resolution.spent == timedelta(0)
	assert report.resolution.state is ClockState.RUNNING


@pytest.mark.parametrize(
	"make",
	[
		lambda: evaluate_sla(ticket(resolved("2026-01-11 10:00")), OFFICE, at("2026-01-13 10:00")),
		lambda: evaluate_sla(
			ticket(target_changes=[TargetChange(at("2026-01-11 10:00"), HIGH)]),
			OFFICE,
			at("2026-01-13 10:00"),
		),
		lambda: evaluate_sla(ticket(), OFFICE, at("2026-01-13 10:00"), warn_share=0),
		lambda: evaluate_sla(ticket(), OFFICE, at("2026-01-13 10:00"), warn_share=1.5),
		lambda: Targets(response=-H),
	],
)
def test_invalid_timelines(make: object) -> None:
	with pytest.raises(InvalidTimelineError):
		make()  # type: ignore[operator]


# Tier changes: another calendar from the change on


ALWAYS = BusinessCalendar.always_open("Europe/Berlin")


def test_a_tier_change_keeps_the_time_spent_on_the_old_calendar() -> None:
	# Friday 16 Jan 2026, 16:00 on the office calendar: one business hour by 17:00. The tier goes
	# 24/7 on Saturday 10:00: the night and the morning before do not count, the office hour does.
	timeline = TicketTimeline(
		at("2026-01-16 16:00"),
		MEDIUM,
		target_changes=[TargetChange(at("2026-01-17 10:00"), MEDIUM, "tier Premium", ALWAYS)],
	)

	report = evaluate_sla(timeline, OFFICE, at("2026-01-17 10:30"))

	assert summary(report.response) == (
		"warning",
		"2026-01-17T11:00:00+01:00",
		"2026-01-17T10:30:00+01:00",
		1.5 * H,
		0 * H,
	)
	assert iso(report.resolution.deadline) == "2026-01-18T01:00:00+01:00"


def test_a_tier_change_after_the_target_was_used_up_keeps_the_old_deadline() -> None:
	# Two business hours were used up on Monday at 11:00; the change to 24/7 at 12:00 cannot move it.
	timeline = ticket(target_changes=[TargetChange(at("2026-01-12 12:00"), MEDIUM, "tier", ALWAYS)])

	report = evaluate_sla(timeline, OFFICE, at("2026-01-12 13:00"))

	assert summary(report.response) == (
		"breached",
		"2026-01-12T11:00:00+01:00",
		"2026-01-12T10:30:00+01:00",
		4 * H,
		0 * H,
	)


def test_a_change_to_the_same_calendar_changes_nothing() -> None:
	same = ticket(target_changes=[TargetChange(at("2026-01-12 10:00"), MEDIUM, "tier", OFFICE)])

	assert evaluate_sla(same, OFFICE, at("2026-01-13 12:00")) == evaluate_sla(
		ticket(), OFFICE, at("2026-01-13 12:00")
	)


def test_a_pause_across_a_tier_change_is_excluded_on_both_calendars() -> None:
	# Waiting on a carrier from Friday 16:00 to Monday 09:00; the tier goes 24/7 on Saturday.
	timeline = TicketTimeline(
		at("2026-01-16 15:00"),
		MEDIUM,
		statuses=[waiting("carrier", "2026-01-16 16:00"), opened("Open", "2026-01-19 09:00")],
		target_changes=[TargetChange(at("2026-01-17 12:00"), MEDIUM, "tier", ALWAYS)],
		first_response_at=at("2026-01-16 15:30"),
	)

	report = evaluate_sla(timeline, OFFICE, at("2026-01-19 10:00"))

	assert report.resolution.spent == 2 * H
	assert report.resolution.paused == 1 * H + 36 * H + 9 * H
	assert dict(report.waited_by_reason) == {"carrier": 65 * H}
	assert iso(report.resolution.deadline) == "2026-01-20T00:00:00+01:00"


# Clock stops as recorded per ticket


def test_stops_become_status_changes() -> None:
	stops = [
		ClockStop(at("2026-01-12 10:00"), at("2026-01-12 12:00"), "customer"),
		ClockStop(at("2026-01-12 14:00"), at("2026-01-13 09:00"), "carrier"),
		ClockStop(at("2026-01-13 09:00"), None, is_resolved=True),
	]

	statuses = statuses_from_stops(stops)

	assert [(iso(s.at), s.status, s.is_paused, s.is_resolved, s.reason) for s in statuses] == [
		("2026-01-12T10:00:00+01:00", "customer", True, False, "customer"),
		("2026-01-12T12:00:00+01:00", "Open", False, False, ""),
		("2026-01-12T14:00:00+01:00", "carrier", True, False, "carrier"),
		("2026-01-13T09:00:00+01:00", "resolved", False, True, ""),
	]
	report = evaluate_sla(ticket(*statuses), OFFICE, at("2026-01-14 12:00"))
	assert report.resolution.state is ClockState.MET
	assert report.resolution.spent == 3 * H
	assert dict(report.paused_by_reason) == {"customer": 2 * H, "carrier": 4 * H}


def test_a_stop_that_ended_reopens_the_ticket() -> None:
	statuses = statuses_from_stops(
		[ClockStop(at("2026-01-12 11:00"), at("2026-01-13 09:00"), is_resolved=True)]
	)

	report = evaluate_sla(ticket(*statuses), OFFICE, at("2026-01-13 10:00"))

	assert [s.status for s in statuses] == ["resolved", "Open"]
	assert report.resolution.state is ClockState.RUNNING
	assert report.resolution.spent == 3 * H


@pytest.mark.parametrize(
	"stops",
	[
		[
			ClockStop(at("2026-01-12 10:00"), None, "customer"),
			ClockStop(at("2026-01-12 11:00"), None, "parts"),
		],
		[
			ClockStop(at("2026-01-12 10:00"), at("2026-01-12 12:00"), "customer"),
			ClockStop(at("2026-01-12 11:00"), None, "parts"),
		],
	],
)
def test_overlapping_stops_are_refused(stops: list[ClockStop]) -> None:
	with pytest.raises(InvalidTimelineError):
		statuses_from_stops(stops)


# Agreement status, warnings and escalation


@pytest.mark.parametrize(
	("timeline", "now", "expected"),
	[
		(ticket(), "2026-01-12 10:00", Agreement.FIRST_RESPONSE_DUE),
		(ticket(first_response_at=at("2026-01-12 09:30")), "2026-01-12 10:00", Agreement.RESOLUTION_DUE),
		(ticket(), "2026-01-12 11:01", Agreement.FAILED),
		(
			ticket(waiting("customer", "2026-01-12 09:30"), first_response_at=at("2026-01-12 09:30")),
			"2026-01-12 10:00",
			Agreement.PAUSED,
		),
		(
			ticket(resolved("2026-01-12 12:00"), first_response_at=at("2026-01-12 09:30")),
			"2026-01-13 10:00",
			Agreement.FULFILLED,
		),
		# Answered late, resolved in time: the missed response keeps it failed.
		(
			ticket(resolved("2026-01-12 12:00"), first_response_at=at("2026-01-12 11:30")),
			"2026-01-13 10:00",
			Agreement.FAILED,
		),
		(ticket(targets=Targets(resolution=8 * H)), "2026-01-12 10:00", Agreement.RESOLUTION_DUE),
		(ticket(targets=Targets()), "2026-01-12 10:00", Agreement.FULFILLED),
	],
)
def test_agreement_status(timeline: TicketTimeline, now: str, expected: Agreement) -> None:
	assert agreement_status(evaluate_sla(timeline, OFFICE, at(now))) is expected


@pytest.mark.parametrize(
	("now", "response_due", "resolution_due"),
	[
		("2026-01-12 10:29", False, False),
		("2026-01-12 10:30", True, False),
		("2026-01-13 12:00", True, True),
	],
)
def test_warning_is_due_from_the_warning_share_on(now: str, response_due: bool, resolution_due: bool) -> None:
	report = evaluate_sla(ticket(), OFFICE, at(now))

	assert (report.response.is_warning_due, report.resolution.is_warning_due) == (
		response_due,
		resolution_due,
	)


def test_a_stopped_clock_is_never_due_for_a_warning() -> None:
	report = evaluate_sla(ticket(first_response_at=at("2026-01-12 10:55")), OFFICE, at("2026-01-12 11:00"))

	assert not report.response.is_warning_due


DELAYS = (timedelta(0), 2 * H)


@pytest.mark.parametrize(
	("now", "level", "next_at"),
	[
		("2026-01-12 11:00", 0, None),
		# Breached at 11:00: level 1 at once, level 2 two business hours later.
		("2026-01-12 11:00:01", 1, "2026-01-12T13:00:00+01:00"),
		("2026-01-12 13:00", 2, None),
		# The response deadline passed at 11:00; the resolution one too, later: the earliest counts.
		("2026-01-14 09:00", 2, None),
	],
)
def test_escalation_levels_after_a_breach(now: str, level: int, next_at: str | None) -> None:
	report = evaluate_sla(ticket(), OFFICE, at(now), escalation_delays=DELAYS)

	assert report.escalation.level == level
	assert iso(report.escalation.next_at) == next_at
	if level:
		assert iso(report.escalation.breached_at) == "2026-01-12T11:00:00+01:00"


def test_escalation_delays_count_business_time() -> None:
	# Breached at 16:00 on Monday: two business hours later is Tuesday 09:00.
	timeline = ticket(targets=Targets(response=7 * H))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-12 18:00"), escalation_delays=DELAYS)

	assert report.escalation.level == 1
	assert iso(report.escalation.next_at) == "2026-01-13T09:00:00+01:00"


def test_a_pause_holds_escalation_back() -> None:
	# Resolution breached at 13:00 (High: 4 h), answered at 09:10; waiting on parts since 13:30.
	timeline = ticket(
		waiting("parts", "2026-01-12 13:30"), targets=HIGH, first_response_at=at("2026-01-12 09:10")
	)

	report = evaluate_sla(timeline, OFFICE, at("2026-01-13 12:00"), escalation_delays=DELAYS)

	assert report.resolution.state is ClockState.BREACHED
	assert (report.escalation.level, report.escalation.next_at) == (1, None)


def test_a_met_or_missed_clock_does_not_escalate() -> None:
	timeline = ticket(first_response_at=at("2026-01-12 11:30"))

	report = evaluate_sla(timeline, OFFICE, at("2026-01-12 12:00"), escalation_delays=DELAYS)

	assert report.response.state is ClockState.MISSED
	assert report.escalation.level == 0
	assert report.escalation.breached_at is None


@pytest.mark.parametrize("delays", [(-H,), (2 * H, H)])
def test_bad_escalation_delays(delays: tuple[timedelta, ...]) -> None:
	with pytest.raises(InvalidTimelineError):
		evaluate_sla(ticket(), OFFICE, at("2026-01-12 12:00"), escalation_delays=delays)


def test_clocks_in_the_hour_that_repeats_when_daylight_saving_ends() -> None:
	# 24/7, created Sunday 25 October 2026 01:30 CEST; response due after 60, resolution after
	# 120 minutes: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC), the same wall-clock time.
	always = BusinessCalendar.always_open("Europe/Berlin")
	timeline = TicketTimeline(at("2026-10-25 01:30"), Targets(response=1 * H, resolution=2 * H))
	# 02:45 CEST: between the two deadlines. Compared by wall clock, 02:45 would be past both.
	now = datetime.fromisoformat("2026-10-25T02:45:00+02:00").astimezone(BERLIN)

	report = evaluate_sla(timeline, always, now, warn_share=0.75, escalation_delays=(0 * H,))

	assert summary(report.response) == (
		"breached",
		"2026-10-25T02:30:00+02:00",
		"2026-10-25T02:15:00+02:00",
		75 * timedelta(minutes=1),
		0 * H,
	)
	assert summary(report.resolution) == (
		"running",
		"2026-10-25T02:30:00+01:00",
		"2026-10-25T02:00:00+01:00",
		75 * timedelta(minutes=1),
		0 * H,
	)
	assert (report.escalation.level, iso(report.escalation.breached_at)) == (1, "2026-10-25T02:30:00+02:00")

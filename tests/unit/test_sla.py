"""SLA clocks of one ticket on a Mon-Fri 08:00-17:00 calendar, with the expected instants written out.

Monday 12 January 2026 is the creation day of every ticket here unless a case says otherwise.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from techsolutions_support.core.business_time import BusinessCalendar, Window
from techsolutions_support.core.sla import (
	ClockState,
	ClockStatus,
	InvalidTimelineError,
	StatusChange,
	TargetChange,
	Targets,
	TicketTimeline,
	evaluate_sla,
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

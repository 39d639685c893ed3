"""SLA clocks of one ticket: deadlines, business time spent and paused, warning and breach at ``now``.

Contract: pure, framework-free, never reads a clock. The caller passes the ticket's timeline
(creation, status changes, target changes, first response), its business calendar and ``now``;
:func:`evaluate_sla` returns the state of the response clock and of the resolution clock.
Evaluating the same timeline again gives the same result, so a scheduled job may run it for
every open ticket as often as it likes.

Semantics
---------

- Both clocks start when the ticket is created and count business time of the calendar.
- A status flagged ``is_paused`` (waiting on the customer, a carrier, spare parts) stops both
  clocks from the moment it is entered until the next status change. Paused time stays excluded
  forever: going from a paused status straight to a resolved one never counts the pause.
- A status flagged ``is_resolved`` stops the resolution clock. If the ticket is reopened, the
  clock goes on from where it stood; the time it spent resolved does not count.
- The response clock stops at the first response. A ticket resolved without any response has
  its response clock settled as ``unanswered_resolution`` says: ``"settle"`` judges it at the
  resolution instant (met if resolved before the response deadline), ``"void"`` reports
  :attr:`ClockState.NOT_APPLICABLE`.
- A target change (priority or tier) replaces the target from its instant on and keeps the
  business time already spent: the deadline is ``add_business_time(created, new target)`` with
  all pauses so far, which equals "spent so far + what is left of the new target". A target
  lower than the time already spent puts the deadline in the past: the clock is breached.
  A stopped clock is judged by the target in force when it stopped.
- A clock is *breached* when ``now`` (or the instant it stopped) is after its deadline, even by
  an instant outside business hours. It is in *warning* from the instant at which
  ``warn_share`` of its target is spent.
- A target change may also switch the business calendar (a tier change). Business time spent
  before the change stays measured on the calendar in force then; from the change on, the new
  calendar counts. Deadlines walk the calendars in order until the target is used up.
- Events after ``now`` are ignored (so a past ``now`` replays the ticket as it stood then).
  A ``now`` before the creation counts as the creation instant (clock skew between servers).

Alerts
------

- A clock is *due for a warning* from its ``warning_at`` on while it runs (states ``warning`` and
  ``breached``); a stopped clock never is.
- *Escalation* starts at the earliest deadline of a clock that is breached while still running.
  Escalation level ``k`` is reached once the ``k``-th delay, counted in business time of the
  calendar in force, has passed since that breach; pauses hold escalation back like the clocks.
  Levels are counted afresh at every evaluation; keeping them once reached is the caller's
  business.
- :func:`agreement_status` sums both clocks up in one of Helpdesk's agreement states.

Paused spans can be given as :class:`ClockStop` (a pause with its reason, or the time spent
resolved); :func:`statuses_from_stops` turns them into the status changes the timeline takes.

Exceptions::

	ValueError
	└── SlaError                    base of this module's errors
	    └── InvalidTimelineError    an event before creation, a negative target or delay, a bad
	                                warn share, clock stops that overlap

Errors of :mod:`.business_time` (naive datetimes, instants out of range) pass through unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Literal

from techsolutions_support.core.business_time import (
	BusinessCalendar,
	Pause,
	add_business_time,
	business_time_between,
)

__all__ = [
	"Agreement",
	"ClockState",
	"ClockStatus",
	"ClockStop",
	"Escalation",
	"InvalidTimelineError",
	"SlaError",
	"SlaReport",
	"StatusChange",
	"TargetChange",
	"Targets",
	"TicketTimeline",
	"agreement_status",
	"evaluate_sla",
	"statuses_from_stops",
]

# Reason recorded for the time a ticket spends resolved before it is reopened.
RESOLVED_REASON = "resolved"


class SlaError(ValueError):
	"""Base of the errors raised by this module."""


class InvalidTimelineError(SlaError):
	"""The ticket timeline or an argument cannot be evaluated."""


@dataclass(frozen=True, slots=True)
class Targets:
	"""Business time allowed until first response and until resolution; ``None``: no target."""

	response: timedelta | None = None
	resolution: timedelta | None = None

	def __post_init__(self) -> None:
		for target in (self.response, self.resolution):
			if target is not None and target < timedelta(0):
				raise InvalidTimelineError(f"A target must not be negative, got {target}")


@dataclass(frozen=True, slots=True)
class StatusChange:
	"""The ticket entered ``status`` at ``at``; ``reason`` names what a pause waits for."""

	at: datetime
	status: str
	is_paused: bool = False
	is_resolved: bool = False
	reason: str = ""


@dataclass(frozen=True, slots=True)
class TargetChange:
	"""From ``at`` on, ``targets`` apply (after a priority or tier change named by ``cause``).

	``calendar`` is the business calendar from ``at`` on; ``None`` keeps the one in force.
	"""

	at: datetime
	targets: Targets
	cause: str = ""
	calendar: BusinessCalendar | None = None


@dataclass(frozen=True, slots=True)
class ClockStop:
	"""A span of real time during which the ticket's clocks stood still; ``end=None``: still does.

	A pause carries its ``reason`` (customer, carrier, parts); a span the ticket spent resolved
	has ``is_resolved`` set and ends when the ticket is reopened.
	"""

	start: datetime
	end: datetime | None
	reason: str = ""
	is_resolved: bool = False


@dataclass(frozen=True, slots=True)
class TicketTimeline:
	created: datetime
	targets: Targets
	statuses: Sequence[StatusChange] = ()
	target_changes: Sequence[TargetChange] = ()
	first_response_at: datetime | None = None


class ClockState(enum.StrEnum):
	NO_TARGET = "no target"
	RUNNING = "running"
	WARNING = "warning"
	PAUSED = "paused"
	BREACHED = "breached"
	MET = "met"
	MISSED = "missed"
	NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True, slots=True)
class ClockStatus:
	"""One clock at ``now``.

	``deadline`` is ``None`` without a target, or while paused with time still left. ``spent`` is
	the business time counted until the clock stopped or ``now``; ``paused`` the business time
	excluded over the same span (pauses, and time spent resolved before a reopening). ``stopped_at`` is the response or resolution instant.
	"""

	state: ClockState
	target: timedelta | None
	deadline: datetime | None
	warning_at: datetime | None
	spent: timedelta
	paused: timedelta
	stopped_at: datetime | None

	@property
	def remaining(self) -> timedelta | None:
		"""Business time left before the deadline (negative once it is spent)."""
		return None if self.target is None else self.target - self.spent

	@property
	def is_warning_due(self) -> bool:
		"""Whether the clock runs and has reached its warning share (breached included)."""
		return self.state in (ClockState.WARNING, ClockState.BREACHED)


@dataclass(frozen=True, slots=True)
class Escalation:
	"""How far a breach of a running clock has escalated at ``now``.

	``breached_at`` is the earliest deadline passed by a running clock (``None``: no breach);
	``level`` counts the escalation delays passed since; ``next_at`` is when the next level is
	reached (``None``: all reached, or held back by a pause).
	"""

	level: int = 0
	breached_at: datetime | None = None
	next_at: datetime | None = None


class Agreement(enum.StrEnum):
	"""Both clocks summed up, in the words of Helpdesk's agreement status."""

	FIRST_RESPONSE_DUE = "First Response Due"
	RESOLUTION_DUE = "Resolution Due"
	PAUSED = "Paused"
	FAILED = "Failed"
	FULFILLED = "Fulfilled"


@dataclass(frozen=True, slots=True)
class SlaReport:
	response: ClockStatus
	resolution: ClockStatus
	is_paused: bool
	pause_reason: str
	# Business time paused per reason, until the resolution clock stopped or now.
	paused_by_reason: Mapping[str, timedelta] = field(default_factory=lambda: MappingProxyType({}))
	# Real elapsed time waited per reason over the same span: the third party's own clock.
	waited_by_reason: Mapping[str, timedelta] = field(default_factory=lambda: MappingProxyType({}))
	escalation: Escalation = field(default_factory=Escalation)


@dataclass(frozen=True, slots=True)
class _Span:
	start: datetime
	end: datetime | None
	reason: str


@dataclass(frozen=True, slots=True)
class _Segment:
	"""From ``start`` on (until the next segment), ``calendar`` counts the business time."""

	start: datetime
	calendar: BusinessCalendar


def evaluate_sla(
	timeline: TicketTimeline,
	calendar: BusinessCalendar,
	now: datetime,
	*,
	warn_share: float = 0.75,
	unanswered_resolution: Literal["settle", "void"] = "settle",
	escalation_delays: Sequence[timedelta] = (),
) -> SlaReport:
	"""Return the state of the ticket's response and resolution clocks at ``now``.

	``calendar`` counts from the creation until a target change brings another one.
	``escalation_delays`` are the business time after a breach at which each escalation level
	is reached, in ascending order.
	"""
	if not 0 < warn_share <= 1:
		raise InvalidTimelineError(f"The warn share must be above 0 and at most 1, got {warn_share}")
	_check_delays(escalation_delays)
	# Compared in UTC: two instants of one zone compare by wall clock in Python, which puts the
	# second of the two hours that repeat when daylight saving ends before the first.
	timeline = _in_utc(timeline)
	created = timeline.created
	now = max(_utc(now), created)

	statuses = _known(timeline.statuses, created, now)
	changes = sorted((c for c in timeline.target_changes if c.at <= now), key=lambda c: c.at)
	for change in changes:
		if change.at < created:
			raise InvalidTimelineError(
				f"Target change at {change.at.isoformat()} precedes the ticket's creation"
			)
	waits = _spans(statuses, lambda status: status.is_paused)
	resolved_spans = _spans(statuses, lambda status: status.is_resolved)
	is_resolved = bool(statuses) and statuses[-1].is_resolved
	resolved_at = statuses[-1].at if is_resolved else None
	stops = [*waits, *resolved_spans]

	resolution = _clock(
		_segments(calendar, created, changes, resolved_at or now),
		now,
		stop=resolved_at,
		target=_target_at(timeline.targets, changes, resolved_at or now).resolution,
		spans=stops,
		warn_share=warn_share,
	)
	responded_at = timeline.first_response_at
	if responded_at is not None and responded_at > now:
		responded_at = None
	response_stop = responded_at
	if response_stop is None and resolved_at is not None:
		response_stop = resolved_at
	response = _clock(
		_segments(calendar, created, changes, response_stop or now),
		now,
		stop=response_stop,
		target=_target_at(timeline.targets, changes, response_stop or now).response,
		spans=stops,
		warn_share=warn_share,
	)
	if responded_at is None and resolved_at is not None and unanswered_resolution == "void":
		response = ClockStatus(
			ClockState.NOT_APPLICABLE, None, None, None, response.spent, response.paused, response.stopped_at
		)

	until = resolved_at or now
	segments = _segments(calendar, created, changes, until)
	current = statuses[-1] if statuses else None
	return SlaReport(
		response=response,
		resolution=resolution,
		is_paused=current is not None and current.is_paused,
		pause_reason=_reason(current) if current is not None and current.is_paused else "",
		paused_by_reason=_paused_by_reason(segments, waits, until),
		waited_by_reason=_waited_by_reason(waits, until),
		escalation=_escalation((response, resolution), segments[-1].calendar, stops, now, escalation_delays),
	)


def agreement_status(report: SlaReport) -> Agreement:
	"""Helpdesk's agreement status for the clocks of ``report``.

	Failed as soon as either clock is breached or was missed; otherwise paused while the ticket
	waits; otherwise the first clock still running decides; fulfilled when none runs any more.
	"""
	clocks = (report.response, report.resolution)
	if any(clock.state in (ClockState.BREACHED, ClockState.MISSED) for clock in clocks):
		return Agreement.FAILED
	if report.is_paused:
		return Agreement.PAUSED
	if report.response.state in _RUNNING:
		return Agreement.FIRST_RESPONSE_DUE
	if report.resolution.state in _RUNNING:
		return Agreement.RESOLUTION_DUE
	return Agreement.FULFILLED


_RUNNING = frozenset({ClockState.RUNNING, ClockState.WARNING, ClockState.PAUSED})


def statuses_from_stops(stops: Sequence[ClockStop], open_status: str = "Open") -> list[StatusChange]:
	"""The status changes of a ticket whose clocks stood still during ``stops``, open in between.

	A stop that starts where the previous one ends follows it directly (a pause straight to
	resolved). Stops must not overlap, and only the last may be open-ended.
	"""
	ordered = sorted(stops, key=lambda stop: stop.start)
	statuses: list[StatusChange] = []
	for i, stop in enumerate(ordered):
		previous = ordered[i - 1] if i else None
		if previous is not None and (previous.end is None or stop.start < previous.end):
			raise InvalidTimelineError(
				f"Clock stop at {stop.start.isoformat()} begins before the previous one ends"
			)
		if previous is not None and previous.end is not None and previous.end < stop.start:
			statuses.append(StatusChange(previous.end, open_status))
		label = RESOLVED_REASON if stop.is_resolved else stop.reason
		statuses.append(
			StatusChange(
				stop.start,
				label,
				is_paused=not stop.is_resolved,
				is_resolved=stop.is_resolved,
				reason="" if stop.is_resolved else stop.reason,
			)
		)
	if ordered and ordered[-1].end is not None:
		statuses.append(StatusChange(ordered[-1].end, open_status))
	return statuses


def _check_delays(delays: Sequence[timedelta]) -> None:
	for delay in delays:
		if delay < timedelta(0):
			raise InvalidTimelineError(f"An escalation delay must not be negative, got {delay}")
	if list(delays) != sorted(delays):
		raise InvalidTimelineError("Escalation delays must be given in ascending order")


def _known(statuses: Sequence[StatusChange], created: datetime, now: datetime) -> list[StatusChange]:
	known = sorted((status for status in statuses if status.at <= now), key=lambda status: status.at)
	for status in known:
		if status.at < created:
			raise InvalidTimelineError(
				f"Status {status.status!r} at {status.at.isoformat()} precedes the ticket's creation"
			)
	return known


def _spans(statuses: list[StatusChange], is_wanted: Callable[[StatusChange], bool]) -> list[_Span]:
	"""Spans during which a wanted status held, each until the next status change (or open)."""
	spans = []
	for i, status in enumerate(statuses):
		if is_wanted(status):
			end = statuses[i + 1].at if i + 1 < len(statuses) else None
			spans.append(_Span(status.at, end, _reason(status)))
	return spans


def _reason(status: StatusChange) -> str:
	if status.is_resolved and not status.is_paused:
		return RESOLVED_REASON
	return status.reason or status.status


def _target_at(initial: Targets, changes: list[TargetChange], at: datetime) -> Targets:
	targets = initial
	for change in changes:
		if change.at <= at:
			targets = change.targets
	return targets


def _segments(
	calendar: BusinessCalendar, created: datetime, changes: list[TargetChange], until: datetime
) -> list[_Segment]:
	"""The calendars in force from the creation up to ``until``; a change to the same one is no change."""
	segments = [_Segment(created, calendar)]
	for change in changes:
		if change.at > until or change.calendar is None:
			continue
		if change.calendar == segments[-1].calendar:
			continue
		if change.at == segments[-1].start:
			segments[-1] = _Segment(change.at, change.calendar)
		else:
			segments.append(_Segment(change.at, change.calendar))
	return segments


def _between(segments: list[_Segment], start: datetime, end: datetime, pauses: list[Pause]) -> timedelta:
	"""Business time from ``start`` to ``end``, each part counted on the calendar in force."""
	total = timedelta(0)
	for i, segment in enumerate(segments):
		lo = max(start, segment.start)
		hi = end if i + 1 == len(segments) else min(end, segments[i + 1].start)
		if lo < hi:
			total += business_time_between(lo, hi, segment.calendar, pauses)
	return total


def _reach(segments: list[_Segment], amount: timedelta, pauses: list[Pause]) -> datetime | None:
	"""The instant at which ``amount`` of business time is spent since the first segment began."""
	spent = timedelta(0)
	for i, segment in enumerate(segments):
		if i + 1 < len(segments):
			part = business_time_between(segment.start, segments[i + 1].start, segment.calendar, pauses)
			if spent + part < amount:
				spent += part
				continue
		return add_business_time(segment.start, amount - spent, segment.calendar, pauses)
	raise AssertionError("unreachable: the last segment is open-ended")


def _clock(
	segments: list[_Segment],
	now: datetime,
	*,
	stop: datetime | None,
	target: timedelta | None,
	spans: list[_Span],
	warn_share: float,
) -> ClockStatus:
	until = stop or now
	if stop is None:
		pauses = [Pause(span.start, span.end) for span in spans]
	else:
		# Only pauses that began before the clock stopped, cut off there: later ones cannot matter.
		pauses = [Pause(span.start, _earlier(span.end, stop)) for span in spans if span.start < stop]
	created = segments[0].start
	stopped_at = stop.astimezone(segments[-1].calendar.zone) if stop is not None else None
	spent = _between(segments, created, until, pauses)
	paused = _between(segments, created, until, []) - spent

	if target is None:
		return ClockStatus(ClockState.NO_TARGET, None, None, None, spent, paused, stopped_at)

	deadline = _reach(segments, target, pauses)
	warning_at = _reach(segments, target * warn_share, pauses)
	if stop is not None:
		# With the pauses cut off at the stop, a deadline always exists.
		state = ClockState.MET if deadline is not None and stop <= deadline else ClockState.MISSED
	elif deadline is not None and now > deadline:
		state = ClockState.BREACHED
	elif deadline is None:
		state = ClockState.PAUSED
	elif warning_at is not None and now >= warning_at:
		state = ClockState.WARNING
	else:
		state = ClockState.RUNNING
	return ClockStatus(state, target, deadline, warning_at, spent, paused, stopped_at)


def _escalation(
	clocks: tuple[ClockStatus, ...],
	calendar: BusinessCalendar,
	spans: list[_Span],
	now: datetime,
	delays: Sequence[timedelta],
) -> Escalation:
	breaches = [clock.deadline for clock in clocks if clock.state is ClockState.BREACHED and clock.deadline]
	if not breaches:
		return Escalation()
	breached_at = min(breaches, key=_utc)
	pauses = [Pause(span.start, span.end) for span in spans]
	level = 0
	for delay in delays:
		reached = add_business_time(breached_at, delay, calendar, pauses)
		if reached is None or reached > now:
			return Escalation(level, breached_at, reached)
		level += 1
	return Escalation(level, breached_at, None)


def _utc(at: datetime) -> datetime:
	return at.astimezone(UTC)


def _in_utc(timeline: TicketTimeline) -> TicketTimeline:
	"""The timeline with every instant in UTC (results are still given in the calendar's zone)."""
	return replace(
		timeline,
		created=_utc(timeline.created),
		statuses=[replace(status, at=_utc(status.at)) for status in timeline.statuses],
		target_changes=[replace(change, at=_utc(change.at)) for change in timeline.target_changes],
		first_response_at=_utc(timeline.first_response_at) if timeline.first_response_at else None,
	)


def _earlier(end: datetime | None, limit: datetime) -> datetime:
	return limit if end is None or end > limit else end


def _paused_by_reason(
	segments: list[_Segment], spans: list[_Span], until: datetime
) -> Mapping[str, timedelta]:
	totals: dict[str, timedelta] = {}
	for span in spans:
		end = _earlier(span.end, until)
		if span.start < end:
			paused = _between(segments, span.start, end, [])
			totals[span.reason] = totals.get(span.reason, timedelta(0)) + paused
	return MappingProxyType(totals)


def _waited_by_reason(spans: list[_Span], until: datetime) -> Mapping[str, timedelta]:
	totals: dict[str, timedelta] = {}
	for span in spans:
		end = _earlier(span.end, until)
		if span.start < end:
			totals[span.reason] = totals.get(span.reason, timedelta(0)) + (end - span.start)
	return MappingProxyType(totals)

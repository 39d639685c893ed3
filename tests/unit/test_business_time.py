"""Business-time clock: worked cases with the expected instants written out, then properties.

Expected instants are ISO strings with their UTC offset, so each one pins both the instant and
the wall-clock time the agent sees. Comparing strings also sidesteps Python's rule that two
datetimes sharing a tzinfo compare by wall time, which would hide a wrong side of a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from techsolutions_support.core.business_time import (
	BusinessCalendar,
	BusinessTimeError,
	CalendarError,
	InvalidDurationError,
	InvalidPauseError,
	InvalidWallTimeError,
	InvalidWindowError,
	NaiveDatetimeError,
	OutOfRangeError,
	OverlappingWindowsError,
	Pause,
	UnknownTimeZoneError,
	Window,
	add_business_time,
	business_time_between,
	instant_of_wall_time,
	is_open,
	next_open_instant,
)
from techsolutions_support.core.holidays_de import closed_days

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)

# Company days of the office calendar: Christmas Eve and New Year's Eve are not public holidays.
COMPANY_DAYS = frozenset({date(2026, 12, 24), date(2026, 12, 31)})

OFFICE = BusinessCalendar(
	"Europe/Berlin",
	{weekday: [Window(time(8), time(17))] for weekday in range(5)},
	closed_days("BE", range(2024, 2029)) | COMPANY_DAYS,
	name="Office Berlin",
)
SPLIT = BusinessCalendar(
	"Europe/Berlin",
	{weekday: [Window(time(8), time(12)), Window(time(13), time(17))] for weekday in range(5)},
	name="Split shift",
)
ALWAYS = BusinessCalendar.always_open("Europe/Berlin")
# Open only on Sundays from 02:00 to 03:00: the hour that DST removes in March and doubles in October.
NIGHT = BusinessCalendar("Europe/Berlin", {6: [Window(time(2), time(3))]}, name="Sunday night")


def at(text: str) -> datetime:
	"""An instant from ISO text; without an offset, the wall time is read in Berlin."""
	value = datetime.fromisoformat(text)
	if value.tzinfo is None:
		value = value.replace(tzinfo=BERLIN)
	return value


def iso(value: datetime | None) -> str | None:
	return None if value is None else value.isoformat()


# Worked cases


@pytest.mark.parametrize(
	("calendar", "start", "duration", "expected"),
	[
		# Friday afternoon: half an hour on Friday, three and a half on Monday.
		(OFFICE, "2026-01-09 16:30", 4 * H, "2026-01-12T11:30:00+01:00"),
		# Friday before Whit Monday (25 May 2026): Tuesday.
		(OFFICE, "2026-05-22 16:30", 4 * H, "2026-05-26T11:30:00+02:00"),
		# Created on a holiday (Tag der Deutschen Einheit, Friday 3 Oct 2025): counts from Monday.
		(OFFICE, "2025-10-03 10:00", 4 * H, "2025-10-06T12:00:00+02:00"),
		# Used up exactly at closing time: Friday 17:00, not Monday 08:00.
		(OFFICE, "2026-01-09 16:00", 1 * H, "2026-01-09T17:00:00+01:00"),
		# Created before opening, and on a Saturday.
		(OFFICE, "2026-01-12 06:00", 1 * H, "2026-01-12T09:00:00+01:00"),
		(OFFICE, "2026-01-10 12:00", 1 * H, "2026-01-12T09:00:00+01:00"),
		# Five business days from Monday 10:00: next Monday 10:00.
		(OFFICE, "2026-01-12 10:00", 45 * H, "2026-01-19T10:00:00+01:00"),
		# Christmas: company day 24 Dec, holidays 25/26 Dec, weekend; on to Monday 28 Dec.
		(OFFICE, "2026-12-23 15:00", 9 * H, "2026-12-28T15:00:00+01:00"),
		# New Year: company day 31 Dec, holiday 1 Jan, weekend; on to Monday 4 Jan 2027.
		(OFFICE, "2026-12-30 16:00", 3 * H, "2027-01-04T10:00:00+01:00"),
		# Over the spring-forward weekend the office hours stay 08:00-17:00 wall time.
		(OFFICE, "2026-03-27 16:00", 2 * H, "2026-03-30T09:00:00+02:00"),
		# Microseconds survive.
		(OFFICE, "2026-01-12 08:00:00.000001", 9 * H, "2026-01-13T08:00:00.000001+01:00"),
		# Zero duration: the start itself, even when closed.
		(OFFICE, "2026-01-10 12:00", timedelta(0), "2026-01-10T12:00:00+01:00"),
		# Split shift: the lunch hour does not count.
		(SPLIT, "2026-01-12 11:00", 2 * H, "2026-01-12T14:00:00+01:00"),
		(SPLIT, "2026-01-12 11:00", 1 * H, "2026-01-12T12:00:00+01:00"),
		(SPLIT, "2026-01-12 12:30", 30 * MIN, "2026-01-12T13:30:00+01:00"),
		(SPLIT, "2026-01-12 16:00", 6 * H, "2026-01-13T14:00:00+01:00"),
		# 24/7 across spring forward (29 Mar 2026): 24 real hours end at 13:00 wall time.
		(ALWAYS, "2026-03-28 12:00", 24 * H, "2026-03-29T13:00:00+02:00"),
		(ALWAYS, "2026-03-29 01:30", 1 * H, "2026-03-29T03:30:00+02:00"),
		(ALWAYS, "2026-03-25 12:00", 7 * 24 * H, "2026-04-01T13:00:00+02:00"),
		# 24/7 across fall back (25 Oct 2026): 24 real hours end at 11:00 wall time.
		(ALWAYS, "2026-10-24 12:00", 24 * H, "2026-10-25T11:00:00+01:00"),
		(ALWAYS, "2026-10-25T02:30:00+02:00", 1 * H, "2026-10-25T02:30:00+01:00"),
		(ALWAYS, "2026-10-25T01:30:00+02:00", 2 * H, "2026-10-25T02:30:00+01:00"),
		# The 02:00-03:00 window does not exist on 29 Mar 2026: the next Sunday serves.
		(NIGHT, "2026-03-28 12:00", 30 * MIN, "2026-04-05T02:30:00+02:00"),
		# On 25 Oct 2026 it lasts two hours: the second 02:00-03:00 counts as well.
		(NIGHT, "2026-10-24 12:00", 90 * MIN, "2026-10-25T02:30:00+01:00"),
		(NIGHT, "2026-10-24 12:00", 2 * H, "2026-10-25T03:00:00+01:00"),
		(NIGHT, "2026-10-24 12:00", 150 * MIN, "2026-11-01T02:30:00+01:00"),
		# One year of the office calendar in one call: 252 business days of 9 hours in 2026.
		(OFFICE, "2026-01-01 00:00", 252 * 9 * H, "2026-12-30T17:00:00+01:00"),
	],
)
def test_add_business_time(
	calendar: BusinessCalendar, start: str, duration: timedelta, expected: str
) -> None:
	assert iso(add_business_time(at(start), duration, calendar)) == expected


@pytest.mark.parametrize(
	("calendar", "start", "end", "expected"),
	[
		(OFFICE, "2026-01-09 16:30", "2026-01-12 11:30", 4 * H),
		(OFFICE, "2026-01-12 11:30", "2026-01-09 16:30", -4 * H),
		(OFFICE, "2026-01-10 00:00", "2026-01-11 23:59", timedelta(0)),
		(OFFICE, "2025-10-02 12:00", "2025-10-06 12:00", 9 * H),
		(OFFICE, "2026-01-01 00:00", "2027-01-01 00:00", 2268 * H),
		(SPLIT, "2026-01-12 00:00", "2026-01-13 00:00", 8 * H),
		(SPLIT, "2026-01-12 11:30", "2026-01-12 13:30", 1 * H),
		# Local days of 23 and 25 hours.
		(ALWAYS, "2026-03-29 00:00", "2026-03-30 00:00", 23 * H),
		(ALWAYS, "2026-10-25 00:00", "2026-10-26 00:00", 25 * H),
		(NIGHT, "2026-03-28 00:00", "2026-03-30 00:00", timedelta(0)),
		(NIGHT, "2026-10-24 00:00", "2026-10-26 00:00", 2 * H),
		# Times given in UTC are the same instants.
		(OFFICE, "2026-01-12T07:00:00+00:00", "2026-01-12T16:00:00+00:00", 9 * H),
	],
)
def test_business_time_between(calendar: BusinessCalendar, start: str, end: str, expected: timedelta) -> None:
	assert business_time_between(at(start), at(end), calendar) == expected


def test_result_is_in_the_calendars_zone() -> None:
	result = add_business_time(at("2026-01-12T07:00:00+00:00"), 1 * H, OFFICE)

	assert result.tzinfo is BERLIN
	assert iso(result) == "2026-01-12T09:00:00+01:00"


@pytest.mark.parametrize(
	("calendar", "instant", "is_open_then", "next_open"),
	[
		(OFFICE, "2026-01-12 08:00", True, "2026-01-12T08:00:00+01:00"),
		(OFFICE, "2026-01-12 16:59:59.999999", True, "2026-01-12T16:59:59.999999+01:00"),
		(OFFICE, "2026-01-12 17:00", False, "2026-01-13T08:00:00+01:00"),
		(OFFICE, "2026-01-09 18:00", False, "2026-01-12T08:00:00+01:00"),
		(OFFICE, "2025-10-03 10:00", False, "2025-10-06T08:00:00+02:00"),
		(OFFICE, "2026-12-23 17:00", False, "2026-12-28T08:00:00+01:00"),
		(SPLIT, "2026-01-12 12:00", False, "2026-01-12T13:00:00+01:00"),
		(ALWAYS, "2026-03-29T01:59:59+01:00", True, "2026-03-29T01:59:59+01:00"),
		(NIGHT, "2026-03-28 12:00", False, "2026-04-05T02:00:00+02:00"),
		(NIGHT, "2026-10-25T02:15:00+01:00", True, "2026-10-25T02:15:00+01:00"),
		(NIGHT, "2026-10-25T03:00:00+01:00", False, "2026-11-01T02:00:00+01:00"),
	],
)
def test_is_open_and_next_open_instant(
	calendar: BusinessCalendar, instant: str, is_open_then: bool, next_open: str
) -> None:
	assert is_open(at(instant), calendar) is is_open_then
	assert iso(next_open_instant(at(instant), calendar)) == next_open


# Pauses

WEEKEND_PAUSE = Pause(at("2026-01-09 15:00"), at("2026-01-12 09:00"))
# Begins on Saturday, outside any window, and ends inside Monday's window.
INTO_WINDOW_PAUSE = Pause(at("2026-01-10 10:00"), at("2026-01-12 10:00"))
OVERLAPPING_PAUSES = (
	Pause(at("2026-01-12 09:00"), at("2026-01-12 11:00")),
	Pause(at("2026-01-12 10:00"), at("2026-01-12 12:00")),
	Pause(at("2026-01-12 10:30"), at("2026-01-12 10:45")),
)
OPEN_PAUSE = Pause(at("2026-01-12 10:00"), None)


@pytest.mark.parametrize(
	("start", "duration", "pauses", "expected"),
	[
		# One hour on Friday before the pause, three on Monday after it.
		("2026-01-09 14:00", 4 * H, (WEEKEND_PAUSE,), "2026-01-12T12:00:00+01:00"),
		("2026-01-09 16:30", 4 * H, (INTO_WINDOW_PAUSE,), "2026-01-12T13:30:00+01:00"),
		# Created while paused: counting starts when the pause ends.
		(
			"2026-01-12 09:00",
			2 * H,
			(Pause(at("2026-01-12 07:00"), at("2026-01-12 10:00")),),
			"2026-01-12T12:00:00+01:00",
		),
		# Pauses 09:00-11:00, 10:00-12:00 and 10:30-10:45 stop the clock once, 09:00-12:00.
		("2026-01-12 08:00", 2 * H, OVERLAPPING_PAUSES, "2026-01-12T13:00:00+01:00"),
		# The order pauses are given in does not matter.
		("2026-01-12 08:00", 2 * H, tuple(reversed(OVERLAPPING_PAUSES)), "2026-01-12T13:00:00+01:00"),
		# A pause that ended before the start, and an empty one, change nothing.
		(
			"2026-01-12 08:00",
			1 * H,
			(Pause(at("2026-01-09 09:00"), at("2026-01-09 10:00")),),
			"2026-01-12T09:00:00+01:00",
		),
		(
			"2026-01-12 08:00",
			1 * H,
			(Pause(at("2026-01-12 08:30"), at("2026-01-12 08:30")),),
			"2026-01-12T09:00:00+01:00",
		),
		# A pause on a closed day changes nothing either.
		(
			"2026-01-09 16:30",
			4 * H,
			(Pause(at("2026-01-10 09:00"), at("2026-01-11 09:00")),),
			"2026-01-12T11:30:00+01:00",
		),
		# Open-ended pause: reached before it begins, or exactly as it begins...
		("2026-01-12 08:00", 1 * H, (OPEN_PAUSE,), "2026-01-12T09:00:00+01:00"),
		("2026-01-12 08:00", 2 * H, (OPEN_PAUSE,), "2026-01-12T10:00:00+01:00"),
		# ...else no deadline while the clock stands still.
		("2026-01-12 08:00", 2 * H + US, (OPEN_PAUSE,), None),
		("2026-01-12 11:00", 1 * H, (OPEN_PAUSE,), None),
		# An open pause swallows later pauses.
		(
			"2026-01-12 08:00",
			3 * H,
			(OPEN_PAUSE, Pause(at("2026-01-12 12:00"), at("2026-01-13 12:00"))),
			None,
		),
		# Zero duration is the start, even inside an open pause.
		("2026-01-12 11:00", timedelta(0), (OPEN_PAUSE,), "2026-01-12T11:00:00+01:00"),
	],
)
def test_add_business_time_with_pauses(
	start: str, duration: timedelta, pauses: tuple[Pause, ...], expected: str | None
) -> None:
	assert iso(add_business_time(at(start), duration, OFFICE, pauses)) == expected


@pytest.mark.parametrize(
	("start", "end", "pauses", "expected"),
	[
		("2026-01-09 14:00", "2026-01-12 12:00", (WEEKEND_PAUSE,), 4 * H),
		("2026-01-12 08:00", "2026-01-12 13:00", OVERLAPPING_PAUSES, 2 * H),
		# An open-ended pause counts as paused up to the end of the measurement.
		("2026-01-12 08:00", "2026-01-13 17:00", (OPEN_PAUSE,), 2 * H),
		("2026-01-12 11:00", "2026-01-13 17:00", (OPEN_PAUSE,), timedelta(0)),
		("2026-01-13 17:00", "2026-01-12 08:00", (OPEN_PAUSE,), -2 * H),
	],
)
def test_business_time_between_with_pauses(
	start: str, end: str, pauses: tuple[Pause, ...], expected: timedelta
) -> None:
	assert business_time_between(at(start), at(end), OFFICE, pauses) == expected


def test_priority_raised_after_three_business_hours_of_pause() -> None:
	# Created Monday 09:00; waiting for the customer 10:00-13:00; at 14:00 the priority goes from
	# a 16-hour to a 4-hour resolution target. The two business hours already spent are kept and
	# the three paused hours stay excluded.
	created = at("2026-01-12 09:00")
	waiting = (Pause(at("2026-01-12 10:00"), at("2026-01-12 13:00")),)
	raised = at("2026-01-12 14:00")

	spent = business_time_between(created, raised, OFFICE, waiting)
	before = add_business_time(created, 16 * H, OFFICE, waiting)
	after = add_business_time(created, 4 * H, OFFICE, waiting)

	assert spent == 2 * H
	assert iso(before) == "2026-01-14T10:00:00+01:00"
	assert iso(after) == "2026-01-12T16:00:00+01:00"
	# The same deadline, counted on from the moment of the change with what is left.
	assert iso(add_business_time(raised, 4 * H - spent, OFFICE, waiting)) == iso(after)


# Calendars and windows


@pytest.mark.parametrize(
	("text", "start", "end", "until_midnight", "end_offset"),
	[
		("08:00-17:00", time(8), time(17), False, 17 * H),
		("22:00-24:00", time(22), time(0), True, 24 * H),
		("00:00-24:00", time(0), time(0), True, 24 * H),
		(" 07:30:15 - 12:00 ", time(7, 30, 15), time(12), False, 12 * H),
	],
)
def test_window_parse(text: str, start: time, end: time, until_midnight: bool, end_offset: timedelta) -> None:
	window = Window.parse(text)

	assert window == Window(start, end)
	assert window.is_until_midnight is until_midnight
	assert window.end_offset == end_offset


@pytest.mark.parametrize(
	("window", "text"),
	[
		(Window(time(8), time(17)), "08:00-17:00"),
		(Window(time(22), time(0)), "22:00-24:00"),
		(Window(time(7, 30, 15), time(12)), "07:30:15-12:00"),
	],
)
def test_window_str(window: Window, text: str) -> None:
	assert str(window) == text


@pytest.mark.parametrize(
	"text", ["8-17", "08:00", "24:00-24:00", "17:00-08:00", "08:00-24:01", "08:00-08:00", "ab:cd-17:00"]
)
def test_window_parse_rejects(text: str) -> None:
	with pytest.raises(InvalidWindowError):
		Window.parse(text)


@pytest.mark.parametrize(
	("start", "end"),
	[(time(17), time(8)), (time(8), time(8)), (time(8, tzinfo=UTC), time(17))],
)
def test_window_rejects(start: time, end: time) -> None:
	with pytest.raises(InvalidWindowError):
		Window(start, end)


def test_touching_windows_count_as_one() -> None:
	touching = BusinessCalendar(
		"Europe/Berlin",
		{weekday: [Window(time(12), time(17)), Window(time(8), time(12))] for weekday in range(5)},
	)

	assert iso(add_business_time(at("2026-01-12 11:00"), 2 * H, touching)) == "2026-01-12T13:00:00+01:00"
	assert touching.week[0] == (Window(time(8), time(12)), Window(time(12), time(17)))
	assert touching.week[6] == ()


@pytest.mark.parametrize(
	("make", "error"),
	[
		(
			lambda: BusinessCalendar(
				"Europe/Berlin", {0: [Window(time(8), time(12)), Window(time(11), time(17))]}
			),
			OverlappingWindowsError,
		),
		(
			lambda: BusinessCalendar("Mars/Olympus_Mons", {0: [Window(time(8), time(17))]}),
			UnknownTimeZoneError,
		),
		(lambda: BusinessCalendar("../etc/passwd", {0: [Window(time(8), time(17))]}), UnknownTimeZoneError),
		(lambda: BusinessCalendar("Europe/Berlin", {7: [Window(time(8), time(17))]}), CalendarError),
		(lambda: BusinessCalendar("Europe/Berlin", {}), CalendarError),
		(lambda: BusinessCalendar("Europe/Berlin", {0: [(time(8), time(17))]}), InvalidWindowError),  # type: ignore[list-item]
		(
			lambda: BusinessCalendar(
				"Europe/Berlin", {0: [Window(time(8), time(17))]}, frozenset({datetime(2026, 1, 1)})
			),
			CalendarError,
		),
	],
)
def test_calendar_rejects(make: object, error: type[Exception]) -> None:
	with pytest.raises(error):
		make()  # type: ignore[operator]


@pytest.mark.parametrize(
	("call", "error"),
	[
		(lambda: add_business_time(datetime(2026, 1, 12, 9), H, OFFICE), NaiveDatetimeError),
		(lambda: add_business_time(at("2026-01-12 09:00"), -US, OFFICE), InvalidDurationError),
		(
			lambda: business_time_between(at("2026-01-12 09:00"), datetime(2026, 1, 12, 10), OFFICE),
			NaiveDatetimeError,
		),
		(lambda: Pause(at("2026-01-12 10:00"), at("2026-01-12 09:00")), InvalidPauseError),
		(lambda: Pause(datetime(2026, 1, 12, 10)), NaiveDatetimeError),
		(lambda: is_open(at("1800-01-01 12:00"), OFFICE), OutOfRangeError),
		(lambda: add_business_time(at("9997-12-01 12:00"), 1000 * H, OFFICE), OutOfRangeError),
	],
)
def test_bad_arguments_raise(call: object, error: type[Exception]) -> None:
	with pytest.raises(error):
		call()  # type: ignore[operator]


def test_errors_form_one_tree() -> None:
	for error in (
		CalendarError,
		InvalidWindowError,
		OverlappingWindowsError,
		UnknownTimeZoneError,
		NaiveDatetimeError,
		InvalidDurationError,
		InvalidPauseError,
		InvalidWallTimeError,
		OutOfRangeError,
	):
		assert issubclass(error, BusinessTimeError)
	assert issubclass(BusinessTimeError, ValueError)


def test_equal_calendars() -> None:
	week = {weekday: [Window(time(8), time(17))] for weekday in range(5)}
	first = BusinessCalendar("Europe/Berlin", week, frozenset({date(2026, 1, 1)}), "A")
	second = BusinessCalendar("Europe/Berlin", dict(week), frozenset({date(2026, 1, 1)}), "A")

	assert first == second
	assert hash(first) == hash(second)
	assert first != BusinessCalendar("Europe/Berlin", week, frozenset(), "A")
	assert first != BusinessCalendar("Europe/London", week, frozenset({date(2026, 1, 1)}), "A")


def test_instants_far_from_the_first_one_asked_for() -> None:
	# A fresh calendar precomputes weeks around its first instant; later ones years before and
	# after must give the same answers as an untouched calendar.
	week = {weekday: [Window(time(9), time(18))] for weekday in range(5)}
	calendar = BusinessCalendar("Europe/Berlin", week, name="far")

	assert iso(add_business_time(at("2026-06-05 17:00"), 2 * H, calendar)) == "2026-06-08T10:00:00+02:00"
	assert iso(add_business_time(at("2031-06-06 17:00"), 2 * H, calendar)) == "2031-06-09T10:00:00+02:00"
	assert iso(add_business_time(at("1999-12-31 17:00"), 2 * H, calendar)) == "2000-01-03T10:00:00+01:00"
	assert business_time_between(at("1999-12-31 17:00"), at("2000-01-03 10:00"), calendar) == 2 * H
	assert iso(add_business_time(at("2026-06-05 17:00"), 2 * H, calendar)) == "2026-06-08T10:00:00+02:00"


# Properties

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Instants near the DST changes of 2026 in those zones (Lord Howe shifts by 30 minutes).
ANCHORS = [
	datetime(2026, 3, 29, 1, tzinfo=UTC),
	datetime(2026, 10, 25, 1, tzinfo=UTC),
	datetime(2026, 3, 8, 7, tzinfo=UTC),
	datetime(2026, 11, 1, 6, tzinfo=UTC),
	datetime(2026, 4, 4, 15, tzinfo=UTC),
	datetime(2026, 10, 3, 16, tzinfo=UTC),
	datetime(2026, 7, 1, 12, tzinfo=UTC),
]


@st.composite
def windows_of_a_day(draw: st.DrawFn) -> list[Window]:
	# Boundaries on quarter hours, 96 = 24:00; pairs of them make windows that may touch.
	bounds = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
	if len(bounds) % 2:
		bounds = bounds[:-1]
	return [Window(_quarter(bounds[i]), _quarter(bounds[i + 1])) for i in range(0, len(bounds), 2)]


def _quarter(index: int) -> time:
	return time(0) if index == 96 else time(index // 4, index % 4 * 15)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
	week = {weekday: draw(windows_of_a_day()) for weekday in range(7)}
	assume(sum(len(day) for day in week.values()) >= 2)
	anchor = draw(st.sampled_from(ANCHORS)).date()
	closed = draw(st.sets(st.integers(-10, 10).map(lambda days: anchor + timedelta(days=days)), max_size=4))
	return BusinessCalendar(draw(st.sampled_from(ZONES)), week, frozenset(closed))


def instants(minute_steps: bool = False) -> st.SearchStrategy[datetime]:
	unit = MIN if minute_steps else US
	span = 4 * 24 * 60 if minute_steps else 4 * 24 * 3600 * 10**6
	return st.builds(
		lambda anchor, steps: anchor + steps * unit, st.sampled_from(ANCHORS), st.integers(-span, span)
	)


def durations(minute_steps: bool = False, hours: int = 40) -> st.SearchStrategy[timedelta]:
	if minute_steps:
		return st.integers(0, hours * 60).map(lambda minutes: minutes * MIN)
	return st.integers(0, hours * 3600 * 10**6).map(lambda micros: micros * US)


@st.composite
def pause_lists(draw: st.DrawFn, minute_steps: bool = False) -> list[Pause]:
	pauses = []
	for _ in range(draw(st.integers(0, 3))):
		start = draw(instants(minute_steps))
		length = draw(durations(minute_steps, hours=30))
		is_open_ended = draw(st.integers(0, 9)) == 0
		pauses.append(Pause(start, None if is_open_ended else start + length))
	return pauses


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(calendars(), instants(), durations(), durations(), pause_lists())
def test_adding_a_then_b_is_adding_a_plus_b(
	calendar: BusinessCalendar, start: datetime, a: timedelta, b: timedelta, pauses: list[Pause]
) -> None:
	# Holds for every start, closed or open, because a result is the earliest instant at which
	# the duration is used up: the clock has not moved between add(s, a) and any later instant
	# that the remaining b would skip.
	middle = add_business_time(start, a, calendar, pauses)
	direct = add_business_time(start, a + b, calendar, pauses)

	if middle is None:
		assert direct is None
	else:
		assert iso(add_business_time(middle, b, calendar, pauses)) == iso(direct)


@PROPERTY_SETTINGS
@given(calendars(), instants(), durations(), pause_lists())
def test_elapsed_until_the_deadline_is_the_duration(
	calendar: BusinessCalendar, start: datetime, duration: timedelta, pauses: list[Pause]
) -> None:
	deadline = add_business_time(start, duration, calendar, pauses)
	assume(deadline is not None)
	assert deadline is not None

	assert business_time_between(start, deadline, calendar, pauses) == duration


@PROPERTY_SETTINGS
@given(calendars(), instants(), durations())
def test_a_deadline_never_falls_outside_a_window(
	calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
	assume(duration > timedelta(0))

	deadline = add_business_time(start, duration, calendar)

	# Open right up to the deadline: the deadline is inside a window or exactly at its end.
	assert is_open(deadline - US, calendar)
	local = (deadline - US).astimezone(calendar.zone)
	assert local.date() not in calendar.closed_days
	assert any(
		window.start_offset <= _wall_offset(local) < window.end_offset
		for window in calendar.week[local.weekday()]
	)


def _wall_offset(local: datetime) -> timedelta:
	return local.replace(tzinfo=None) - local.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)


@PROPERTY_SETTINGS
@given(calendars(), instants(), durations(), durations(), pause_lists())
def test_adding_is_monotonic_in_the_duration(
	calendar: BusinessCalendar, start: datetime, a: timedelta, b: timedelta, pauses: list[Pause]
) -> None:
	shorter, longer = sorted((a, b))
	first = add_business_time(start, shorter, calendar, pauses)
	second = add_business_time(start, longer, calendar, pauses)

	if second is not None:
		assert first is not None
		# In UTC: results share the calendar's tzinfo, and those compare by wall time.
		assert start <= first.astimezone(UTC) <= second.astimezone(UTC)


@PROPERTY_SETTINGS
@given(calendars(), instants(), instants(), pause_lists())
def test_adding_the_elapsed_time_returns_to_an_open_instant(
	calendar: BusinessCalendar, start: datetime, later: datetime, pauses: list[Pause]
) -> None:
	# The clock must run right before the end: open then, and not paused.
	end = next_open_instant(later, calendar) + US
	just_before = end - US
	assume(start < end)
	assume(not any(p.start <= just_before and (p.end is None or just_before < p.end) for p in pauses))
	elapsed = business_time_between(start, end, calendar, pauses)
	assume(elapsed > timedelta(0))

	assert business_time_between(end, start, calendar, pauses) == -elapsed
	assert iso(add_business_time(start, elapsed, calendar, pauses)) == iso(end.astimezone(calendar.zone))


@PROPERTY_SETTINGS
@given(
	calendars(),
	instants(minute_steps=True),
	durations(minute_steps=True, hours=12),
	pause_lists(minute_steps=True),
)
def test_agrees_with_counting_minute_by_minute(
	calendar: BusinessCalendar, start: datetime, duration: timedelta, pauses: list[Pause]
) -> None:
	# An independent oracle: walk the minutes, read the wall clock of each, count the open and
	# unpaused ones. Windows, starts and pauses are on whole minutes, so counting minutes is exact.
	expected = _count_minutes(calendar, start, duration, pauses, limit=21 * 24 * 60)
	assume(expected != "too far")

	assert iso(add_business_time(start, duration, calendar, pauses)) == iso(expected)  # type: ignore[arg-type]


def _count_minutes(
	calendar: BusinessCalendar, start: datetime, duration: timedelta, pauses: list[Pause], limit: int
) -> datetime | str | None:
	needed = duration // MIN
	if needed == 0:
		return start.astimezone(calendar.zone)
	minute = start.astimezone(UTC)
	for _ in range(limit):
		if any(pause.start <= minute and pause.end is None for pause in pauses):
			return None
		if _is_minute_open(calendar, minute) and not any(
			pause.start <= minute < pause.end for pause in pauses if pause.end is not None
		):
			needed -= 1
			if needed == 0:
				return (minute + MIN).astimezone(calendar.zone)
		minute += MIN
	return "too far"


def _is_minute_open(calendar: BusinessCalendar, minute: datetime) -> bool:
	local = minute.astimezone(calendar.zone)
	if local.date() in calendar.closed_days:
		return False
	return any(
		window.start_offset <= _wall_offset(local) < window.end_offset
		for window in calendar.week[local.weekday()]
	)


# Stored wall-clock times (naive, as Frappe keeps them) around the changes of daylight saving.
# 25 October 2026: 03:00 CEST goes back to 02:00 CET, so 02:30 happens at 00:30 and 01:30 UTC.
# 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 never shows on the wall clock.
REPEATED = datetime(2026, 10, 25, 2, 30)


@pytest.mark.parametrize(
	("wall", "not_before", "expected_utc"),
	[
		# Without a bound, the earlier of the two instants (CEST).
		(REPEATED, None, "2026-10-25T00:30:00+00:00"),
		# Known to come after 02:45 CEST (00:45 UTC): only the second 02:30 (CET) can be meant.
		(REPEATED, "2026-10-25T00:45:00+00:00", "2026-10-25T01:30:00+00:00"),
		# A bound the earlier instant meets already changes nothing.
		(REPEATED, "2026-10-25T00:30:00+00:00", "2026-10-25T00:30:00+00:00"),
		# A bound after both instants: the rule cannot help, the earlier one stays.
		(REPEATED, "2026-10-25T02:00:00+00:00", "2026-10-25T00:30:00+00:00"),
		# Outside the repeated hour there is one instant only, bound or not.
		(datetime(2026, 10, 25, 3, 30), "2026-10-25T05:00:00+00:00", "2026-10-25T02:30:00+00:00"),
		(datetime(2026, 10, 25, 1, 30), None, "2026-10-24T23:30:00+00:00"),
		# The skipped hour in spring: read with the offset before the jump, i.e. 03:30 CEST.
		(datetime(2026, 3, 29, 2, 30), None, "2026-03-29T01:30:00+00:00"),
	],
)
def test_instant_of_a_wall_time(wall: datetime, not_before: str | None, expected_utc: str) -> None:
	bound = datetime.fromisoformat(not_before) if not_before else None

	instant = instant_of_wall_time(wall, BERLIN, bound)

	assert instant.astimezone(UTC).isoformat() == expected_utc
	# Whichever instant is chosen, it shows the stored wall time again.
	assert instant.astimezone(BERLIN).replace(tzinfo=None) == wall or wall.month == 3


def test_a_deadline_in_the_second_repeated_hour_is_stored_an_hour_early() -> None:
	created = instant_of_wall_time(datetime(2026, 10, 25, 1, 30), BERLIN)

	deadline = add_business_time(created, 2 * H, ALWAYS)
	stored = deadline.astimezone(BERLIN).replace(tzinfo=None)

	# Two real hours after 01:30 CEST is 02:30 CET; stored without offset it reads as 02:30 CEST.
	assert iso(deadline) == "2026-10-25T02:30:00+01:00"
	assert stored == REPEATED
	assert instant_of_wall_time(stored, BERLIN).astimezone(UTC) == deadline.astimezone(UTC) - H


def test_a_pause_across_the_repeated_hour_keeps_its_order() -> None:
	# Waiting from 02:50 CEST to 02:10 CET: stored as 02:50 and 02:10, twenty real minutes.
	started = instant_of_wall_time(datetime(2026, 10, 25, 2, 50), BERLIN)
	ended = instant_of_wall_time(datetime(2026, 10, 25, 2, 10), BERLIN, not_before=started)

	assert ended.astimezone(UTC) - started.astimezone(UTC) == 20 * MIN
	assert business_time_between(started, ended, ALWAYS) == 20 * MIN


def test_a_wall_time_with_a_zone_is_refused() -> None:
	with pytest.raises(InvalidWallTimeError):
		instant_of_wall_time(datetime(2026, 10, 25, 2, 30, tzinfo=UTC), BERLIN)

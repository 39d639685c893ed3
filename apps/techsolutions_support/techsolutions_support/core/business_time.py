"""Business-time clock: add business durations to instants and measure business time between them.

Contract: pure and framework-free. Every instant going in is a timezone-aware ``datetime``; every
instant coming out is aware in the calendar's time zone. No clock is read: callers pass ``now``
as an argument where they need it. Nothing is written anywhere; the only state is a cache of
precomputed business intervals per calendar, which is thread-safe and never changes a result.

The model
---------

A :class:`BusinessCalendar` has an IANA time zone, any number of :class:`Window` per weekday
(0 = Monday) and a set of closed local dates (public holidays, company days). Windows are local
wall-clock times: an instant is *open* when the wall clock of the calendar's zone, at that
instant, shows a time inside one of the windows of that local date, and the date is not closed.
Daylight-saving changes follow from this rule, exactly:

- On the spring-forward day in Europe/Berlin (02:00 CET jumps to 03:00 CEST) a window
  02:00-03:00 never shows on the wall clock and is empty; a window 00:00-24:00 lasts 23 hours.
- On the fall-back day (03:00 CEST goes back to 02:00 CET) the wall clock shows 02:00-03:00
  twice, so a window 02:00-03:00 lasts two real hours and 00:00-24:00 lasts 25 hours.
- A 24/7 calendar therefore counts real elapsed time: 24 business hours from 12:00 on the
  Saturday before a change end at 11:00 or 13:00 wall-clock time on the Sunday.

A :class:`Window` ends at 24:00 when its ``end`` is ``time(0)``: a window cannot end at the
midnight that starts its own day, so ``time(0)`` as an end is unambiguous and always means the
midnight that ends the day. ``Window.parse("22:00-24:00")`` accepts the 24:00 spelling.

A :class:`Pause` is a span of real time (start inclusive, end exclusive) during which the clock
stands still, whatever the calendar says; ``end=None`` means the pause is still running.

Business time ``E(t)`` is the measure of open, unpaused time up to ``t``. Then:

- ``business_time_between(s, t) == E(t) - E(s)`` (negative when ``t`` is before ``s``);
- ``add_business_time(s, d)`` is the earliest instant ``t >= s`` with ``E(t) - E(s) >= d``.

Consequences, all tested: a deadline can be the very end of a window (Friday 16:00 plus one hour
on an 08:00-17:00 calendar is Friday 17:00, not Monday 08:00); ``add(s, 0) == s`` even when
``s`` is closed; for ``d > 0`` the result ``r`` always has open time right before it, so
``is_open(r - 1 µs)`` holds; ``add(add(s, a), b) == add(s, a + b)`` for all ``a, b >= 0``, and
``business_time_between(s, add(s, d)) == d``. When an open-ended pause begins before the
duration is used up, no deadline exists yet and :func:`add_business_time` returns ``None``.

Resolution is one microsecond, the resolution of ``datetime``: all arithmetic is on integers.

How it is fast
--------------

For each calendar the open time is turned, once, into pages of 28 days: per page a sorted list
of UTC intervals (one or two per window and day, whatever the daylight-saving rules) with a
running total of business time and the page's total. Within a page, an instant or an amount of
business time is found by binary search; whole pages are skipped by their totals. So a deadline
costs two binary searches plus one step per page crossed (rarely one for targets of hours to
days), independent of the number of windows, weekends and holidays; no day-by-day or
minute-by-minute loop runs after a page is built. Pages are built on demand, for the instants
asked for only, so one far-off instant costs one page. Calendars that are equal (same zone,
windows and closed days) share their pages, so adapters may build a calendar per request
without recomputing anything. Instants from 1900 to 9997 are supported.

Exceptions (all raised from this module are subclasses of ``BusinessTimeError``)::

	ValueError
	└── BusinessTimeError
	    ├── CalendarError                the calendar cannot be used
	    │   ├── InvalidWindowError       not a Window, bad text, start not before end, tz on a time
	    │   ├── OverlappingWindowsError  two windows of one weekday overlap
	    │   └── UnknownTimeZoneError     not an IANA zone name known to this system
	    ├── NaiveDatetimeError           a datetime without a time zone
	    ├── InvalidWallTimeError         a wall-clock time that already has a time zone
	    ├── InvalidDurationError         a negative duration
	    ├── InvalidPauseError            a pause that ends before it starts
	    └── OutOfRangeError              an instant or a result outside the supported years
"""

from __future__ import annotations

import functools
import logging
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
	"BusinessCalendar",
	"BusinessTimeError",
	"CalendarError",
	"InvalidDurationError",
	"InvalidPauseError",
	"InvalidWallTimeError",
	"InvalidWindowError",
	"NaiveDatetimeError",
	"OutOfRangeError",
	"OverlappingWindowsError",
	"Pause",
	"UnknownTimeZoneError",
	"Window",
	"add_business_time",
	"business_time_between",
	"instant_of_wall_time",
	"is_open",
	"next_open_instant",
]

logger = logging.getLogger(__name__)

_ONE_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3_600 * _US_PER_SECOND
_US_PER_DAY = 24 * _US_PER_HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Open time is computed in pages of 28 days of UTC time, counted from the epoch. A page of a
# Mon-Fri calendar takes about a fifth of a millisecond to build and holds most deadlines.
_PAGE_US = 28 * _US_PER_DAY
# Beyond this many pages (over 300 years) a calendar's cache starts afresh.
_MAX_PAGES = 4096

# Supported instants, in microseconds since the epoch: whole pages from 1900 to 9997. The margins
# keep every local date and UTC offset computed near the edges inside what datetime represents.
# The first page starts on or after 1 Jan 1900 (rounded up), the last one ends before 1 Jan 9998.
_MIN_US = -((_EPOCH - datetime(1900, 1, 1, tzinfo=UTC)) // _ONE_US // _PAGE_US) * _PAGE_US
_MAX_US = (datetime(9998, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US // _PAGE_US * _PAGE_US

# Stand-ins for minus and plus infinity in interval arithmetic on microseconds.
_FAR_PAST = -(1 << 62)
_FAR_FUTURE = 1 << 62

# Offsets are sampled every 6 hours to find daylight-saving transitions near a day; zones change
# their offset at most once in any 6 hours.
_OFFSET_SAMPLE_STEP_S = 6 * 3_600


class BusinessTimeError(ValueError):
	"""Base of the errors raised by this module."""


class CalendarError(BusinessTimeError):
	"""The business calendar cannot be used."""


class InvalidWindowError(CalendarError):
	"""A window is not a :class:`Window`, cannot be parsed, or does not start before it ends."""


class OverlappingWindowsError(CalendarError):
	"""Two windows of the same weekday overlap."""


class UnknownTimeZoneError(CalendarError):
	"""The time zone is not an IANA name known to this system."""


class InvalidWallTimeError(BusinessTimeError):
	"""A wall-clock time to be read in a zone that already carries a time zone."""


class NaiveDatetimeError(BusinessTimeError):
	"""A datetime has no time zone; the clock cannot place it."""


class InvalidDurationError(BusinessTimeError):
	"""A duration is negative."""


class InvalidPauseError(BusinessTimeError):
	"""A pause ends before it starts."""


class OutOfRangeError(BusinessTimeError):
	"""An instant, or the result of a computation, lies outside the supported years."""


@dataclass(frozen=True, slots=True)
class Window:
	"""Business hours within one day, in local wall-clock time: from ``start`` up to ``end``.

	``end == time(0)`` means 24:00, the midnight that ends the day.
	"""

	start: time
	end: time

	def __post_init__(self) -> None:
		for value in (self.start, self.end):
			if not isinstance(value, time):
				raise InvalidWindowError(f"Window bounds must be datetime.time, got {value!r}")
			if value.tzinfo is not None:
				raise InvalidWindowError(
					f"Window bounds are wall-clock times of the calendar's zone; got {value!r} with a time zone"
				)
		start_us, end_us = self.bounds_us()
		if start_us >= end_us:
			raise InvalidWindowError(
				f"Window {self} does not start before it ends; split windows that cross midnight "
				"into one window ending 24:00 and one starting 00:00 on the next weekday"
			)

	@classmethod
	def parse(cls, text: str) -> Window:
		"""Read a window written ``"HH:MM-HH:MM"`` (seconds optional); the end may be ``24:00``."""
		parts = text.split("-")
		if len(parts) != 2:
			raise InvalidWindowError(f"Cannot read window {text!r}: expected HH:MM-HH:MM")
		start = _parse_wall_time(parts[0], text, is_end=False)
		end = _parse_wall_time(parts[1], text, is_end=True)
		return cls(start, end)

	@property
	def is_until_midnight(self) -> bool:
		"""Whether the window lasts until 24:00."""
		return self.end == time(0)

	@property
	def start_offset(self) -> timedelta:
		"""Start, as the wall-clock time elapsed since local midnight."""
		return timedelta(microseconds=self.bounds_us()[0])

	@property
	def end_offset(self) -> timedelta:
		"""End, as the wall-clock time elapsed since local midnight (24 hours for 24:00)."""
		return timedelta(microseconds=self.bounds_us()[1])

	def bounds_us(self) -> tuple[int, int]:
		"""Start and end in microseconds of wall-clock time since local midnight."""
		end_us = _time_us(self.end) or _US_PER_DAY
		return _time_us(self.start), end_us

	def __str__(self) -> str:
		end = "24:00" if self.is_until_midnight else _format_wall_time(self.end)
		return f"{_format_wall_time(self.start)}-{end}"


@dataclass(frozen=True, slots=True)
class Pause:
	"""Real time during which the clock stands still; ``end=None`` while the pause goes on."""

	start: datetime
	end: datetime | None = None

	def __post_init__(self) -> None:
		start_us = _to_us(self.start)
		if self.end is not None and _to_us(self.end) < start_us:
			raise InvalidPauseError(
				f"Pause ends at {self.end.isoformat()} before it starts at {self.start.isoformat()}"
			)


class BusinessCalendar:
	"""Business hours per weekday in one time zone, minus closed local dates.

	``week`` maps weekdays (0 = Monday ... 6 = Sunday) to their windows; a missing weekday is
	closed. Windows of one weekday may touch (08:00-12:00 and 12:00-17:00) but not overlap.
	``closed_days`` are local dates in the calendar's zone on which nothing is open.
	"""

	__slots__ = ("_closed_days", "_key", "_name", "_store", "_tz", "_week", "_zone")

	def __init__(
		self,
		tz: str,
		week: Mapping[int, Sequence[Window]],
		closed_days: frozenset[date] = frozenset(),
		name: str = "",
	) -> None:
		self._tz = tz
		self._zone = _load_zone(tz)
		self._name = name
		self._week = _check_week(week)
		self._closed_days = _check_closed_days(closed_days)

		bounds = tuple(tuple(window.bounds_us() for window in day) for day in self._week)
		if not any(bounds):
			raise CalendarError(f"Calendar {name or tz!r} has no business hours on any weekday")
		closed_ordinals = frozenset(day.toordinal() for day in self._closed_days)
		self._key = (tz, _merge_touching(bounds), closed_ordinals)
		self._store = _store_for(self._key)

	@classmethod
	def always_open(
		cls, tz: str, closed_days: frozenset[date] = frozenset(), name: str = "24/7"
	) -> BusinessCalendar:
		"""A calendar open around the clock every day, so business time is real elapsed time."""
		whole_day = (Window(time(0), time(0)),)
		return cls(tz, dict.fromkeys(range(7), whole_day), closed_days, name)

	@property
	def tz(self) -> str:
		return self._tz

	@property
	def zone(self) -> ZoneInfo:
		return self._zone

	@property
	def name(self) -> str:
		return self._name

	@property
	def week(self) -> Mapping[int, tuple[Window, ...]]:
		"""Windows per weekday, sorted, all seven weekdays present."""
		return MappingProxyType(dict(enumerate(self._week)))

	@property
	def closed_days(self) -> frozenset[date]:
		return self._closed_days

	def __eq__(self, other: object) -> bool:
		if not isinstance(other, BusinessCalendar):
			return NotImplemented
		return (self._key, self._name, self._week) == (other._key, other._name, other._week)

	def __hash__(self) -> int:
		return hash((self._key, self._name))

	def __repr__(self) -> str:
		days = ", ".join(
			f"{weekday}: {' '.join(str(window) for window in windows)}"
			for weekday, windows in enumerate(self._week)
			if windows
		)
		return (
			f"BusinessCalendar(name={self._name!r}, tz={self._tz!r}, week={{{days}}}, "
			f"closed_days={len(self._closed_days)} days)"
		)


@overload
def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime: ...


@overload
def add_business_time(
	start: datetime, duration: timedelta, calendar: BusinessCalendar, pauses: Iterable[Pause]
) -> datetime | None: ...


def add_business_time(
	start: datetime,
	duration: timedelta,
	calendar: BusinessCalendar,
	pauses: Iterable[Pause] = (),
) -> datetime | None:
	"""Return the earliest instant at which ``duration`` of business time has elapsed after ``start``.

	Paused time does not count. Returns ``None`` when an open-ended pause begins before the
	duration is used up: the clock is stopped and there is no deadline until the pause ends.
	Without pauses the result is never ``None``.
	"""
	start_us = _to_us(start)
	duration_us = _duration_us(duration)
	store = calendar._store

	# Without pauses, skip the merge: this is the hot path of deadline computations.
	merged = [] if pauses == () else _merge_pauses(pauses)
	end_us = store.add(start_us, duration_us, merged)
	if end_us is None:
		return None
	return _from_us(end_us, calendar._zone)


def business_time_between(
	start: datetime,
	end: datetime,
	calendar: BusinessCalendar,
	pauses: Iterable[Pause] = (),
) -> timedelta:
	"""Return the business time from ``start`` to ``end``, not counting paused time.

	Negative when ``end`` is before ``start``.
	"""
	start_us = _to_us(start)
	end_us = _to_us(end)
	merged = _merge_pauses(pauses)
	store = calendar._store

	if end_us < start_us:
		return -timedelta(microseconds=store.between(end_us, start_us, merged))
	return timedelta(microseconds=store.between(start_us, end_us, merged))


def next_open_instant(at: datetime, calendar: BusinessCalendar) -> datetime:
	"""Return ``at`` if the calendar is open then, else the instant it next opens."""
	at_us = _to_us(at)
	return _from_us(calendar._store.next_open(at_us), calendar._zone)


def is_open(at: datetime, calendar: BusinessCalendar) -> bool:
	"""Whether ``at`` falls inside a business window of the calendar."""
	return calendar._store.is_open(_to_us(at))


def instant_of_wall_time(wall: datetime, zone: ZoneInfo, not_before: datetime | None = None) -> datetime:
	"""The instant a naive wall-clock time of ``zone`` stands for, by one fixed rule.

	Databases that keep local times without their offset (Frappe's) cannot tell the two
	instants of the hour that repeats when daylight saving ends apart: in Europe/Berlin,
	25 October 2026 02:30 is 00:30 UTC (CEST) and, an hour later, 01:30 UTC (CET). The rule:

	- the earlier of the two instants, so a stored deadline is never read later than it was;
	- but the later one when the earlier would come before ``not_before`` (aware), an instant
	  this one is known to follow (the start of a pause it ends, the creation of its ticket);
	- a wall time the clock skips when daylight saving starts (29 March 2026 02:30) is read
	  with the offset before the jump, so it is the instant the clock shows 03:30.

	Computations then run on the instant (UTC inside), and ``astimezone`` writes any instant back
	as the wall time it shows; for the second of two repeated hours that reads back an hour
	earlier, as the rule says.
	"""
	if wall.tzinfo is not None:
		raise InvalidWallTimeError(f"Wall-clock time {wall.isoformat()} already has a time zone")
	earlier = wall.replace(tzinfo=zone, fold=0)
	if not_before is None:
		return earlier
	# Compared in UTC: Python compares two datetimes of one zone by their wall clocks, fold ignored.
	bound = not_before.astimezone(UTC)
	if earlier.astimezone(UTC) >= bound:
		return earlier
	later = wall.replace(tzinfo=zone, fold=1)
	# Outside a repeated hour both folds are the same instant; the order is then the caller's.
	return later if later.astimezone(UTC) >= bound else earlier


class _Page:
	"""The open time of one page of 28 days: sorted, disjoint, non-touching UTC intervals.

	``cum_end[k]`` is the business time from the start of the page to the end of interval ``k``.
	"""

	__slots__ = ("cum_end", "ends", "starts", "total")

	def __init__(self, starts: list[int], ends: list[int]) -> None:
		self.starts = starts
		self.ends = ends
		running = 0
		cum_end: list[int] = []
		for start, end in zip(starts, ends, strict=True):
			running += end - start
			cum_end.append(running)
		self.cum_end = cum_end
		self.total = running

	def business_before(self, at_us: int) -> int:
		"""Business time from the start of the page up to ``at_us``, an instant in the page."""
		k = bisect_right(self.starts, at_us) - 1
		if k < 0:
			return 0
		end = self.ends[k]
		if at_us >= end:
			return self.cum_end[k]
		return self.cum_end[k] - (end - at_us)

	def instant_reaching(self, business: int) -> int:
		"""The earliest instant with ``business`` time since the page start; ``0 < business <= total``."""
		k = bisect_left(self.cum_end, business)
		return self.ends[k] - (self.cum_end[k] - business)


_Key = tuple[str, tuple[tuple[tuple[int, int], ...], ...], frozenset[int]]
_Interval = tuple[int, int]
_MergedPause = tuple[int, int | None]


class _Store:
	"""The open time of one calendar, computed page by page on demand and shared by equal calendars.

	Pages are immutable once built. Two threads may build the same page at the same time; both
	results are equal and either may win, so no lock is needed.
	"""

	__slots__ = ("_closed_ordinals", "_pages", "_week_us", "_zone")

	def __init__(self, key: _Key) -> None:
		tz, week_us, closed_ordinals = key
		self._zone = ZoneInfo(tz)
		self._week_us = week_us
		self._closed_ordinals = closed_ordinals
		self._pages: dict[int, _Page] = {}

	def add(self, start_us: int, duration_us: int, pauses: list[_MergedPause]) -> int | None:
		if duration_us == 0:
			return start_us

		cursor = start_us
		remaining = duration_us
		for pause_start, pause_end in pauses:
			if pause_end is not None and pause_end <= cursor:
				continue
			if pause_start > cursor:
				# Done before this pause begins (or just as it begins)? Then pauses after it do not matter.
				reached = self.add_unpaused(cursor, remaining)
				if reached <= pause_start:
					return reached
				remaining -= self.between_unpaused(cursor, pause_start)
			if pause_end is None:
				return None
			cursor = pause_end
		return self.add_unpaused(cursor, remaining)

	def between(self, start_us: int, end_us: int, pauses: list[_MergedPause]) -> int:
		total = self.between_unpaused(start_us, end_us)
		for pause_start, pause_end in pauses:
			lo = max(pause_start, start_us)
			hi = end_us if pause_end is None else min(pause_end, end_us)
			if lo < hi:
				total -= self.between_unpaused(lo, hi)
		return total

	def add_unpaused(self, start_us: int, duration_us: int) -> int:
		"""The earliest instant by which ``duration_us > 0`` of open time has passed since ``start_us``."""
		index = start_us // _PAGE_US
		page = self._page(index)
		target = page.business_before(start_us) + duration_us
		# Whole pages are skipped by their totals: the cost grows with the pages crossed, not the windows.
		while target > page.total:
			target -= page.total
			index += 1
			page = self._page(index)
		return page.instant_reaching(target)

	def between_unpaused(self, start_us: int, end_us: int) -> int:
		"""Open time from ``start_us`` to ``end_us``, with ``start_us <= end_us``."""
		first, last = start_us // _PAGE_US, end_us // _PAGE_US
		first_page = self._page(first)
		if first == last:
			return first_page.business_before(end_us) - first_page.business_before(start_us)
		total = first_page.total - first_page.business_before(start_us)
		for index in range(first + 1, last):
			total += self._page(index).total
		return total + self._page(last).business_before(end_us)

	def is_open(self, at_us: int) -> bool:
		page = self._page(at_us // _PAGE_US)
		k = bisect_right(page.starts, at_us) - 1
		return k >= 0 and at_us < page.ends[k]

	def next_open(self, at_us: int) -> int:
		cursor = at_us
		while True:
			index = cursor // _PAGE_US
			page = self._page(index)
			k = bisect_right(page.starts, cursor) - 1
			if k >= 0 and cursor < page.ends[k]:
				return cursor
			if k + 1 < len(page.starts):
				return page.starts[k + 1]
			# Closed for the rest of this page: look on from the start of the next one.
			cursor = (index + 1) * _PAGE_US

	def _page(self, index: int) -> _Page:
		page = self._pages.get(index)
		if page is not None:
			return page

		lo, hi = index * _PAGE_US, (index + 1) * _PAGE_US
		if lo < _MIN_US or hi > _MAX_US:
			raise OutOfRangeError("The computation reaches beyond the supported years 1900 to 9997")
		page = _Page(*self._intervals(lo, hi))
		if len(self._pages) >= _MAX_PAGES:
			# A plain reset: pages are cheap to rebuild, and only runaway inputs get here.
			self._pages = {}
		self._pages[index] = page
		logger.debug(
			"Business calendar %s: page %d built, %d intervals", self._zone.key, index, len(page.starts)
		)
		return page

	def _intervals(self, lo: int, hi: int) -> tuple[list[int], list[int]]:
		"""Open intervals within ``[lo, hi)``: sorted, disjoint, touching ones merged."""
		first_day = _local_ordinal(lo, self._zone) - 1
		last_day = _local_ordinal(hi, self._zone) + 1
		found: list[_Interval] = []
		for ordinal in range(first_day, last_day + 1):
			windows = self._week_us[(ordinal - 1) % 7]
			if not windows or ordinal in self._closed_ordinals:
				continue
			for start, end in _day_intervals(self._zone, ordinal, windows):
				start, end = max(start, lo), min(end, hi)
				if start < end:
					found.append((start, end))
		found.sort()

		starts: list[int] = []
		ends: list[int] = []
		for start, end in found:
			if ends and start <= ends[-1]:
				ends[-1] = max(ends[-1], end)
			else:
				starts.append(start)
				ends.append(end)
		return starts, ends


# Bounded so that a long-running worker that sees many calendar versions keeps only recent ones.
@functools.lru_cache(maxsize=128)
def _store_for(key: _Key) -> _Store:
	return _Store(key)


def _day_intervals(zone: ZoneInfo, ordinal: int, windows: Sequence[_Interval]) -> list[_Interval]:
	"""UTC intervals at which the wall clock shows a time within ``windows`` on local date ``ordinal``."""
	midnight = (ordinal - _EPOCH_ORDINAL) * _US_PER_DAY
	# Any instant whose local date is this one lies within these bounds (offsets are under 26 h).
	segments = _offset_segments(zone, midnight - 26 * _US_PER_HOUR, midnight + 50 * _US_PER_HOUR)
	found: list[_Interval] = []
	for window_start, window_end in windows:
		for segment_lo, segment_hi, offset in segments:
			start = max(midnight + window_start - offset, segment_lo)
			end = min(midnight + window_end - offset, segment_hi)
			if start < end:
				found.append((start, end))
	return found


def _offset_segments(zone: ZoneInfo, lo_us: int, hi_us: int) -> list[tuple[int, int, int]]:
	"""Spans of constant UTC offset around ``[lo_us, hi_us]``: ``(start, end, offset)`` in µs."""
	# On a fixed grid, so that neighbouring days share samples and the cache serves them.
	first_s = lo_us // _US_PER_SECOND // _OFFSET_SAMPLE_STEP_S * _OFFSET_SAMPLE_STEP_S
	samples = range(first_s, hi_us // _US_PER_SECOND + _OFFSET_SAMPLE_STEP_S, _OFFSET_SAMPLE_STEP_S)
	offsets = [_offset_at(zone, second) for second in samples]
	if all(offset == offsets[0] for offset in offsets):
		return [(_FAR_PAST, _FAR_FUTURE, offsets[0])]

	segments: list[tuple[int, int, int]] = []
	segment_start = _FAR_PAST
	for i in range(1, len(offsets)):
		if offsets[i] == offsets[i - 1]:
			continue
		# Bisect to the first second with the new offset.
		before, after = samples[i - 1], samples[i]
		while after - before > 1:
			middle = (before + after) // 2
			if _offset_at(zone, middle) == offsets[i - 1]:
				before = middle
			else:
				after = middle
		transition = after * _US_PER_SECOND
		segments.append((segment_start, transition, offsets[i - 1]))
		segment_start = transition
	segments.append((segment_start, _FAR_FUTURE, offsets[-1]))
	return segments


@functools.lru_cache(maxsize=4096)
def _offset_at(zone: ZoneInfo, second: int) -> int:
	offset = datetime.fromtimestamp(second, zone).utcoffset()
	assert offset is not None
	return offset // _ONE_US


def _local_ordinal(at_us: int, zone: ZoneInfo) -> int:
	return datetime.fromtimestamp(at_us // _US_PER_SECOND, zone).toordinal()


def _merge_touching(
	bounds: tuple[tuple[tuple[int, int], ...], ...],
) -> tuple[tuple[tuple[int, int], ...], ...]:
	merged_week: list[tuple[tuple[int, int], ...]] = []
	for day in bounds:
		merged: list[tuple[int, int]] = []
		for start, end in day:
			if merged and merged[-1][1] == start:
				merged[-1] = (merged[-1][0], end)
			else:
				merged.append((start, end))
		merged_week.append(tuple(merged))
	return tuple(merged_week)


def _merge_pauses(pauses: Iterable[Pause]) -> list[_MergedPause]:
	"""Pauses as sorted, disjoint spans in µs; an open-ended pause swallows everything after it."""
	spans = sorted(
		((_to_us(pause.start), None if pause.end is None else _to_us(pause.end)) for pause in pauses),
		key=lambda span: (span[0], _FAR_FUTURE if span[1] is None else span[1]),
	)
	merged: list[_MergedPause] = []
	for start, end in spans:
		if end is not None and end <= start:
			continue
		if merged:
			last_start, last_end = merged[-1]
			if last_end is None:
				break
			if start <= last_end:
				merged[-1] = (last_start, None if end is None else max(last_end, end))
				continue
		merged.append((start, end))
	return merged


def _check_week(week: Mapping[int, Sequence[Window]]) -> tuple[tuple[Window, ...], ...]:
	days: list[tuple[Window, ...]] = [() for _ in range(7)]
	for weekday, windows in week.items():
		if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
			raise CalendarError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
		for window in windows:
			if not isinstance(window, Window):
				raise InvalidWindowError(f"Expected a Window on weekday {weekday}, got {window!r}")
		ordered = tuple(sorted(windows, key=lambda window: window.bounds_us()))
		for earlier, later in pairwise(ordered):
			if later.bounds_us()[0] < earlier.bounds_us()[1]:
				raise OverlappingWindowsError(f"Windows {earlier} and {later} overlap on weekday {weekday}")
		days[weekday] = ordered
	return tuple(days)


def _check_closed_days(closed_days: Iterable[date]) -> frozenset[date]:
	for day in closed_days:
		if isinstance(day, datetime) or not isinstance(day, date):
			raise CalendarError(f"Closed days must be dates, got {day!r}")
	return frozenset(closed_days)


def _load_zone(tz: str) -> ZoneInfo:
	try:
		return ZoneInfo(tz)
	except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
		raise UnknownTimeZoneError(f"Unknown time zone {tz!r}") from error


def _to_us(at: datetime) -> int:
	if at.tzinfo is None or at.utcoffset() is None:
		raise NaiveDatetimeError(f"Datetime {at.isoformat()} has no time zone")
	at_us: int = (at - _EPOCH) // _ONE_US
	_check_range(at_us)
	return at_us


def _from_us(at_us: int, zone: ZoneInfo) -> datetime:
	return (_EPOCH + timedelta(microseconds=at_us)).astimezone(zone)


def _check_range(at_us: int) -> None:
	if not _MIN_US <= at_us < _MAX_US:
		raise OutOfRangeError(f"Instant {at_us} µs after 1970 lies outside the supported years 1900 to 9997")


def _duration_us(duration: timedelta) -> int:
	duration_us: int = duration // _ONE_US
	if duration_us < 0:
		raise InvalidDurationError(f"Duration must not be negative, got {duration}")
	return duration_us


def _time_us(value: time) -> int:
	return ((value.hour * 60 + value.minute) * 60 + value.second) * _US_PER_SECOND + value.microsecond


def _format_wall_time(value: time) -> str:
	text = f"{value.hour:02d}:{value.minute:02d}"
	if value.second or value.microsecond:
		text += f":{value.second:02d}"
	if value.microsecond:
		text += f".{value.microsecond:06d}"
	return text


def _parse_wall_time(part: str, text: str, *, is_end: bool) -> time:
	pieces = part.strip().split(":")
	if len(pieces) not in (2, 3) or not all(piece.isdigit() for piece in pieces):
		raise InvalidWindowError(f"Cannot read window {text!r}: expected HH:MM-HH:MM")
	hour, minute, second = (int(piece) for piece in [*pieces, "0"][:3])
	if is_end and (hour, minute, second) == (24, 0, 0):
		return time(0)
	try:
		return time(hour, minute, second)
	except ValueError as error:
		raise InvalidWindowError(f"Cannot read window {text!r}: {error}") from error

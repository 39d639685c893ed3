"""Business calendars and tier targets: TS records in, core objects out.

A `TS Business Calendar` becomes a `core.business_time.BusinessCalendar`: its windows per
weekday, or open around the clock, in its time zone, closed on the public holidays of its
German state and on its company days. Built calendars are kept per process and rebuilt when
the record's `modified` changes, so a holiday added today applies to the next computation.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, to_timedelta

from techsolutions_support.core.business_time import BusinessCalendar, BusinessTimeError, Window
from techsolutions_support.core.holidays_de import HolidayError, closed_days

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Public holidays are loaded for this many years around the current one: enough for any open
# ticket and for replaying the tickets of past years in reports.
HOLIDAY_YEARS_BACK = 10
HOLIDAY_YEARS_AHEAD = 10

_SECONDS_PER_DAY = 24 * 3600


class InvalidBusinessCalendar(frappe.ValidationError):
	pass


@dataclass(frozen=True)
class Terms:
	"""What a ticket is promised: its tier's calendar and the targets of its priority, in minutes.

	A resolution target of 0 means none.
	"""

	tier: str
	priority: str
	calendar: str
	response_minutes: int
	resolution_minutes: int


# (calendar name, modified, current year) -> built calendar; one entry per calendar is kept.
_built: dict[str, tuple[tuple[Any, ...], BusinessCalendar]] = {}


def get_calendar(name: str) -> BusinessCalendar:
	"""The core calendar of the TS Business Calendar `name`, rebuilt only when the record changed."""
	modified = frappe.db.get_value("TS Business Calendar", name, "modified")
	if modified is None:
		frappe.throw(
			_("Business calendar {0} does not exist.").format(name),
			InvalidBusinessCalendar,
			title=_("Invalid Business Calendar"),
		)
	key = (modified, getdate().year)
	cached = _built.get(name)
	if cached and cached[0] == key:
		return cached[1]
	calendar = calendar_from_doc(frappe.get_doc("TS Business Calendar", name))
	_built[name] = (key, calendar)
	return calendar


def calendar_from_doc(doc: Any) -> BusinessCalendar:
	"""Build the core calendar of a TS Business Calendar document; throws when it cannot be used."""
	try:
		closed = set(holidays_of(doc))
		closed.update(getdate(row.closed_on) for row in doc.closed_days if row.closed_on)
		if doc.is_24_7:
			return BusinessCalendar.always_open(doc.time_zone, frozenset(closed), doc.name or "")
		return BusinessCalendar(doc.time_zone, week_of(doc), frozenset(closed), doc.name or "")
	except (BusinessTimeError, HolidayError) as error:
		frappe.throw(
			_("Business calendar {0} cannot be used: {1}").format(doc.calendar_name, str(error)),
			InvalidBusinessCalendar,
			title=_("Invalid Business Calendar"),
		)


def holidays_of(doc: Any) -> frozenset[date]:
	if not doc.holiday_state:
		return frozenset()
	year = getdate().year
	return closed_days(
		doc.holiday_state,
		range(year - HOLIDAY_YEARS_BACK, year + HOLIDAY_YEARS_AHEAD + 1),
		include_local_catholic=bool(doc.include_local_catholic),
	)


def week_of(doc: Any) -> dict[int, list[Window]]:
	week: dict[int, list[Window]] = {}
	for row in doc.windows:
		weekday = WEEKDAYS.index(row.weekday)
		window = Window(wall_time(row.start_time, is_end=False), wall_time(row.end_time, is_end=True))
		week.setdefault(weekday, []).append(window)
	return week


def wall_time(value: Any, is_end: bool) -> time:
	"""A Time field's value as a wall-clock time; an end of 00:00 or 24:00 is the end of the day."""
	seconds = int(to_timedelta(value).total_seconds()) if value else 0
	if is_end and seconds in (0, _SECONDS_PER_DAY):
		return time(0)
	if not 0 <= seconds < _SECONDS_PER_DAY:
		raise InvalidWindowValue(value)
	return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


class InvalidWindowValue(BusinessTimeError):
	"""A Time field outside 00:00-24:00 (MariaDB's TIME holds more than a day)."""

	def __init__(self, value: Any):
		super().__init__(f"{value} is not a time of day")


def clear_calendar(doc: Any = None, method: str | None = None) -> None:
	"""Forget the built calendar of `doc` (all calendars without one), e.g. after a change."""
	if doc is None:
		_built.clear()
	else:
		_built.pop(doc.name, None)


def terms_for(tier: str | None, priority: str | None) -> Terms | None:
	"""The terms of `tier` for `priority`, or None when the tier has no calendar or no such target."""
	if not tier or not priority:
		return None
	calendar = frappe.db.get_value("TS Customer Tier", tier, "business_calendar")
	if not calendar:
		return None
	target = frappe.db.get_value(
		"TS SLA Target",
		{"parenttype": "TS Customer Tier", "parent": tier, "priority": priority},
		["response_minutes", "resolution_minutes"],
		as_dict=True,
	)
	if not target:
		return None
	return Terms(tier, priority, calendar, target.response_minutes or 0, target.resolution_minutes or 0)


def minutes(value: int | None) -> timedelta | None:
	"""A target in minutes as a duration; 0 or nothing means no target."""
	return timedelta(minutes=value) if value else None

"""German public holidays by federal state, for business calendars.

The dates come from the maintained ``holidays`` library (``country_holidays("DE", subdiv=...)``);
this module only narrows it to what a support calendar needs: the sixteen states by their
official two-letter codes, names in German by default, and plain ``dict``/``frozenset`` results
that the business-time core can take as closed days.

Contract: pure, no I/O, no clock. Results for one (state, year, language, scope) are cached for
the life of the process, and every call returns a fresh container, so callers may mutate it.

Scope:

- Only holidays that are law for the whole state are included by default. Two are law only in
  some municipalities: Mariä Himmelfahrt (15 Aug) in the mostly Catholic ones of Bavaria, and
  Fronleichnam in parts of Saxony and Thuringia. ``include_local_catholic=True`` adds them for
  a site that sits in such a municipality; otherwise a company adds them as company days.
- Holidays that fall on a Sunday are listed too (Brandenburg even has Ostersonntag and
  Pfingstsonntag); a calendar that is closed on Sundays anyway is not affected.
- Before 1991, the first year of the reunified calendar, the library knows no holidays: such
  years yield nothing.
- Two holidays on one day keep the library's joined name, e.g. "Christi Himmelfahrt; Erster Mai"
  on 1 May 2008.

Exceptions (all raised by :func:`public_holidays` and :func:`closed_days`)::

	ValueError
	└── HolidayError                 base of this module's errors
	    ├── UnknownStateError        not one of the sixteen state codes
	    └── UnsupportedLanguageError the library has no names in that language
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from types import MappingProxyType

import holidays

__all__ = [
	"STATES",
	"SUPPORTED_LANGUAGES",
	"HolidayError",
	"UnknownStateError",
	"UnsupportedLanguageError",
	"closed_days",
	"public_holidays",
]

# The sixteen Länder by the codes of ISO 3166-2:DE, with their names in German.
STATES: MappingProxyType[str, str] = MappingProxyType(
	{
		"BW": "Baden-Württemberg",
		"BY": "Bayern",
		"BE": "Berlin",
		"BB": "Brandenburg",
		"HB": "Bremen",
		"HH": "Hamburg",
		"HE": "Hessen",
		"MV": "Mecklenburg-Vorpommern",
		"NI": "Niedersachsen",
		"NW": "Nordrhein-Westfalen",
		"RP": "Rheinland-Pfalz",
		"SL": "Saarland",
		"SN": "Sachsen",
		"ST": "Sachsen-Anhalt",
		"SH": "Schleswig-Holstein",
		"TH": "Thüringen",
	}
)

# Languages the library ships holiday names in for Germany. It falls back silently for any other,
# so this module checks first.
SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"de", "en_US", "th", "uk"})


class HolidayError(ValueError):
	"""Base of the errors raised by this module."""


class UnknownStateError(HolidayError):
	"""The state code is not one of the sixteen German states (see :data:`STATES`)."""


class UnsupportedLanguageError(HolidayError):
	"""The holidays library has no holiday names for Germany in this language."""


def public_holidays(
	state: str,
	years: Iterable[int],
	language: str = "de",
	*,
	include_local_catholic: bool = False,
) -> dict[date, str]:
	"""Return the public holidays of ``state`` in ``years``, mapped to their names.

	``state`` is a code of :data:`STATES`, case-insensitive. ``language`` is one of
	:data:`SUPPORTED_LANGUAGES`. The dict is ordered by date.
	"""
	code = _check_state(state)
	_check_language(language)

	found: dict[date, str] = {}
	for year in sorted(set(years)):
		found.update(_holidays_of_year(code, year, language, include_local_catholic))
	return found


def closed_days(
	state: str,
	years: Iterable[int],
	*,
	include_local_catholic: bool = False,
) -> frozenset[date]:
	"""Return the dates of the public holidays of ``state`` in ``years``, for a business calendar."""
	return frozenset(public_holidays(state, years, include_local_catholic=include_local_catholic))


def _check_state(state: str) -> str:
	code = state.strip().upper()
	if code not in STATES:
		raise UnknownStateError(
			f"Unknown German state {state!r}: expected one of {', '.join(sorted(STATES))}"
		)
	return code


def _check_language(language: str) -> None:
	if language not in SUPPORTED_LANGUAGES:
		raise UnsupportedLanguageError(
			f"No German holiday names in language {language!r}: "
			f"expected one of {', '.join(sorted(SUPPORTED_LANGUAGES))}"
		)


# Bounded: sixteen states times a handful of years and languages covers every real site.
@functools.lru_cache(maxsize=1024)
def _holidays_of_year(
	code: str, year: int, language: str, include_local_catholic: bool
) -> tuple[tuple[date, str], ...]:
	categories: tuple[str, ...] = (holidays.PUBLIC,)
	if include_local_catholic:
		categories = (holidays.PUBLIC, holidays.CATHOLIC)
	calendar = holidays.country_holidays(
		"DE", subdiv=code, years=year, language=language, categories=categories
	)
	return tuple(sorted((day, str(name)) for day, name in calendar.items()))

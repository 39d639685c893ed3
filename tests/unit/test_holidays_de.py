"""German public holidays by state: literal dates per state and the years in which rules changed."""

from __future__ import annotations

from datetime import date

import pytest

from techsolutions_support.core.holidays_de import (
	STATES,
	HolidayError,
	UnknownStateError,
	UnsupportedLanguageError,
	closed_days,
	public_holidays,
)

ALL = sorted(STATES)

# The nine holidays every state has in 2026.
NATIONWIDE_2026 = {
	date(2026, 1, 1): "Neujahr",
	date(2026, 4, 3): "Karfreitag",
	date(2026, 4, 6): "Ostermontag",
	date(2026, 5, 1): "Erster Mai",
	date(2026, 5, 14): "Christi Himmelfahrt",
	date(2026, 5, 25): "Pfingstmontag",
	date(2026, 10, 3): "Tag der Deutschen Einheit",
	date(2026, 12, 25): "Erster Weihnachtstag",
	date(2026, 12, 26): "Zweiter Weihnachtstag",
}


def test_sixteen_states_with_german_names() -> None:
	assert dict(STATES) == {
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


@pytest.mark.parametrize("state", ALL)
def test_nationwide_holidays_in_every_state(state: str) -> None:
	holidays = public_holidays(state, [2026])

	assert NATIONWIDE_2026.items() <= holidays.items()


@pytest.mark.parametrize(
	("state", "extra_2026"),
	[
		(
			"BW",
			{
				date(2026, 1, 6): "Heilige Drei Könige",
				date(2026, 6, 4): "Fronleichnam",
				date(2026, 11, 1): "Allerheiligen",
			},
		),
		(
			"BY",
			{
				date(2026, 1, 6): "Heilige Drei Könige",
				date(2026, 6, 4): "Fronleichnam",
				date(2026, 11, 1): "Allerheiligen",
			},
		),
		("BE", {date(2026, 3, 8): "Frauentag"}),
		(
			"BB",
			{
				date(2026, 4, 5): "Ostersonntag",
				date(2026, 5, 24): "Pfingstsonntag",
				date(2026, 10, 31): "Reformationstag",
			},
		),
		("HB", {date(2026, 10, 31): "Reformationstag"}),
		("HH", {date(2026, 10, 31): "Reformationstag"}),
		("HE", {date(2026, 6, 4): "Fronleichnam"}),
		("MV", {date(2026, 3, 8): "Frauentag", date(2026, 10, 31): "Reformationstag"}),
		("NI", {date(2026, 10, 31): "Reformationstag"}),
		("NW", {date(2026, 6, 4): "Fronleichnam", date(2026, 11, 1): "Allerheiligen"}),
		("RP", {date(2026, 6, 4): "Fronleichnam", date(2026, 11, 1): "Allerheiligen"}),
		(
			"SL",
			{
				date(2026, 6, 4): "Fronleichnam",
				date(2026, 8, 15): "Mariä Himmelfahrt",
				date(2026, 11, 1): "Allerheiligen",
			},
		),
		("SN", {date(2026, 10, 31): "Reformationstag", date(2026, 11, 18): "Buß- und Bettag"}),
		("ST", {date(2026, 1, 6): "Heilige Drei Könige", date(2026, 10, 31): "Reformationstag"}),
		("SH", {date(2026, 10, 31): "Reformationstag"}),
		("TH", {date(2026, 9, 20): "Weltkindertag", date(2026, 10, 31): "Reformationstag"}),
	],
)
def test_each_states_holidays_in_2026(state: str, extra_2026: dict[date, str]) -> None:
	assert public_holidays(state, [2026]) == dict(sorted({**NATIONWIDE_2026, **extra_2026}.items()))


@pytest.mark.parametrize(
	("day", "states_with_it"),
	[
		# Reformationstag: the eastern states always, four northern states since 2018...
		(date(2026, 10, 31), {"BB", "HB", "HH", "MV", "NI", "SN", "ST", "SH", "TH"}),
		(date(2018, 10, 31), {"BB", "HB", "HH", "MV", "NI", "SN", "ST", "SH", "TH"}),
		(date(2016, 10, 31), {"BB", "MV", "SN", "ST", "TH"}),
		# ...and in 2017, the 500th anniversary of the Reformation, everywhere.
		(date(2017, 10, 31), set(ALL)),
		# Fronleichnam: law state-wide in six states (in SN and TH only in some municipalities).
		(date(2026, 6, 4), {"BW", "BY", "HE", "NW", "RP", "SL"}),
		# Frauentag: Berlin since 2019, Mecklenburg-Vorpommern since 2023.
		(date(2018, 3, 8), set()),
		(date(2019, 3, 8), {"BE"}),
		(date(2022, 3, 8), {"BE"}),
		(date(2023, 3, 8), {"BE", "MV"}),
		# Weltkindertag: Thuringia since 2019.
		(date(2018, 9, 20), set()),
		(date(2019, 9, 20), {"TH"}),
		# Buß- und Bettag: everywhere until 1994, then Saxony only.
		(date(1994, 11, 16), set(ALL)),
		(date(1995, 11, 22), {"SN"}),
		(date(2025, 11, 19), {"SN"}),
		# Heilige Drei Könige and Allerheiligen.
		(date(2026, 1, 6), {"BW", "BY", "ST"}),
		(date(2026, 11, 1), {"BW", "BY", "NW", "RP", "SL"}),
		# Berlin's one-off days: 8 May 2020 and 2025, 17 June 2028.
		(date(2020, 5, 8), {"BE"}),
		(date(2025, 5, 8), {"BE"}),
		(date(2028, 6, 17), {"BE"}),
		(date(2024, 5, 8), set()),
	],
)
def test_which_states_have_a_day_off(day: date, states_with_it: set[str]) -> None:
	assert {state for state in ALL if day in public_holidays(state, [day.year])} == states_with_it


def test_one_off_names_in_berlin() -> None:
	holidays = public_holidays("BE", [2025, 2028])

	assert holidays[date(2025, 5, 8)] == (
		"80. Jahrestag der Befreiung vom Nationalsozialismus und der Beendigung des Zweiten Weltkriegs in Europa"
	)
	assert holidays[date(2028, 6, 17)] == "75. Jahrestag des Aufstandes vom 17. Juni 1953"


@pytest.mark.parametrize(
	("state", "day", "name"),
	[
		("BY", date(2026, 8, 15), "Mariä Himmelfahrt"),
		("SN", date(2026, 6, 4), "Fronleichnam"),
		("TH", date(2026, 6, 4), "Fronleichnam"),
	],
)
def test_holidays_of_catholic_municipalities_only_on_request(state: str, day: date, name: str) -> None:
	assert day not in public_holidays(state, [2026])
	assert public_holidays(state, [2026], include_local_catholic=True)[day] == name
	assert day in closed_days(state, [2026], include_local_catholic=True)


def test_two_holidays_on_one_day_keep_both_names() -> None:
	assert public_holidays("SN", [2008])[date(2008, 5, 1)] == "Christi Himmelfahrt; Erster Mai"


def test_several_years_in_date_order() -> None:
	holidays = public_holidays("HH", [2027, 2026, 2026])

	assert list(holidays) == sorted(holidays)
	assert len(holidays) == 20
	assert date(2026, 10, 31) in holidays
	assert date(2027, 10, 31) in holidays


def test_no_holidays_before_the_reunified_calendar() -> None:
	assert public_holidays("BE", [1990]) == {}
	assert public_holidays("BE", range(1989, 1992)) == public_holidays("BE", [1991])


def test_names_in_english() -> None:
	holidays = public_holidays("TH", [2026], language="en_US")

	assert holidays[date(2026, 10, 3)] == "German Unity Day"
	assert holidays[date(2026, 9, 20)] == "World Children's Day"


def test_state_code_ignores_case_and_spaces() -> None:
	assert public_holidays(" by ", [2026]) == public_holidays("BY", [2026])


def test_closed_days_are_the_dates() -> None:
	assert closed_days("NW", [2026]) == frozenset(public_holidays("NW", [2026]))


def test_results_are_fresh_copies() -> None:
	first = public_holidays("BE", [2026])
	first.clear()

	assert len(public_holidays("BE", [2026])) == 10


@pytest.mark.parametrize("state", ["XX", "", "DE", "Bayern", "Augsburg", "BYP"])
def test_unknown_state(state: str) -> None:
	with pytest.raises(UnknownStateError):
		public_holidays(state, [2026])


@pytest.mark.parametrize("language", ["fr", "en", "DE", ""])
def test_unsupported_language(language: str) -> None:
	with pytest.raises(UnsupportedLanguageError):
		public_holidays("BE", [2026], language=language)


def test_errors_form_one_tree() -> None:
	assert issubclass(UnknownStateError, HolidayError)
	assert issubclass(UnsupportedLanguageError, HolidayError)
	assert issubclass(HolidayError, ValueError)

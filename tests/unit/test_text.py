"""Tests of techsolutions_support.core.text: folding, words, stems and keyword matching."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.text import (
	KeywordMatch,
	KeywordMatcher,
	find_keywords,
	fold,
	html_to_text,
	parse_keyword_list,
	stem,
	words,
)

GERMAN_LETTERS = "abcdefghiklmnoprstuvwzäöüß"
GERMAN_ENDINGS = ["", "e", "em", "en", "er", "ern", "es", "s", "n", "st", "est", "et", "ung", "lich"]
ENGLISH_LETTERS = "abcdefghiklmnoprstuvwy"
ENGLISH_ENDINGS = ["", "s", "es", "ed", "ing", "ly", "er", "ies", "ness", "ation", "al"]


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Straße", "strasse"),
		("STRASSE", "strasse"),
		("GROẞE PANNE", "grosse panne"),
		("Getriebeöl", "getriebeoel"),
		("ÄÖÜ äöü", "aeoeue aeoeue"),
		("Ku\u0308hlkette", "kuehlkette"),
		("Café crème", "cafe creme"),
		("Garçon", "garcon"),
		("Łódź", "łodz"),
		("İstanbul", "istanbul"),
		("ﬁle", "file"),
		("Nº 2²", "no 22"),
		("  Lkw \t steht\n\nstill  ", "lkw steht still"),
		("", ""),
		(" \n\t ", ""),
	],
)
def test_fold(text: str, expected: str) -> None:
	assert fold(text) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Kühlketten-Unterbrechung", ["kuehlketten", "unterbrechung"]),
		("LKW auf der A2, Auftrag 1234.", ["lkw", "auf", "der", "a2", "auftrag", "1234"]),
		("Ölverlust!!!Motor", ["oelverlust", "motor"]),
		("Preis: 12,50 €", ["preis", "12", "50"]),
		("geht's", ["geht", "s"]),
		("snake_case", ["snake", "case"]),
		("dispo@spedition.de", ["dispo", "spedition", "de"]),
		("Straße", ["strasse"]),
		("", []),
		("--- ?! ...", []),
	],
)
def test_words(text: str, expected: list[str]) -> None:
	assert words(text) == expected


@pytest.mark.parametrize(
	("word", "language", "expected"),
	[
		("Kühlketten", "de", "kuhlkett"),
		("Kühlkette", "de", "kuhlkett"),
		("kuehlkette", "de", "kuhlkett"),
		("KÜHLKETTE", "de", "kuhlkett"),
		("Pannen", "de", "pann"),
		("Panne", "de", "pann"),
		("Unfälle", "de", "unfall"),
		("unfaelle", "de", "unfall"),
		("Räder", "de", "rad"),
		("Straße", "de", "strass"),
		("strasse", "de", "strass"),
		("Pannen", "de-DE", "pann"),
		("Pannen", "de_AT", "pann"),
		("A2", "de", "a2"),
		("1234", "de", "1234"),
		("steht still", "de", "steht still"),
		("", "de", ""),
		("running", "en", "run"),
		("accidents", "en", "accid"),
		("wheels", "en_US", "wheel"),
	],
)
def test_stem(word: str, language: str, expected: str) -> None:
	assert stem(word, language) == expected


@pytest.mark.parametrize("language", ["fr", "", "deu", "english"])
def test_unsupported_language_is_a_value_error(language: str) -> None:
	with pytest.raises(ValueError, match="unsupported language"):
		stem("Panne", language)
	with pytest.raises(ValueError, match="unsupported language"):
		KeywordMatcher(["Panne"], language)
	with pytest.raises(ValueError, match="unsupported language"):
		find_keywords("Panne", ["Panne"], language)


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Panne, Unfall; Kühlkette\nsteht still", ["Panne", "Unfall", "Kühlkette", "steht still"]),
		("Kühlkette, KUEHLKETTE, kühlkette", ["Kühlkette"]),
		("  Straße ;strasse;STRASSE ", ["Straße"]),
		("Panne,,  ,Unfall", ["Panne", "Unfall"]),
		("steht   still\r\nspringt nicht an", ["steht still", "springt nicht an"]),
		("Panne\r\n\r\nPANNE\n", ["Panne"]),
		("-, ?; Unfall", ["Unfall"]),
		(",,;\n\n", []),
		("", []),
	],
)
def test_parse_keyword_list(text: str, expected: list[str]) -> None:
	assert parse_keyword_list(text) == expected


@pytest.mark.parametrize(
	("keyword", "text", "expected"),
	[
		# case, umlauts and ß, both ways
		("Kühlkette", "KUEHLKETTE unterbrochen", True),
		("kuehlkette", "Kühlkette", True),
		("strasse", "Straße gesperrt", True),
		("Straße", "STRASSE", True),
		("Getriebeöl", "getriebeoel", True),
		# inflection through the stemmer
		("Kühlkette", "Kühlketten", True),
		("Panne", "zwei Pannen", True),
		("Unfall", "Unfälle", True),
		("Unfall", "Unfaelle", True),
		("Motor", "Motoren", True),
		("Rad", "Räder", True),
		("Rad", "des Rades", True),
		# short keywords: whole words only
		("Rad", "Radio", False),
		("Rad", "Radweg", False),
		("Rad", "Fahrrad", False),
		("Rad", "Rat", False),
		# compounds: keyword as tail
		("Panne", "Reifenpanne", True),
		("Panne", "Reifenpannen", True),
		("Schaden", "Motorschaden", True),
		("Schaden", "Motorschäden", True),
		("Unfall", "Verkehrsunfall", True),
		("Kühlkette", "Lkw-Kühlkette", True),
		("Kühlkette", "Lkwkühlkette", True),
		("Akte", "Vertragsakte", True),
		# compounds: keyword as head, with or without a linking element
		("Kühlkette", "Kühlkettenunterbrechung", True),
		("Getriebeöl", "Getriebeölverlust", True),
		("Panne", "Pannenhilfe", True),
		("Unfall", "Unfallstelle", True),
		("Schaden", "Schadensmeldung", True),
		("Motor", "Motorenöl", True),
		# compounds: guarded false positives
		("Panne", "Spanne", False),
		("Panne", "Pfanne", False),
		("Unfall", "Zufall", False),
		("Akte", "Kontakt", False),
		("Kühlkette", "Lkwkühlkettenunterbrechung", False),
		("Unfälle", "Unfallstelle", False),
		# compounds that say the thing is absent
		("Unfall", "unfallfrei", False),
		("Unfall", "unfallfreie Fahrt", False),
		("Unfall", "Unfallfreiheit", False),
		("Unfall", "unfallsicher", False),
		("Panne", "pannenfrei", False),
		("Panne", "pannenlos", False),
		("Störung", "störungsfrei", False),
		("Störung", "Störungslosigkeit", False),
		# digits: the same word only
		("A2", "Stau auf der A2", True),
		("A2", "A20", False),
		("1234", "Auftrag 1234", True),
		("1234", "12345", False),
		("1234", "1234567", False),
		("Euro6", "EURO6-Norm", True),
		# phrases: consecutive words, each under the word rules
		("steht still", "Der Lkw steht still.", True),
		("steht still", "Der Lkw steht. Still wartet der Fahrer.", True),
		("steht still", "STEHT STILL", True),
		("steht still", "still steht", False),
		("steht still", "steht nicht still", False),
		("springt nicht an", "Motor springt nicht an", True),
		("springt nicht an", "springt nicht", False),
		("springt nicht an", "springt sofort an", False),
		("Kühlkette unterbrochen", "Lkw-Kühlkette unterbrochen", True),
		("Reifen geplatzt", "Vorderreifen geplatzt", True),
		# nothing to match
		("Panne", "", False),
		("", "Panne", False),
		("---", "--- Panne ---", False),
	],
)
def test_matches_german(keyword: str, text: str, expected: bool) -> None:
	assert KeywordMatcher([keyword]).matches(text) is expected


@pytest.mark.parametrize(
	("keyword", "text", "expected"),
	[
		("accident", "Two accidents on the M25", True),
		("breakdown", "Vehicle breakdowns reported", True),
		("wheel", "Wheels damaged", True),
		("run", "running late", True),
		("delay", "Delayed at the border", True),
		("tyre", "Tyre-pressure low", True),
		("Straße", "STRASSE closed", True),
		("not start", "engine does not start", True),
		("wheel", "wheelchair", False),
		("car", "carrier", False),
		("breakdown", "roadside breakdownservice", False),
		("not start", "start not", False),
	],
)
def test_matches_english(keyword: str, text: str, expected: bool) -> None:
	assert KeywordMatcher([keyword], "en").matches(text) is expected


@pytest.mark.parametrize(
	("keywords", "text", "expected"),
	[
		(
			["Unfall", "Panne", "Kühlkette", "steht still"],
			"Der Lkw steht still nach einer Reifenpanne; Kühlketten-Unterbrechung droht. Noch eine Panne.",
			[
				KeywordMatch("steht still", "steht still", 2),
				KeywordMatch("Panne", "reifenpanne", 6),
				KeywordMatch("Kühlkette", "kuehlketten", 7),
			],
		),
		(
			["Reifen", "Panne"],
			"Reifenpanne",
			[KeywordMatch("Reifen", "reifenpanne", 0), KeywordMatch("Panne", "reifenpanne", 0)],
		),
		(
			["Panne", "Reifen"],
			"Reifenpanne",
			[KeywordMatch("Panne", "reifenpanne", 0), KeywordMatch("Reifen", "reifenpanne", 0)],
		),
		(
			["Panne", "PANNE", "pannen"],
			"Pannen",
			[KeywordMatch("Panne", "pannen", 0), KeywordMatch("pannen", "pannen", 0)],
		),
		(
			["Kühl-Kette", "kühl kette"],
			"kuehl kette",
			[KeywordMatch("Kühl-Kette", "kuehl kette", 0)],
		),
		(
			["springt nicht an", "nicht"],
			"Er springt an, dann nicht, springt nicht an",
			[KeywordMatch("nicht", "nicht", 4), KeywordMatch("springt nicht an", "springt nicht an", 5)],
		),
		(["Panne"], "Alles in Ordnung", []),
		([], "Panne", []),
		(["", "  ", "--"], "Panne", []),
	],
)
def test_find(keywords: list[str], text: str, expected: list[KeywordMatch]) -> None:
	assert KeywordMatcher(keywords).find(text) == expected
	assert find_keywords(text, keywords) == expected


@pytest.mark.parametrize(
	("keywords", "text", "expected"),
	[
		("Panne; Unfall", "Unfall mit Panne", ["Unfall", "Panne"]),
		("Kühlkette\nsteht still", "Lkw steht still, Kühlkette gefährdet", ["steht still", "Kühlkette"]),
	],
)
def test_keywords_as_one_string_are_parsed(keywords: str, text: str, expected: list[str]) -> None:
	assert [match.keyword for match in KeywordMatcher(keywords).find(text)] == expected
	assert [match.keyword for match in find_keywords(text, keywords)] == expected


def test_find_keywords_reuses_results_for_the_same_keywords() -> None:
	keywords = ("Panne", "Unfall")
	first = find_keywords("Reifenpanne", keywords)
	second = find_keywords("Reifenpanne", list(keywords))

	assert first == second == [KeywordMatch("Panne", "reifenpanne", 0)]


def test_matcher_gives_the_same_answer_twice() -> None:
	matcher = KeywordMatcher(["Panne", "Kühlkette"])
	text = "Reifenpanne und Kühlkettenunterbrechung, noch eine Reifenpanne"

	assert matcher.find(text) == matcher.find(text)
	assert len(matcher.find(text)) == 2


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
	assert fold(fold(text)) == fold(text)


@given(st.text())
def test_words_are_folded_and_never_empty(text: str) -> None:
	found = words(text)

	assert all(found)
	assert all(fold(word) == word for word in found)
	assert words(fold(text)) == found


@given(st.text(), st.lists(st.text(), max_size=5))
def test_find_never_raises(text: str, keywords: list[str]) -> None:
	for language in ("de", "en"):
		matcher = KeywordMatcher(keywords, language)
		found = matcher.find(text)

		assert matcher.matches(text) is bool(found)
		assert [match.start for match in found] == sorted(match.start for match in found)


@given(st.text(), st.text())
def test_keyword_always_matches_itself(keyword: str, padding: str) -> None:
	if words(keyword):
		assert KeywordMatcher([keyword]).matches(keyword)
		assert KeywordMatcher([keyword]).matches(f"{padding} {keyword} {padding}")


@given(
	st.text(alphabet=GERMAN_LETTERS, min_size=1, max_size=14),
	st.sampled_from(GERMAN_ENDINGS),
	st.sampled_from(GERMAN_ENDINGS),
)
def test_words_with_equal_german_stems_match(root: str, ending: str, other_ending: str) -> None:
	# The matcher stems a text word only after a cheap test; it must never skip a stem twin.
	keyword, text = root + ending, root + other_ending
	if stem(keyword) == stem(text):
		assert KeywordMatcher([keyword]).matches(text)


@given(
	st.text(alphabet=ENGLISH_LETTERS, min_size=1, max_size=12),
	st.sampled_from(ENGLISH_ENDINGS),
	st.sampled_from(ENGLISH_ENDINGS),
)
def test_words_with_equal_english_stems_match(root: str, ending: str, other_ending: str) -> None:
	keyword, text = root + ending, root + other_ending
	if stem(keyword, "en") == stem(text, "en"):
		assert KeywordMatcher([keyword], "en").matches(text)


@pytest.mark.parametrize(
	("markup", "expected"),
	[
		("<p>Gefahrgut</p><p>Hinweis</p>", "Gefahrgut Hinweis"),
		("LKW&nbsp;steht<br>auf der A2", "LKW steht auf der A2"),
		("Stra&szlig;e &amp; Br&uuml;cke", "Straße & Brücke"),
		("", ""),
		(None, ""),
		("<p>a &lt; b</p>", "a < b"),
	],
)
def test_html_to_text(markup, expected):
	assert html_to_text(markup) == expected

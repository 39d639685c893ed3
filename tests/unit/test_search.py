"""Tests of techsolutions_support.core.search: rows, matching, ranking, filters, snippets."""

import math
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from techsolutions_support.core.search import (
	STOP_WORDS,
	Document,
	Posting,
	RankingParams,
	SearchFilter,
	SearchIndex,
	SynonymMap,
	index_document,
	query,
	split_article_html,
	suggest,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN)

SYNONYMS = SynonymMap(
	[
		["LKW", "Lastwagen", "Truck"],
		["Sendung", "Paket", "Lieferung"],
		["Rechnung", "Faktura"],
		"Passwort, Kennwort",
	]
)


def doc(doc_id: str, title: str = "", body: str = "", **fields) -> Document:
	fields.setdefault("published", True)
	return Document(id=doc_id, title=title or f"Artikel {doc_id}", body=body, **fields)


def ids(index: SearchIndex, text: str, **options) -> list[str]:
	return [hit.doc_id for hit in query(index, text, **options)]


# --- rows ---------------------------------------------------------------------------------


def test_split_article_html() -> None:
	html = (
		"<p>Erste Zeile &amp; mehr.</p><h3>So  geht&#39;s</h3><ul><li>Schritt <strong>eins</strong></li>"
		"<li>Schritt zwei<br>weiter</li></ul><script>alert(1)</script><style>p{}</style><p>Ende</p>"
	)
	assert split_article_html(html) == (
		("So geht's",),
		"Erste Zeile & mehr.\nSchritt eins\nSchritt zwei\nweiter\nEnde",
	)


@pytest.mark.parametrize(
	("html", "expected"),
	[
		("", ((), "")),
		("nur Text", ((), "nur Text")),
		("<p>offen<h2>Titel", (("Titel",), "offen")),
		("<h1></h1><p> </p>", ((), "")),
		("<p>a</p></div></p>", ((), "a")),
	],
)
def test_split_article_html_edge_cases(html: str, expected: tuple) -> None:
	assert split_article_html(html) == expected


def test_index_document_rows() -> None:
	document = Document(
		id="KB-1",
		title="Die Kühlkette",
		headings=("Sofort handeln",),
		body="Kühlketten prüfen, die Kühlkette melden. Fotos!",
		category="Pannen",
		tags=("Kühlware",),
		published=True,
	)
	assert index_document(document) == [
		Posting("KB-1", "title", "kuehlkette", "kuhlkett", 1),
		Posting("KB-1", "headings", "sofort", "sofort", 1),
		Posting("KB-1", "headings", "handeln", "handel", 1),
		Posting("KB-1", "tags", "kuehlware", "kuhlwar", 1),
		Posting("KB-1", "tags", "pannen", "pann", 1),
		Posting("KB-1", "body", "kuehlketten", "kuhlkett", 1),
		Posting("KB-1", "body", "pruefen", "pruf", 1),
		Posting("KB-1", "body", "kuehlkette", "kuhlkett", 1),
		Posting("KB-1", "body", "melden", "meld", 1),
		Posting("KB-1", "body", "fotos", "foto", 1),
	]


def test_index_document_drops_stop_words_and_single_letters() -> None:
	rows = index_document(doc("1", title="Was ist das?", body="A und B oder C"))
	assert rows == []


def test_english_rows_use_the_english_stemmer() -> None:
	rows = index_document(doc("1", title="Invoices", language="en-GB"))
	assert rows == [Posting("1", "title", "invoices", "invoic", 1)]


def test_stop_word_lists_are_folded() -> None:
	assert "fuer" in STOP_WORDS["de"] and "für" not in STOP_WORDS["de"]
	assert {"the", "and", "of"} <= STOP_WORDS["en"]


def test_rows_rebuild_the_same_index() -> None:
	documents = [
		doc("1", "Kühlkette unterbrochen", "Temperatur prüfen."),
		doc("2", "Getriebeöl", "Warnleuchte Getriebeöltemperatur."),
		doc("3", "Rechnung", "Rechnungen prüfen."),
	]
	built = SearchIndex.build(documents)
	rows = [row for document in documents for row in index_document(document)]
	loaded = SearchIndex.from_rows(documents, [*rows, Posting("gone", "body", "x", "x", 1)])
	for text in ("Kühlkette", "Getriebe", "prüfen", "Rechnugn"):
		assert query(loaded, text) == query(built, text)


def test_from_rows_rejects_an_unknown_field() -> None:
	with pytest.raises(ValueError, match="unknown field"):
		SearchIndex.from_rows([doc("1")], [Posting("1", "summary", "x", "x", 1)])


# --- German text handling ----------------------------------------------------------------


@pytest.fixture
def german() -> SearchIndex:
	return SearchIndex.build(
		[
			doc("strasse", "Adresse", "Geben Sie Straße und Hausnummer an."),
			doc("strasse-ss", "Anschrift", "Die Strasse ist gesperrt."),
			doc("kette", "Kühlkettenunterbrechung melden", "Temperatur dokumentieren."),
			doc("oel", "Warnleuchte", "Das Getriebeöl ist zu heiß."),
			doc("reifen", "Reifenpanne", "Reserverad montieren."),
			doc("frei", "Unfallfreie Fahrer", "Prämie für sichere Fahrer."),
			doc("palette", "Palette", "Die Palette tauschen."),
			doc("foto", "Fotos", "Fotos hochladen."),
			doc("rechnung", "Rechnung", "Die Rechnung prüfen."),
			doc("lkw", "Lastwagen", "Der Lastwagen steht."),
			doc("schaden", "Schaden", "Den Schaden melden."),
		]
	)


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Strasse", ["strasse", "strasse-ss"]),
		("Straße", ["strasse", "strasse-ss"]),
		("STRASSE", ["strasse", "strasse-ss"]),
		("Getriebeoel", ["oel"]),
		("GETRIEBEÖL", ["oel"]),
		("heiss", ["oel"]),
		("Praemie", ["frei"]),
	],
)
def test_folding_both_ways(german: SearchIndex, text: str, expected: list[str]) -> None:
	assert sorted(ids(german, text)) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		# The query word is the head of a compound (with and without a linking element).
		("Kühlkette", ["kette"]),
		("Kuehlketten", ["kette"]),
		("Getriebe", ["oel"]),
		# The query word is the tail.
		("Panne", ["reifen"]),
		# A head followed by "-frei" means the thing is absent.
		("Unfall", []),
		# A query compound the index does not hold is split into known sides.
		("Transportschaden", ["schaden"]),
		("Lastwagenpanne", ["lkw", "reifen"]),
	],
)
def test_compounds(german: SearchIndex, text: str, expected: list[str]) -> None:
	assert sorted(ids(german, text)) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Paletten", ["palette"]),
		("Foto", ["foto"]),
		("Rechnungen", ["rechnung"]),
		("Schäden", ["schaden"]),
	],
)
def test_plurals(german: SearchIndex, text: str, expected: list[str]) -> None:
	assert ids(german, text) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		# One edit in a word of 5 or more letters: swapped, dropped, added, changed.
		("Rechnugn", ["rechnung"]),
		("Rchnung", ["rechnung"]),
		("Rechnungg", ["rechnung"]),
		("Rechnunk", ["rechnung"]),
		("Palete", ["palette"]),
		# Two edits find nothing.
		("Rehcnugn", []),
		("Recnunk", []),
		# Words under 5 letters are never corrected ("Foto" is a plural match, not a typo).
		("Fodo", []),
		("Pal", []),
	],
)
def test_typos(german: SearchIndex, text: str, expected: list[str]) -> None:
	assert ids(german, text) == expected


def test_a_known_word_is_not_corrected() -> None:
	index = SearchIndex.build([doc("1", body="Tanne"), doc("2", body="Panne")])
	assert ids(index, "Panne") == ["2"]
	assert sorted(ids(index, "Kanne")) == ["1", "2"]


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("LKW", ["lkw"]),
		("Truck", ["lkw"]),
		("Faktura", ["rechnung"]),
		("Fakturen", []),
	],
)
def test_synonyms(german: SearchIndex, text: str, expected: list[str]) -> None:
	assert ids(german, text, synonyms=SYNONYMS) == expected
	assert ids(german, text) == []


def test_synonym_map() -> None:
	assert SYNONYMS.expand("Lkws") == ("lastwagen", "truck")
	assert SYNONYMS.expand("Kennwörter") == ("passwort",)
	assert SYNONYMS.expand("Kennzahl") == ()
	assert SYNONYMS.expand("Kennwort") == ("passwort",)
	assert SYNONYMS.expand("Pakete") == ("sendung", "lieferung")
	assert SYNONYMS.expand("Auto") == ()
	assert len(SynonymMap([["nur eins"], ["Proof of Delivery", "POD"], ["a", "A"]])) == 0


def test_synonyms_of_another_language_are_not_used(german: SearchIndex) -> None:
	english = SynonymMap([["truck", "lastwagen"]], "en")
	assert ids(german, "Truck", synonyms=english) == []


def test_match_kinds_rank_exact_then_stem_then_part_then_typo() -> None:
	index = SearchIndex.build(
		[
			doc("exact", body="Kühlkette"),
			doc("stem", body="Kühlketten"),
			doc("part", body="Kühlkettenunterbrechung"),
		]
	)
	assert ids(index, "Kühlkette") == ["exact", "stem", "part"]

	index = SearchIndex.build([doc("typo", body="Ladunk"), doc("part", body="Ladungssicherung")])
	assert ids(index, "Ladung") == ["part", "typo"]


# --- English -------------------------------------------------------------------------------


def test_english_documents_use_english_rules() -> None:
	index = SearchIndex.build(
		[
			doc("invoice", "Invoices", "How invoices are built.", language="en"),
			doc("notebook", "Notebook", "Keep a notebook.", language="en"),
			doc("rechnung", "Rechnung", "Invoice auf Deutsch.", language="de"),
		]
	)
	assert ids(index, "invoice", language="en") == ["invoice"]
	assert ids(index, "invoicing", language="en") == ["invoice"]
	assert ids(index, "invoces", language="en") == ["invoice"]
	# No compound parts in English, and German documents are not searched.
	assert ids(index, "note", language="en") == []
	assert ids(index, "Invoice", language="de") == ["rechnung"]


def test_an_unsupported_language_is_refused() -> None:
	index = SearchIndex()
	with pytest.raises(ValueError, match="unsupported language"):
		query(index, "Panne", language="fr")
	with pytest.raises(ValueError, match="unsupported language"):
		index.add(doc("1", language="fr"))
	with pytest.raises(ValueError, match="unsupported language"):
		SynonymMap([], "nl")
	assert len(index) == 0


# --- ranking ---------------------------------------------------------------------------------


def test_field_weights_title_over_headings_over_body() -> None:
	index = SearchIndex.build(
		[
			doc("body", "Allgemeines", "Die Palette tauschen.", headings=("Ablauf",)),
			doc("title", "Palette tauschen", "Allgemeines zum Ablauf.", headings=("Ablauf",)),
			doc("heading", "Allgemeines", "Allgemeines zum Ablauf.", headings=("Palette",)),
		]
	)
	assert ids(index, "Palette") == ["title", "heading", "body"]


def test_bm25_score_of_a_single_body_word() -> None:
	index = SearchIndex.build([doc("1", "Eins", "Palette Palette Rampe"), doc("2", "Zwei", "Rampe Tor")])
	[hit] = query(index, "Palette")

	params = RankingParams()
	# The average body has 2.5 words, this one 3: it is a little longer than average.
	frequency = 2 * params.body_weight / (1 - params.b + params.b * 3 / 2.5)
	idf = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
	expected = idf * frequency * (params.k1 + 1) / (frequency + params.k1)
	assert hit.score == pytest.approx(expected)
	assert hit.matched_terms == ("palette",)


def test_more_query_words_matched_rank_higher() -> None:
	index = SearchIndex.build(
		[doc("one", body="Palette beschädigt"), doc("both", body="Palette beschädigt Foto")]
	)
	assert ids(index, "Foto Palette") == ["both", "one"]


def test_helpful_feedback_and_recency_boost() -> None:
	old = NOW - timedelta(days=720)
	documents = [
		doc("a", body="Palette", helpful_score=0.0, updated_at=old),
		doc("b", body="Palette", helpful_score=0.8, updated_at=old),
		doc("c", body="Palette", helpful_score=0.0, updated_at=NOW - timedelta(days=1)),
		doc("d", body="Palette", helpful_score=-5.0, updated_at=old),
	]
	index = SearchIndex.build(documents)
	assert ids(index, "Palette") == ["b", "a", "c", "d"]
	assert ids(index, "Palette", now=NOW) == ["b", "c", "a", "d"]

	hits = {hit.doc_id: hit.score for hit in query(index, "Palette", now=NOW)}
	base = hits["a"] / (1 + 0.05 * 0.5**4)
	assert hits["b"] == pytest.approx(base * 1.08 * (1 + 0.05 * 0.5**4))
	assert hits["d"] == pytest.approx(base * 0.9 * (1 + 0.05 * 0.5**4))
	assert hits["c"] == pytest.approx(base * (1 + 0.05 * 0.5 ** (1 / 180)))

	no_boost = RankingParams(helpful_boost=0, recency_boost=0)
	assert ids(index, "Palette", now=NOW, params=no_boost) == ["a", "b", "c", "d"]


def test_naive_update_times_are_read_in_the_zone_of_now() -> None:
	index = SearchIndex.build([doc("a", body="Palette", updated_at=datetime(2026, 3, 1, 9, 0))])
	[hit] = query(index, "Palette", now=NOW)
	[plain] = query(index, "Palette")
	assert hit.score == pytest.approx(plain.score * (1 + 0.05 * 0.5 ** (1 / 180)))


def test_equal_scores_are_ordered_by_id_and_cut_at_the_limit() -> None:
	index = SearchIndex.build([doc(doc_id, "Gleich", "Palette") for doc_id in ("c", "a", "d", "b")])
	assert ids(index, "Palette") == ["a", "b", "c", "d"]
	assert ids(index, "Palette", limit=2) == ["a", "b"]
	assert ids(index, "Palette", limit=0) == []


@pytest.mark.parametrize(
	"params",
	[
		RankingParams(k1=0, b=1),
		RankingParams(k1=0, title_weight=0, body_weight=0),
		RankingParams(exact_weight=0, stem_weight=0, part_weight=0, typo_weight=0, synonym_weight=0),
	],
)
def test_extreme_parameters_do_not_fail(params: RankingParams) -> None:
	index = SearchIndex.build([doc("1", "Palette", "Paletten tauschen"), doc("2", "Rampe")])
	assert len(query(index, "Palette Rampe Palete", params=params)) <= 2


@pytest.mark.parametrize(
	"params",
	[
		{"k1": -1.0},
		{"b": 1.5},
		{"title_weight": math.nan},
		{"recency_half_life_days": 0.0},
		{"typo_weight": math.inf},
	],
)
def test_ranking_parameters_out_of_range(params: dict) -> None:
	with pytest.raises(ValueError, match="ranking parameter"):
		RankingParams(**params)


# --- who sees what -------------------------------------------------------------------------


@pytest.fixture
def audience() -> SearchIndex:
	return SearchIndex.build(
		[
			doc("public", "Panne melden", category="Pannen"),
			doc("draft", "Panne melden", published=False, category="Pannen"),
			doc("internal", "Panne melden", internal=True, category="Pannen"),
			doc("draft-internal", "Panne melden", published=False, internal=True),
			doc("billing", "Panne auf der Rechnung", category="Rechnung"),
		]
	)


@pytest.mark.parametrize(
	("search_filter", "expected"),
	[
		(None, ["billing", "public"]),
		(SearchFilter(), ["billing", "public"]),
		(SearchFilter(include_drafts=True), ["billing", "public"]),
		(SearchFilter(audience="agent"), ["billing", "internal", "public"]),
		(
			SearchFilter(audience="agent", include_drafts=True),
			["billing", "draft", "draft-internal", "internal", "public"],
		),
		(SearchFilter(categories=("Pannen",)), ["public"]),
		(SearchFilter(visible=lambda document: document.id != "public"), ["billing"]),
	],
)
def test_visibility(audience: SearchIndex, search_filter: SearchFilter | None, expected: list[str]) -> None:
	assert sorted(ids(audience, "Panne", filters=search_filter)) == expected
	assert sorted(hit.doc_id for hit in suggest(audience, "Panne", "", filters=search_filter)) == expected


def test_an_unknown_audience_is_refused() -> None:
	with pytest.raises(ValueError, match="unknown audience"):
		SearchFilter(audience="guest")


def test_the_caller_predicate_is_asked_only_about_allowed_documents(audience: SearchIndex) -> None:
	asked: list[str] = []

	def visible(document: Document) -> bool:
		asked.append(document.id)
		return True

	query(audience, "Panne", filters=SearchFilter(visible=visible))
	assert sorted(asked) == ["billing", "public"]


# --- incremental changes -------------------------------------------------------------------


def test_add_update_remove() -> None:
	index = SearchIndex.build([doc("1", "Kühlkette"), doc("2", "Getriebeöl")])
	assert ids(index, "Getriebe") == ["2"]
	assert ids(index, "Rechnugn") == []

	index.update(doc("2", "Rechnung prüfen"))
	assert ids(index, "Getriebe") == []
	assert ids(index, "Rechnugn") == ["2"]
	assert index.get("2") == doc("2", "Rechnung prüfen")

	assert index.remove("2") is True
	assert index.remove("2") is False
	assert ids(index, "Rechnung") == []
	assert ids(index, "Rechnugn") == []
	assert "2" not in index and "1" in index and len(index) == 1

	index.add(doc("3", "Kühlkettenunterbrechung"))
	assert ids(index, "Kühlkette") == ["1", "3"]
	index.remove("1")
	assert ids(index, "Kühlkette") == ["3"]


def test_publish_and_unpublish_take_effect_at_once() -> None:
	index = SearchIndex.build([doc("1", "Panne", published=False)])
	assert ids(index, "Panne") == []
	index.add(doc("1", "Panne", published=True))
	assert ids(index, "Panne") == ["1"]
	index.add(doc("1", "Panne", internal=True))
	assert ids(index, "Panne") == []
	assert ids(index, "Panne", filters=SearchFilter(audience="agent")) == ["1"]


def test_a_document_may_change_language() -> None:
	index = SearchIndex.build([doc("1", "Breakdown", language="en")])
	index.add(doc("1", "Panne", language="de"))
	assert ids(index, "breakdown", language="en") == []
	assert ids(index, "Panne") == ["1"]


def test_add_with_precomputed_rows() -> None:
	document = doc("1", "Palette")
	index = SearchIndex()
	index.add(document, index_document(document))
	assert ids(index, "Paletten") == ["1"]


def test_scores_follow_the_collection_after_changes() -> None:
	documents = [doc("1", body="Palette Rampe"), doc("2", body="Palette"), doc("3", body="Tor")]
	changed = SearchIndex.build(documents[:2])
	changed.add(documents[2])
	changed.add(doc("4", body="Palette Palette"))
	changed.remove("4")
	assert query(changed, "Palette") == query(SearchIndex.build(documents), "Palette")


# --- snippets ---------------------------------------------------------------------------------


def test_snippet_is_the_sentence_with_most_matched_words() -> None:
	body = (
		"Willkommen im Portal. Melden Sie den Schaden mit Fotos der Palette! "
		"Fotos helfen uns.\nDer Schaden wird geprüft."
	)
	index = SearchIndex.build([doc("1", "Schadensmeldung", body)])
	[hit] = query(index, "Schaden Fotos")
	assert hit.snippet == "Melden Sie den Schaden mit Fotos der Palette!"
	assert hit.matched_terms == ("schaden", "schadensmeldung", "fotos")


def test_snippet_falls_back_to_the_first_sentence() -> None:
	index = SearchIndex.build([doc("1", "Palette", "Erster Satz.  Zweiter Satz."), doc("2", "Palette")])
	assert [hit.snippet for hit in query(index, "Palette")] == ["Erster Satz.", ""]


def test_a_long_sentence_is_cut_around_the_first_match() -> None:
	filler = " ".join(["Wort"] * 40)
	sentence = f"{filler} die Kühlkette ist unterbrochen {filler}."
	index = SearchIndex.build([doc("1", "Titel", sentence)])
	[hit] = query(index, "Kühlkette")
	assert len(hit.snippet) <= 200
	assert hit.snippet.startswith("…Wort ")
	assert hit.snippet.endswith("Wort…")
	assert "die Kühlkette ist unterbrochen" in hit.snippet

	index = SearchIndex.build([doc("1", "Titel", f"Kühlkette {filler} {filler}")])
	[hit] = query(index, "Kühlkette")
	assert hit.snippet.startswith("Kühlkette Wort") and hit.snippet.endswith("…")
	assert len(hit.snippet) <= 200


# --- suggest and empty queries -------------------------------------------------------------


@pytest.fixture
def ticket_index() -> SearchIndex:
	return SearchIndex.build(
		[
			doc("damage", "Schadensmeldung mit Fotos", "Beschädigte Ware melden."),
			doc("invoice", "Rechnung prüfen", "Rechnung und Gutschrift."),
			doc("login", "Passwort zurücksetzen", "Anmeldung im Portal."),
		]
	)


def test_suggest_weighs_the_subject_over_the_description(ticket_index: SearchIndex) -> None:
	hits = suggest(ticket_index, "Rechnung falsch", "Die Palette kam mit Schaden an, Fotos anbei.")
	assert [hit.doc_id for hit in hits] == ["invoice", "damage"]
	hits = suggest(ticket_index, "Schaden an der Ware", "Auf der Rechnung steht es anders.")
	assert [hit.doc_id for hit in hits] == ["damage", "invoice"]


def test_suggest_drops_filler_and_limits(ticket_index: SearchIndex) -> None:
	assert suggest(ticket_index, "Hallo, ich habe ein Problem", "Bitte um Hilfe. Danke und Grüße") == []
	assert suggest(ticket_index, "", "") == []
	hits = suggest(ticket_index, "Passwort", "Rechnung Schaden", limit=2)
	assert [hit.doc_id for hit in hits] == ["login", "invoice"]


def test_suggest_with_synonyms_and_typos(ticket_index: SearchIndex) -> None:
	hits = suggest(ticket_index, "Kennwort vergesen", "Login klappt nicht", synonyms=SYNONYMS)
	assert [hit.doc_id for hit in hits] == ["login"]


@pytest.mark.parametrize("text", ["", "   ", "und oder die", "?!", "a b c", "Der, die, das."])
def test_empty_and_stop_word_queries_return_nothing(german: SearchIndex, text: str) -> None:
	assert query(german, text) == []
	assert suggest(german, text, text) == []


def test_an_empty_index_finds_nothing() -> None:
	assert query(SearchIndex(), "Kühlkettenunterbrechung Rechnugn") == []


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=120), limit=st.integers(min_value=-2, max_value=5))
def test_any_text_is_searched_without_error(text: str, limit: int) -> None:
	hits = query(HYPOTHESIS_INDEX, text, limit=limit)
	assert len(hits) <= max(limit, 0)
	assert all(len(hit.snippet) <= 200 for hit in hits)
	assert all(hit.doc_id != "draft" for hit in hits)
	assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


HYPOTHESIS_INDEX = SearchIndex.build(
	[
		doc("1", "Kühlkette unterbrochen", "Temperatur prüfen. " * 30),
		doc("2", "Getriebeöl", "Warnleuchte leuchtet gelb."),
		doc("draft", "Kühlkette Entwurf", "Nicht veröffentlicht.", published=False),
		doc("3", "Straße gesperrt", "Umleitung über die A2; Sendung TS0000012345."),
	]
)


def test_suggest_searches_the_most_specific_description_words() -> None:
	common = [f"Allgemein{letter}" for letter in "abcdefghijklmnopqrst"]
	documents = [doc(str(number), body=" ".join(common)) for number in range(5)]
	documents.append(doc("rare", "Zollanmeldung", " ".join(common)))
	index = SearchIndex.build(documents)
	description = " ".join([*common, "Zollanmeldung"])
	assert [hit.doc_id for hit in suggest(index, "", description, limit=1)] == ["rare"]


def test_concurrent_changes_and_searches() -> None:
	index = SearchIndex.build([doc(str(number), "Kühlkette", "Palette Rampe") for number in range(50)])
	errors: list[BaseException] = []

	def change() -> None:
		for number in range(200):
			index.add(doc(f"new-{number % 7}", "Kühlkettenunterbrechung", f"Palette {number}"))
			index.remove(f"new-{(number + 3) % 7}")

	def search() -> None:
		try:
			for _ in range(100):
				query(index, "Kühlkete Paletten Rampe")
		except BaseException as error:
			errors.append(error)

	threads = [threading.Thread(target=change), *(threading.Thread(target=search) for _ in range(3))]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join()
	assert errors == []
	assert all(str(number) in index for number in range(50))
	assert len(ids(index, "Kühlkette", limit=100)) == len(index)

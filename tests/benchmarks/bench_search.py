"""Latency of the knowledge-base search core over 10,000 generated German articles.

A plain script, no assertion on speed (the target is a p95 under 50 ms per query in the core)::

	.venv/bin/python tests/benchmarks/bench_search.py [--articles 10000] [--queries 1000] [--seed 5]

Articles and queries come from a fixed seed, so runs are comparable. Articles read like a
logistics knowledge base: titles and headings built from compounds of the trade (Kühlkette,
Sendungsnummer, Getriebeöltemperatur), bodies of 12 to 30 sentences with nouns in singular and
plural, verbs and adjectives. Queries mix single words, compounds and their parts, two or three
words, natural questions, umlauts written as ae/oe/ue, and one-letter typos. Prints the build
time from documents and from stored rows, then p50/p95/p99 of ``query`` and ``suggest``.
"""

import argparse
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "apps" / "techsolutions_support"))

from techsolutions_support.core.search import (
	Document,
	SearchFilter,
	SearchIndex,
	SynonymMap,
	index_document,
	query,
	suggest,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))

# (singular, plural) with the article of the singular.
NOUNS = [
	("die", "Sendung", "Sendungen"),
	("die", "Palette", "Paletten"),
	("die", "Lieferung", "Lieferungen"),
	("die", "Rechnung", "Rechnungen"),
	("die", "Gutschrift", "Gutschriften"),
	("das", "Fahrzeug", "Fahrzeuge"),
	("der", "Anhänger", "Anhänger"),
	("der", "Auflieger", "Auflieger"),
	("das", "Kühlaggregat", "Kühlaggregate"),
	("das", "Getriebe", "Getriebe"),
	("der", "Motor", "Motoren"),
	("der", "Reifen", "Reifen"),
	("die", "Bremse", "Bremsen"),
	("der", "Tachograph", "Tachographen"),
	("das", "Kundenportal", "Kundenportale"),
	("der", "Zugang", "Zugänge"),
	("das", "Passwort", "Passwörter"),
	("das", "Gefahrgut", "Gefahrgüter"),
	("der", "Lieferschein", "Lieferscheine"),
	("der", "Ablieferbeleg", "Ablieferbelege"),
	("die", "Rampe", "Rampen"),
	("das", "Lager", "Lager"),
	("das", "Zeitfenster", "Zeitfenster"),
	("die", "Tour", "Touren"),
	("die", "Disposition", "Dispositionen"),
	("der", "Fahrer", "Fahrer"),
	("die", "Straße", "Straßen"),
	("die", "Maßnahme", "Maßnahmen"),
	("der", "Schaden", "Schäden"),
	("die", "Panne", "Pannen"),
	("die", "Warnleuchte", "Warnleuchten"),
	("das", "Etikett", "Etiketten"),
	("der", "Container", "Container"),
	("die", "Frist", "Fristen"),
	("der", "Zuschlag", "Zuschläge"),
	("die", "Temperatur", "Temperaturen"),
	("die", "Übergabe", "Übergaben"),
	("der", "Empfänger", "Empfänger"),
	("die", "Zollanmeldung", "Zollanmeldungen"),
	("der", "Auftrag", "Aufträge"),
]

# Heads as they are written before a tail (with their linking element).
HEADS = [
	"Kühl",
	"Liefer",
	"Lade",
	"Sendungs",
	"Paletten",
	"Fahrzeug",
	"Getriebe",
	"Motor",
	"Reifen",
	"Brems",
	"Tank",
	"Zoll",
	"Gefahrgut",
	"Rechnungs",
	"Touren",
	"Kunden",
	"Lager",
	"Rampen",
	"Fracht",
	"Termin",
	"Schadens",
	"Zustell",
	"Abhol",
	"Anhänger",
	"Straßen",
	"Öl",
]
TAILS = [
	"kette",
	"zeit",
	"schein",
	"nummer",
	"störung",
	"schaden",
	"wechsel",
	"druck",
	"temperatur",
	"planung",
	"konto",
	"beleg",
	"adresse",
	"fenster",
	"meldung",
	"gebühr",
	"zuschlag",
	"leuchte",
	"sensor",
	"öl",
	"filter",
	"kontrolle",
	"prüfung",
	"änderung",
	"bestätigung",
	"daten",
	"status",
	"verzug",
	"ausfall",
	"sperrung",
]
VERBS = [
	("prüfen", "prüft"),
	("melden", "meldet"),
	("eröffnen", "eröffnet"),
	("hochladen", "lädt hoch"),
	("herunterladen", "lädt herunter"),
	("bestätigen", "bestätigt"),
	("einrichten", "richtet ein"),
	("ändern", "ändert"),
	("tauschen", "tauscht"),
	("reparieren", "repariert"),
	("dokumentieren", "dokumentiert"),
	("informieren", "informiert"),
	("beauftragen", "beauftragt"),
	("planen", "plant"),
	("buchen", "bucht"),
	("stornieren", "storniert"),
	("zurücksetzen", "setzt zurück"),
	("freischalten", "schaltet frei"),
	("fotografieren", "fotografiert"),
	("verfolgen", "verfolgt"),
]
ADJECTIVES = [
	"defekt",
	"verspätet",
	"beschädigt",
	"unvollständig",
	"falsch",
	"dringend",
	"gesperrt",
	"abgelaufen",
	"unterbrochen",
	"gelb",
	"rot",
	"zu warm",
	"nicht lesbar",
	"doppelt berechnet",
	"nicht angekommen",
]
PLACES = ["im Portal", "an der Rampe", "auf der Autobahn", "im Lager", "beim Empfänger", "in der Disposition"]
FILLER = ["Bitte beachten Sie:", "In der Regel", "Wichtig:", "Zum Beispiel", "Danach", "Außerdem"]
QUESTIONS = ["wie", "wo", "was mache ich wenn", "warum", "wann"]

CATEGORIES = [
	"Sendungsverfolgung",
	"Fahrzeuge und Pannen",
	"Rechnung und Abrechnung",
	"Zugang und Konto",
	"Gefahrgut",
]
COMPOUNDS = [head + tail for head in HEADS for tail in TAILS]


def noun(rng: random.Random) -> str:
	_, singular, plural = rng.choice(NOUNS)
	return plural if rng.random() < 0.3 else singular


def compound(rng: random.Random) -> str:
	word = rng.choice(COMPOUNDS)
	return word[0].upper() + word[1:]


def sentence(rng: random.Random) -> str:
	infinitive, finite = rng.choice(VERBS)
	article, singular, _ = rng.choice(NOUNS)
	templates = [
		f"Wenn {article} {singular} {rng.choice(ADJECTIVES)} ist, {finite.split()[0]} die Disposition {compound(rng)}.",
		f"{rng.choice(FILLER)} {infinitive.capitalize()} Sie {noun(rng)} und {noun(rng)} {rng.choice(PLACES)}.",
		f"Die {compound(rng)} {finite} der Fahrer, bevor {article} {singular} übergeben wird.",
		f"Bei {compound(rng)} oder {compound(rng)} eröffnen Sie ein Ticket vom Typ {noun(rng)}.",
		f"Nennen Sie {compound(rng)}, {compound(rng)} und die TS-Sendungsnummer TS{rng.randrange(10**10):010d}.",
		f"{noun(rng)} mit {compound(rng)} werden innerhalb von {rng.randint(2, 48)} Stunden {finite.split()[0]}.",
		f"Sie können {noun(rng)} {rng.choice(PLACES)} {infinitive}, wenn {compound(rng)} {rng.choice(ADJECTIVES)} ist.",
	]
	return rng.choice(templates)


def make_article(number: int, rng: random.Random) -> Document:
	infinitive, _ = rng.choice(VERBS)
	title = f"{compound(rng)} {rng.choice(ADJECTIVES)}: {noun(rng)} {infinitive}"
	headings = tuple(
		f"So {rng.choice(VERBS)[0]} Sie {noun(rng)}" if rng.random() < 0.5 else compound(rng)
		for _ in range(rng.randint(1, 4))
	)
	body = "\n".join(
		" ".join(sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(5, 10))
	)
	return Document(
		id=f"KB-{number:05d}",
		title=title,
		body=body,
		headings=headings,
		category=rng.choice(CATEGORIES),
		tags=tuple(rng.sample(["Panne", "Tour", "Rechnung", "Portal", "Kühlung", "ADR", "Zoll"], 2)),
		published=rng.random() < 0.92,
		internal=rng.random() < 0.05,
		helpful_score=rng.uniform(-0.5, 1.0),
		updated_at=NOW - timedelta(days=rng.randint(0, 1500)),
	)


def with_typo(word: str, rng: random.Random) -> str:
	position = rng.randrange(1, len(word) - 1)
	edit = rng.choice(("drop", "swap", "change", "add"))
	if edit == "drop":
		return word[:position] + word[position + 1 :]
	if edit == "swap":
		return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
	letter = rng.choice("aeinrstlu")
	if edit == "change":
		return word[:position] + letter + word[position + 1 :]
	return word[:position] + letter + word[position:]


def spelled_without_umlauts(text: str) -> str:
	for letter, spelling in (
		("ä", "ae"),
		("ö", "oe"),
		("ü", "ue"),
		("Ä", "Ae"),
		("Ö", "Oe"),
		("Ü", "Ue"),
		("ß", "ss"),
	):
		text = text.replace(letter, spelling)
	return text


def make_query(rng: random.Random) -> str:
	kind = rng.random()
	if kind < 0.2:
		return noun(rng)
	if kind < 0.35:
		return compound(rng)
	if kind < 0.45:
		return rng.choice(HEADS + [tail.capitalize() for tail in TAILS])
	if kind < 0.65:
		return " ".join([noun(rng), rng.choice(VERBS)[0]] + ([compound(rng)] if rng.random() < 0.5 else []))
	if kind < 0.75:
		return f"{rng.choice(QUESTIONS)} {rng.choice(VERBS)[0]} ich {noun(rng)} {rng.choice(PLACES)}"
	if kind < 0.85:
		return spelled_without_umlauts(f"{compound(rng)} {rng.choice(ADJECTIVES)}")
	word = compound(rng)
	return with_typo(word, rng) + (f" {noun(rng)}" if rng.random() < 0.5 else "")


def make_ticket(rng: random.Random) -> tuple[str, str]:
	subject = f"{compound(rng)} {rng.choice(ADJECTIVES)}"
	description = " ".join(
		["Hallo,", *(sentence(rng) for _ in range(rng.randint(2, 6))), "Bitte um Rückmeldung. Viele Grüße"]
	)
	return subject, description


def percentiles(samples: list[float]) -> str:
	ordered = sorted(samples)
	cuts = statistics.quantiles(ordered, n=100, method="inclusive")
	return (
		f"p50 {cuts[49]:7.2f} ms   p95 {cuts[94]:7.2f} ms   p99 {cuts[98]:7.2f} ms   "
		f"max {ordered[-1]:7.2f} ms   mean {statistics.fmean(ordered):6.2f} ms"
	)


def timed(run: Callable[[], object]) -> tuple[float, object]:
	began = time.perf_counter()
	result = run()
	return (time.perf_counter() - began) * 1000, result


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--articles", type=int, default=10_000)
	parser.add_argument("--queries", type=int, default=1_000)
	parser.add_argument("--seed", type=int, default=5)
	options = parser.parse_args()

	rng = random.Random(options.seed)
	documents = [make_article(number, rng) for number in range(options.articles)]
	queries = [make_query(rng) for _ in range(options.queries)]
	tickets = [make_ticket(rng) for _ in range(max(1, options.queries // 5))]
	synonyms = SynonymMap(
		[["Lkw", "Lastwagen", "Fahrzeug"], ["Sendung", "Paket", "Lieferung"], ["Rechnung", "Faktura"]]
	)
	words_total = sum(len(document.body.split()) for document in documents)
	print(f"articles: {len(documents):,} ({words_total / len(documents):.0f} body words on average)")

	build_ms, built = timed(lambda: SearchIndex.build(documents))
	index = built if isinstance(built, SearchIndex) else SearchIndex()
	rows_ms, rows = timed(lambda: [row for document in documents for row in index_document(document)])
	stored = rows if isinstance(rows, list) else []
	load_ms, _ = timed(lambda: SearchIndex.from_rows(documents, stored))
	print(f"build from documents:  {build_ms / 1000:8.2f} s")
	print(f"rows (index_document): {rows_ms / 1000:8.2f} s  ({len(stored):,} postings; stems cached by now)")
	print(f"load from rows:        {load_ms / 1000:8.2f} s")

	# The first query builds the sorted vocabulary and the typo map; timed on its own.
	first_ms, _ = timed(lambda: query(index, "Kühlkettenstörrung", synonyms=synonyms, now=NOW))
	print(f"first query (builds lookup structures): {first_ms:.1f} ms")

	latencies = []
	found = 0
	for text in queries:
		elapsed, hits = timed(lambda text=text: query(index, text, synonyms=synonyms, now=NOW))
		latencies.append(elapsed)
		found += bool(hits)
	print(f"query   x{len(queries):>5}: {percentiles(latencies)}   ({found / len(queries):.0%} with hits)")

	agent = SearchFilter(audience="agent")
	latencies = [
		timed(lambda text=text: query(index, text, filters=agent, now=NOW))[0] for text in queries[:200]
	]
	print(f"agent   x{len(latencies):>5}: {percentiles(latencies)}")

	latencies = [
		timed(lambda ticket=ticket: suggest(index, *ticket, synonyms=synonyms, now=NOW))[0]
		for ticket in tickets
	]
	print(f"suggest x{len(tickets):>5}: {percentiles(latencies)}")

	changes = [make_article(number, rng) for number in range(100)]
	latencies = [timed(lambda document=document: index.add(document))[0] for document in changes]
	print(f"update  x{len(changes):>5}: {percentiles(latencies)}")
	after_ms, _ = timed(lambda: query(index, "Sendung prüfen", now=NOW))
	print(f"first query after updates (norms recomputed): {after_ms:.1f} ms")

	peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
	print(f"peak memory of the process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
	main()

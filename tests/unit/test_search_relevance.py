"""Relevance of the knowledge-base search on the pilot articles: recall@3 and MRR.

The index holds every pilot article (drafts and internal ones too, as the site's index does)
plus the English articles of ``fixtures/search/relevance.json``; customers' searches must find
the expected article among the first three for at least 90 % of the queries, and must never see
the draft or the internal article. Run with ``pytest -s`` to see the numbers.
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from techsolutions_support.core.search import (
	Document,
	Hit,
	SearchFilter,
	SearchIndex,
	SynonymMap,
	query,
	split_article_html,
)

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "fixtures" / "pilot" / "kb_articles.json"
RELEVANCE = ROOT / "fixtures" / "search" / "relevance.json"
SYNONYMS_DE = ROOT / "fixtures" / "search" / "synonyms_de.json"

TARGET_RECALL_AT_3 = 0.9
# Ranks beyond this count as "not found" for the reciprocal rank.
RESULTS_READ = 10


def load_json(path: Path) -> dict:
	return json.loads(path.read_text(encoding="utf-8"))


def article_document(article: dict) -> Document:
	headings, body = split_article_html(article["content"])
	return Document(
		id=article["title"],
		title=article["title"],
		body=body,
		headings=headings,
		language=article.get("language", "de"),
		category=article["category"],
		published=article["status"] == "Published",
		internal=article["internal"],
	)


@pytest.fixture(scope="module")
def relevance() -> dict:
	return load_json(RELEVANCE)


@pytest.fixture(scope="module")
def pilot_articles() -> list[dict]:
	return load_json(PILOT)["articles"]


@pytest.fixture(scope="module")
def hidden_titles(pilot_articles: list[dict]) -> set[str]:
	return {
		article["title"]
		for article in pilot_articles
		if article["status"] != "Published" or article["internal"]
	}


@pytest.fixture(scope="module")
def index(pilot_articles: list[dict], relevance: dict) -> SearchIndex:
	return SearchIndex.build(article_document(article) for article in pilot_articles + relevance["corpus"])


@pytest.fixture(scope="module")
def synonyms(relevance: dict) -> dict[str, SynonymMap]:
	maps = {"de": SynonymMap(load_json(SYNONYMS_DE)["groups"], "de")}
	for language, groups in relevance["synonyms"].items():
		maps[language] = SynonymMap(groups, language)
	return maps


def search(index: SearchIndex, synonyms: dict[str, SynonymMap], item: dict, **options) -> list[Hit]:
	language = item["language"]
	return query(
		index, item["q"], language=language, synonyms=synonyms[language], limit=RESULTS_READ, **options
	)


def test_the_set_is_large_enough(relevance: dict, hidden_titles: set[str]) -> None:
	languages = [item["language"] for item in relevance["queries"]]
	assert languages.count("de") >= 40
	assert languages.count("en") >= 10
	# The pilot's draft and its internal article, at least; every probe aims at one of them.
	assert len(hidden_titles) >= 2
	assert {probe["target"] for probe in relevance["hidden_probes"]} <= hidden_titles


def test_every_expected_title_exists(
	relevance: dict, pilot_articles: list[dict], hidden_titles: set[str]
) -> None:
	titles = {article["title"] for article in pilot_articles + relevance["corpus"]} - hidden_titles
	missing = {title for item in relevance["queries"] for title in item["expect"]} - titles
	assert not missing


def test_recall_at_3_and_mrr(index: SearchIndex, synonyms: dict[str, SynonymMap], relevance: dict) -> None:
	found_in_3: dict[str, list[bool]] = defaultdict(list)
	reciprocal: dict[str, list[float]] = defaultdict(list)
	misses: list[str] = []
	for item in relevance["queries"]:
		ranked = [hit.doc_id for hit in search(index, synonyms, item)]
		rank = next((place for place, doc_id in enumerate(ranked, 1) if doc_id in item["expect"]), None)
		for group in ("all", item["language"], item["kind"]):
			found_in_3[group].append(rank is not None and rank <= 3)
			reciprocal[group].append(1 / rank if rank else 0.0)
		if rank != 1:
			misses.append(f"{item['q']!r} ({item['language']}): rank {rank}, first {ranked[:3]}")

	lines = [f"{'queries':<10} {'n':>3} {'recall@3':>9} {'MRR':>6}"]
	for group in ["all", "de", "en", *sorted(set(found_in_3) - {"all", "de", "en"})]:
		hits, ranks = found_in_3[group], reciprocal[group]
		lines.append(
			f"{group:<10} {len(hits):>3} {sum(hits) / len(hits):>9.3f} {sum(ranks) / len(ranks):>6.3f}"
		)
	report = "\n".join(["", "Knowledge-base search relevance", *lines, "Not first:", *misses])
	print(report)

	recall = sum(found_in_3["all"]) / len(found_in_3["all"])
	mrr = sum(reciprocal["all"]) / len(reciprocal["all"])
	assert recall >= TARGET_RECALL_AT_3, f"recall@3 {recall:.3f}, MRR {mrr:.3f}{report}"


def test_customers_never_see_the_draft_or_the_internal_article(
	index: SearchIndex, synonyms: dict[str, SynonymMap], relevance: dict, hidden_titles: set[str]
) -> None:
	seen = {
		(item["q"], hit.doc_id)
		for item in relevance["queries"] + relevance["hidden_probes"]
		for hit in search(index, synonyms, item)
		if hit.doc_id in hidden_titles
	}
	assert not seen


def test_the_probes_do_reach_the_hidden_articles_for_agents(
	index: SearchIndex, synonyms: dict[str, SynonymMap], relevance: dict
) -> None:
	# Without this, the test above could pass because the probes find nothing at all.
	agent = SearchFilter(audience="agent", include_drafts=True)
	for probe in relevance["hidden_probes"]:
		ranked = [hit.doc_id for hit in search(index, synonyms, probe, filters=agent)]
		assert probe["target"] in ranked[:3], probe["q"]

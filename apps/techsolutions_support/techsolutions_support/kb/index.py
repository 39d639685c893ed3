"""The knowledge-base search index of a site: rows in the database, one index per process.

Each HD Article has one TS Search Entry: the article as the engine reads it (plain text,
headings, flags) and its postings (``core.search.index_document``) as JSON. Article events
rewrite the entry at once (events/hd_article.py). Every process keeps a ``SearchIndex`` built
from the entries and a version number it was built at; a change increments the version in
plain Redis (``frappe.cache``), and a process that sees another number reloads. The version is
incremented right away (the writing process reloads and reads its own uncommitted rows), again
after the commit (the other processes then read the committed rows) and after a rollback (so
no process keeps rows that were never committed).

	bench --site <site> ts-rebuild-search-index
"""

import json
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from redis.exceptions import RedisError

import frappe
from frappe.utils import add_to_date, now_datetime

from techsolutions_support.core.search import (
	FIELDS,
	Document,
	Posting,
	SearchIndex,
	SynonymMap,
	index_document,
	split_article_html,
)

ENTRY = "TS Search Entry"
VERSION_KEY = "ts_kb_search_version"
LANGUAGES = ("de", "en")
# Feedback older than this no longer moves the ranking: articles change, so do opinions.
FEEDBACK_WINDOW = timedelta(days=180)

# GAP: an install of the app without this checkout has no app synonym file; HD Synonyms still work.
SYNONYM_FILES = {"de": Path(__file__).resolve().parents[4] / "fixtures" / "search" / "synonyms_de.json"}

logger = frappe.logger("ts.kb")


@dataclass(frozen=True)
class LoadedIndex:
	version: int | None
	index: SearchIndex
	synonyms: dict[str, SynonymMap]


_loaded: dict[str, LoadedIndex] = {}
_load_lock = threading.Lock()


# Entries


def article_document(article, helpful_score: float = 0.0) -> Document:
	"""The engine's view of an HD Article (a document or a dict of its fields)."""
	headings, body = split_article_html(article.get("content") or "")
	category_name = article.get("category") and frappe.db.get_value(
		"HD Article Category", article.get("category"), "category_name"
	)
	return Document(
		id=article.get("name"),
		title=article.get("title") or "",
		body=body,
		headings=headings,
		language=article.get("ts_language") or "de",
		category=article.get("category") or "",
		tags=(category_name,) if category_name else (),
		published=article.get("status") == "Published",
		internal=bool(article.get("ts_internal")),
		helpful_score=helpful_score,
		updated_at=article.get("modified"),
	)


def store_article(article) -> None:
	"""Write the entry of an article (a document or its name) and tell every process."""
	if isinstance(article, str):
		article = frappe.get_doc("HD Article", article)
	document = article_document(article)
	postings = [[FIELDS.index(row.field), row.term, row.stem, row.tf] for row in index_document(document)]
	values = {
		"title": document.title,
		"language": document.language,
		"category": document.category,
		"category_name": document.tags[0] if document.tags else None,
		"is_published": int(document.published),
		"is_internal": int(document.internal),
		"headings": json.dumps(document.headings, ensure_ascii=False),
		"body": document.body,
		"postings": json.dumps(postings, ensure_ascii=False, separators=(",", ":")),
		"updated_at": document.updated_at,
	}

	if frappe.db.exists(ENTRY, document.id):
		frappe.db.set_value(ENTRY, document.id, values)
	else:
		frappe.get_doc({"doctype": ENTRY, "article": document.id, **values}).insert(ignore_permissions=True)
	announce_change()


def drop_article(name: str) -> None:
	frappe.db.delete(ENTRY, {"name": name})
	announce_change()


def rebuild() -> int:
	"""Write the entries of all articles again; return how many. Safe to run at any time."""
	frappe.db.delete(ENTRY)
	names = frappe.get_all("HD Article", pluck="name", order_by="name")
	for name in names:
		store_article(name)
	return len(names)


# Version


def _version_key() -> str:
	return frappe.cache.make_key(VERSION_KEY)


def current_version() -> int | None:
	try:
		value = frappe.cache.get(_version_key())
	except RedisError:
		logger.warning("Search index version unreadable in Redis; the loaded index is kept")
		return None
	return int(value) if value is not None else 0


def _increment_version() -> None:
	try:
		frappe.cache.incr(_version_key())
	except RedisError:
		frappe.log_error(title="Knowledge base: search index version not incremented")


def announce_change() -> None:
	_increment_version()
	# Once per transaction, however many articles it changes (a rebuild changes all).
	if not frappe.flags.ts_kb_change_pending:
		frappe.flags.ts_kb_change_pending = True
		frappe.db.after_commit.add(_settle_change)
		frappe.db.after_rollback.add(_settle_change)


def _settle_change() -> None:
	frappe.flags.ts_kb_change_pending = False
	_increment_version()


# Loading


def get_index() -> LoadedIndex:
	"""The site's index in this process, reloaded when another process changed an entry.

	One JSON row per article measured better than one row per posting (bench_kb_store.py,
	10,000 articles: written in 3.4 s and loaded in 4.2 s, against 45.5 s and 8.6 s).
	"""
	# GAP: any change reloads the whole index in every process, on its next search (about 4 s
	# at 10,000 articles); reading only the entries changed since the loaded version would not.
	site = frappe.local.site
	version = current_version()
	loaded = _loaded.get(site)
	if loaded is not None and (version is None or loaded.version == version):
		return loaded

	with _load_lock:
		loaded = _loaded.get(site)
		if loaded is None or loaded.version != version:
			loaded = LoadedIndex(version, load_index(), load_synonyms())
			_loaded[site] = loaded
	return loaded


def forget_loaded() -> None:
	_loaded.pop(frappe.local.site, None)


def load_index() -> SearchIndex:
	scores = helpful_scores()
	rows = frappe.get_all(
		ENTRY,
		fields=[
			"name",
			"title",
			"language",
			"category",
			"category_name",
			"is_published",
			"is_internal",
			"headings",
			"body",
			"postings",
			"updated_at",
		],
	)
	documents = []
	postings = []
	for row in rows:
		documents.append(
			Document(
				id=row.name,
				title=row.title or "",
				body=row.body or "",
				headings=tuple(json.loads(row.headings or "[]")),
				language=row.language or "de",
				category=row.category or "",
				tags=(row.category_name,) if row.category_name else (),
				published=bool(row.is_published),
				internal=bool(row.is_internal),
				helpful_score=scores.get(row.name, 0.0),
				updated_at=row.updated_at,
			)
		)
		postings.extend(
			Posting(row.name, FIELDS[field], term, term_stem, tf)
			for field, term, term_stem, tf in json.loads(row.postings or "[]")
		)
	return SearchIndex.from_rows(documents, postings)


def helpful_scores() -> dict[str, float]:
	"""Per article, recent "did this help?" answers as a score in -1..1, damped when few."""
	since = add_to_date(now_datetime(), days=-FEEDBACK_WINDOW.days)
	rows = frappe.get_all(
		"HD Article Feedback",
		filters={"modified": (">=", since), "feedback": ("in", ("1", "2"))},
		fields=["article", "feedback", "count(name) as answers"],
		group_by="article, feedback",
	)
	counts: dict[str, list[int]] = {}
	for row in rows:
		likes_dislikes = counts.setdefault(row.article, [0, 0])
		likes_dislikes[0 if str(row.feedback) == "1" else 1] += row.answers
	return {
		article: (likes - dislikes) / (likes + dislikes + 2) for article, (likes, dislikes) in counts.items()
	}


def load_synonyms() -> dict[str, SynonymMap]:
	"""Helpdesk's HD Synonyms (for both languages: they carry none) plus the app's files."""
	groups: dict[str, list[str]] = {}
	for row in frappe.get_all(
		"HD Synonym", fields=["parent", "synonym"], filters={"parenttype": "HD Synonyms"}
	):
		groups.setdefault(row.parent, [row.parent]).append(row.synonym)
	helpdesk_groups = list(groups.values())

	maps = {}
	for language in LANGUAGES:
		file_groups = []
		path = SYNONYM_FILES.get(language)
		if path is not None and path.exists():
			file_groups = json.loads(path.read_text(encoding="utf-8"))["groups"]
		maps[language] = SynonymMap([*helpdesk_groups, *file_groups], language)
	return maps

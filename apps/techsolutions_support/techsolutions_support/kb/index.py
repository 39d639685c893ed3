"""The knowledge-base search index of a site: rows in the database, one index per process.

Each HD Article has one TS Search Entry: the article as the engine reads it (plain text,
headings, flags) and its postings (``core.search.index_document``) as JSON. Article events
rewrite the entry at once (events/hd_article.py). Every process keeps a ``SearchIndex`` built
from the entries and the version number it is at. A change increments the version in plain
Redis (``frappe.cache``) and logs, under the new number, which articles changed (or that the
synonyms or everything changed): one Lua script, so number and entry appear together. A
process that sees another number reads the log entries since its own (``core.index_log``)
and re-reads just those articles' entries into its index, a few milliseconds; it reloads the
whole index (about 4 s at 10,000 articles) only after a rebuild, when more than
``MAX_ARTICLES_PER_CATCH_UP`` articles changed, or when the log no longer reaches back to
its version.

The version is incremented right away (the writing process re-reads its own uncommitted rows),
again after the commit (the other processes then read the committed rows) and after a rollback
(so no process keeps rows that were never committed), each time naming the articles the
transaction changed.

	bench --site <site> ts-rebuild-search-index
"""

import gc
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from redis.exceptions import RedisError

import frappe
from frappe.utils import add_to_date, now_datetime

from techsolutions_support.core.index_log import CatchUp, encode_change, plan_catch_up
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
CHANGES_KEY = "ts_kb_search_changes"
# Log entries kept in Redis; a process further behind than this reloads the whole index.
CHANGE_LOG_LENGTH = 1_000
# Beyond this many changed articles one full read of the entries is cheaper than one per article.
MAX_ARTICLES_PER_CATCH_UP = 200
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


def store_article(article, *, announce: bool = True) -> None:
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
	if announce:
		announce_change([document.id])


def drop_article(name: str) -> None:
	frappe.db.delete(ENTRY, {"name": name})
	announce_change([name])


def rebuild() -> int:
	"""Write the entries of all articles again; return how many. Safe to run at any time."""
	frappe.db.delete(ENTRY)
	names = frappe.get_all("HD Article", pluck="name", order_by="name")
	for name in names:
		store_article(name, announce=False)
	announce_change(None)
	return len(names)


# Version and change log


def _version_key() -> str:
	return frappe.cache.make_key(VERSION_KEY)


def _changes_key() -> str:
	return frappe.cache.make_key(CHANGES_KEY)


def current_version() -> int | None:
	try:
		value = frappe.cache.get(_version_key())
	except RedisError:
		logger.warning("Search index version unreadable in Redis; the loaded index is kept")
		return None
	return int(value) if value is not None else 0


# The next version and its log entry ("<version>|<payload>", scored by the version) in one
# step, so that no process sees a version without its entry; older entries are trimmed.
_PUBLISH = """
local version = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], version, version .. '|' .. ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', version - tonumber(ARGV[2]))
return version
"""


def _publish(payload: str) -> None:
	try:
		frappe.cache.eval(_PUBLISH, 2, _version_key(), _changes_key(), payload, CHANGE_LOG_LENGTH)
	except RedisError:
		frappe.log_error(title="Knowledge base: search index change not published")


def changes_between(loaded: int, current: int) -> list[tuple[int, str]]:
	"""The log entries after version `loaded` up to `current`, as (version, payload)."""
	entries = []
	for member in frappe.cache.zrangebyscore(_changes_key(), loaded + 1, current):
		version, _, payload = (member.decode() if isinstance(member, bytes) else member).partition("|")
		entries.append((int(version), payload))
	return entries


def announce_change(articles: Iterable[str] | None, *, synonyms: bool = False) -> None:
	"""Tell every process what changed: these articles, the synonyms, or (None) everything."""
	_publish(encode_change(articles, synonyms=synonyms))
	# Once more after the transaction, naming all it changed (a rebuild changes all).
	pending = frappe.flags.ts_kb_pending_changes
	if pending is None:
		pending = frappe.flags.ts_kb_pending_changes = {"articles": set(), "all": False, "synonyms": False}
		frappe.db.after_commit.add(_settle_change)
		frappe.db.after_rollback.add(_settle_change)
	if synonyms:
		pending["synonyms"] = True
	elif articles is None:
		pending["all"] = True
	else:
		pending["articles"].update(articles)


def _settle_change() -> None:
	pending = frappe.flags.ts_kb_pending_changes
	frappe.flags.ts_kb_pending_changes = None
	if not pending:
		return
	if pending["all"] or len(pending["articles"]) > MAX_ARTICLES_PER_CATCH_UP:
		_publish(encode_change(None))
		return
	if pending["synonyms"]:
		_publish(encode_change(synonyms=True))
	if pending["articles"]:
		_publish(encode_change(pending["articles"]))


# Loading


def get_index() -> LoadedIndex:
	"""The site's index in this process, brought up to date when another process changed it.

	One JSON row per article measured better than one row per posting (bench_kb_store.py,
	10,000 articles: written in 3.4 s and loaded in 4.2 s, against 45.5 s and 8.6 s); a change
	of one article re-reads that article's row only (``catch_up``).
	"""
	site = frappe.local.site
	version = current_version()
	loaded = _loaded.get(site)
	if loaded is not None and (version is None or loaded.version == version):
		return loaded

	with _load_lock:
		loaded = _loaded.get(site)
		if loaded is None:
			loaded = full_load(version)
		elif version is not None and loaded.version != version:
			loaded = catch_up(loaded, version)
		_loaded[site] = loaded
	return loaded


def full_load(version: int | None) -> LoadedIndex:
	"""The index read whole, then kept out of the garbage collector's way.

	An index of 10,000 articles is a few large dicts with millions of references; every full
	collection walked them all (measured 200-340 ms each), in whichever request it happened to
	fall. Frozen objects are skipped by the collector and still freed by reference counting
	when a later reload drops them; the freeze is lifted before each load so that nothing frozen
	earlier is kept for good.
	"""
	gc.unfreeze()
	loaded = LoadedIndex(version, load_index(), load_synonyms())
	gc.collect()
	gc.freeze()
	return loaded


def catch_up(loaded: LoadedIndex, version: int) -> LoadedIndex:
	"""`loaded` brought to `version`: the changed articles applied in place, or a full reload."""
	try:
		entries = changes_between(loaded.version, version) if loaded.version is not None else []
	except RedisError:
		entries = []
	plan: CatchUp = plan_catch_up(loaded.version, version, entries, MAX_ARTICLES_PER_CATCH_UP)
	if plan.reload_all:
		return full_load(version)
	if plan.articles:
		apply_articles(loaded.index, plan.articles)
	synonyms = load_synonyms() if plan.synonyms else loaded.synonyms
	return LoadedIndex(version, loaded.index, synonyms)


def apply_articles(index: SearchIndex, names: Iterable[str]) -> None:
	"""Re-read the entries of these articles into `index`; an article without an entry leaves it."""
	names = sorted(set(names))
	rows = {row.name: row for row in _entry_rows({"name": ("in", names)})}
	scores = helpful_scores(names)
	for name in names:
		row = rows.get(name)
		if row is None:
			index.remove(name)
		else:
			index.add(_document(row, scores), _postings(row))


def forget_loaded() -> None:
	_loaded.pop(frappe.local.site, None)


_ENTRY_FIELDS = (
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
)


def load_index() -> SearchIndex:
	scores = helpful_scores()
	documents = []
	postings: list[Posting] = []
	for row in _entry_rows():
		documents.append(_document(row, scores))
		postings.extend(_postings(row))
	return SearchIndex.from_rows(documents, postings)


def _entry_rows(filters: dict | None = None) -> list:
	return frappe.get_all(ENTRY, filters=filters or {}, fields=list(_ENTRY_FIELDS))


def _document(row, scores: dict[str, float]) -> Document:
	return Document(
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


def _postings(row) -> list[Posting]:
	return [
		Posting(row.name, FIELDS[field], term, term_stem, tf)
		for field, term, term_stem, tf in json.loads(row.postings or "[]")
	]


def helpful_scores(articles: list[str] | None = None) -> dict[str, float]:
	"""Per article (all, or those named), recent "did this help?" answers as a score in -1..1,
	damped when few."""
	since = add_to_date(now_datetime(), days=-FEEDBACK_WINDOW.days)
	filters = {"modified": (">=", since), "feedback": ("in", ("1", "2"))}
	if articles is not None:
		filters["article"] = ("in", articles)
	rows = frappe.get_all(
		"HD Article Feedback",
		filters=filters,
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

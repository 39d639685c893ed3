"""Knowledge-base methods of the portal, served by the app's search (hooks.py overrides Helpdesk's).

Helpdesk's own search needs the RediSearch module and drops umlauts and ß; these methods use
``core.search`` on the index of kb/index.py and work on plain Redis. Customers (and guests,
where TS KB Settings allow them) see published, non-internal articles only: not in search,
not in category lists or counts, not by name.

GAP: Helpdesk's scheduler still runs its own index build (helpdesk.search.build_index_if_not_exists)
on plain Redis, where it fails and writes an Error Log each time; nothing here depends on it.
"""

import html
import re

import frappe
from frappe.utils import get_user_info_for_avatar

from helpdesk.api.article import get_article_stats as helpdesk_get_article_stats
from helpdesk.api.knowledge_base import get_article as helpdesk_get_article
from helpdesk.api.knowledge_base import merge_category as helpdesk_merge_category
from helpdesk.api.knowledge_base import move_to_category as helpdesk_move_to_category

from techsolutions_support.core import search as engine
from techsolutions_support.core.text import fold
from techsolutions_support.kb import deflection, drafts
from techsolutions_support.kb.access import audience, require_article, require_reader
from techsolutions_support.kb.index import LoadedIndex, get_index, store_article
from techsolutions_support.permissions import require_role

# Who may turn a resolved ticket into an article draft.
DRAFT_WRITERS = ("Agent", "Agent Manager", "System Manager")
# Helpdesk's portal shows five suggestions; its search page as many.
SUGGESTIONS = 5
MAX_RESULTS = 20
EXCERPT_LENGTH = 100
_TOKEN = re.compile(r"[^\W_]+")
_ANCHOR_UNSAFE = re.compile(r"[^a-zA-Z0-9]+")
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]\s*>", re.IGNORECASE | re.DOTALL)


@frappe.whitelist(allow_guest=True)
def search(query: str) -> list[dict]:
	"""Helpdesk's ``helpdesk.api.article.search``: up to five articles, in its item shape."""
	require_reader()

	text = query
	loaded = get_index()

	def run(index, language, count, filters):
		return engine.query(
			index, text, language=language, limit=count, filters=filters, synonyms=loaded.synonyms[language]
		)

	reader = audience()
	hits = _search(loaded, run, SUGGESTIONS, reader)
	items = _items(loaded, hits)

	if reader == "customer":
		deflection.record_search(text, [hit.doc_id for hit in hits], source="search")
	return items


# GAP: Helpdesk's new-ticket form (SearchArticles.vue) sends only the subject to ``search``;
# the description reaches suggest_articles only once a portal component calls it.
@frappe.whitelist(allow_guest=True)
def suggest_articles(subject: str, description: str = "", limit: int = SUGGESTIONS) -> list[dict]:
	"""Articles for a ticket being written, from its subject and description."""
	require_reader()

	loaded = get_index()
	limit = max(1, min(int(limit), MAX_RESULTS))

	def run(index, language, count, filters):
		return engine.suggest(
			index,
			subject,
			description,
			count,
			language=language,
			filters=filters,
			synonyms=loaded.synonyms[language],
		)

	reader = audience()
	hits = _search(loaded, run, limit, reader)
	items = _items(loaded, hits)

	if reader == "customer":
		deflection.record_search(
			" ".join(filter(None, (subject, description))), [h.doc_id for h in hits], "ticket form"
		)
	return items


@frappe.whitelist(allow_guest=True)
def get_article(name: str) -> dict:
	"""Helpdesk's ``get_article``, for a customer only when the article is published and not internal."""
	require_article(name)
	return helpdesk_get_article(name)


@frappe.whitelist(allow_guest=True)
def get_categories() -> list[dict]:
	"""Helpdesk's ``get_categories``: categories with the published articles the user may read."""
	require_reader()

	counts = _published_counts()
	categories = _list("HD Article Category", fields=["name", "category_name", "modified"])
	for category in categories:
		category["article_count"] = counts.get(category["name"], 0)
	categories = [category for category in categories if category["article_count"] > 0]
	categories.sort(key=lambda category: category["article_count"], reverse=True)
	return categories


@frappe.whitelist(allow_guest=True)
def get_category_articles(category: str) -> list[dict]:
	"""Helpdesk's ``get_category_articles``, without articles the user may not read."""
	require_reader()

	articles = _list(
		"HD Article",
		filters=_visible_filters({"category": category}),
		fields=["name", "title", "published_on", "modified", "author", "content"],
	)
	for article in articles:
		article["author"] = get_user_info_for_avatar(article["author"])
		_, body = engine.split_article_html(article["content"] or "")
		article["content"] = " ".join(body.split())[:EXCERPT_LENGTH]
	return articles


@frappe.whitelist(allow_guest=True)
def increment_views(article: str) -> None:
	"""Helpdesk's ``increment_views``: counts a visit, and logs it as an article opened."""
	require_article(article)

	if audience() == "agent":
		return
	if deflection.record_open(article):
		views = frappe.db.get_value("HD Article", article, "views") or 0
		frappe.db.set_value("HD Article", article, "views", views + 1, update_modified=False)


@frappe.whitelist()
def get_article_stats(article_name: str) -> dict:
	"""Helpdesk's ``get_article_stats``, for articles the user may read."""
	require_article(article_name)
	return helpdesk_get_article_stats(article_name)


@frappe.whitelist(methods=["POST"])
def move_to_category(category: str, articles: list[str]) -> None:
	"""Helpdesk's ``move_to_category``; it writes the category without document events, so the
	moved articles are indexed here (their category is a search field and filter)."""
	helpdesk_move_to_category(category, articles)

	for article in frappe.parse_json(articles) if isinstance(articles, str) else articles:
		store_article(article)


@frappe.whitelist(methods=["POST"])
def merge_category(source: str, target: str) -> None:
	"""Helpdesk's ``merge_category``, indexing the articles it moves without document events."""
	moved = frappe.get_all("HD Article", filters={"category": source}, pluck="name")

	helpdesk_merge_category(source, target)

	for article in moved:
		store_article(article)


@frappe.whitelist(methods=["POST"])
def create_article_draft(ticket: str) -> dict:
	"""A draft article from a resolved ticket (kb/drafts.py), linked to it as its solving article."""
	require_role(DRAFT_WRITERS)

	article = drafts.create_draft(ticket)

	return {"article": article.name, "title": article.title, "url": f"/helpdesk/kb/articles/{article.name}"}


# Helpers


def _visible_filters(filters: dict) -> dict:
	"""Published articles; for customers the permission query hides internal ones as well."""
	filters = {**filters, "status": "Published"}
	if audience() == "customer":
		filters["ts_internal"] = 0
	return filters


def _list(doctype: str, **kwargs) -> list:
	"""Frappe's permission-aware list; for a guest (let in by require_reader) the explicit
	filters of _visible_filters alone, as guests hold no role that reads articles."""
	if frappe.session.user == "Guest":
		return frappe.get_all(doctype, **kwargs)
	return frappe.get_list(doctype, **kwargs)


def _published_counts() -> dict[str, int]:
	rows = _list(
		"HD Article",
		filters=_visible_filters({}),
		fields=["category", "count(name) as article_count"],
		group_by="category",
	)
	return {row.category: row.article_count for row in rows if row.category}


def _search(loaded: LoadedIndex, run, limit: int, reader: str) -> list[engine.Hit]:
	"""The user's language first, then the other to fill up (English articles for English users)."""
	filters = engine.SearchFilter(audience=reader)
	first = "en" if (frappe.local.lang or "de").startswith("en") else "de"
	hits = run(loaded.index, first, limit, filters)
	if len(hits) < limit:
		second = "de" if first == "en" else "en"
		hits += run(loaded.index, second, limit - len(hits), filters)

	# The entry of an article changed in a transaction not yet committed may lag: the
	# article's own row decides last what a customer gets.
	if hits and filters.audience == "customer":
		visible = set(
			frappe.get_all(
				"HD Article",
				filters=_visible_filters({"name": ("in", [hit.doc_id for hit in hits])}),
				pluck="name",
			)
		)
		hits = [hit for hit in hits if hit.doc_id in visible]
	# An article another thread of this process just removed from the index has no item.
	return [hit for hit in hits if hit.doc_id in loaded.index]


def _items(loaded: LoadedIndex, hits: list[engine.Hit]) -> list[dict]:
	"""Helpdesk's items of the hits; the articles' HTML read in one query, only where a heading
	has to be found by the snippet."""
	documents = {hit.doc_id: loaded.index.get(hit.doc_id) for hit in hits}
	unmatched = [hit.doc_id for hit in hits if not _heading_with_match(hit, documents[hit.doc_id].headings)]
	contents = (
		dict(
			frappe.get_all(
				"HD Article", filters={"name": ("in", unmatched)}, fields=["name", "content"], as_list=True
			)
		)
		if unmatched
		else {}
	)
	return [_item(documents[hit.doc_id], hit, contents.get(hit.doc_id)) for hit in hits]


def _item(document: engine.Document, hit: engine.Hit, content: str | None) -> dict:
	heading = _matched_heading(hit, document.headings, content)
	return {
		"id": hit.doc_id,
		"name": f"{hit.doc_id}#{_anchor(heading)}",
		"subject": document.title,
		"headings": heading,
		"description": _highlight(hit.snippet, set(hit.matched_terms)),
		"score": round(hit.score, 4),
	}


def _heading_with_match(hit: engine.Hit, headings: tuple[str, ...]) -> str | None:
	matched = set(hit.matched_terms)
	for heading in headings:
		if matched.intersection(fold(word) for word in _TOKEN.findall(heading)):
			return heading
	return None


def _matched_heading(hit: engine.Hit, headings: tuple[str, ...], content: str | None) -> str:
	"""The heading that holds a matched word, else the one over the snippet, else the first.

	`content` is the article's HTML, needed only when no heading holds a matched word.
	"""
	found = _heading_with_match(hit, headings)
	if found is not None:
		return found
	if not headings:
		return ""

	content = content or ""
	snippet = hit.snippet.strip("…").strip()
	for heading, section in _sections(content):
		if heading and snippet and snippet[:40] in " ".join(section.split()):
			return heading
	return headings[0]


def _sections(content: str) -> list[tuple[str, str]]:
	"""(heading, plain text below it) of an article's HTML; the text before any heading has none."""
	parts = _HEADING.split(content)
	sections = [("", engine.split_article_html(parts[0])[1])]
	for position in range(1, len(parts) - 1, 2):
		heading = " ".join(engine.split_article_html(f"<p>{parts[position]}</p>")[1].split())
		sections.append((heading, engine.split_article_html(parts[position + 1])[1]))
	return sections


def _anchor(heading: str) -> str:
	# The same anchor Helpdesk's search gives a heading, so its article page scrolls to it.
	return _ANCHOR_UNSAFE.sub("-", heading).lower()


def _highlight(snippet: str, matched: set[str]) -> str:
	"""The snippet as HTML (the portal renders it so): escaped, matched words in bold."""
	parts = []
	position = 0
	for token in _TOKEN.finditer(snippet):
		parts.append(html.escape(snippet[position : token.start()]))
		word = html.escape(token.group())
		parts.append(f"<b>{word}</b>" if fold(token.group()) in matched else word)
		position = token.end()
	parts.append(html.escape(snippet[position:]))
	return "".join(parts)

"""Full-text search of knowledge-base articles, German first: index rows, ranking, snippets.

A document (one article) is read into plain rows, ``index_document(doc) -> list[Posting]``, that
an adapter can keep in a database table and load again with ``SearchIndex.from_rows``. The index
answers ``query`` (the portal's search box) and ``suggest`` (the new-ticket form), both returning
``Hit`` rows, best first::

	index = SearchIndex.build(documents)
	hits = query(index, "Kühlkette unterbrochen", language="de", limit=10)
	index.add(edited_document)  # replaces the older version at once
	index.remove("KB-0012")

Contract
--------

- Pure: no Frappe, no I/O, no clock (recency is measured from the ``now`` the caller passes),
  no network. A ``SearchIndex`` may be shared between threads: a lock guards its changes and
  the structures it builds lazily while searching.
- The only exception raised on purpose is ``ValueError``: a language other than German ("de")
  or English ("en") (regional codes such as "de-AT" are accepted), an unknown field in a
  ``Posting``, an unknown audience in a ``SearchFilter``, or a ranking parameter out of range.
  An error raised by the caller's own ``visible`` predicate reaches the caller unchanged. Any
  text, also empty or made of stop words only, gives a (possibly empty) list of hits.
- Who sees what: the engine filters as well as the caller. The default filter is the customer's:
  unpublished (draft, archived) and internal documents never come back. Agents see internal
  documents, drafts only when asked for.

Words
-----

Text is split into words by ``text.words`` (folded: lower case, ä -> ae, ß -> ss, accents
dropped), so "Straße", "Strasse" and "STRASSE" are one word, "Kühlkette" and "Kuehlkette" too.
Words of one character or over 64, and the stop words of the document's language
(``STOP_WORDS``) are not indexed. Every word has a search stem: the Snowball stem of its
language, except that a German word ending in -as, -os, -ys or -ws loses the -s first, so the
plurals "Fotos", "Lkws", "Handys" meet their singulars, which Snowball leaves apart.

Matching
--------

Each word of a query is looked up in the vocabulary of the documents in the query's language,
and every document word it reaches is weighed by how it was reached (``RankingParams``,
defaults in brackets):

1. exact: the same folded word (1.0);
2. stem: another word with the same search stem, so inflections and plurals match (0.7);
3. synonym: a word of the caller's ``SynonymMap`` group, reached by rule 1, 2 or 4 (0.85 times
   the weight of that rule);
4. compound part (German only): the query word, of 4 or more letters, is the head or the tail
   of a longer document word, compared as folded words or as stems. A head may be followed by a
   linking element (-es-, -en-, -er-, -s-, -n-, -e-); what is left of the document word must
   have 3 or more letters, and a head is not taken when the rest says "without" (-frei, -los,
   -sicher, -freiheit, -losigkeit). So "Kühlkette" reaches "Kühlkettenunterbrechung",
   "Getriebe" reaches "Getriebeöl", "Panne" reaches "Reifenpanne" (0.45);
5. split query compound (German only, when rules 1 to 3 found nothing): the query word is split
   once where one side, or best both, is a known word, the linking element left out, and each
   side is searched as a word of its own under rules 1 to 4 and 6, weighed as a part (0.45
   times that rule's weight): "Transportschaden" finds "Schaden";
6. typo (when rules 1 to 3 found nothing): a query word of 5 or more letters, letters only,
   reaches the document words one edit away (one letter added, dropped or changed, or two
   neighbours swapped) and their stem relatives (0.3). Shorter words and two edits find nothing.

Compounds are matched at query time, against the vocabulary of the whole index, and not split
when a document is indexed: a split that depended on the other documents would make a
document's rows stale whenever another document is added or removed. Typos are looked up in a
map from every word minus one letter to the words, built on the first typo and kept up to date.

Ranking
-------

BM25F: per query word, a document's weighted frequency is the sum over the document words the
query word reached, of reach weight x field weight x occurrences / (1 - b + b x field length /
average field length), with fields title > headings > tags (tags and category) > body. The
query word scores idf x f x (k1 + 1) / (f + k1), idf = ln(1 + (N - n + 0.5) / (n + 0.5)) over
the N documents of the language and the n it reached; the words' scores add up, each times its
query weight (in ``suggest``, subject words weigh more than description words). The sum is
multiplied by (1 + helpful_boost x helpful_score), the score clamped to -1..1, and by
(1 + recency_boost x 0.5 ** (age in days / recency_half_life_days)) when ``now`` is given. Ties
are broken by document id.

Snippet: the body sentence (a line, or a part of one ending in . ! or ?) holding the most
distinct matched words, the first of equals, else the first sentence; plain text, at most 200
characters, cut around the first matched word with "…" where text was left out.

Not handled (marked GAP where it lives): synonym entries of several words, and a word that only
ends another one counts as its tail ("Panne" reaches "Zeitspanne", weighed as a part).
"""

import bisect
import functools
import heapq
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from techsolutions_support.core.text import fold, parse_keyword_list, stem, words

__all__ = [
	"FIELDS",
	"STOP_WORDS",
	"Document",
	"Hit",
	"Posting",
	"RankingParams",
	"SearchFilter",
	"SearchIndex",
	"SynonymMap",
	"index_document",
	"query",
	"split_article_html",
	"suggest",
]

FIELDS = ("title", "headings", "tags", "body")
_FIELD_INDEX = {name: index for index, name in enumerate(FIELDS)}

_LANGUAGES = ("de", "en")
_AUDIENCES = ("customer", "agent")

# Folded spellings: "für" is "fuer", "daß" is "dass". Words that carry meaning in a support
# text ("nicht" aside, which the engine cannot read anyway) stay out of these lists.
_GERMAN_STOP_WORDS = """
	aber alle allem allen aller alles als also am an andere anderem anderen anderer anderes auch
	auf aus bei beim bin bis bist bzw da dadurch dafuer dagegen daher damit danach dann darauf
	darin darum das dass davon dazu dein deine deinem deinen deiner dem den denn der deren des
	dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem
	einen einer eines er es etc etwa etwas euch euer eure fuer gegen hab habe haben hast hat hatte
	hatten hier hin ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in ins ist ja jede jedem
	jeden jeder jedes jetzt kann kannst kein keine keinem keinen keiner koennen koennte man mein
	meine meinem meinen meiner mich mir mit muss muessen nach nicht noch nun nur ob oder ohne
	schon sehr sein seine seinem seinen seiner seit sich sie sind so soll sollen sollte sondern
	um und uns unser unsere unserem unseren unserer usw vom von vor war waren warum was weil
	welche welchem welchen welcher welches wann wenn wer werde werden weshalb wie wieder wieso
	will wir wird wo woran worauf wurde wurden zu zum zur ueber
"""
_ENGLISH_STOP_WORDS = """
	a about after all also am an and any are as at be because been before being both but by can
	could did do does doing down during each few for from further had has have having he her here
	hers him his how i if in into is it its itself me more most my no nor not of off on once only
	or other our ours out over own same she should so some such than that the their theirs them
	then there these they this those through to too under until up very was we were what when
	where which while who whom why will with would you your yours
"""

STOP_WORDS: dict[str, frozenset[str]] = {
	"de": frozenset(_GERMAN_STOP_WORDS.split()),
	"en": frozenset(_ENGLISH_STOP_WORDS.split()),
}

# Greetings and filler of a ticket text that say nothing about its subject; dropped by suggest.
_TICKET_FILLER: dict[str, frozenset[str]] = {
	"de": frozenset(
		"""
		hallo hi guten tag morgen abend geehrte geehrter geehrtes damen herren liebe lieber
		bitte danke dank vielen freundlichen gruessen gruss gruesse mfg lg vg beste besten
		problem probleme frage fragen anfrage hilfe dringend
		""".split()
	),
	"en": frozenset(
		"""
		hello hi dear sir madam team regards kind best thanks thank please problem problems
		issue issues question questions help urgent
		""".split()
	),
}

_MIN_WORD = 2
# Longer runs are pasted hashes or URLs, not words anyone searches for.
_MAX_WORD = 64
# A query longer than this is a pasted text; its first words are what was meant.
_MAX_QUERY_WORDS = 32
_MAX_DESCRIPTION_WORDS = 40
# Of the description's words, those reaching the fewest postings are searched: they say what
# the ticket is about, and common words would only cost time (a ticket of 40 words reaching
# thousands of articles each took 50 ms over 10,000 articles; 12 words keep it near 15).
_MAX_OPTIONAL_TERMS = 12

_MIN_COMPOUND_WORD = 4
_MIN_COMPOUND_REST = 3
_MIN_TYPO_WORD = 5
# Longest first: the first that fits is the linking element.
_LINKERS = ("es", "en", "er", "s", "n", "e")
_ABSENCE_RESTS = frozenset(
	{base + ending for base in ("frei", "los", "sicher") for ending in ("", "e", "em", "en", "er", "es")}
	| {"freiheit", "losigkeit"}
)
# Letters before a final -s that mark a plural Snowball does not remove (Fotos, Handys, Lkws).
_PLURAL_S_AFTER = frozenset("aoyw")

_SNIPPET_LENGTH = 200
# Characters of context kept before the first matched word when a long sentence is cut.
_SNIPPET_LEAD = 60
_ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[^\W_]+")

_SECONDS_PER_DAY = 86400.0


def _language_code(language: str) -> str:
	code = language.strip().lower().replace("_", "-").split("-")[0]
	if code not in _LANGUAGES:
		raise ValueError(f"unsupported language {language!r}: use 'de' or 'en'")
	return code


@functools.lru_cache(maxsize=131072)
def _search_stem(word: str, code: str) -> str:
	if code == "de" and len(word) >= 4 and word[-1] == "s" and word[-2] in _PLURAL_S_AFTER:
		word = word[:-1]
	return stem(word, code)


def _index_words(text: str, code: str) -> list[str]:
	stop = STOP_WORDS[code]
	return [word for word in words(text) if _MIN_WORD <= len(word) <= _MAX_WORD and word not in stop]


@dataclass(frozen=True, slots=True)
class Document:
	"""One article as the engine sees it: plain text, no HTML (see ``split_article_html``).

	``helpful_score`` is the caller's measure of recent feedback, from -1 (nobody found it
	helpful) to 1 (everybody did); values outside are clamped. ``published`` is False for
	drafts and archived articles. A document is not published unless said so.
	"""

	id: str
	title: str
	body: str = ""
	headings: tuple[str, ...] = ()
	language: str = "de"
	category: str = ""
	tags: tuple[str, ...] = ()
	published: bool = False
	internal: bool = False
	helpful_score: float = 0.0
	updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Posting:
	"""One row of the stored index: a word of one field of one document.

	``term`` is the folded word, ``stem`` its search stem in the document's language (kept so
	loading needs no stemmer), ``tf`` how often it occurs in the field.
	"""

	doc_id: str
	field: str
	term: str
	stem: str
	tf: int


@dataclass(frozen=True, slots=True)
class Hit:
	"""One search result.

	``matched_terms`` are the folded words of the document that the query reached, the best
	reached first for each query word, in query order.
	"""

	doc_id: str
	score: float
	matched_terms: tuple[str, ...]
	snippet: str


@dataclass(frozen=True)
class RankingParams:
	"""Weights of the ranking; the module docstring says how each is used."""

	k1: float = 1.2
	b: float = 0.75
	title_weight: float = 3.0
	headings_weight: float = 1.8
	tags_weight: float = 1.4
	body_weight: float = 1.0
	exact_weight: float = 1.0
	stem_weight: float = 0.7
	synonym_weight: float = 0.85
	part_weight: float = 0.45
	typo_weight: float = 0.3
	helpful_boost: float = 0.1
	recency_boost: float = 0.05
	recency_half_life_days: float = 180.0
	subject_weight: float = 1.0
	description_weight: float = 0.4

	def __post_init__(self) -> None:
		for name, value in vars(self).items():
			if not math.isfinite(value) or value < 0:
				raise ValueError(f"ranking parameter {name} must be a finite number >= 0, not {value!r}")
		if self.b > 1:
			raise ValueError(f"ranking parameter b must be at most 1, not {self.b!r}")
		if self.recency_half_life_days == 0:
			raise ValueError("ranking parameter recency_half_life_days must be above 0")

	def field_weights(self) -> tuple[float, float, float, float]:
		return (self.title_weight, self.headings_weight, self.tags_weight, self.body_weight)


@dataclass(frozen=True)
class SearchFilter:
	"""Which documents a search may return.

	``audience`` "customer" (the default) sees published, non-internal documents only; "agent"
	sees internal ones too, and drafts when ``include_drafts`` is set (ignored for customers).
	``categories``, when not empty, keeps documents of those categories; ``visible`` is the
	caller's own test, asked only about documents that passed the others.
	"""

	audience: str = "customer"
	include_drafts: bool = False
	categories: tuple[str, ...] = ()
	visible: Callable[[Document], bool] | None = None

	def __post_init__(self) -> None:
		if self.audience not in _AUDIENCES:
			raise ValueError(f"unknown audience {self.audience!r}: use 'customer' or 'agent'")

	def allows(self, document: Document) -> bool:
		if self.audience == "customer":
			if not document.published or document.internal:
				return False
		elif not document.published and not self.include_drafts:
			return False
		if self.categories and document.category not in self.categories:
			return False
		return self.visible is None or self.visible(document)


_CUSTOMER = SearchFilter()
_DEFAULTS = RankingParams()


class SynonymMap:
	"""Groups of words that mean the same, in one language: Helpdesk's HD Synonyms and the app's.

	Each group is a list of words, or one string separated by commas, semicolons or line breaks
	(``LKW, Lastwagen, Truck``). A query word belongs to a group when its folded form or its
	search stem equals a member's; it then also searches the other members. A word in several
	groups searches them all; groups are not chained further.
	"""

	def __init__(self, groups: Iterable[Iterable[str] | str] = (), language: str = "de") -> None:
		self.language = _language_code(language)
		self._groups: list[tuple[str, ...]] = []
		self._by_word: dict[str, set[int]] = {}
		self._by_stem: dict[str, set[int]] = {}
		for group in groups:
			entries = parse_keyword_list(group) if isinstance(group, str) else list(group)
			members: list[str] = []
			for entry in entries:
				parts = words(entry)
				# GAP: an entry of several words ("Proof of Delivery", "E-Rechnung") is ignored, so
				# such a phrase finds only its own words, not the rest of its group.
				if len(parts) == 1 and parts[0] not in members:
					members.append(parts[0])
			if len(members) < 2:
				continue

			group_id = len(self._groups)
			self._groups.append(tuple(members))
			for member in members:
				self._by_word.setdefault(member, set()).add(group_id)
				self._by_stem.setdefault(_search_stem(member, self.language), set()).add(group_id)

	def __len__(self) -> int:
		return len(self._groups)

	def expand(self, word: str) -> tuple[str, ...]:
		"""Return the folded members of the word's groups, those of its own stem left out."""
		folded = fold(word)
		word_stem = _search_stem(folded, self.language)
		group_ids = self._by_word.get(folded, set()) | self._by_stem.get(word_stem, set())
		found: list[str] = []
		for group_id in sorted(group_ids):
			for member in self._groups[group_id]:
				if member not in found and _search_stem(member, self.language) != word_stem:
					found.append(member)
		return tuple(found)


def split_article_html(html: str) -> tuple[tuple[str, ...], str]:
	"""Return the headings (h1 to h6) and the plain body text of an article's HTML.

	Blocks (paragraphs, list items, table cells, line breaks) become lines of the body; headings
	are left out of it. Scripts and styles are dropped, entities decoded, whitespace collapsed.
	"""
	parser = _ArticleParser()
	parser.feed(html)
	parser.close()
	parser.finish()
	return tuple(parser.headings), "\n".join(parser.lines)


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = frozenset(
	"""
	address article aside blockquote br dd details div dl dt figcaption figure footer form header
	hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul
	""".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})


class _ArticleParser(HTMLParser):
	def __init__(self) -> None:
		super().__init__(convert_charrefs=True)
		self.headings: list[str] = []
		self.lines: list[str] = []
		self._buffer: list[str] = []
		self._heading: list[str] | None = None
		self._skipping = 0

	def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
		if tag in _SKIPPED_TAGS:
			self._skipping += 1
		elif tag in _HEADING_TAGS:
			self.flush()
			self._heading = []
		elif tag in _BLOCK_TAGS:
			self.flush()

	def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
		if tag in _BLOCK_TAGS:
			self.flush()

	def handle_endtag(self, tag: str) -> None:
		if tag in _SKIPPED_TAGS:
			self._skipping = max(0, self._skipping - 1)
		elif tag in _HEADING_TAGS:
			self._end_heading()
		elif tag in _BLOCK_TAGS:
			self.flush()

	def handle_data(self, data: str) -> None:
		if self._skipping:
			return
		if self._heading is not None:
			self._heading.append(data)
		else:
			self._buffer.append(data)

	def finish(self) -> None:
		# An unclosed heading still is one.
		self._end_heading()
		self.flush()

	def _end_heading(self) -> None:
		if self._heading is None:
			return
		heading = " ".join("".join(self._heading).split())
		if heading:
			self.headings.append(heading)
		self._heading = None

	def flush(self) -> None:
		line = " ".join("".join(self._buffer).split())
		if line:
			self.lines.append(line)
		self._buffer = []


def index_document(document: Document) -> list[Posting]:
	"""Return the rows that index the document: one per distinct word and field.

	Rows come field by field (title, headings, tags with the category, body), words in order of
	first occurrence. Raises ``ValueError`` for a document in another language than de or en.
	"""
	code = _language_code(document.language)
	rows: list[Posting] = []
	for field_name, text in _field_texts(document):
		for term, count in Counter(_index_words(text, code)).items():
			rows.append(Posting(document.id, field_name, term, _search_stem(term, code), count))
	return rows


def _field_texts(document: Document) -> tuple[tuple[str, str], ...]:
	tags = [*document.tags, document.category] if document.category else list(document.tags)
	return (
		("title", document.title),
		("headings", "\n".join(document.headings)),
		("tags", "\n".join(tags)),
		("body", document.body),
	)


class _Shard:
	"""The inverted index of the documents of one language, keyed by document number."""

	def __init__(self, code: str) -> None:
		self.code = code
		# word -> per field (FIELDS order) the documents holding it and how often, or None
		self.postings: dict[str, list[dict[int, int] | None]] = {}
		self.stems: dict[str, str] = {}
		self.stem_words: dict[str, set[str]] = {}
		self.doc_terms: dict[int, tuple[str, ...]] = {}
		self.lengths: dict[int, tuple[int, int, int, int]] = {}
		self.totals = [0, 0, 0, 0]
		# Built on first use, then kept up to date; None while not built.
		self._sorted_words: list[str] | None = None
		self._reversed_words: list[str] | None = None
		self._sorted_stems: list[str] | None = None
		self._reversed_stems: list[str] | None = None
		self._one_off: dict[str, set[str]] | None = None
		self._norms: tuple[tuple[float, ...], list[dict[int, float]]] | None = None

	def __len__(self) -> int:
		return len(self.lengths)

	def insert(self, number: int, rows: Iterable[tuple[int, str, str, int]]) -> None:
		lengths = [0, 0, 0, 0]
		terms: dict[str, None] = {}
		for field_index, term, term_stem, count in rows:
			entry = self.postings.get(term)
			if entry is None:
				entry = [None, None, None, None]
				self.postings[term] = entry
				self._add_word(term, term_stem)
			docs = entry[field_index]
			if docs is None:
				docs = entry[field_index] = {}
			docs[number] = docs.get(number, 0) + count
			lengths[field_index] += count
			terms[term] = None

		self.doc_terms[number] = tuple(terms)
		self.lengths[number] = (lengths[0], lengths[1], lengths[2], lengths[3])
		for index, length in enumerate(lengths):
			self.totals[index] += length
		self._norms = None

	def delete(self, number: int) -> None:
		for term in self.doc_terms.pop(number, ()):
			entry = self.postings[term]
			for index, docs in enumerate(entry):
				if docs is not None and docs.pop(number, None) is not None and not docs:
					entry[index] = None
			if all(docs is None for docs in entry):
				del self.postings[term]
				self._drop_word(term)

		lengths = self.lengths.pop(number, (0, 0, 0, 0))
		for index, length in enumerate(lengths):
			self.totals[index] -= length
		self._norms = None

	def _add_word(self, term: str, term_stem: str) -> None:
		self.stems[term] = term_stem
		if self._sorted_words is not None and self._reversed_words is not None:
			bisect.insort(self._sorted_words, term)
			bisect.insort(self._reversed_words, term[::-1])
		siblings = self.stem_words.get(term_stem)
		if siblings is None:
			siblings = self.stem_words[term_stem] = set()
			if self._sorted_stems is not None and self._reversed_stems is not None:
				bisect.insort(self._sorted_stems, term_stem)
				bisect.insort(self._reversed_stems, term_stem[::-1])
		siblings.add(term)
		if self._one_off is not None:
			for key in _one_off_keys(term):
				self._one_off.setdefault(key, set()).add(term)

	def _drop_word(self, term: str) -> None:
		term_stem = self.stems.pop(term)
		if self._sorted_words is not None and self._reversed_words is not None:
			_remove_sorted(self._sorted_words, term)
			_remove_sorted(self._reversed_words, term[::-1])
		siblings = self.stem_words[term_stem]
		siblings.discard(term)
		if not siblings:
			del self.stem_words[term_stem]
			if self._sorted_stems is not None and self._reversed_stems is not None:
				_remove_sorted(self._sorted_stems, term_stem)
				_remove_sorted(self._reversed_stems, term_stem[::-1])
		if self._one_off is not None:
			for key in _one_off_keys(term):
				holders = self._one_off.get(key)
				if holders is not None:
					holders.discard(term)
					if not holders:
						del self._one_off[key]

	def norms(self, params: RankingParams) -> list[dict[int, float]]:
		"""Per field, per document: field weight / (1 - b + b x length / average length)."""
		key = (params.b, *params.field_weights())
		if self._norms is not None and self._norms[0] == key:
			return self._norms[1]

		count = len(self.lengths) or 1
		norms: list[dict[int, float]] = []
		for index, weight in enumerate(params.field_weights()):
			average = self.totals[index] / count or 1.0
			# Only documents with words in the field have postings there to weigh (and b = 1
			# would divide by zero on an empty field).
			norms.append(
				{
					number: weight / (1.0 - params.b + params.b * lengths[index] / average)
					for number, lengths in self.lengths.items()
					if lengths[index]
				}
			)
		self._norms = (key, norms)
		return norms

	def has_word_or_stem(self, word: str) -> bool:
		return word in self.postings or _search_stem(word, self.code) in self.stem_words

	def direct(self, word: str, factor: float, params: RankingParams, reached: dict[str, float]) -> bool:
		"""Add the words the query word reaches by rules 1, 2 and 4; True if 1 or 2 reached any."""
		found = False
		if word in self.postings:
			_keep_best(reached, word, factor * params.exact_weight)
			found = True
		word_stem = _search_stem(word, self.code)
		for sibling in self.stem_words.get(word_stem, ()):
			if sibling != word:
				_keep_best(reached, sibling, factor * params.stem_weight)
				found = True

		if self.code == "de" and word.isalpha() and len(word) >= _MIN_COMPOUND_WORD:
			for compound in self._compounds(word, word_stem):
				_keep_best(reached, compound, factor * params.part_weight)
		return found

	def typos(self, word: str, factor: float, params: RankingParams, reached: dict[str, float]) -> None:
		if len(word) < _MIN_TYPO_WORD or not word.isalpha():
			return
		if self._one_off is None:
			self._one_off = {}
			for term in self.postings:
				for key in _one_off_keys(term):
					self._one_off.setdefault(key, set()).add(term)

		candidates: set[str] = set()
		for key in (word, *_deletions(word)):
			candidates.update(self._one_off.get(key, ()))
		for candidate in candidates:
			if _is_one_edit(word, candidate):
				for sibling in self.stem_words.get(self.stems[candidate], ()):
					_keep_best(reached, sibling, factor * params.typo_weight)

	def split(self, word: str) -> tuple[str, ...]:
		"""Split a compound the vocabulary does not hold into two sides, at least one of them known.

		Both sides known beats one; then more known letters, then no linking element. A side of
		fewer than 3 letters is never split off; a known side has 4 or more.
		"""
		if self.code != "de" or not word.isalpha() or len(word) < 2 * _MIN_COMPOUND_REST + 1:
			return ()

		best: tuple[tuple[int, int, int], str, str] | None = None
		for cut in range(_MIN_COMPOUND_REST, len(word) - _MIN_COMPOUND_REST + 1):
			head = word[:cut]
			head_known = len(head) >= _MIN_COMPOUND_WORD and (
				head in self.postings or head in self.stem_words
			)
			for linker in ("", *_LINKERS):
				if linker and not word.startswith(linker, cut):
					continue
				tail = word[cut + len(linker) :]
				if len(tail) < _MIN_COMPOUND_REST:
					continue
				tail_known = len(tail) >= _MIN_COMPOUND_WORD and self.has_word_or_stem(tail)
				if not (head_known or tail_known):
					continue
				known = (len(head) if head_known else 0) + (len(tail) if tail_known else 0)
				rank = (int(head_known) + int(tail_known), known, -len(linker))
				if best is None or rank > best[0]:
					best = (rank, head, tail)
		return () if best is None else (best[1], best[2])

	def _compounds(self, word: str, word_stem: str) -> Iterator[str]:
		if self._sorted_words is None or self._reversed_words is None:
			self._sorted_words = sorted(self.postings)
			self._reversed_words = sorted(term[::-1] for term in self.postings)
		if self._sorted_stems is None or self._reversed_stems is None:
			self._sorted_stems = sorted(self.stem_words)
			self._reversed_stems = sorted(term_stem[::-1] for term_stem in self.stem_words)

		for longer in _with_prefix(self._sorted_words, word):
			if _is_head_rest(longer[len(word) :]):
				yield longer
		# GAP: without a dictionary a word that only ends another one counts as its tail, so
		# "Panne" also finds "Zeitspanne" (weighed as a part, below exact and stem matches).
		for longer in _with_prefix(self._reversed_words, word[::-1]):
			if _is_tail_head(longer[len(word) :]):
				yield longer[::-1]
		if len(word_stem) < _MIN_COMPOUND_WORD:
			return
		for longer in _with_prefix(self._sorted_stems, word_stem):
			if _is_head_rest(longer[len(word_stem) :]):
				yield from self.stem_words[longer]
		for longer in _with_prefix(self._reversed_stems, word_stem[::-1]):
			if _is_tail_head(longer[len(word_stem) :]):
				yield from self.stem_words[longer[::-1]]


def _keep_best(reached: dict[str, float], word: str, weight: float) -> None:
	if weight > reached.get(word, 0.0):
		reached[word] = weight


def _with_prefix(ordered: list[str], prefix: str) -> Iterator[str]:
	"""Yield the entries of a sorted list that start with prefix and are longer than it."""
	index = bisect.bisect_right(ordered, prefix)
	while index < len(ordered) and ordered[index].startswith(prefix):
		yield ordered[index]
		index += 1


def _remove_sorted(ordered: list[str], value: str) -> None:
	index = bisect.bisect_left(ordered, value)
	if index < len(ordered) and ordered[index] == value:
		del ordered[index]


def _is_head_rest(rest: str) -> bool:
	"""Whether rest, following a head, makes a compound: letters, 3 past the linking element."""
	if not rest.isalpha() or rest in _ABSENCE_RESTS:
		return False
	for linker in _LINKERS:
		if rest.startswith(linker):
			rest = rest[len(linker) :]
			if rest in _ABSENCE_RESTS:
				return False
			break
	return len(rest) >= _MIN_COMPOUND_REST


def _is_tail_head(head: str) -> bool:
	"""Whether head (given reversed), preceding a tail, makes a compound: 3 or more letters."""
	return len(head) >= _MIN_COMPOUND_REST and head.isalpha()


def _deletions(word: str) -> list[str]:
	return [word[:index] + word[index + 1 :] for index in range(len(word))]


def _one_off_keys(term: str) -> list[str]:
	# A query word of 5 letters can lose one and meet a 4-letter word; shorter words never.
	if len(term) < _MIN_TYPO_WORD - 1 or not term.isalpha():
		return []
	return [term, *_deletions(term)]


def _is_one_edit(first: str, second: str) -> bool:
	"""Whether one insertion, deletion, substitution or swap of neighbours turns first into second."""
	size, other = len(first), len(second)
	if first == second or abs(size - other) > 1:
		return False

	start = 0
	shortest = min(size, other)
	while start < shortest and first[start] == second[start]:
		start += 1
	if size > other:
		return first[start + 1 :] == second[start:]
	if size < other:
		return first[start:] == second[start + 1 :]
	if first[start + 1 :] == second[start + 1 :]:
		return True
	return (
		start + 1 < size
		and first[start] == second[start + 1]
		and first[start + 1] == second[start]
		and first[start + 2 :] == second[start + 2 :]
	)


@dataclass
class _Term:
	word: str
	weight: float
	reached: dict[str, float] = field(default_factory=dict)


class SearchIndex:
	"""The searchable form of a set of documents, in memory, changed one document at a time.

	Build it with ``build`` from documents or with ``from_rows`` from stored rows; then ``add``
	or ``update`` (both replace a document of the same id) and ``remove`` keep it up to date.
	Drafts and internal documents belong in it too: the search filters them per audience.
	"""

	def __init__(self) -> None:
		self._lock = threading.RLock()
		self._numbers: dict[str, int] = {}
		self._documents: dict[int, Document] = {}
		self._shards = {code: _Shard(code) for code in _LANGUAGES}
		self._next_number = 0

	@classmethod
	def build(cls, documents: Iterable[Document]) -> "SearchIndex":
		"""Return an index of the documents; of two with the same id, the later counts."""
		index = cls()
		for document in documents:
			index.add(document)
		return index

	@classmethod
	def from_rows(cls, documents: Iterable[Document], postings: Iterable[Posting]) -> "SearchIndex":
		"""Return the index of stored rows: the documents and their ``index_document`` rows.

		Rows of a document not given, and rows with a count under 1, are skipped. Raises ``ValueError`` for a row's unknown field
		or a document's unknown language.
		"""
		index = cls()
		grouped: dict[str, list[tuple[int, str, str, int]]] = {}
		for document in documents:
			_language_code(document.language)
			grouped[document.id] = []
			index._forget(document.id)
			index._register(document)
		for row in postings:
			rows = grouped.get(row.doc_id)
			if rows is not None and row.tf > 0:
				rows.append((_field_number(row.field), row.term, row.stem, row.tf))

		for doc_id, rows in grouped.items():
			number = index._numbers[doc_id]
			index._shard_of(index._documents[number]).insert(number, rows)
		return index

	def add(self, document: Document, postings: Iterable[Posting] | None = None) -> None:
		"""Index the document, replacing any of the same id, at once.

		``postings`` may pass the document's ``index_document`` rows when the caller has them
		already (it stores them too); they are computed otherwise.
		"""
		shard = self._shards[_language_code(document.language)]
		rows = index_document(document) if postings is None else postings
		converted = [(_field_number(row.field), row.term, row.stem, row.tf) for row in rows]

		with self._lock:
			self._forget(document.id)
			number = self._register(document)
			shard.insert(number, converted)

	def update(self, document: Document, postings: Iterable[Posting] | None = None) -> None:
		"""Same as ``add``: re-index an edited, published or unpublished document."""
		self.add(document, postings)

	def remove(self, doc_id: str) -> bool:
		"""Remove the document; False if it was not indexed."""
		with self._lock:
			return self._forget(doc_id)

	def get(self, doc_id: str) -> Document | None:
		with self._lock:
			number = self._numbers.get(doc_id)
			return None if number is None else self._documents[number]

	def documents(self) -> list[Document]:
		with self._lock:
			return list(self._documents.values())

	def __len__(self) -> int:
		return len(self._numbers)

	def __contains__(self, doc_id: object) -> bool:
		return doc_id in self._numbers

	def _register(self, document: Document) -> int:
		number = self._next_number
		self._next_number += 1
		self._numbers[document.id] = number
		self._documents[number] = document
		return number

	def _forget(self, doc_id: str) -> bool:
		number = self._numbers.pop(doc_id, None)
		if number is None:
			return False
		document = self._documents.pop(number)
		self._shard_of(document).delete(number)
		return True

	def _shard_of(self, document: Document) -> _Shard:
		return self._shards[_language_code(document.language)]

	def _search(
		self,
		weighted_words: dict[str, float],
		code: str,
		limit: int,
		search_filter: SearchFilter,
		synonyms: SynonymMap | None,
		params: RankingParams,
		now: datetime | None,
		optional_words: dict[str, float] | None = None,
	) -> list[Hit]:
		with self._lock:
			shard = self._shards[code]
			if synonyms is not None and synonyms.language != code:
				synonyms = None
			terms = [
				term
				for word, weight in weighted_words.items()
				for term in _analyse(shard, word, weight, synonyms, params)
			]
			if optional_words:
				terms += _most_specific(shard, optional_words, synonyms, params)
			scores = _score(shard, terms, params)
			best = self._best(scores, limit, search_filter, params, now)
			return [self._hit(shard, number, score, terms) for number, score in best]

	def _best(
		self,
		scores: dict[int, float],
		limit: int,
		search_filter: SearchFilter,
		params: RankingParams,
		now: datetime | None,
	) -> list[tuple[int, float]]:
		# A boost never lifts a score above base x ceiling, so most candidates are dropped
		# before their boost is computed.
		ceiling = (1.0 + params.helpful_boost) * (1.0 + (0.0 if now is None else params.recency_boost))
		heap: list[tuple[float, _Reversed, int]] = []
		for number, base in scores.items():
			if len(heap) == limit and base * ceiling < heap[0][0]:
				continue
			document = self._documents[number]
			if not search_filter.allows(document):
				continue
			score = base * _boost(document, params, now)
			entry = (score, _Reversed(document.id), number)
			if len(heap) < limit:
				heapq.heappush(heap, entry)
			elif entry > heap[0]:
				heapq.heapreplace(heap, entry)

		ordered = sorted(heap, key=lambda entry: (-entry[0], self._documents[entry[2]].id))
		return [(number, score) for score, _, number in ordered]

	def _hit(self, shard: _Shard, number: int, score: float, terms: list[_Term]) -> Hit:
		matched: dict[str, None] = {}
		for term in terms:
			ranked = sorted(term.reached.items(), key=lambda item: (-item[1], item[0]))
			for word, _ in ranked:
				entry = shard.postings.get(word)
				if entry is not None and any(docs is not None and number in docs for docs in entry):
					matched[word] = None
		document = self._documents[number]
		return Hit(document.id, score, tuple(matched), _snippet(document.body, set(matched)))


class _Reversed:
	"""A document id that sorts backwards, so a min-heap keeps the smaller of two equal scores."""

	__slots__ = ("text",)

	def __init__(self, text: str) -> None:
		self.text = text

	def __lt__(self, other: "_Reversed") -> bool:
		return self.text > other.text

	def __eq__(self, other: object) -> bool:
		return isinstance(other, _Reversed) and self.text == other.text

	def __hash__(self) -> int:
		return hash(self.text)


def _field_number(name: str) -> int:
	number = _FIELD_INDEX.get(name)
	if number is None:
		raise ValueError(f"unknown field {name!r}: use one of {', '.join(FIELDS)}")
	return number


def _analyse(
	shard: _Shard, word: str, weight: float, synonyms: SynonymMap | None, params: RankingParams
) -> list[_Term]:
	"""Return the query terms of one query word: itself, or the sides of its split compound."""
	term = _Term(word, weight)
	found = shard.direct(word, 1.0, params, term.reached)
	for synonym in synonyms.expand(word) if synonyms is not None else ():
		found = shard.direct(synonym, params.synonym_weight, params, term.reached) or found
	if found:
		return [term]

	shard.typos(word, 1.0, params, term.reached)
	terms = [term] if term.reached else []
	for side in shard.split(word):
		part = _Term(side, weight)
		shard.direct(side, params.part_weight, params, part.reached)
		for synonym in synonyms.expand(side) if synonyms is not None else ():
			shard.direct(synonym, params.part_weight * params.synonym_weight, params, part.reached)
		if not shard.has_word_or_stem(side):
			shard.typos(side, params.part_weight, params, part.reached)
		if part.reached:
			terms.append(part)
	return terms


def _most_specific(
	shard: _Shard, weighted_words: dict[str, float], synonyms: SynonymMap | None, params: RankingParams
) -> list[_Term]:
	"""Return the terms of the words that reach the fewest postings, at most _MAX_OPTIONAL_TERMS."""
	terms = [
		term
		for word, weight in weighted_words.items()
		for term in _analyse(shard, word, weight, synonyms, params)
	]
	if len(terms) <= _MAX_OPTIONAL_TERMS:
		return terms

	def postings_reached(term: _Term) -> int:
		return sum(len(docs) for word in term.reached for docs in shard.postings[word] if docs is not None)

	return sorted(terms, key=postings_reached)[:_MAX_OPTIONAL_TERMS]


def _score(shard: _Shard, terms: list[_Term], params: RankingParams) -> dict[int, float]:
	if not terms:
		return {}
	norms = shard.norms(params)
	total_documents = len(shard)
	saturation = params.k1
	scores: dict[int, float] = {}
	for term in terms:
		weighted: dict[int, float] = {}
		for word, reach in term.reached.items():
			for field_norms, docs in zip(norms, shard.postings[word], strict=True):
				if docs is None:
					continue
				if not weighted:
					weighted = {number: reach * count * field_norms[number] for number, count in docs.items()}
					continue
				get = weighted.get
				for number, count in docs.items():
					weighted[number] = get(number, 0.0) + reach * count * field_norms[number]

		reached_documents = len(weighted)
		idf = math.log(1.0 + (total_documents - reached_documents + 0.5) / (reached_documents + 0.5))
		scale = term.weight * idf * (saturation + 1.0)
		for number, frequency in weighted.items():
			if frequency > 0:
				scores[number] = scores.get(number, 0.0) + scale * frequency / (frequency + saturation)
	return scores


def _boost(document: Document, params: RankingParams, now: datetime | None) -> float:
	helpful = min(1.0, max(-1.0, document.helpful_score))
	boost = 1.0 + params.helpful_boost * helpful
	if now is None or document.updated_at is None or not params.recency_boost:
		return boost

	updated = document.updated_at
	# A naive time and an aware one are read in the same zone rather than refused.
	if (updated.tzinfo is None) != (now.tzinfo is None):
		updated = updated.replace(tzinfo=now.tzinfo)
	age_days = max(0.0, (now - updated).total_seconds() / _SECONDS_PER_DAY)
	freshness = math.pow(0.5, age_days / params.recency_half_life_days)
	return boost * (1.0 + params.recency_boost * freshness)


def _snippet(body: str, matched: set[str]) -> str:
	sentences = [
		sentence
		for line in body.splitlines()
		for sentence in _SENTENCE_END.split(" ".join(line.split()))
		if sentence
	]
	if not sentences:
		return ""

	best, best_count = sentences[0], 0
	for sentence in sentences:
		count = len(matched.intersection(words(sentence)))
		if count > best_count:
			best, best_count = sentence, count
	return _trim(best, matched)


def _trim(sentence: str, matched: set[str]) -> str:
	if len(sentence) <= _SNIPPET_LENGTH:
		return sentence

	first = 0
	for token in _TOKEN.finditer(sentence):
		if fold(token.group()) in matched:
			first = token.start()
			break
	begin = 0
	if first > _SNIPPET_LEAD:
		# Start at a word boundary within the lead before the first match.
		space = sentence.find(" ", first - _SNIPPET_LEAD, first)
		begin = space + 1 if space >= 0 else first
	prefix = _ELLIPSIS if begin else ""

	budget = _SNIPPET_LENGTH - len(prefix)
	if len(sentence) - begin <= budget:
		return prefix + sentence[begin:]
	piece = sentence[begin : begin + budget - len(_ELLIPSIS)]
	space = piece.rfind(" ")
	if space > len(piece) // 2:
		piece = piece[:space]
	return prefix + piece.rstrip(" ,;:") + _ELLIPSIS


def _query_words(text: str, code: str, extra_stop: frozenset[str], cap: int) -> list[str]:
	found: dict[str, None] = {}
	for word in _index_words(text, code):
		if word not in extra_stop:
			found[word] = None
			if len(found) == cap:
				break
	return list(found)


def query(
	index: SearchIndex,
	text: str,
	*,
	language: str = "de",
	limit: int = 10,
	filters: SearchFilter | None = None,
	synonyms: SynonymMap | None = None,
	params: RankingParams | None = None,
	now: datetime | None = None,
) -> list[Hit]:
	"""Return the best documents for a search text, at most limit, best first.

	Only documents in ``language`` are searched, with that language's rules, and only those the
	filter allows (the customer's by default). ``synonyms`` of another language are not used.
	Stop words and words of one letter are dropped; of a longer text, the first 32 words count.
	"""
	code = _language_code(language)
	weighted = dict.fromkeys(_query_words(text, code, frozenset(), _MAX_QUERY_WORDS), 1.0)
	if not weighted or limit <= 0:
		return []
	return index._search(weighted, code, limit, filters or _CUSTOMER, synonyms, params or _DEFAULTS, now)


def suggest(
	index: SearchIndex,
	subject: str,
	description: str,
	limit: int = 5,
	*,
	language: str = "de",
	filters: SearchFilter | None = None,
	synonyms: SynonymMap | None = None,
	params: RankingParams | None = None,
	now: datetime | None = None,
) -> list[Hit]:
	"""Return articles for a ticket being written, from its subject and description.

	The same search as ``query``, built for long, noisy text: stop words and ticket filler
	(greetings, "Problem", "bitte") are dropped; the first 32 words of the subject count, and of
	the first 40 distinct words of the description the 12 that reach the fewest postings (the
	most specific). A word weighs ``subject_weight`` in the subject plus ``description_weight``
	in the description.
	"""
	code = _language_code(language)
	ranking = params or _DEFAULTS
	filler = _TICKET_FILLER[code]
	in_subject = dict.fromkeys(_query_words(subject, code, filler, _MAX_QUERY_WORDS), ranking.subject_weight)
	in_description: dict[str, float] = {}
	for word in _query_words(description, code, filler, _MAX_DESCRIPTION_WORDS):
		if word in in_subject:
			in_subject[word] += ranking.description_weight
		else:
			in_description[word] = ranking.description_weight
	in_subject = {word: weight for word, weight in in_subject.items() if weight > 0}
	if ranking.description_weight == 0:
		in_description = {}
	if not (in_subject or in_description) or limit <= 0:
		return []
	return index._search(
		in_subject, code, limit, filters or _CUSTOMER, synonyms, ranking, now, optional_words=in_description
	)

"""German-aware text folding, stemming and keyword matching.

Contract: pure and thread-safe. ``fold``, ``words``, ``stem``, ``parse_keyword_list``, the
matcher and ``find_keywords`` never raise on any ``str`` text or keywords. The one exception
raised is ``ValueError`` for a language other than German ("de") or English ("en"); regional
codes such as "de-AT" or "en_US" are accepted. Used by the priority rules (keywords in subject
and description) and by knowledge-base search.

Folding (``fold``, and every comparison below): Unicode NFC, then ä/ö/ü -> ae/oe/ue and
ß/ẞ -> ss, other accents stripped (é -> e, ç -> c), compatibility forms unified ("ﬁ" -> "fi",
"²" -> "2"), case folded, whitespace collapsed. So "Straße", "STRASSE" and "strasse" are equal,
and so are "Kühlkette" and "KUEHLKETTE".

Words (``words``): runs of letters and digits in the folded text. Hyphens, apostrophes and all
other punctuation separate words, so "Kühlketten-Unterbrechung" is two words and "A2" is one.

Matching rules of ``KeywordMatcher`` (German unless said otherwise):

1. Keywords are folded and split into words like the text. A keyword without any word is
   ignored; keywords with equal words are one keyword, reported with the first spelling.
2. A keyword word matches a text word with the same stem, so inflections match: "Pannen",
   "Unfälle", "Kühlketten" match "Panne", "Unfall", "Kühlkette". Words containing digits have no
   stem and match only themselves ("A2", "1234"). Stemming joins some unrelated words
   ("Reife" and "Reifen"); that is accepted.
3. Short keyword words (under 4 letters folded) and words with digits match whole words only:
   "Rad" matches "Rad" and "Räder", never "Radio", "Radweg" or "Fahrrad".
4. Compounds: a keyword word of 4 or more letters also matches as a whole part of a longer word
   of letters, the other part having at least 3 letters:
   - as tail: "Panne" in "Reifenpanne", "Schaden" in "Motorschäden", "Kühlkette" in
     "Lkwkühlkette" (and, split by the hyphen, in "Lkw-Kühlkette");
   - as head, spelled as the keyword, then an optional linking element (-es-, -en-, -er-, -s-,
     -n-, -e-; the longest that fits is not counted as part of the rest): "Kühlkette" in
     "Kühlkettenunterbrechung", "Getriebeöl" in "Getriebeölverlust", "Panne" in "Pannenhilfe";
     write keywords in the singular, "Unfälle" does not find "Unfallstelle";
   - not as head when the rest says the thing is absent or prevented: -frei, -los, -sicher with
     their adjective endings, -freiheit, -losigkeit. "Unfall" does not match "unfallfrei",
     "Panne" not "pannenfreie", "Störung" not "störungsfrei";
   - never in the middle: "Kühlkette" does not match "Lkwkühlkettenunterbrechung".
5. Phrases ("steht still", "springt nicht an") match consecutive text words, each keyword word
   under rules 2 to 4. Punctuation between the text words does not matter.
6. English ("en"): rules 1, 2, 3 and 5 with the English Snowball stemmer; no compounds.
7. ``find`` reports each keyword once, at its first occurrence, ordered by the index of its first
   word in ``words(text)``, ties in keyword order.
8. Keywords given as one string instead of a list are read with ``parse_keyword_list``.

Not handled (marked GAP in the code): negation ("keine Panne" reports "Panne"), and compounds are
split without a dictionary, so a keyword that only ends another word matches it ("Panne" in
"Zeitspanne").

Speed: stems come from snowballstemmer (pure Python, some 60 µs a word), memoised per process.
A matcher stems a text word only when a cheap test shows its stem could equal or end with a
keyword stem, and remembers its verdict per word, so repeated vocabulary costs a dict lookup.
"""

import functools
import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

__all__ = [
	"KeywordMatch",
	"KeywordMatcher",
	"find_keywords",
	"fold",
	"html_to_text",
	"parse_keyword_list",
	"stem",
	"words",
]

# Replaced one by one: str.replace is some twenty times faster than str.translate with a dict.
_GERMAN_LETTERS = (
	("ä", "ae"),
	("ö", "oe"),
	("ü", "ue"),
	("Ä", "Ae"),
	("Ö", "Oe"),
	("Ü", "Ue"),
	("ß", "ss"),
	("ẞ", "SS"),
)

# Combining diacritical marks of Latin-script text (the blocks NFKD produces for accents);
# marks of other scripts are letters' vowel signs and stay.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

_WORD = re.compile(r"[^\W_]+")

# The line breaks str.splitlines knows, plus the two list separators admins use.
_KEYWORD_SEPARATORS = re.compile("[,;\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

_STEMMER_NAMES = {"de": "german", "en": "english"}

# No real word is this long; stemming a pasted blob of this size would only cost time.
_MAX_STEM_LENGTH = 80

_MIN_COMPOUND_KEYWORD = 4
_MIN_COMPOUND_PART = 3

# Longest first, so the first that fits is the one left out of the rest's length.
_LINKERS = ("es", "en", "er", "s", "n", "e")

_ADJECTIVE_ENDINGS = ("", "e", "em", "en", "er", "es")
_ABSENCE_RESTS = frozenset(
	{base + ending for base in ("frei", "los", "sicher") for ending in _ADJECTIVE_ENDINGS}
	| {"freiheit", "losigkeit"}
)

# Characters of a stem's probe key a text word must share before it is stemmed: five leave
# about one word in twenty to stem against 50 keywords; fewer let common beginnings through.
_GERMAN_PREFIX_SIZE = 5

_TOKEN_CACHE_SIZE = 16384


@dataclass(frozen=True)
class KeywordMatch:
	"""One keyword found in a text.

	``keyword`` is spelled as the admin wrote it, ``word`` is the folded text word it matched
	(the words joined by one space for a phrase), ``start`` the index of that word in
	``words(text)``.
	"""

	keyword: str
	word: str
	start: int


def fold(text: str) -> str:
	"""Return text in the form all comparisons use: see the module docstring."""
	return " ".join(_fold_chars(text).split())


def words(text: str) -> list[str]:
	"""Return the folded words of text: runs of letters and digits."""
	return _WORD.findall(_fold_chars(text))


def stem(word: str, language: str = "de") -> str:
	"""Return the Snowball stem of the folded word ("Kühlketten" and "kuehlkette" -> "kuhlkett").

	A word that is not all letters after folding (digits, several words) comes back folded, unstemmed.
	"""
	return _stem_folded(fold(word), _normalise_language(language))


def parse_keyword_list(text: str) -> list[str]:
	"""Split an admin's keyword list at commas, semicolons and line breaks.

	Entries are stripped, inner whitespace collapsed, entries without any word dropped, and
	entries equal after folding kept once, in their first spelling.
	"""
	seen: set[str] = set()
	keywords: list[str] = []
	for part in _KEYWORD_SEPARATORS.split(text):
		spelling = " ".join(part.split())
		key = fold(spelling)
		if key in seen or not _WORD.search(key):
			continue

		seen.add(key)
		keywords.append(spelling)
	return keywords


@dataclass(frozen=True, slots=True)
class _Keyword:
	spelling: str
	word_ids: tuple[int, ...]


class KeywordMatcher:
	"""Finds a fixed set of keywords in texts, under the rules of the module docstring.

	Keywords may also be given as one string, which is read with ``parse_keyword_list``.
	"""

	def __init__(self, keywords: Iterable[str], language: str = "de") -> None:
		self._language = _normalise_language(language)
		self._keywords: list[_Keyword] = []
		self._word_ids: dict[str, int] = {}
		self._by_stem: dict[str, set[int]] = {}
		self._heads: dict[str, set[int]] = {}
		self._tails: dict[str, set[int]] = {}
		self._stem_tails: dict[str, set[int]] = {}
		self._token_cache: dict[str, frozenset[int]] = {}

		if isinstance(keywords, str):
			keywords = parse_keyword_list(keywords)
		seen: set[tuple[str, ...]] = set()
		for spelling in keywords:
			parts = tuple(words(spelling))
			if not parts or parts in seen:
				continue
			seen.add(parts)
			self._keywords.append(_Keyword(spelling, tuple(self._register(part) for part in parts)))

		self._build_probes()

	def find(self, text: str) -> list[KeywordMatch]:
		"""Return every keyword that occurs in text, once each, in order of first occurrence."""
		# GAP: negation is not read, so "keine Panne" or "ohne Unfall" still reports the keyword
		# and can raise a ticket's priority.
		tokens = words(text)
		if not tokens or not self._keywords:
			return []

		hits = [self._match_token(token) for token in tokens]
		first: dict[int, int] = {}
		for index, ids in enumerate(hits):
			for word_id in ids:
				first.setdefault(word_id, index)

		found: list[KeywordMatch] = []
		for keyword in self._keywords:
			start = _find_start(keyword.word_ids, hits, first)
			if start is not None:
				matched = " ".join(tokens[start : start + len(keyword.word_ids)])
				found.append(KeywordMatch(keyword.spelling, matched, start))

		# Stable sort: keywords starting at the same word stay in keyword order.
		found.sort(key=lambda match: match.start)
		return found

	def matches(self, text: str) -> bool:
		"""Return whether any keyword occurs in text."""
		return bool(self.find(text))

	def _register(self, folded: str) -> int:
		word_id = self._word_ids.get(folded)
		if word_id is not None:
			return word_id

		word_id = len(self._word_ids)
		self._word_ids[folded] = word_id
		word_stem = _stem_folded(folded, self._language)
		self._by_stem.setdefault(word_stem, set()).add(word_id)
		if self._language == "de" and folded.isalpha() and len(folded) >= _MIN_COMPOUND_KEYWORD:
			self._heads.setdefault(folded, set()).add(word_id)
			self._tails.setdefault(folded, set()).add(word_id)
			# A stem of 3 letters is too common inside other words ("akt" in "Kontakt").
			if len(word_stem) >= _MIN_COMPOUND_KEYWORD:
				self._stem_tails.setdefault(word_stem, set()).add(word_id)
		return word_id

	def _build_probes(self) -> None:
		# A text word is stemmed only if its probe key starts with the probe key of a keyword
		# stem (same stem) or contains one (stem may end with it). Sound because a German stem
		# is a prefix of its word once every "e" is dropped from both (Snowball only cuts
		# suffixes and contracts ae/oe/ue), and an English stem keeps its word's first letter.
		size = _GERMAN_PREFIX_SIZE if self._language == "de" else 1
		prefixes = {_make_probe_key(word, self._language)[:size] for word in self._by_stem}
		self._stem_prefixes = prefixes
		self._stem_prefix_lengths = sorted({len(prefix) for prefix in prefixes})
		self._head_lengths = sorted({len(head) for head in self._heads})
		# Two letters reject most words before any slicing (compound keywords have four or more).
		self._head_starts = {head[:2] for head in self._heads}
		self._tail_ends = {tail[-2:] for tail in self._tails}
		self._tail_lengths = sorted({len(tail) for tail in self._tails})
		self._stem_tail_lengths = sorted({len(tail) for tail in self._stem_tails})
		self._min_compound = min(self._head_lengths, default=0) + _MIN_COMPOUND_PART
		self._stem_tail_probe: re.Pattern[str] | None = None
		if self._stem_tails:
			keys = sorted({_make_probe_key(tail, "de") for tail in self._stem_tails})
			self._stem_tail_probe = re.compile("|".join(re.escape(key) for key in keys))

	def _match_token(self, token: str) -> frozenset[int]:
		cached = self._token_cache.get(token)
		if cached is not None:
			return cached

		ids: set[int] = set()
		key = _make_probe_key(token, self._language)
		token_stem: str | None = None
		for size in self._stem_prefix_lengths:
			if key[:size] in self._stem_prefixes:
				token_stem = _stem_folded(token, self._language)
				ids.update(self._by_stem.get(token_stem, ()))
				break

		if self._heads and len(token) >= self._min_compound and token.isalpha():
			ids.update(self._match_compound(token, key, token_stem))

		result = frozenset(ids)
		if len(self._token_cache) >= _TOKEN_CACHE_SIZE:
			self._token_cache.clear()
		self._token_cache[token] = result
		return result

	def _match_compound(self, token: str, key: str, token_stem: str | None) -> set[int]:
		ids: set[int] = set()
		size = len(token)
		for length in self._head_lengths if token[:2] in self._head_starts else ():
			if size - length < _MIN_COMPOUND_PART:
				break
			head = self._heads.get(token[:length])
			if head and _is_head_rest(token[length:]):
				ids.update(head)

		# GAP: compounds are split without a dictionary, so a keyword that only ends another word
		# matches it ("Panne" in "Zeitspanne", "Reifen" in "eingreifen").
		for length in self._tail_lengths if token[-2:] in self._tail_ends else ():
			if size - length < _MIN_COMPOUND_PART:
				break
			ids.update(self._tails.get(token[-length:], ()))

		if self._stem_tail_probe is None or not self._stem_tail_probe.search(key):
			return ids
		if token_stem is None:
			token_stem = _stem_folded(token, self._language)
		for length in self._stem_tail_lengths:
			if len(token_stem) - length < _MIN_COMPOUND_PART:
				break
			ids.update(self._stem_tails.get(token_stem[-length:], ()))
		return ids


def find_keywords(text: str, keywords: Iterable[str], language: str = "de") -> list[KeywordMatch]:
	"""Return ``KeywordMatcher(keywords, language).find(text)``.

	Matchers of the 128 keyword sets used last are kept and reused.
	"""
	if isinstance(keywords, str):
		keywords = parse_keyword_list(keywords)
	return _get_matcher(tuple(keywords), language).find(text)


@functools.lru_cache(maxsize=128)
def _get_matcher(keywords: tuple[str, ...], language: str) -> KeywordMatcher:
	return KeywordMatcher(keywords, language)


def _fold_chars(text: str) -> str:
	if text.isascii():
		return text.lower()

	# NFC first so a decomposed "a" + diaeresis is seen as "ä" and becomes "ae", not "a".
	folded = unicodedata.normalize("NFC", text)
	for letter, spelling in _GERMAN_LETTERS:
		folded = folded.replace(letter, spelling)
	folded = unicodedata.normalize("NFKD", folded).casefold()
	# Case folding can produce composed letters again ("İ" -> "i̇"); decompose before stripping.
	folded = unicodedata.normalize("NFKD", folded)
	return _ACCENTS.sub("", folded)


def _normalise_language(language: str) -> str:
	code = language.strip().lower().replace("_", "-").split("-")[0]
	if code not in _STEMMER_NAMES:
		raise ValueError(f"unsupported language {language!r}: use 'de' or 'en'")
	return code


class _Stemmer:
	"""A Snowball stemmer behind a lock: its objects keep state while stemming a word."""

	def __init__(self, code: str) -> None:
		self._stemmer = snowballstemmer.stemmer(_STEMMER_NAMES[code])
		self._lock = threading.Lock()

	def stem(self, word: str) -> str:
		with self._lock:
			result: str = self._stemmer.stemWord(word)
		return result


_STEMMERS = {code: _Stemmer(code) for code in _STEMMER_NAMES}


@functools.lru_cache(maxsize=65536)
def _stem_folded(word: str, code: str) -> str:
	if not word.isalpha() or len(word) > _MAX_STEM_LENGTH:
		return word
	return _STEMMERS[code].stem(word)


def _make_probe_key(word: str, code: str) -> str:
	return word.replace("e", "") if code == "de" else word


def _is_head_rest(rest: str) -> bool:
	linker_size = 0
	for linker in _LINKERS:
		if not rest.startswith(linker):
			continue
		if rest[len(linker) :] in _ABSENCE_RESTS:
			return False
		linker_size = max(linker_size, len(linker))
	return rest not in _ABSENCE_RESTS and len(rest) - linker_size >= _MIN_COMPOUND_PART


def _find_start(word_ids: tuple[int, ...], hits: list[frozenset[int]], first: dict[int, int]) -> int | None:
	begin = first.get(word_ids[0])
	if begin is None or any(word_id not in first for word_id in word_ids[1:]):
		return None

	for start in range(begin, len(hits) - len(word_ids) + 1):
		if all(word_id in hits[start + offset] for offset, word_id in enumerate(word_ids)):
			return start
	return None


_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"\s+")


def html_to_text(markup: str | None) -> str:
	"""Readable text of an HTML fragment (a ticket description): tags become spaces, so words in
	neighbouring paragraphs never run together, entities are decoded. Never raises."""
	if not markup:
		return ""
	return _BLANKS.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()

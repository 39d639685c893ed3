"""The change log of a shared search index: what a process must do to catch up with it.

Every change to the knowledge-base index of a site gets the next version number and one log
entry that says what changed: some articles, the synonyms, or everything (a rebuild). A process
that holds the index at version ``loaded`` and sees ``current`` reads the entries in between and
either applies just the named articles to its index, or reloads it whole: when an entry is
missing (the log was trimmed, or the counter was reset), when one says everything changed, or
when more articles changed than re-reading them one by one is worth.

Contract: pure, never raises for well-typed input. Entries are ``(version, payload)`` pairs in
any order; a payload is ``encode_change``'s text. A payload that cannot be read counts as
"everything changed", so a corrupt entry costs a reload, never a stale index.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["EVERYTHING", "SYNONYMS", "CatchUp", "decode_change", "encode_change", "plan_catch_up"]

EVERYTHING = "*"
SYNONYMS = "~synonyms"


@dataclass(frozen=True, slots=True)
class CatchUp:
	"""What a process does: nothing, reload everything, or re-read these articles (and synonyms)."""

	reload_all: bool = False
	articles: frozenset[str] = frozenset()
	synonyms: bool = False

	@property
	def is_nothing(self) -> bool:
		return not (self.reload_all or self.articles or self.synonyms)


def encode_change(articles: Iterable[str] | None = None, *, synonyms: bool = False) -> str:
	"""The payload of one log entry: these articles, the synonyms, or (``articles`` None) everything."""
	if synonyms:
		return SYNONYMS
	if articles is None:
		return EVERYTHING
	return json.dumps(sorted(set(articles)), ensure_ascii=False, separators=(",", ":"))


def decode_change(payload: str) -> CatchUp:
	if payload == SYNONYMS:
		return CatchUp(synonyms=True)
	if payload == EVERYTHING:
		return CatchUp(reload_all=True)
	try:
		names = json.loads(payload)
	except ValueError:
		return CatchUp(reload_all=True)
	if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
		return CatchUp(reload_all=True)
	return CatchUp(articles=frozenset(names))


def plan_catch_up(
	loaded: int | None, current: int, entries: Iterable[tuple[int, str]], max_articles: int
) -> CatchUp:
	"""What to do to go from version `loaded` to `current` with the log `entries`.

	`loaded` None (the index was loaded while the version could not be read) reloads all.
	"""
	if loaded is None or current < loaded:
		return CatchUp(reload_all=True)
	if current == loaded:
		return CatchUp()

	needed = range(loaded + 1, current + 1)
	changes = {version: payload for version, payload in entries if loaded < version <= current}
	if len(changes) != len(needed):
		return CatchUp(reload_all=True)

	articles: set[str] = set()
	synonyms = False
	for payload in changes.values():
		change = decode_change(payload)
		if change.reload_all:
			return CatchUp(reload_all=True)
		articles |= change.articles
		synonyms = synonyms or change.synonyms
		if len(articles) > max_articles:
			return CatchUp(reload_all=True)
	return CatchUp(articles=frozenset(articles), synonyms=synonyms)

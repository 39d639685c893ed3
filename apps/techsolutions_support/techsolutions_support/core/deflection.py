"""Self-help deflection: which suggestions and articles were followed by a ticket anyway.

Fed the log of what customers saw (``Event``), the times each user filed tickets, and the
"did this help?" answers, and how many tickets agents marked as solved by each article; returns
counts per article and overall. A suggestion or an opened article is *deflecting* when the same
user filed no ticket within ``window`` after it.

Contract: pure (no Frappe, no clock, no I/O), never raises for well-typed input; times are
compared as given (the caller passes them in one zone).
"""

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["ArticleStats", "Event", "Overall", "summarise"]

SHOWN = "Suggestion Shown"
OPENED = "Article Opened"


@dataclass(frozen=True, slots=True)
class Event:
	"""One logged event: suggestions shown (``articles`` in rank order) or one article opened."""

	kind: str
	user: str
	at: datetime
	articles: tuple[str, ...] = ()
	search_text: str = ""


@dataclass(slots=True)
class ArticleStats:
	article: str
	shown: int = 0
	shown_first: int = 0
	opened: int = 0
	opened_then_ticket: int = 0
	helpful: int = 0
	not_helpful: int = 0
	# Tickets an agent marked as solved by this article.
	solved: int = 0

	@property
	def deflection_rate(self) -> float | None:
		"""Share of opens not followed by a ticket; None when never opened."""
		if not self.opened:
			return None
		return 1.0 - self.opened_then_ticket / self.opened


@dataclass(slots=True)
class Overall:
	searches: int = 0
	searches_without_results: int = 0
	searches_then_ticket: int = 0
	opened: int = 0
	opened_then_ticket: int = 0
	helpful: int = 0
	not_helpful: int = 0
	solved: int = 0
	without_results: dict[str, int] = field(default_factory=dict)

	@property
	def deflection_rate(self) -> float | None:
		"""Share of searches with results not followed by a ticket; None without any."""
		with_results = self.searches - self.searches_without_results
		if with_results <= 0:
			return None
		return 1.0 - self.searches_then_ticket / with_results


def summarise(
	events: Iterable[Event],
	tickets: Mapping[str, Iterable[datetime]],
	window: timedelta,
	feedback: Mapping[str, tuple[int, int]] | None = None,
	solved: Mapping[str, int] | None = None,
) -> tuple[dict[str, ArticleStats], Overall]:
	"""Return the statistics per article and overall.

	``tickets`` maps a user to the times they filed tickets; ``feedback`` an article to its
	(helpful, not helpful) answers; ``solved`` an article to the tickets it solved. A search without results is listed by its text, folded
	to lower case and single spaces.
	"""
	filed = {user: sorted(times) for user, times in tickets.items()}
	per_article: dict[str, ArticleStats] = {}
	overall = Overall()

	def stats(article: str) -> ArticleStats:
		found = per_article.get(article)
		if found is None:
			found = per_article[article] = ArticleStats(article)
		return found

	for event in events:
		followed = _ticket_within(filed.get(event.user, ()), event.at, window)
		if event.kind == SHOWN:
			overall.searches += 1
			if not event.articles:
				overall.searches_without_results += 1
				text = " ".join(event.search_text.lower().split())
				if text:
					overall.without_results[text] = overall.without_results.get(text, 0) + 1
				continue
			overall.searches_then_ticket += int(followed)
			for rank, article in enumerate(event.articles):
				entry = stats(article)
				entry.shown += 1
				entry.shown_first += int(rank == 0)
		elif event.kind == OPENED and event.articles:
			entry = stats(event.articles[0])
			entry.opened += 1
			entry.opened_then_ticket += int(followed)
			overall.opened += 1
			overall.opened_then_ticket += int(followed)

	for article, (helpful, not_helpful) in (feedback or {}).items():
		entry = stats(article)
		entry.helpful += helpful
		entry.not_helpful += not_helpful
		overall.helpful += helpful
		overall.not_helpful += not_helpful
	for article, count in (solved or {}).items():
		stats(article).solved += count
		overall.solved += count
	return per_article, overall


def _ticket_within(times: list[datetime] | tuple[()], start: datetime, window: timedelta) -> bool:
	index = bisect.bisect_left(times, start)
	return index < len(times) and times[index] <= start + window

"""Deflection counts of the self-help log (core/deflection.py), with literal times."""

from datetime import datetime, timedelta

from techsolutions_support.core.deflection import Event, summarise

T0 = datetime(2026, 3, 2, 9, 0)
DAY = timedelta(hours=24)


def test_ticket_within_window_counts_as_not_deflected():
	events = [
		Event("Suggestion Shown", "a@x", T0, ("KB-1", "KB-2"), "Kühlkette"),
		Event("Article Opened", "a@x", T0 + timedelta(minutes=1), ("KB-1",)),
		Event("Suggestion Shown", "b@x", T0, ("KB-2",), "Panne"),
		Event("Article Opened", "b@x", T0, ("KB-2",)),
	]
	tickets = {"a@x": [T0 + timedelta(hours=3)], "b@x": [T0 + DAY + timedelta(seconds=1)]}

	per_article, overall = summarise(events, tickets, DAY, {"KB-1": (1, 2)})

	assert (per_article["KB-1"].shown, per_article["KB-1"].shown_first) == (1, 1)
	assert (per_article["KB-2"].shown, per_article["KB-2"].shown_first) == (2, 1)
	assert (per_article["KB-1"].opened, per_article["KB-1"].opened_then_ticket) == (1, 1)
	assert (per_article["KB-2"].opened, per_article["KB-2"].opened_then_ticket) == (1, 0)
	assert per_article["KB-1"].deflection_rate == 0.0
	assert per_article["KB-2"].deflection_rate == 1.0
	assert (per_article["KB-1"].helpful, per_article["KB-1"].not_helpful) == (1, 2)
	assert (overall.searches, overall.searches_then_ticket, overall.opened) == (2, 1, 2)
	assert overall.deflection_rate == 0.5


def test_ticket_before_the_event_or_of_another_user_does_not_count():
	events = [Event("Suggestion Shown", "a@x", T0, ("KB-1",), "x")]
	tickets = {"a@x": [T0 - timedelta(seconds=1)], "b@x": [T0 + timedelta(minutes=5)]}

	_, overall = summarise(events, tickets, DAY)

	assert overall.searches_then_ticket == 0
	assert overall.deflection_rate == 1.0


def test_searches_without_results_are_listed_by_folded_text():
	events = [
		Event("Suggestion Shown", "a@x", T0, (), "  Zollpapiere  fehlen "),
		Event("Suggestion Shown", "b@x", T0, (), "zollpapiere fehlen"),
		Event("Suggestion Shown", "b@x", T0, (), ""),
	]

	per_article, overall = summarise(events, {}, DAY)

	assert per_article == {}
	assert overall.without_results == {"zollpapiere fehlen": 2}
	assert (overall.searches, overall.searches_without_results) == (3, 3)
	assert overall.deflection_rate is None


def test_solved_tickets_count_per_article_and_overall_also_without_events():
	events = [Event("Suggestion Shown", "a@x", T0, ("KB-1",), "Kühlkette")]

	per_article, overall = summarise(events, {}, DAY, solved={"KB-1": 2, "KB-9": 1})

	assert (per_article["KB-1"].solved, per_article["KB-1"].shown) == (2, 1)
	assert (per_article["KB-9"].solved, per_article["KB-9"].shown) == (1, 0)
	assert overall.solved == 3

"""Reading the self-help log for the deflection reports (core/deflection.py counts)."""

from datetime import datetime, timedelta

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, Count
from frappe.utils import add_days, add_to_date, get_datetime, getdate, today

from techsolutions_support.core.deflection import ArticleStats, Event, Overall, summarise
from techsolutions_support.kb.deflection import EVENT, OPENED, SHOWN

DEFAULT_WINDOW_HOURS = 24
DEFAULT_PERIOD_DAYS = 30


def period(filters) -> tuple[datetime, datetime]:
	"""The filters' dates as [start, end) instants; the last 30 days by default."""
	to_date = getdate(filters.get("to_date") or today())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -DEFAULT_PERIOD_DAYS))
	return get_datetime(from_date), get_datetime(add_days(to_date, 1))


def ticket_window() -> timedelta:
	# A settings record never saved reads 0: no window at all would count nothing, so 0 means
	# the default too.
	hours = frappe.db.get_single_value("TS KB Settings", "ticket_window_hours")
	return timedelta(hours=hours or DEFAULT_WINDOW_HOURS)


def gather(filters) -> tuple[dict[str, ArticleStats], Overall]:
	start, end = period(filters)
	window = ticket_window()

	events = [
		Event(
			kind=row.event_type,
			user=row.user or "",
			at=row.creation,
			articles=tuple((row.articles or "").split()) if row.event_type == SHOWN else (row.article,),
			search_text=row.search_text or "",
		)
		for row in frappe.get_all(
			EVENT,
			filters={"creation": ("between", (start, end)), "event_type": ("in", (SHOWN, OPENED))},
			fields=["event_type", "user", "creation", "article", "articles", "search_text"],
			order_by="creation",
		)
	]
	users = {event.user for event in events}
	tickets: dict[str, list[datetime]] = {}
	if users:
		for row in frappe.get_all(
			"HD Ticket",
			filters={"creation": ("between", (start, add_to_date(end, seconds=window.total_seconds())))},
			or_filters={"raised_by": ("in", list(users)), "owner": ("in", list(users))},
			fields=["raised_by", "owner", "creation"],
		):
			for user in {row.raised_by, row.owner} & users:
				tickets.setdefault(user, []).append(row.creation)

	feedback: dict[str, tuple[int, int]] = {}
	for row in frappe.get_all(
		"HD Article Feedback",
		filters={"modified": ("between", (start, end)), "feedback": ("in", ("1", "2"))},
		fields=["article", "feedback", "count(name) as answers"],
		group_by="article, feedback",
	):
		helpful, not_helpful = feedback.get(row.article, (0, 0))
		if str(row.feedback) == "1":
			helpful += row.answers
		else:
			not_helpful += row.answers
		feedback[row.article] = (helpful, not_helpful)
	return summarise(events, tickets, window, feedback, solved_tickets(start, end))


def solved_tickets(start: datetime, end: datetime) -> dict[str, int]:
	"""Per article, the tickets agents marked as solved by it, resolved in [start, end).

	A ticket counts at its resolution date; one without (marked while still open) at its last change.
	"""
	ticket = DocType("HD Ticket")
	counted_at = Coalesce(ticket.resolution_date, ticket.modified)
	rows = (
		frappe.qb.from_(ticket)
		.select(ticket.ts_solved_by_article, Count(ticket.name))
		.where(ticket.ts_solved_by_article.isnotnull())
		.where(ticket.ts_solved_by_article != "")
		.where(counted_at >= start)
		.where(counted_at < end)
		.groupby(ticket.ts_solved_by_article)
		.run()
	)
	return {article: count for article, count in rows}

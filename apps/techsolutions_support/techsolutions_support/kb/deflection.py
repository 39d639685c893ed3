"""The deflection log: suggestions shown, articles opened (TS KB Event).

"Did this help?" is Helpdesk's HD Article Feedback; whether a ticket was still filed is read
from HD Ticket when the report runs (report/ts_kb_deflection), within TS KB Settings' window.
"""

import frappe
from frappe.utils import add_to_date, now_datetime

EVENT = "TS KB Event"
SHOWN = "Suggestion Shown"
OPENED = "Article Opened"
# The same article opened again by the same user within this time is one visit.
REOPEN_MINUTES = 60
# Longer texts are pasted tickets; their start is enough to read what was searched.
MAX_QUERY_LENGTH = 500


def record_search(query: str, articles: list[str], source: str) -> None:
	"""Log one search a customer saw the answer of; agents' searches are not deflection."""
	# GAP: the portal searches again at every pause in typing, so one ticket being written logs
	# several searches; "searches" in the report counts those calls, not ticket attempts.
	if not (query or "").strip():
		return
	frappe.get_doc(
		{
			"doctype": EVENT,
			"event_type": SHOWN,
			"user": frappe.session.user,
			"source": source,
			"search_text": (query or "").strip()[:MAX_QUERY_LENGTH],
			"hit_count": len(articles),
			"article": articles[0] if articles else None,
			"articles": "\n".join(articles),
		}
	).insert(ignore_permissions=True)
	# Suggestions are fetched by GET as often as by POST; the log must survive either.
	frappe.local.flags.commit = True


def record_open(article: str) -> bool:
	"""Log an article opened; False when the same user opened it within REOPEN_MINUTES."""
	user = frappe.session.user
	since = add_to_date(now_datetime(), minutes=-REOPEN_MINUTES)
	if frappe.db.exists(
		EVENT, {"event_type": OPENED, "user": user, "article": article, "creation": (">=", since)}
	):
		return False
	frappe.get_doc({"doctype": EVENT, "event_type": OPENED, "user": user, "article": article}).insert(
		ignore_permissions=True
	)
	frappe.local.flags.commit = True
	return True

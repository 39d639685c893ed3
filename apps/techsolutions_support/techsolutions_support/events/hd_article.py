"""HD Article events: the search index follows every change at once (kb/index.py).

Insert, edit, publish, unpublish and archive all end in ``on_update``; deletion in ``on_trash``.
A new or changed "did this help?" answer (HD Article Feedback) moves the article's ranking.
"""

from techsolutions_support.kb import index


def on_update(doc, method: str | None = None) -> None:
	index.store_article(doc)


def on_trash(doc, method: str | None = None) -> None:
	index.drop_article(doc.name)


def on_feedback_change(doc, method: str | None = None) -> None:
	# Feedback is not stored in the entries: the article's score is read when it is re-read.
	# GAP: Helpdesk's set_feedback changes an existing answer with db.set_value, which fires no
	# event; such a change moves the ranking only when the article is next re-read (its next
	# change, or a full reload).
	index.announce_change([doc.article] if doc.get("article") else None)


def on_synonyms_change(doc, method: str | None = None) -> None:
	index.announce_change(None, synonyms=True)

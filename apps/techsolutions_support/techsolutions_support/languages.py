"""Which language a stored or sent text is written in.

Texts stored for agents to read later (rule explanations, labels) follow the site's language, not
the language of whoever happened to save; texts sent to a person follow theirs.
"""

import frappe


def site_language() -> str:
	return frappe.get_system_settings("language") or "en"


def user_language(user: str | None) -> str:
	"""The user's own language, else the site's."""
	return (frappe.db.get_value("User", user, "language") if user else None) or site_language()

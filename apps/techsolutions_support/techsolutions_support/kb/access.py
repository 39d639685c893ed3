"""Who reads which HD Article: agents all, customers published non-internal ones, guests by setting.

Used by the app's KB methods and as the HD Article permission hooks (hooks.py), so that
Frappe's own reads (``frappe.client``, ``/api/resource``, ``run_doc_method``) obey it too.
"""

import frappe
from frappe import _

from helpdesk.utils import is_agent

SETTINGS = "TS KB Settings"


class ArticleNotAvailable(frappe.PermissionError):
	pass


def audience(user: str | None = None) -> str:
	"""The engine's audience of the user: "agent" (agents, System Managers) or "customer" (guests too)."""
	user = user or frappe.session.user
	if user == "Guest":
		return "customer"
	# System Managers keep the knowledge base in the desk even when they are not agents.
	if is_agent(user) or "System Manager" in frappe.get_roles(user):
		return "agent"
	return "customer"


def is_guest_allowed() -> bool:
	return bool(frappe.db.get_single_value(SETTINGS, "allow_guest_access"))


def require_reader(user: str | None = None) -> None:
	"""Guests may read the knowledge base only where the setting allows it."""
	if (user or frappe.session.user) == "Guest" and not is_guest_allowed():
		frappe.throw(
			_("Please log in to read the knowledge base."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def is_visible(status: str | None, is_internal: int | bool | None, user: str | None = None) -> bool:
	if audience(user) == "agent":
		return True
	return status == "Published" and not is_internal


def require_article(name: str, user: str | None = None) -> dict:
	"""The article's status and flags, or the same error whether it is hidden or missing."""
	require_reader(user)
	row = frappe.db.get_value("HD Article", name, ["name", "status", "ts_internal"], as_dict=True)
	if row is None or not is_visible(row.status, row.ts_internal, user):
		# A hidden article looks like a missing one: its name tells a customer nothing.
		frappe.throw(_("Article not found."), ArticleNotAvailable, title=_("Not Found"))
	return row


# Permission hooks of HD Article


def has_article_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""Deny customers hidden articles; decide nothing otherwise (role permissions apply)."""
	user = user or frappe.session.user
	if audience(user) == "agent":
		return None
	if user == "Guest" and not is_guest_allowed():
		return False
	if not is_visible(doc.get("status"), doc.get("ts_internal"), user):
		return False
	return None


def article_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if audience(user) == "agent":
		return ""
	return "(`tabHD Article`.`status` = 'Published' and ifnull(`tabHD Article`.`ts_internal`, 0) = 0)"

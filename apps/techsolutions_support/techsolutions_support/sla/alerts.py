"""Who the SLA watch's warnings and escalations reach, and what the shipped Notifications show.

The watch writes the addresses on the ticket with the alert itself (ts_warning_recipients,
ts_escalation_recipients); the standard Notifications of the module (techsolutions_support/
notification/) fire on that change and send to those addresses. Admins choose the people in
TS SLA Settings (per escalation level: assignees, team lead or members, a role, users) and the
team lead on HD Team (ts_team_lead); the rules are in `core.sla_recipients`.

The Notifications are System Notifications (Notification Log, the bell in desk), not e-mails: a
Notification by e-mail files a Communication on the ticket, and Helpdesk shows a ticket's
Communications to its customer in the portal, internal escalations included. They are sent on
document methods the watch runs with its change (sla/watch.py, ALERT_METHODS), so they cost
nothing on the other saves of a ticket.
"""

import json
from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, format_datetime, get_url

from techsolutions_support.core.sla_recipients import (
	Directory,
	TicketPeople,
	escalation_recipients,
	warning_recipients,
)
from techsolutions_support.sla.clock import SlaPolicy


class AlertAudience:
	"""The site's people, read once per watch run on its first alert, and the addresses of users."""

	def __init__(self, policy: SlaPolicy):
		self.policy = policy
		self._directory: Directory | None = None
		self._emails: dict[str, str] = {}

	def warning_to(self, ticket: Any) -> str:
		users = warning_recipients(
			people_of(ticket), self.directory(), self.policy.is_team_warned_when_unassigned
		)
		return self.addresses(users)

	def escalation_to(self, ticket: Any, from_level: int, to_level: int) -> str:
		"""Everyone the levels after `from_level` up to `to_level` name (reached in one run: all of them)."""
		people, directory = people_of(ticket), self.directory()
		users: set[str] = set()
		for audience in self.policy.escalation_audiences[from_level:to_level]:
			users.update(escalation_recipients(audience, people, directory))
		return self.addresses(sorted(users))

	def addresses(self, users: Any) -> str:
		"""Comma-separated, as Frappe's Notification reads a recipients field."""
		return ",".join(self._emails[user] for user in users if self._emails.get(user))

	def directory(self) -> Directory:
		if self._directory is None:
			self._directory = self.read_directory()
		return self._directory

	def read_directory(self) -> Directory:
		users = frappe.get_all("User", filters={"enabled": 1}, fields=["name", "email"])
		self._emails = {user.name: user.email for user in users if user.email}

		members: dict[str, list[str]] = {}
		for row in frappe.get_all(
			"HD Team Member", filters={"parenttype": "HD Team"}, fields=["parent", "user"], order_by="idx"
		):
			members.setdefault(row.parent, []).append(row.user)
		leads = dict(
			frappe.get_all(
				"HD Team",
				filters={"ts_team_lead": ("is", "set")},
				fields=["name", "ts_team_lead"],
				as_list=True,
			)
		)

		roles = sorted({audience.role for audience in self.policy.escalation_audiences if audience.role})
		role_users: dict[str, list[str]] = {}
		if roles:
			for row in frappe.get_all(
				"Has Role", filters={"parenttype": "User", "role": ("in", roles)}, fields=["parent", "role"]
			):
				role_users.setdefault(row.role, []).append(row.parent)

		return Directory(
			active_users=frozenset(self._emails),
			team_members={team: tuple(users) for team, users in members.items()},
			team_leads=leads,
			role_users={role: tuple(users) for role, users in role_users.items()},
		)


def people_of(ticket: Any) -> TicketPeople:
	"""The ticket's assignees (Frappe's `_assign`, a JSON list) and its team."""
	try:
		assignees = json.loads(ticket.get("_assign") or "[]")
	except ValueError:
		assignees = []
	return TicketPeople(
		tuple(user for user in assignees if isinstance(user, str)), ticket.get("agent_group") or ""
	)


def notification_context(context: dict, alert: str) -> dict:
	"""Title and body of the app's Notification of `alert` (response_warning, resolution_warning,
	escalation), in the site's language; their templates only place them ({{ title }}, {{ body }}).

	Composed here rather than in Jinja: the texts are translated like all of the app's, and a
	Notification is sent in the watch's run, where compiling a long template per alert is slow.
	"""
	doc = context["doc"]
	if alert == "escalation":
		level_name = _(doc.ts_escalated_to or "")
		title = _("SLA escalation (level {0}, {1}): ticket {2}").format(
			doc.ts_escalation_level, level_name, doc.name
		)
		text = _("Ticket {0} missed its SLA target at {1} and is escalated to level {2} ({3}).").format(
			doc.name, when(doc.ts_breached_at), doc.ts_escalation_level, level_name
		)
	else:
		share = frappe.get_cached_doc("TS SLA Settings").warn_share_percent or 75
		spent = f"{share:g} %"
		if alert == "response_warning":
			due = when(doc.response_by)
			title = _("SLA warning: first response to ticket {0} due by {1}").format(doc.name, due)
			text = _("The first response to ticket {0} is due by {1}; {2} of its target is spent.").format(
				doc.name, due, spent
			)
		else:
			due = when(doc.resolution_by)
			title = _("SLA warning: resolution of ticket {0} due by {1}").format(doc.name, due)
			text = _("The resolution of ticket {0} is due by {1}; {2} of its target is spent.").format(
				doc.name, due, spent
			)
	facts = " · ".join(
		(
			f"{_('Customer')}: {doc.customer or ''}",
			f"{_('Priority')}: {_(doc.priority or '')}",
			f"{_('Status')}: {_(doc.status or '')}",
		)
	)
	link = get_url(f"/helpdesk/tickets/{doc.name}")
	# Ticket text comes from customers: escaped, the template places the body as HTML.
	body = (
		f"<p>{escape_html(text)}</p>"
		f"<p><b>{escape_html(doc.subject or '')}</b><br>{escape_html(facts)}</p>"
		f'<p><a href="{escape_html(link)}">{escape_html(_("Open the ticket"))}</a></p>'
	)
	return {"title": title, "body": body}


def when(value: Any) -> str:
	return format_datetime(value) if value else ""

"""Telling the customer what happened to their ticket: by e-mail and in the portal's notices.

	on_ticket_update            HD Ticket on_update: a new status, a new or moved deadline
	on_communication_insert     Communication after_insert: a reply of the support team
	announce_moved_deadlines    (job) deadlines the SLA watch moved, which it writes without
	                            a document event (sla/watch.py)

Who is told: the ticket's own contact (its portal user), else the address it was raised by, and
only when that user may read the ticket. Never the person who made the change, never an agent,
never anyone of another customer. Internal changes (agents-only fields, internal comments, rule
traces, the SLA watch's derived values) are no news: only status, deadlines and sent replies are.

What Helpdesk already e-mails, the app does not e-mail again:
	- an agent's reply: Helpdesk's reply_via_agent sends the reply itself to the addresses the
	  agent chose, unless its e-mail workflow is skipped or replies by e-mail are off. The app
	  e-mails a reply only in those cases, or when the contact was not among the recipients.
	- the feedback request Helpdesk sends when a ticket reaches its configured status: that
	  status change gets a portal notice but no second e-mail.
	- the acknowledgement of a new e-mail ticket: a new ticket is no news here at all.

Each piece of news is kept as a TS Portal Notice (also when it was only e-mailed), with a key of
the values it reports; the same news twice in a row is sent once.
"""

from dataclasses import dataclass

import babel.dates

import frappe
from frappe import _
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.utils import escape_html, get_datetime, get_url, now_datetime

from techsolutions_support.core.portal_notices import (
	CHANNELS,
	DEADLINE_FIELDS,
	KINDS,
	TicketChange,
	helpdesk_mails_feedback,
	helpdesk_mails_reply,
	is_reply_to_contact,
	preference_field,
	ticket_changes,
	wanted_channels,
)
from techsolutions_support.core.portal_view import customer_status, language_of
from techsolutions_support.languages import site_language
from techsolutions_support.portal.view import ticket_state

WATCHED_FIELDS = ("status", "first_responded_on", *DEADLINE_FIELDS)
STAFF_ROLES = frozenset({"Agent", "Agent Manager", "System Manager", "Administrator"})
PREFERENCE_FIELDS = tuple(preference_field(kind, channel) for kind in KINDS for channel in CHANNELS)


@dataclass(frozen=True)
class Recipient:
	email: str
	user: str | None
	lang: str


def on_ticket_update(ticket, method=None) -> None:
	before = ticket.get_doc_before_save()
	changes = ticket_changes(
		watched_values(before) if before else None, watched_values(ticket), now=now_datetime()
	)
	if before and status_kind(before) == status_kind(ticket):
		# Two statuses the portal names alike (two paused ones without a reason): no news to read.
		changes = [change for change in changes if change.kind != "status"]
	if not changes:
		return

	recipient = recipient_of(ticket)
	if recipient is None:
		return

	for change in changes:
		helpdesk_mails = change.kind == "status" and helpdesk_sends_feedback(ticket)
		deliver(ticket, recipient, change, email_sent_by_helpdesk=helpdesk_mails)


def on_communication_insert(communication, method=None) -> None:
	if communication.reference_doctype != "HD Ticket" or not communication.reference_name:
		return
	if communication.communication_type != "Communication" or communication.sent_or_received != "Sent":
		return

	ticket = frappe.get_doc("HD Ticket", communication.reference_name)
	recipient = recipient_of(ticket)
	if recipient is None:
		return

	recipients = ",".join(filter(None, (communication.recipients, communication.cc, communication.bcc)))
	if not is_reply_to_contact(recipients, recipient.email):
		return
	helpdesk_mails = helpdesk_mails_reply(
		skip_email_workflow=bool(int(frappe.db.get_single_value("HD Settings", "skip_email_workflow") or 0)),
		reply_email_enabled=bool(frappe.db.get_single_value("HD Settings", "enable_reply_email_via_agent")),
		medium=communication.communication_medium,
		recipients=recipients,
		address=recipient.email,
	)
	change = TicketChange("reply", (("communication", communication.name),))
	deliver(ticket, recipient, change, email_sent_by_helpdesk=helpdesk_mails)


def announce_moved_deadlines(moves: list[dict]) -> None:
	"""Tell each ticket's contact of the deadlines the SLA watch moved (`moves`: the name and the
	deadlines before, see WatchResult.moved_deadlines). A ticket that changed again since is
	compared as it is now; news already told is not told again. One ticket that fails is logged,
	and the others are still told."""
	for move in moves:
		frappe.db.savepoint("ts_announce_deadline")
		try:
			announce_moved_deadline(move)
		except Exception:
			frappe.db.rollback(save_point="ts_announce_deadline")
			frappe.log_error(
				title=_("Notice of a moved deadline failed"),
				reference_doctype="HD Ticket",
				reference_name=move.get("name"),
			)


def announce_moved_deadline(move: dict) -> None:
	if not frappe.db.exists("HD Ticket", move.get("name")):
		return
	ticket = frappe.get_doc("HD Ticket", move["name"])
	before = {"status": ticket.status}
	for field in DEADLINE_FIELDS:
		before[field] = get_datetime(move[field]) if move.get(field) else None
	changes = [
		change
		for change in ticket_changes(before, watched_values(ticket), now=now_datetime())
		if change.kind == "deadline"
	]
	recipient = recipient_of(ticket) if changes else None
	if recipient:
		deliver(ticket, recipient, changes[0], email_sent_by_helpdesk=False)


# Steps


def watched_values(ticket) -> dict:
	values = {field: ticket.get(field) for field in WATCHED_FIELDS}
	for field in DEADLINE_FIELDS:
		values[field] = get_datetime(values[field]) if values[field] else None
	return values


def recipient_of(ticket) -> Recipient | None:
	"""The ticket's own contact, when it may read the ticket and did not make the change itself."""
	user = frappe.db.get_value("Contact", ticket.contact, "user") if ticket.contact else None
	account = frappe.db.get_value(
		"User", user or ticket.raised_by, ["name", "email", "enabled", "language"], as_dict=True
	)
	if account and not user:
		user = account.name
	# The contact's own address where it has a login: raised_by may be an agent filing for them.
	email = (account.email if account else None) or ticket.raised_by
	if not email or frappe.session.user in (user, email):
		return None

	if user:
		if is_staff(user) or not (account and account.enabled):
			return None
		if not frappe.has_permission("HD Ticket", "read", doc=ticket, user=user):
			return None

	lang = (account.language if account else None) or site_language()
	return Recipient(email=email, user=user, lang=lang)


def is_staff(user: str) -> bool:
	"""Whether `user` works the desk. Helpdesk's is_agent(user) answers for the session's user
	when that is Administrator, whoever `user` is; this asks about `user` only."""
	roles = set(frappe.get_roles(user))
	return bool(roles & STAFF_ROLES) or bool(frappe.db.exists("HD Agent", {"name": user}))


def helpdesk_sends_feedback(ticket) -> bool:
	enabled, on_status = frappe.get_cached_value(
		"HD Settings", "HD Settings", ["enable_email_ticket_feedback", "send_email_feedback_on_status"]
	)
	return helpdesk_mails_feedback(
		feedback_enabled=bool(int(enabled or 0)),
		feedback_status=on_status,
		status=ticket.status,
		via_customer_portal=bool(ticket.via_customer_portal),
		has_rating=bool(ticket.feedback_rating),
		has_key=bool(ticket.key),
	)


def deliver(ticket, recipient: Recipient, change: TicketChange, email_sent_by_helpdesk: bool) -> None:
	channels = wanted_channels(change.kind, preference_of(recipient.user))
	if not recipient.user:
		channels.discard("portal")
	if email_sent_by_helpdesk or not can_send_mail():
		channels.discard("email")
	if not channels or was_told(ticket.name, recipient, change):
		return

	message = compose(ticket, change, recipient.lang)
	frappe.get_doc(
		{
			"doctype": "TS Portal Notice",
			"user": recipient.user,
			"email": recipient.email,
			"ticket": ticket.name,
			"kind": change.kind,
			"message": message,
			"change_key": change.key,
			"in_portal": int("portal" in channels),
			"emailed": int("email" in channels),
		}
	).insert(ignore_permissions=True)

	if "email" in channels:
		send_mail(ticket, recipient, message)


def can_send_mail() -> bool:
	"""Whether the site has an outgoing e-mail account; without one, news stays in the portal.

	Frappe refuses to queue a mail without an account, and a ticket's save must not fail for it.
	"""
	if EmailAccount.find_outgoing(match_by_doctype="HD Ticket"):
		return True
	frappe.logger("ts.portal").warning("No outgoing e-mail account: customer notices are not e-mailed")
	return False


def preference_of(user: str | None) -> dict | None:
	if not user:
		return None
	return frappe.db.get_value("TS Notification Preference", {"user": user}, PREFERENCE_FIELDS, as_dict=True)


def was_told(ticket: str, recipient: Recipient, change: TicketChange) -> bool:
	"""Whether the latest notice of this kind to this person already said exactly this."""
	filters = {"ticket": ticket, "kind": change.kind}
	filters.update({"user": recipient.user} if recipient.user else {"email": recipient.email})
	last = frappe.get_all(
		"TS Portal Notice", filters=filters, fields=["change_key"], order_by="creation desc", limit=1
	)
	return bool(last) and last[0].change_key == change.key


def compose(ticket, change: TicketChange, lang: str) -> str:
	"""The notice in the contact's language, plain text."""
	if change.kind == "status":
		return _("Request #{0} has a new status: {1}.", lang=lang).format(
			ticket.name, status_words(ticket, lang)
		)
	if change.kind == "reply":
		return _("Our support team replied to your request #{0}.", lang=lang).format(ticket.name)
	parts = []
	if change.value("response_by"):
		parts.append(
			_("first response by {0}", lang=lang).format(format_moment(change.value("response_by"), lang))
		)
	if change.value("resolution_by"):
		parts.append(
			_("solution by {0}", lang=lang).format(format_moment(change.value("resolution_by"), lang))
		)
	return _("New deadlines for request #{0}: {1}.", lang=lang).format(ticket.name, ", ".join(parts))


def status_words(ticket, lang: str) -> str:
	"""The status as the portal names it ("Waiting for your reply"), not Helpdesk's own name
	("Replied"): a notice and the page it links to must say the same."""
	return customer_status(ticket_state(ticket), language_of(lang)).text


def status_kind(ticket) -> str:
	return customer_status(ticket_state(ticket), "en").kind.value


def format_moment(value, lang: str) -> str:
	"""A date and time as people of that language write it, to the minute (site time zone), in
	that language whoever's request or job writes it (Frappe's own formatting takes the month
	names from the request's language)."""
	language = language_of(lang)
	pattern = "dd.MM.yyyy, HH:mm" if language == "de" else "d MMM yyyy, HH:mm"
	return babel.dates.format_datetime(get_datetime(value), pattern, locale=language)


def send_mail(ticket, recipient: Recipient, message: str) -> None:
	lang = recipient.lang
	if recipient.user:
		url = get_url(f"/support/ticket/{ticket.name}")
		settings = get_url("/support/settings")
		footer = _("Choose which messages you receive: {0}", lang=lang).format(
			f'<a href="{settings}">{settings}</a>'
		)
	else:
		url = get_url("/support/track")
		footer = ""
	body = "".join(
		(
			f"<p>{escape_html(message)}</p>",
			f'<p><a href="{url}">{_("Open your request", lang=lang)}</a></p>',
			f"<p><small>{footer}</small></p>" if footer else "",
		)
	)
	frappe.sendmail(
		recipients=[recipient.email],
		subject=_("Request #{0}: {1}", lang=lang).format(ticket.name, ticket.subject or ""),
		message=body,
		reference_doctype="HD Ticket",
		reference_name=ticket.name,
		add_unsubscribe_link=0,
	)

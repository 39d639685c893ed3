"""The customer portal's methods (/support): a customer's tickets, one ticket, a reply.

Logged-in users only. Every ticket is checked with Helpdesk's own permission rules
(frappe.has_permission: own tickets, or all of the customer's for a contact marked is_manager);
a ticket the user may not read gets the same answer as one that does not exist. What comes back
is the customer view of portal/view.py: words and a few plain values, never an agents-only field.
"""

import html

import frappe
from frappe import _

from techsolutions_support.portal.view import STATUS_FILTERS, list_tickets_for, ticket_view

# A reply longer than this is refused (a pasted log belongs in an attachment).
MAX_REPLY_CHARS = 20_000
# The portal's third tab: open and closed tickets together.
ALL_FILTER = "all"


class TicketNotFoundError(frappe.DoesNotExistError):
	"""The ticket does not exist, or the user may not read it: the same answer for both."""


class InvalidReplyError(frappe.ValidationError):
	pass


@frappe.whitelist(methods=["GET", "POST"])
def list_tickets(page: int = 1, status: str | None = None) -> dict:
	"""One page of the user's tickets (20 a page), open ones first; `status`: open, closed, or all
	(also empty), as the portal's tabs name them."""
	status = None if status in (None, "", ALL_FILTER) else status
	if status is not None and status not in STATUS_FILTERS:
		frappe.throw(
			_("Unknown filter {0}: use open, closed or all.").format(status),
			frappe.ValidationError,
			title=_("Invalid Filter"),
		)
	return list_tickets_for(frappe.session.user, frappe.utils.cint(page) or 1, status)


@frappe.whitelist(methods=["GET", "POST"])
def get_ticket(name: str) -> dict:
	"""The customer view of one ticket: status, waiting on whom, deadline, shipment, history."""
	check_readable(name)
	return ticket_view(name)


@frappe.whitelist(methods=["POST"])
def reply(name: str, message: str) -> dict:
	"""A customer's reply, through Helpdesk's own path so its status logic runs (a ticket waiting
	on the customer goes back to support). Returns the ticket's view after the reply."""
	check_readable(name)
	text = (message or "").strip()
	if not text:
		frappe.throw(_("Please write a message."), InvalidReplyError, title=_("Empty Reply"))
	if len(text) > MAX_REPLY_CHARS:
		frappe.throw(
			_("The message is too long: at most {0} characters.").format(MAX_REPLY_CHARS),
			InvalidReplyError,
			title=_("Reply Too Long"),
		)

	ticket = frappe.get_doc("HD Ticket", name)
	ticket.create_communication_via_contact(as_html(text))
	return ticket_view(name)


def check_readable(name: str) -> None:
	if frappe.session.user == "Guest":
		frappe.throw(_("Please log in."), frappe.PermissionError, title=_("Not Permitted"))
	if (
		not name
		or not frappe.db.exists("HD Ticket", name)
		or not frappe.has_permission("HD Ticket", "read", name)
	):
		frappe.throw(_("Ticket not found"), TicketNotFoundError, title=_("Not Found"))


def as_html(text: str) -> str:
	"""Plain text from the reply box as the HTML Helpdesk stores: escaped, paragraphs and line breaks kept."""
	paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
	return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)

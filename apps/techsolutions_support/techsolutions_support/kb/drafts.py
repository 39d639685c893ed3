"""An HD Article draft from a resolved ticket, linked back to it as the article that solved it.

The text comes from ``core.article_draft``: the subject as title, the customer's description as
the problem, the agent's last reply as the solution, with the names of the people on the ticket,
e-mail addresses and phone numbers replaced. The draft is never published here: an agent reads
it first.

Exceptions (shown with a translated title)::

	frappe.ValidationError
	├── TicketNotResolved        the ticket is still open or paused
	└── TicketAlreadyHasArticle  the ticket already names the article that solved it
"""

import frappe
from frappe import _

from techsolutions_support.core.article_draft import Placeholders, draft_article

# Helpdesk's status category of resolved and closed tickets.
RESOLVED_CATEGORY = "Resolved"


class TicketNotResolved(frappe.ValidationError):
	pass


class TicketAlreadyHasArticle(frappe.ValidationError):
	pass


def create_draft(ticket_name: str) -> "frappe.model.document.Document":
	"""Create the draft of `ticket_name`, link it to the ticket and return it."""
	ticket = frappe.get_doc("HD Ticket", ticket_name)
	ticket.check_permission("write")
	check_ticket(ticket)

	reply = solving_reply(ticket.name)
	draft = draft_article(
		ticket.subject,
		ticket.description,
		reply.content if reply else None,
		problem_heading=_("Problem"),
		solution_heading=_("Solution"),
		names=people_on(ticket, reply),
		placeholders=Placeholders(
			email=_("[e-mail]"), phone=_("[phone]"), iban=_("[IBAN]"), vin=_("[VIN]"), name=_("[name]")
		),
	)

	article = frappe.get_doc(
		{
			"doctype": "HD Article",
			"title": draft.title or _("Article from ticket {0}").format(ticket.name),
			"content": draft.content,
			"status": "Draft",
			"category": general_category(),
			"ts_language": "en" if (frappe.local.lang or "de").startswith("en") else "de",
		}
	).insert()
	ticket.db_set("ts_solved_by_article", article.name)
	return article


def check_ticket(ticket) -> None:
	if ticket.status_category != RESOLVED_CATEGORY:
		frappe.throw(
			_(
				"Ticket {0} is still {1}. Resolve it first: an article is written from the answer that solved it."
			).format(ticket.name, _(ticket.status)),
			TicketNotResolved,
			title=_("Ticket Not Resolved"),
		)
	if ticket.get("ts_solved_by_article"):
		frappe.throw(
			_(
				"Ticket {0} already names article {1} as the one that solved it; clear that field to write another."
			).format(ticket.name, ticket.ts_solved_by_article),
			TicketAlreadyHasArticle,
			title=_("Article Already Linked"),
		)


def solving_reply(ticket: str) -> "frappe._dict | None":
	"""The last reply an agent sent on the ticket (e-mail or portal)."""
	return frappe.db.get_value(
		"Communication",
		{"reference_doctype": "HD Ticket", "reference_name": ticket, "sent_or_received": "Sent"},
		["content", "sender", "sender_full_name"],
		as_dict=True,
		order_by="creation desc",
	)


def people_on(ticket, reply) -> list[str]:
	"""Names to keep out of the article: the contact, the customer, the replying agent, the author."""
	names = [ticket.customer, reply.sender_full_name if reply else None]
	if ticket.contact:
		contact = frappe.db.get_value(
			"Contact", ticket.contact, ["first_name", "last_name", "full_name"], as_dict=True
		)
		if contact:
			names += [contact.full_name, contact.first_name, contact.last_name]
	for user in {ticket.raised_by, reply.sender if reply else None, frappe.session.user}:
		if user and (row := frappe.db.get_value("User", user, ["full_name", "last_name"], as_dict=True)):
			names += [row.full_name, row.last_name]
	return [name for name in names if name]


def general_category() -> str | None:
	"""Helpdesk's "General" category, so that the draft shows in the agent UI's knowledge base."""
	return frappe.db.get_value("HD Article Category", {"category_name": "General"}, "name")

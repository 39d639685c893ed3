"""Helpdesk portal methods this app wraps, so that internal fields never reach a customer."""

import frappe

from helpdesk.helpdesk.doctype.hd_ticket.api import get_one as helpdesk_get_one
from helpdesk.helpdesk.doctype.hd_ticket.api import new as helpdesk_new
from helpdesk.utils import is_agent

from techsolutions_support.portal.view import ticket_view
from techsolutions_support.setup.install import INTERNAL_TICKET_FIELDS


@frappe.whitelist()
def get_ticket(name: str, is_customer_portal: bool = False) -> dict:
	"""Helpdesk's ticket page data; for customers without the agents-only fields.

	Helpdesk selects every column of the ticket, so field permissions alone do not hide them.
	"""
	ticket = without_internal_fields(helpdesk_get_one(name, is_customer_portal))
	if not is_agent():
		# The app's customer view (status in plain words, deadline, shipment) for portal clients too.
		ticket["ts_customer_view"] = ticket_view(name)
	return ticket


@frappe.whitelist()
def new_ticket(doc: dict, attachments: list[dict] | None = None) -> dict:
	"""Helpdesk's new-ticket method; the ticket it returns, for customers without agents-only fields."""
	ticket = helpdesk_new(doc, attachments or [])
	return without_internal_fields(ticket.as_dict())


def without_internal_fields(ticket: dict) -> dict:
	if not is_agent():
		for field in INTERNAL_TICKET_FIELDS:
			ticket.pop(field, None)
	return ticket

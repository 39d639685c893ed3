"""The portal's new-request methods (/support/new): one per photo or document, then the ticket.

Logged-in users who may create tickets only. Both methods take the draft's client request id
(a UUID the browser keeps with the draft): a draft sent again, after a lost answer or from the
offline outbox, never files a second ticket (portal/filing.py).
"""

import frappe
from frappe import _

from techsolutions_support.portal import filing


@frappe.whitelist(methods=["POST"])
def upload_attachment(client_request_id: str) -> dict:
	"""One photo or document of a draft (form field ``file``), checked by its content and kept as
	a private file of the user. ``{"file": name, ...}``; ``{"ticket": name}`` when the draft has
	already been filed."""
	frappe.has_permission("HD Ticket", "create", throw=True)

	upload = frappe.request.files.get("file") if frappe.request else None
	if not upload or not upload.filename:
		frappe.throw(_("No file was sent."), filing.FilingError, title=_("File Missing"))
	return filing.store_upload(client_request_id, upload.filename, upload.stream)


@frappe.whitelist(methods=["POST"])
def file_request(
	client_request_id: str,
	subject: str,
	description: str,
	ticket_type: str | None = None,
	impact: str | None = None,
	urgency: str | None = None,
	attachments: str | list | None = None,
) -> dict:
	"""File the draft as a ticket, once: ``{"ticket": name, "created": bool, "url": ...}``.

	Only these fields reach the ticket; priority, team, tier, vehicle and the like are decided
	by the app's rules, never sent by a customer."""
	frappe.has_permission("HD Ticket", "create", throw=True)

	return filing.file_ticket(
		client_request_id,
		subject,
		description,
		ticket_type=ticket_type,
		impact=impact,
		urgency=urgency,
		attachments=filing.attachment_names(attachments),
	)

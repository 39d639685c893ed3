"""Filing a request from the portal's form (/support/new): its photos first, then the ticket.

The browser sends each photo or document on its own (``store_upload``: one request per file,
so a few large photos never add up past Frappe's request limit), then the ticket with the names
of the stored files (``file_ticket``). Every call carries the draft's client request id:

	store_upload(id, file)  the draft already filed -> {"ticket": name}, nothing stored
	                        else: checked by content (core/uploads.py), stored as a private
	                        file of the user, not attached yet; the same file again -> the same
	file_ticket(id, ...)    the draft already filed -> that ticket, nothing created
	                        else: fields checked, files checked again (the user's own,
	                        unattached, allowed by content), then Helpdesk's own `new`: the
	                        app's hooks (tier, vehicle, priority, SLA) run as for any portal
	                        ticket, and Helpdesk attaches the files to the ticket

The key stored on the ticket (``ts_client_request_id``, a unique column) is a hash of user and
id (core/filing.py): two sends of one draft at the same moment cannot both insert.
"""

import dataclasses
import hashlib
import json
from typing import IO, Any

from PIL import UnidentifiedImageError
from pypdf.errors import PyPdfError

import frappe
from frappe import _
from frappe.core.api.file import get_max_file_size
from frappe.utils import add_days, cint, now_datetime

from helpdesk.helpdesk.doctype.hd_ticket.api import new as helpdesk_new

from techsolutions_support.core import uploads
from techsolutions_support.core.filing import InvalidRequestId, clean_subject, description_html, request_key
from techsolutions_support.setup.install import IMPACT_OPTIONS, URGENCY_OPTIONS
from techsolutions_support.techsolutions_support.doctype.ts_portal_settings.ts_portal_settings import (
	get_portal_settings,
)

KEY_FIELD = "ts_client_request_id"
SAVEPOINT = "ts_portal_filing"
# A description longer than this is refused (a pasted log belongs in an attachment).
MAX_DESCRIPTION_CHARS = 20_000
# Room for the multipart envelope around one file within Frappe's request limit.
MULTIPART_OVERHEAD = 64 * 1024
# How long a stored upload is remembered for a retry of the same draft.
UPLOAD_MEMORY_SECONDS = 24 * 3600
# Uploads wait for their request in this folder of Frappe's files (Home/...); those of a draft
# never sent are removed after this many days (remove_abandoned_uploads, daily). A draft sent
# later still has its photos on the device and sends them again (ts_portal_outbox.js).
UPLOAD_FOLDER = "Portal Uploads"
ABANDONED_AFTER_DAYS = 7
REMOVED_PER_RUN = 1000
# Frappe's limit of a request body when its site config sets none (frappe/app.py).
FRAPPE_REQUEST_LIMIT = 25 * 1024 * 1024


class FilingError(frappe.ValidationError):
	"""Something in the form that cannot be filed as it is."""


class UploadRejectedError(frappe.ValidationError):
	"""A photo or document the portal does not take."""


class AttachmentMissingError(FilingError):
	"""A file named by the draft is not (or no longer) a waiting upload of the user."""


def upload_policy() -> uploads.UploadPolicy:
	"""The portal settings' limits, never above what Frappe itself accepts for one file."""
	settings = get_portal_settings()
	policy = uploads.UploadPolicy.from_settings(cint(settings.max_upload_mb), settings.allowed_upload_types)
	request_limit = (cint(frappe.conf.get("max_file_size")) or FRAPPE_REQUEST_LIMIT) - MULTIPART_OVERHEAD
	return dataclasses.replace(policy, max_bytes=min(policy.max_bytes, get_max_file_size(), request_limit))


def key_for(client_request_id: str) -> str:
	try:
		return request_key(frappe.session.user, client_request_id)
	except InvalidRequestId:
		frappe.throw(
			_("This form is out of date. Please reload the page and send it again."),
			FilingError,
			title=_("Invalid Request"),
		)
		raise


def find_filed_ticket(key: str, for_update: bool = False) -> str | None:
	return frappe.db.get_value("HD Ticket", {KEY_FIELD: key}, "name", for_update=for_update)


def store_upload(client_request_id: str, file_name: str, stream: IO[bytes]) -> dict[str, Any]:
	"""Check one uploaded file and keep it as a private, unattached file of the user."""
	key = key_for(client_request_id)
	filed = find_filed_ticket(key)
	if filed:
		return {"ticket": filed}

	policy = upload_policy()
	# Never more than one byte past the limit in memory: that byte is enough to refuse.
	content = stream.read(policy.max_bytes + 1)
	accepted = check_file(file_name, len(content), content[: uploads.HEAD_BYTES], policy)

	# A retry after a lost answer sends the same file again: the one stored first is used.
	# Remembered by the upload's own digest (Frappe rewrites photos to drop their location data,
	# so the stored file's hash differs from the upload's).
	seen_key = f"ts:portal-upload:{key}:{hashlib.sha256(content).hexdigest()}"
	existing = stored_upload(frappe.cache.get_value(seen_key))
	if existing:
		return existing

	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": accepted.file_name,
			"content": content,
			"is_private": 1,
			"folder": upload_folder(),
		}
	)
	try:
		file.insert()
	except (UnidentifiedImageError, PyPdfError):
		# Frappe opens photos (to drop their location data) and PDFs (to look for scripts): a
		# broken one fails there.
		frappe.throw(
			_("{0} could not be read. Please take or choose it again.").format(accepted.file_name),
			UploadRejectedError,
			title=_("File Not Accepted"),
		)
	frappe.cache.set_value(seen_key, file.name, expires_in_sec=UPLOAD_MEMORY_SECONDS)
	return {"file": file.name, "file_name": file.file_name, "size": file.file_size}


def stored_upload(name: str | None) -> dict[str, Any] | None:
	"""An upload of this user that is still waiting for its ticket, or None."""
	if not name:
		return None
	file = frappe.db.get_value(
		"File", name, ["name", "owner", "attached_to_doctype", "file_name", "file_size"], as_dict=True
	)
	if not file or file.owner != frappe.session.user or file.attached_to_doctype:
		return None
	return {"file": file.name, "file_name": file.file_name, "size": file.file_size}


def upload_folder() -> str:
	"""The folder uploads wait in, made on first use."""
	name = f"Home/{UPLOAD_FOLDER}"
	if not frappe.db.exists("File", name):
		frappe.get_doc(
			{"doctype": "File", "file_name": UPLOAD_FOLDER, "is_folder": 1, "folder": "Home"}
		).insert(ignore_permissions=True, ignore_if_duplicate=True)
	return name


def remove_abandoned_uploads() -> int:
	"""Daily: delete the uploads of drafts never sent, older than ABANDONED_AFTER_DAYS.

	Only files still waiting in the upload folder and attached to nothing; one that cannot be
	deleted is logged and the others go on. Returns how many were deleted."""
	names = frappe.get_all(
		"File",
		filters={
			"folder": f"Home/{UPLOAD_FOLDER}",
			"is_folder": 0,
			"attached_to_doctype": ("is", "not set"),
			"creation": ("<", add_days(now_datetime(), -ABANDONED_AFTER_DAYS)),
		},
		pluck="name",
		order_by="creation asc",
		limit=REMOVED_PER_RUN,
	)
	removed = 0
	for name in names:
		frappe.db.savepoint("ts_remove_upload")
		try:
			frappe.delete_doc("File", name, ignore_permissions=True)
			removed += 1
		except Exception:
			frappe.db.rollback(save_point="ts_remove_upload")
			frappe.log_error(
				title=_("An abandoned portal upload could not be deleted"),
				reference_doctype="File",
				reference_name=name,
			)
	return removed


def file_ticket(
	client_request_id: str,
	subject: str,
	description: str,
	ticket_type: str | None = None,
	impact: str | None = None,
	urgency: str | None = None,
	attachments: list[str] | None = None,
) -> dict[str, Any]:
	"""File the draft once; the same draft again returns the ticket filed the first time."""
	key = key_for(client_request_id)
	filed = find_filed_ticket(key)
	if filed:
		return filed_result(filed, created=False)

	values = check_form(subject, description, ticket_type, impact, urgency)
	files = check_attachments(attachments or [], upload_policy())

	frappe.db.savepoint(SAVEPOINT)
	try:
		ticket = helpdesk_new({**values, KEY_FIELD: key}, files)
	except frappe.UniqueValidationError:
		# The same draft sent at the same moment (two tabs, a retry): the other request won.
		# A locking read sees its committed ticket, which this transaction's snapshot does not.
		frappe.db.rollback(save_point=SAVEPOINT)
		filed = find_filed_ticket(key, for_update=True)
		if not filed:
			raise
		frappe.clear_messages()
		return filed_result(filed, created=False)
	return filed_result(ticket.name, created=True)


def filed_result(ticket: str, created: bool) -> dict[str, Any]:
	return {"ticket": ticket, "created": created, "url": f"/support/ticket/{ticket}"}


def check_form(
	subject: str, description: str, ticket_type: str | None, impact: str | None, urgency: str | None
) -> dict[str, Any]:
	"""The ticket fields a customer fills in, checked; nothing else ever reaches the ticket."""
	title = _("Please Check the Form")
	subject = clean_subject(subject)
	if not subject:
		frappe.throw(_("Please enter a subject."), FilingError, title=title)

	text = (description or "").strip()
	if not text:
		frappe.throw(_("Please describe the problem."), FilingError, title=title)
	if len(text) > MAX_DESCRIPTION_CHARS:
		frappe.throw(
			_("The description is too long: at most {0} characters.").format(MAX_DESCRIPTION_CHARS),
			FilingError,
			title=title,
		)

	if ticket_type and ticket_type not in enabled_ticket_types():
		frappe.throw(_("Unknown request type: {0}.").format(ticket_type), FilingError, title=title)
	for answer, options in ((impact, IMPACT_OPTIONS), (urgency, URGENCY_OPTIONS)):
		if answer and answer not in options:
			frappe.throw(_("Unknown answer: {0}.").format(answer), FilingError, title=title)

	return {
		"subject": subject,
		"description": description_html(text),
		"ticket_type": ticket_type or None,
		"ts_impact": impact or None,
		"ts_urgency": urgency or None,
	}


def attachment_names(attachments: str | list[str] | None) -> list[str]:
	"""The file names the browser sends: a list, or a JSON list in a form field."""
	if attachments is None:
		return []
	if isinstance(attachments, str):
		try:
			attachments = json.loads(attachments) if attachments.strip() else []
		except ValueError:
			# Not JSON: refused below. Filing without the photos would lose them quietly.
			attachments = object()
	if not isinstance(attachments, list) or not all(isinstance(name, str) for name in attachments):
		frappe.throw(_("The list of attachments is not readable."), FilingError, title=_("Invalid Request"))
	return list(dict.fromkeys(attachments))


def check_attachments(names: list[str], policy: uploads.UploadPolicy) -> list[dict[str, str]]:
	"""Each file must be the user's own, private, not attached yet, and allowed by its content."""
	try:
		uploads.check_count(len(names), policy)
	except uploads.UploadRejected as error:
		throw_rejected(error, policy)

	for name in names:
		file = frappe.db.get_value(
			"File",
			name,
			["name", "owner", "is_private", "attached_to_doctype", "file_name", "file_size", "file_url"],
			as_dict=True,
		)
		if not file or file.owner != frappe.session.user or file.attached_to_doctype or not file.is_private:
			frappe.throw(
				_("An attachment was not found. Please add your photos and documents again."),
				AttachmentMissingError,
				title=_("Attachment Missing"),
			)
		check_file(file.file_name, cint(file.file_size), read_head(file.name), policy)
	return [{"name": name} for name in names]


def read_head(file_name: str) -> bytes:
	path = frappe.get_doc("File", file_name).get_full_path()
	with open(path, "rb") as handle:
		return handle.read(uploads.HEAD_BYTES)


def check_file(
	file_name: str, size: int, head: bytes, policy: uploads.UploadPolicy
) -> uploads.AcceptedUpload:
	try:
		return uploads.check_upload(file_name, size, head, policy)
	except uploads.UploadRejected as error:
		throw_rejected(error, policy)
		raise


def throw_rejected(error: uploads.UploadRejected, policy: uploads.UploadPolicy) -> None:
	frappe.throw(rejection_message(error, policy), UploadRejectedError, title=_("File Not Accepted"))


def rejection_message(error: uploads.UploadRejected, policy: uploads.UploadPolicy) -> str:
	"""The customer's words for a refused file: which file, and what the limit is."""
	if isinstance(error, uploads.TooManyFiles):
		return _("At most {0} files can be attached to one request.").format(error.limit)
	if isinstance(error, uploads.FileTooLarge):
		return _("{0} is larger than {1} MB. Please choose a smaller file.").format(
			error.file_name, format_megabytes(error.limit_bytes)
		)
	if isinstance(error, uploads.FileTypeNotAllowed):
		return _("{0} cannot be attached. Allowed file types: {1}.").format(
			error.file_name, ", ".join(error.allowed)
		)
	if isinstance(error, uploads.ContentMismatch):
		return _("{0} is not a real {1} file. Please attach the original file.").format(
			error.file_name, error.extension.upper()
		)
	return _("{0} is empty.").format(error.file_name)


def format_megabytes(size: int) -> str:
	return f"{size / uploads.MEGABYTE:.1f}".removesuffix(".0")


def enabled_ticket_types() -> list[str]:
	return frappe.get_list("HD Ticket Type", filters={"disabled": 0}, pluck="name", order_by="name asc")

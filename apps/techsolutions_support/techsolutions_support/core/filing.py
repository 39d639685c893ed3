"""A request filed in the customer portal: its idempotency key and its text as ticket HTML.

The browser gives every draft a client request id (a UUID) and sends it with each attempt, so
a draft sent twice (a retry after a lost answer, two tabs, the online event and the next visit)
files one ticket. ``request_key`` turns (user, id) into the key stored on the ticket: a hash,
so the same id sent by another user is another key, and the stored value tells nobody the id.

Contract: pure, no I/O. ``request_key`` raises ``InvalidRequestId`` for anything but a UUID;
``description_html`` and ``clean_subject`` accept any text.
"""

import hashlib
import html
import re
import uuid

__all__ = ["MAX_SUBJECT_LENGTH", "InvalidRequestId", "clean_subject", "description_html", "request_key"]

# HD Ticket's subject is a Data field (140 characters).
MAX_SUBJECT_LENGTH = 140
_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")


class InvalidRequestId(ValueError):
	"""The client request id is not a UUID."""


def request_key(user: str, client_request_id: str) -> str:
	"""The stored key of one draft of one user: 64 hex digits, the same for the same pair."""
	try:
		parsed = uuid.UUID(str(client_request_id or "").strip())
	except ValueError as error:
		raise InvalidRequestId(client_request_id) from error
	return hashlib.sha256(f"{user}\n{parsed}".encode()).hexdigest()


def clean_subject(text: str | None) -> str:
	"""One line without surrounding or repeated spaces, cut to what the ticket keeps."""
	return _SPACES.sub(" ", text or "").strip()[:MAX_SUBJECT_LENGTH].rstrip()


def description_html(text: str | None) -> str:
	"""Plain text typed by a customer as the ticket's HTML: escaped, paragraphs, line breaks."""
	normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
	paragraphs = [part.strip("\n") for part in _BLANK_LINES.split(normalised) if part.strip()]
	return "".join(
		"<p>" + "<br>".join(html.escape(line.strip()) for line in part.split("\n")) + "</p>"
		for part in paragraphs
	)

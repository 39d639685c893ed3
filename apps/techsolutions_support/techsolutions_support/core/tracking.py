"""Tracking a request without an account: links, their stored hashes, expiry and request limits.

A guest who names a ticket number and the address the ticket was filed with receives a link by
e-mail. The link carries two parts, ``<selector>.<token>``: the selector names the stored record,
the token proves possession. Only a keyed hash of the token is stored, so a copy of the database
opens nothing; the hash is compared in constant time.

Contract: pure. Nothing here reads a database, a clock or the network; callers pass ``now``, the
hashing key and the stored values. Nothing is logged, least of all a token. The only exception
raised is ``ValueError`` for a validity period below one minute.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# 32 random bytes: 256 bits, far beyond guessing within any rate limit.
TOKEN_BYTES = 32
SEPARATOR = "."

# Ticket numbers are Helpdesk's autoincrement names; twelve digits is far more than any site has.
MAX_TICKET_DIGITS = 12
# RFC 5321 limits a forward path to 256 octets, the address itself to 254.
MAX_EMAIL_LENGTH = 254

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_SELECTOR = re.compile(r"^[a-z0-9]{6,40}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class LinkState(StrEnum):
	VALID = "valid"
	USED = "used"
	EXPIRED = "expired"
	UNKNOWN = "unknown"


@dataclass(frozen=True)
class StoredLink:
	"""What the site keeps of a link: never the token, only its hash."""

	token_hash: str
	expires_at: datetime
	used_at: datetime | None = None


def new_token() -> str:
	"""A fresh random token, URL-safe."""
	return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str, key: str) -> str:
	"""The keyed hash (HMAC-SHA256, hex) that is stored in place of the token."""
	return hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()


def is_same_hash(left: str, right: str) -> bool:
	"""Constant-time comparison, so the time taken reveals nothing about how much matched."""
	return hmac.compare_digest(left.encode(), right.encode())


def expiry(now: datetime, minutes: int) -> datetime:
	if minutes < 1:
		raise ValueError(f"a tracking link must be valid for at least one minute, not {minutes}")
	return now + timedelta(minutes=minutes)


def link_param(selector: str, token: str) -> str:
	"""The value of the link's query parameter."""
	return f"{selector}{SEPARATOR}{token}"


def split_link_param(value: str | None) -> tuple[str, str] | None:
	"""(selector, token) from a link's parameter; None when it is not shaped like one."""
	selector, separator, token = (value or "").strip().partition(SEPARATOR)
	if not separator or not _SELECTOR.match(selector) or not _TOKEN.match(token):
		return None
	return selector, token


def check_link(link: StoredLink | None, token: str, key: str, now: datetime) -> LinkState:
	"""Whether a presented token opens the stored link now.

	A wrong token counts as unknown, never as used or expired: the answer must not confirm that
	a selector exists to someone who does not hold its token.
	"""
	presented = hash_token(token, key)
	if link is None or not is_same_hash(presented, link.token_hash):
		return LinkState.UNKNOWN
	if link.used_at is not None:
		return LinkState.USED
	if now >= link.expires_at:
		return LinkState.EXPIRED
	return LinkState.VALID


def normalise_email(text: str | None) -> str | None:
	"""The address as compared: trimmed and lower-case; None when it cannot be an address."""
	address = (text or "").strip().lower()
	if not address or len(address) > MAX_EMAIL_LENGTH or not _EMAIL.match(address):
		return None
	return address


def normalise_ticket_number(text: str | int | None, width: int = 1) -> str | None:
	"""The ticket's name as stored, from what a person typed: digits, zero-padded to `width`.

	Helpdesk names tickets ``.####`` (0042, 1042, 10042), so "42", "#0042" and 42 are one ticket.
	"""
	number = str(text if text is not None else "").strip().lstrip("#").strip()
	if not number.isascii() or not number.isdigit() or len(number) > MAX_TICKET_DIGITS:
		return None
	number = number.lstrip("0")
	return number.zfill(width) if number else None


def matching_address(given: str | None, known: Iterable[str | None]) -> str | None:
	"""The known address equal to the given one, or None.

	Every known address is compared, in constant time each, whether or not an earlier one
	matched, so the time taken does not depend on where (or whether) the match is.
	"""
	wanted = normalise_email(given) or ""
	found = None
	for candidate in known:
		address = normalise_email(candidate)
		if address is None:
			continue
		if hmac.compare_digest(address.encode(), wanted.encode()) and wanted:
			found = found or address
	return found


@dataclass(frozen=True)
class RateLimit:
	"""At most `limit` requests per `window_s` seconds, counted in fixed windows."""

	limit: int
	window_s: int

	def window(self, now: datetime) -> int:
		"""The number of the window `now` falls into (the same for every request inside it)."""
		return int(now.timestamp()) // self.window_s

	def is_exceeded(self, count: int) -> bool:
		"""Whether the request that brought the window's count to `count` is one too many."""
		return count > self.limit

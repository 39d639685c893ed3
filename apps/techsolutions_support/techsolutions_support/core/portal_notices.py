"""What a customer is told about their ticket, and by which channel.

Three kinds of change reach the ticket's contact: a new status, a reply of the support team, and
a new or moved deadline (first response or resolution). Each kind can go by e-mail and into the
portal's notices; the contact turns either off per kind. Helpdesk e-mails some of these itself
(an agent's reply, the feedback request when a ticket closes); the functions here say when, so
the app does not send the same news twice.

Contract: pure, never raises, never reads a database or a clock. Callers pass the ticket's values
before and after a save, the settings and the stored preference.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = ("status", "reply", "deadline")
CHANNELS = ("email", "portal")
DEADLINE_FIELDS = ("response_by", "resolution_by")

# A deadline recomputed to within this many seconds of the old one has not moved: the clock
# stores seconds, and a recomputation may land a second apart.
DEADLINE_TOLERANCE_S = 60


@dataclass(frozen=True)
class TicketChange:
	"""One piece of news: its kind, the values after it, and a key that is the same for the same news."""

	kind: str
	values: tuple[tuple[str, Any], ...]

	@property
	def key(self) -> str:
		return self.kind + ":" + "|".join(f"{field}={value}" for field, value in self.values)

	def value(self, field: str) -> Any:
		return dict(self.values).get(field)


def ticket_changes(
	before: Mapping[str, Any] | None, after: Mapping[str, Any], now: datetime | None = None
) -> list[TicketChange]:
	"""The news in one save of a ticket: at most one status change and one deadline change.

	A new ticket (no `before`) carries no news: the customer has just filed it. A deadline that
	is removed (paused, resolved) is not news of its own; the status change says it. Only a
	deadline still to come is news: not the first response's once it was given
	(`after["first_responded_on"]`), not one already past `now` (when given). The change names
	only those.
	"""
	if before is None:
		return []
	changes = []
	if after.get("status") and after.get("status") != before.get("status"):
		changes.append(TicketChange("status", (("status", after["status"]),)))
	ahead = {field: after.get(field) for field in DEADLINE_FIELDS if is_ahead(field, after, now)}
	if any(has_moved(before.get(field), value) for field, value in ahead.items()):
		values = tuple((field, ahead.get(field)) for field in DEADLINE_FIELDS)
		changes.append(TicketChange("deadline", values))
	return changes


def is_ahead(field: str, ticket: Mapping[str, Any], now: datetime | None) -> bool:
	"""Whether the ticket's deadline `field` is still to be met: set, its clock running, not past."""
	deadline = ticket.get(field)
	if not deadline:
		return False
	if field == "response_by" and ticket.get("first_responded_on"):
		return False
	return now is None or deadline > now


def has_moved(before: datetime | None, after: datetime | None) -> bool:
	if before is None or after is None:
		return before is not after
	return abs((after - before).total_seconds()) >= DEADLINE_TOLERANCE_S


def preference_field(kind: str, channel: str) -> str:
	"""The field of TS Notification Preference for a kind and channel, e.g. ``status_email``."""
	return f"{kind}_{channel}"


def wanted_channels(kind: str, preference: Mapping[str, Any] | None) -> set[str]:
	"""The channels a contact keeps for a kind; everything is on until they turn it off."""
	if preference is None:
		return set(CHANNELS)
	return {channel for channel in CHANNELS if preference.get(preference_field(kind, channel), 1)}


def addresses_in(recipients: str | None) -> set[str]:
	"""The addresses of a recipients field ("A <a@x.de>, b@y.de; c@z.de"), lower-case."""
	found = set()
	for part in (recipients or "").replace(";", ",").split(","):
		address = part.strip()
		if "<" in address and address.endswith(">"):
			address = address[address.rindex("<") + 1 : -1]
		if address:
			found.add(address.strip().lower())
	return found


def is_reply_to_contact(recipients: str | None, address: str) -> bool:
	"""Whether an agent's message is news for the contact: written to them, or to nobody by mail
	(a reply in the portal only). A message to a carrier or a colleague is not."""
	written_to = addresses_in(recipients)
	return not written_to or address.lower() in written_to


def helpdesk_mails_reply(
	*, skip_email_workflow: bool, reply_email_enabled: bool, medium: str | None, recipients: str, address: str
) -> bool:
	"""Whether Helpdesk e-mails an agent's reply to `address` itself (its reply_via_agent)."""
	if skip_email_workflow or not reply_email_enabled or medium != "Email":
		return False
	return address.lower() in addresses_in(recipients)


def helpdesk_mails_feedback(
	*,
	feedback_enabled: bool,
	feedback_status: str | None,
	status: str,
	via_customer_portal: bool,
	has_rating: bool,
	has_key: bool,
) -> bool:
	"""Whether Helpdesk e-mails its feedback request for this status change (handle_email_feedback).

	That mail goes to the address the ticket was raised by and tells them it is done; a second
	mail about the same status would say the same thing.
	"""
	if via_customer_portal or has_rating or not has_key or not feedback_enabled:
		return False
	return feedback_status == status or (feedback_status == "" and status == "Closed")

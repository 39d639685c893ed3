"""What a customer sees of one ticket: its status in plain words, whom it waits on, the next
promised deadline, the shipment it is about, and the part of its history a customer may read.

Contract: pure and framework-free; never reads a clock or a database, never raises on odd data
(an unknown status, a missing carrier name, a delivery never synced each get their own honest
words). The caller passes the ticket's facts, ``now`` and the time zone to speak in; every
datetime must be aware. The texts are German or English, chosen by the contact's language
(anything that is not German reads English); they live here, not in a translation file,
because their grammar (weekday, "heute", "seit") is part of what is computed.

Exceptions::

	ValueError
	└── PortalViewError     a naive datetime was passed (its instant would be a guess)
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = [
	"CustomerStatus",
	"Deadline",
	"DeadlineKind",
	"DeliveryFacts",
	"EventKind",
	"Party",
	"PortalViewError",
	"ShipmentView",
	"StatusKind",
	"TicketEvent",
	"TicketFacts",
	"TicketState",
	"VehicleFacts",
	"VehicleView",
	"VisibleEvent",
	"WaitingOn",
	"customer_status",
	"customer_timeline",
	"customer_view",
	"known_delay",
	"language_of",
	"message_text",
	"next_deadline",
	"shipment_view",
	"vehicle_view",
	"waiting_on",
	"when_text",
]

Lang = Literal["de", "en"]

# Helpdesk's status categories, and the pause reasons of the app's statuses (setup/sla.py).
OPEN, PAUSED, RESOLVED = "Open", "Paused", "Resolved"
CUSTOMER, CARRIER, SPARE_PARTS = "Customer", "Carrier", "Spare Parts"
CLOSED_STATUS = "Closed"

# Past this many days away a date is named instead of a weekday ("Dienstag" would be ambiguous).
WEEKDAY_RANGE_DAYS = 6


class PortalViewError(ValueError):
	"""A fact cannot be shown: a naive datetime."""


def language_of(code: str | None) -> Lang:
	""" "de", "de-DE", "de_AT" read German; everything else, and nothing, reads English."""
	return "de" if (code or "").strip().lower()[:2] == "de" else "en"


# Words


WEEKDAYS = {
	"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
	"de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
MONTHS = {
	"en": (
		"January",
		"February",
		"March",
		"April",
		"May",
		"June",
		"July",
		"August",
		"September",
		"October",
		"November",
		"December",
	),
	"de": (
		"Januar",
		"Februar",
		"März",
		"April",
		"Mai",
		"Juni",
		"Juli",
		"August",
		"September",
		"Oktober",
		"November",
		"Dezember",
	),
}

TEXT: dict[str, dict[Lang, str]] = {
	# When: "{day}" is a weekday, a date, or today/tomorrow/yesterday; "{time}" is HH:MM.
	"at.today": {"en": "today {time}", "de": "heute, {time}"},
	"at.tomorrow": {"en": "tomorrow {time}", "de": "morgen, {time}"},
	"at.yesterday": {"en": "yesterday {time}", "de": "gestern, {time}"},
	"at.day": {"en": "{day} {time}", "de": "{day}, {time}"},
	"by.today": {"en": "today by {time}", "de": "heute bis {time}"},
	"by.tomorrow": {"en": "tomorrow by {time}", "de": "morgen bis {time}"},
	"by.day": {"en": "by {day} {time}", "de": "bis {day}, {time}"},
	"since.today": {"en": "since {time} today", "de": "seit heute, {time}"},
	"since.yesterday": {"en": "since yesterday {time}", "de": "seit gestern, {time}"},
	"since.day": {"en": "since {day} {time}", "de": "seit {day}, {time}"},
	"date": {"en": "{d} {month}", "de": "{d}. {month}"},
	"date.year": {"en": "{d} {month} {year}", "de": "{d}. {month} {year}"},
	# Status
	"status.received": {"en": "Received", "de": "Eingegangen"},
	"status.in_progress": {"en": "In progress", "de": "In Bearbeitung"},
	"status.waiting_customer": {"en": "Waiting for your reply", "de": "Wartet auf Ihre Antwort"},
	"status.waiting_carrier": {"en": "Waiting for the carrier", "de": "Wartet auf den Spediteur"},
	"status.waiting_parts": {"en": "Waiting for spare parts", "de": "Wartet auf Ersatzteile"},
	"status.on_hold": {"en": "On hold", "de": "Zurückgestellt"},
	"status.solved": {"en": "Solved", "de": "Gelöst"},
	"status.closed": {"en": "Closed", "de": "Abgeschlossen"},
	# Waiting on
	"wait.customer": {"en": "We are waiting for your reply.", "de": "Wir warten auf Ihre Antwort."},
	"wait.support": {"en": "Our support team is working on it.", "de": "Unser Support-Team ist am Zug."},
	"wait.carrier": {"en": "We are waiting for the carrier.", "de": "Wir warten auf den Spediteur."},
	"wait.carrier_named": {
		"en": "We are waiting for the carrier {carrier}.",
		"de": "Wir warten auf den Spediteur {carrier}.",
	},
	"wait.parts": {"en": "We are waiting for spare parts.", "de": "Wir warten auf Ersatzteile."},
	"wait.nobody": {"en": "Nothing is pending.", "de": "Nichts ist mehr offen."},
	# Deadline
	"deadline.response": {"en": "Answer {by}", "de": "Antwort {by}"},
	"deadline.resolution": {"en": "Solution {by}", "de": "Lösung {by}"},
	"overdue.response": {"en": "Answer overdue {since}", "de": "Antwort überfällig {since}"},
	"overdue.resolution": {"en": "Solution overdue {since}", "de": "Lösung überfällig {since}"},
	"stopped.customer": {
		"en": "Clock stopped while we wait for your reply",
		"de": "Frist angehalten, solange wir auf Ihre Antwort warten",
	},
	"stopped.carrier": {
		"en": "Clock stopped while we wait for the carrier",
		"de": "Frist angehalten, solange wir auf den Spediteur warten",
	},
	"stopped.carrier_named": {
		"en": "Clock stopped while we wait for the carrier {carrier}",
		"de": "Frist angehalten, solange wir auf den Spediteur {carrier} warten",
	},
	"stopped.parts": {
		"en": "Clock stopped while we wait for spare parts",
		"de": "Frist angehalten, solange wir auf Ersatzteile warten",
	},
	"stopped.other": {
		"en": "Clock stopped while your request is on hold",
		"de": "Frist angehalten, solange Ihre Anfrage zurückgestellt ist",
	},
	# Shipment
	"ship.not_synced": {
		"en": "Not synced yet: no data from the transport system so far",
		"de": "Noch nicht abgeglichen: bisher keine Daten aus dem Transportsystem",
	},
	"ship.Planned": {"en": "Planned", "de": "Geplant"},
	"ship.In Transit": {"en": "On its way", "de": "Unterwegs"},
	"ship.Delayed": {"en": "Delayed", "de": "Verspätet"},
	"ship.Delivered": {"en": "Delivered", "de": "Zugestellt"},
	"ship.Failed": {"en": "Delivery failed", "de": "Zustellung fehlgeschlagen"},
	"ship.Cancelled": {"en": "Cancelled", "de": "Storniert"},
	"ship.unknown": {"en": "Status not known", "de": "Status unbekannt"},
	"ship.eta": {"en": "Expected {at}", "de": "Erwartet {at}"},
	"ship.no_eta": {"en": "No arrival time yet", "de": "Noch keine Ankunftszeit"},
	"ship.delivered_at": {"en": "Delivered {at}", "de": "Zugestellt {at}"},
	"ship.proof": {"en": "Proof of delivery: {proof}", "de": "Zustellnachweis: {proof}"},
	"ship.proof_link": {"en": "Proof of delivery", "de": "Zustellnachweis"},
	"ship.synced": {"en": "As of {at}", "de": "Stand: {at}"},
	"delay.unknown": {"en": "Delay not known", "de": "Verspätung nicht bekannt"},
	"delay.on_time": {"en": "On time", "de": "Pünktlich"},
	"delay.late": {"en": "{amount} late", "de": "{amount} Verspätung"},
	"delay.early": {"en": "{amount} early", "de": "{amount} früher"},
	"amount.min": {"en": "{m} min", "de": "{m} Min."},
	"amount.h": {"en": "{h} h", "de": "{h} Std."},
	"amount.h_min": {"en": "{h} h {m} min", "de": "{h} Std. {m} Min."},
	# Vehicle
	"vehicle.moving": {"en": "On the road", "de": "In Fahrt"},
	"vehicle.stopped": {"en": "Stopped", "de": "Steht"},
	"vehicle.ignition_off": {"en": "Parked", "de": "Abgestellt"},
	"vehicle.fault": {"en": "Fault reported", "de": "Störung gemeldet"},
	"vehicle.unknown": {"en": "State not known", "de": "Zustand unbekannt"},
	# Timeline
	"event.created": {"en": "Request received", "de": "Anfrage eingegangen"},
	"event.status": {"en": "Status: {status}", "de": "Status: {status}"},
	"who.support": {"en": "Support team", "de": "Support-Team"},
	"who.you": {"en": "You", "de": "Sie"},
}


def say(key: str, lang: Lang, **values: object) -> str:
	return TEXT[key][lang].format(**values)


# When


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
	if moment.tzinfo is None or moment.utcoffset() is None:
		raise PortalViewError(f"An aware datetime is needed, got the naive {moment.isoformat()}")
	return moment.astimezone(zone)


def _date_words(moment: datetime, now: datetime, lang: Lang) -> str:
	key = "date" if moment.year == now.year else "date.year"
	return say(key, lang, d=moment.day, month=MONTHS[lang][moment.month - 1], year=moment.year)


def when_text(
	moment: datetime,
	now: datetime,
	zone: ZoneInfo,
	lang: Lang,
	style: Literal["at", "by", "since"] = "at",
) -> str:
	"""A moment in words as the customer reads it in ``zone``, relative to ``now``.

	Today, tomorrow and yesterday by name; a weekday within six days either way; a date beyond.
	``style`` puts it after "by" (a deadline), after "since" (an overdue one), or alone.
	"""
	local, today = _local(moment, zone), _local(now, zone)
	days = (local.date() - today.date()).days
	clock = local.strftime("%H:%M")
	named = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
	if named and f"{style}.{named}" in TEXT:
		return say(f"{style}.{named}", lang, time=clock)
	# Beyond a week either way a weekday would be ambiguous: the date.
	day = (
		WEEKDAYS[lang][local.weekday()]
		if abs(days) <= WEEKDAY_RANGE_DAYS
		else _date_words(local, today, lang)
	)
	return say(f"{style}.day", lang, day=day, time=clock)


# Ticket state


@dataclass(frozen=True, slots=True)
class TicketState:
	"""The ticket as its SLA fields store it. ``category`` is Helpdesk's (Open, Paused, Resolved);
	``pause_reason`` the app's reason of a paused status (Customer, Carrier, Spare Parts, Other)."""

	status: str
	category: str = ""
	pause_reason: str = ""
	carrier: str = ""
	first_responded_at: datetime | None = None
	response_by: datetime | None = None
	resolution_by: datetime | None = None


class StatusKind(enum.StrEnum):
	RECEIVED = "received"
	IN_PROGRESS = "in_progress"
	WAITING_CUSTOMER = "waiting_customer"
	WAITING_CARRIER = "waiting_carrier"
	WAITING_PARTS = "waiting_parts"
	ON_HOLD = "on_hold"
	SOLVED = "solved"
	CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class CustomerStatus:
	kind: StatusKind
	text: str
	# open: we act; waiting: someone else does; done: nothing left.
	tone: Literal["open", "waiting", "done"]


_PAUSE_KINDS = {
	CUSTOMER: StatusKind.WAITING_CUSTOMER,
	CARRIER: StatusKind.WAITING_CARRIER,
	SPARE_PARTS: StatusKind.WAITING_PARTS,
}
_TONES: dict[StatusKind, Literal["open", "waiting", "done"]] = {
	StatusKind.RECEIVED: "open",
	StatusKind.IN_PROGRESS: "open",
	StatusKind.WAITING_CUSTOMER: "waiting",
	StatusKind.WAITING_CARRIER: "waiting",
	StatusKind.WAITING_PARTS: "waiting",
	StatusKind.ON_HOLD: "waiting",
	StatusKind.SOLVED: "done",
	StatusKind.CLOSED: "done",
}


def _status_kind(state: TicketState) -> StatusKind:
	if state.category == RESOLVED:
		return StatusKind.CLOSED if state.status == CLOSED_STATUS else StatusKind.SOLVED
	if state.category == PAUSED:
		return _PAUSE_KINDS.get(state.pause_reason, StatusKind.ON_HOLD)
	# Open, or a category this code does not know: someone at support has it.
	return StatusKind.IN_PROGRESS if state.first_responded_at else StatusKind.RECEIVED


def customer_status(state: TicketState, lang: Lang) -> CustomerStatus:
	kind = _status_kind(state)
	return CustomerStatus(kind, say(f"status.{kind.value}", lang), _TONES[kind])


# Waiting on


class Party(enum.StrEnum):
	CUSTOMER = "customer"
	SUPPORT = "support"
	CARRIER = "carrier"
	PARTS = "parts"
	NOBODY = "nobody"


@dataclass(frozen=True, slots=True)
class WaitingOn:
	party: Party
	text: str
	carrier: str = ""


def waiting_on(state: TicketState, lang: Lang) -> WaitingOn:
	kind = _status_kind(state)
	if kind in (StatusKind.SOLVED, StatusKind.CLOSED):
		return WaitingOn(Party.NOBODY, say("wait.nobody", lang))
	if kind is StatusKind.WAITING_CUSTOMER:
		return WaitingOn(Party.CUSTOMER, say("wait.customer", lang))
	if kind is StatusKind.WAITING_CARRIER:
		carrier = state.carrier.strip()
		if carrier:
			return WaitingOn(Party.CARRIER, say("wait.carrier_named", lang, carrier=carrier), carrier)
		return WaitingOn(Party.CARRIER, say("wait.carrier", lang))
	if kind is StatusKind.WAITING_PARTS:
		return WaitingOn(Party.PARTS, say("wait.parts", lang))
	# Open, or on hold for a reason that names nobody outside: the move is ours.
	return WaitingOn(Party.SUPPORT, say("wait.support", lang))


# Deadline


class DeadlineKind(enum.StrEnum):
	RESPONSE = "response"
	RESOLUTION = "resolution"
	STOPPED = "stopped"
	DONE = "done"
	NONE = "none"


@dataclass(frozen=True, slots=True)
class Deadline:
	"""The next promise. ``at`` is set for a response or resolution deadline; ``text`` is empty
	where there is nothing to say (resolved, or no target)."""

	kind: DeadlineKind
	text: str
	at: datetime | None = None
	is_overdue: bool = False


def next_deadline(state: TicketState, now: datetime, zone: ZoneInfo, lang: Lang) -> Deadline:
	"""First response while unanswered, then resolution; none while paused (the clock stands,
	and the text says why) or once resolved."""
	kind = _status_kind(state)
	if kind in (StatusKind.SOLVED, StatusKind.CLOSED):
		return Deadline(DeadlineKind.DONE, "")
	if state.category == PAUSED:
		return Deadline(DeadlineKind.STOPPED, _stopped_text(kind, state.carrier.strip(), lang))

	if state.first_responded_at is None and state.response_by is not None:
		which, at = DeadlineKind.RESPONSE, state.response_by
	elif state.resolution_by is not None:
		which, at = DeadlineKind.RESOLUTION, state.resolution_by
	else:
		return Deadline(DeadlineKind.NONE, "")

	if _local(at, zone) < _local(now, zone):
		since = when_text(at, now, zone, lang, "since")
		return Deadline(which, say(f"overdue.{which.value}", lang, since=since), at, is_overdue=True)
	return Deadline(which, say(f"deadline.{which.value}", lang, by=when_text(at, now, zone, lang, "by")), at)


def _stopped_text(kind: StatusKind, carrier: str, lang: Lang) -> str:
	if kind is StatusKind.WAITING_CUSTOMER:
		return say("stopped.customer", lang)
	if kind is StatusKind.WAITING_CARRIER:
		return (
			say("stopped.carrier_named", lang, carrier=carrier) if carrier else say("stopped.carrier", lang)
		)
	if kind is StatusKind.WAITING_PARTS:
		return say("stopped.parts", lang)
	return say("stopped.other", lang)


# Shipment and vehicle


@dataclass(frozen=True, slots=True)
class DeliveryFacts:
	"""A TS Delivery as stored. ``delay_minutes`` is ``None`` when not known (see known_delay)."""

	tracking_number: str
	status: str = ""
	planned_eta: datetime | None = None
	current_eta: datetime | None = None
	delay_minutes: int | None = None
	delivered_at: datetime | None = None
	proof_of_delivery: str = ""
	last_synced_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ShipmentView:
	tracking_number: str
	state: str
	headline: str
	eta_text: str = ""
	delay_text: str = ""
	delay_minutes: int | None = None
	delivered_text: str = ""
	proof_text: str = ""
	proof_url: str = ""
	synced_text: str = ""
	# late: delayed or failed; done: delivered; ok: otherwise.
	tone: Literal["ok", "late", "done", "unknown"] = "ok"


_SHIPMENT_STATES = ("Planned", "In Transit", "Delayed", "Delivered", "Failed", "Cancelled")
_LINK_PREFIXES = ("https://", "http://", "/files/")


def known_delay(stored: int | None, planned_eta: datetime | None, current_eta: datetime | None) -> int | None:
	"""The delay in minutes, or ``None`` when nobody knows it.

	Frappe stores an empty Int as 0, so a stored 0 alone says nothing: it counts only when both
	ETAs confirm it. A non-zero value came from the source and is taken as it is.
	"""
	if stored:
		return stored
	if planned_eta is not None and current_eta is not None:
		return round((current_eta - planned_eta).total_seconds() / 60)
	return None


def _amount(minutes: int, lang: Lang) -> str:
	hours, rest = divmod(abs(minutes), 60)
	if not hours:
		return say("amount.min", lang, m=rest)
	if not rest:
		return say("amount.h", lang, h=hours)
	return say("amount.h_min", lang, h=hours, m=rest)


def _delay_text(minutes: int | None, lang: Lang) -> str:
	if minutes is None:
		return say("delay.unknown", lang)
	if minutes == 0:
		return say("delay.on_time", lang)
	return say("delay.late" if minutes > 0 else "delay.early", lang, amount=_amount(minutes, lang))


def shipment_view(facts: DeliveryFacts, now: datetime, zone: ZoneInfo, lang: Lang) -> ShipmentView:
	number = facts.tracking_number
	if facts.last_synced_at is None:
		return ShipmentView(number, "not_synced", say("ship.not_synced", lang), tone="unknown")

	synced = say("ship.synced", lang, at=when_text(facts.last_synced_at, now, zone, lang))
	state = facts.status if facts.status in _SHIPMENT_STATES else "unknown"
	headline = say(f"ship.{state}", lang)

	if state == "Delivered":
		delivered = (
			say("ship.delivered_at", lang, at=when_text(facts.delivered_at, now, zone, lang))
			if facts.delivered_at
			else ""
		)
		proof = facts.proof_of_delivery.strip()
		is_link = proof.startswith(_LINK_PREFIXES)
		return ShipmentView(
			number,
			state,
			headline,
			delivered_text=delivered,
			proof_text=say("ship.proof_link", lang)
			if is_link
			else (say("ship.proof", lang, proof=proof) if proof else ""),
			proof_url=proof if is_link else "",
			synced_text=synced,
			tone="done",
		)
	if state in ("Failed", "Cancelled"):
		return ShipmentView(
			number, state, headline, synced_text=synced, tone="late" if state == "Failed" else "unknown"
		)

	eta = facts.current_eta or facts.planned_eta
	delay = known_delay(facts.delay_minutes, facts.planned_eta, facts.current_eta)
	return ShipmentView(
		number,
		state,
		headline,
		eta_text=say("ship.eta", lang, at=when_text(eta, now, zone, lang))
		if eta
		else say("ship.no_eta", lang),
		delay_text=_delay_text(delay, lang),
		delay_minutes=delay,
		synced_text=synced,
		tone="late"
		if state == "Delayed" or (delay or 0) > 0
		else ("unknown" if state == "unknown" else "ok"),
	)


@dataclass(frozen=True, slots=True)
class VehicleFacts:
	plate: str
	state: str = ""


@dataclass(frozen=True, slots=True)
class VehicleView:
	plate: str
	state_text: str


_VEHICLE_STATES = ("moving", "stopped", "ignition_off", "fault")


def vehicle_view(facts: VehicleFacts, lang: Lang) -> VehicleView:
	"""The plate and what the vehicle does, in words; never where it is."""
	state = facts.state if facts.state in _VEHICLE_STATES else "unknown"
	return VehicleView(facts.plate, say(f"vehicle.{state}", lang))


# Timeline


class EventKind(enum.StrEnum):
	CREATED = "created"
	STATUS = "status"
	CUSTOMER_MESSAGE = "customer_message"
	AGENT_MESSAGE = "agent_message"
	AUTOMATED_MESSAGE = "automated_message"
	INTERNAL_COMMENT = "internal_comment"
	PRIORITY = "priority"
	RULE_TRACE = "rule_trace"
	ASSIGNMENT = "assignment"
	SLA_ALERT = "sla_alert"
	OTHER = "other"


# What a customer may see; every other kind, and any kind added later, stays inside.
# Automated messages (acknowledgements) already reached the customer by e-mail: not repeated.
CUSTOMER_VISIBLE = frozenset(
	{EventKind.CREATED, EventKind.STATUS, EventKind.CUSTOMER_MESSAGE, EventKind.AGENT_MESSAGE}
)


@dataclass(frozen=True, slots=True)
class TicketEvent:
	"""One thing that happened to the ticket. A status event carries the status entered (and its
	category and pause reason); a message its HTML and its author."""

	kind: EventKind
	at: datetime
	author_id: str = ""
	author_name: str = ""
	html: str = ""
	state: TicketState | None = None


@dataclass(frozen=True, slots=True)
class VisibleEvent:
	kind: EventKind
	at: datetime
	when: str
	who: str
	text: str


# Where a block ends, a paragraph ends (an empty line); where a line ends or a list begins, a line.
_PARAGRAPH_ENDS = re.compile(r"<\s*/\s*(p|h[1-6]|blockquote|ul|ol|table)\b[^>]*>", re.IGNORECASE)
_CELL_ENDS = re.compile(r"<\s*/\s*(td|th)\b[^>]*>", re.IGNORECASE)
_LINE_ENDS = re.compile(
	r"<\s*(br|/\s*div|/\s*li|/\s*tr|p|ul|ol|h[1-6]|blockquote|table)\b[^>]*>", re.IGNORECASE
)
_SKIPPED = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def message_text(markup: str | None) -> str:
	"""A message's HTML as plain text with its line breaks: safe to show escaped, never raises."""
	if not markup:
		return ""
	text = _SKIPPED.sub("", markup)
	text = _LINE_ENDS.sub("\n", _PARAGRAPH_ENDS.sub("\n\n", text))
	text = _CELL_ENDS.sub(" ", text)
	text = html.unescape(_TAGS.sub("", text))
	lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
	return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def customer_timeline(
	events: Iterable[TicketEvent],
	*,
	viewer: str,
	hide_agent_names: bool,
	now: datetime,
	zone: ZoneInfo,
	lang: Lang,
	first_responded_at: datetime | None = None,
) -> list[VisibleEvent]:
	"""The events a customer may see, oldest first.

	Internal comments, priority changes and rule traces, assignments, SLA alerts and anything
	unknown are dropped. Agents are "Support team" when ``hide_agent_names`` is set; the viewer's
	own messages are "You". A status change that reads the same as the one before (two statuses
	with the same customer words) is not repeated. An open status after the first response (an
	agent's message, or ``first_responded_at`` of the ticket) reads "in progress".
	"""
	visible: list[VisibleEvent] = []
	last_status = ""
	has_answer = False
	# The creation opens the history even where a message's stored time is a moment earlier.
	ordered = sorted(events, key=lambda item: (item.kind is not EventKind.CREATED, _local(item.at, zone)))
	for event in ordered:
		if event.kind not in CUSTOMER_VISIBLE:
			continue
		when = when_text(event.at, now, zone, lang)
		if event.kind is EventKind.CREATED:
			visible.append(VisibleEvent(event.kind, event.at, when, "", say("event.created", lang)))
			last_status = last_status or say("status.received", lang)
		elif event.kind is EventKind.STATUS:
			if event.state is None:
				continue
			state = event.state
			if first_responded_at is not None and _local(event.at, zone) >= _local(first_responded_at, zone):
				has_answer = True
			if has_answer and state.first_responded_at is None:
				# A reopened ticket that was answered before is in progress, not newly received.
				state = replace(state, first_responded_at=event.at)
			words = customer_status(state, lang).text
			if words == last_status:
				continue
			last_status = words
			visible.append(
				VisibleEvent(event.kind, event.at, when, "", say("event.status", lang, status=words))
			)
		else:
			has_answer = has_answer or event.kind is EventKind.AGENT_MESSAGE
			who = _author(event, viewer=viewer, hide_agent_names=hide_agent_names, lang=lang)
			visible.append(VisibleEvent(event.kind, event.at, when, who, message_text(event.html)))
	return visible


def _author(event: TicketEvent, *, viewer: str, hide_agent_names: bool, lang: Lang) -> str:
	if event.kind is EventKind.AGENT_MESSAGE:
		if hide_agent_names or not event.author_name.strip():
			return say("who.support", lang)
		return event.author_name.strip()
	if viewer and event.author_id.strip().lower() == viewer.strip().lower():
		return say("who.you", lang)
	return event.author_name.strip() or event.author_id.strip()


# The whole view


@dataclass(frozen=True, slots=True)
class TicketFacts:
	name: str
	subject: str
	created: datetime
	state: TicketState
	delivery: DeliveryFacts | None = None
	vehicle: VehicleFacts | None = None
	events: Sequence[TicketEvent] = field(default_factory=tuple)


def customer_view(
	facts: TicketFacts,
	*,
	now: datetime,
	zone: ZoneInfo,
	lang: Lang,
	viewer: str = "",
	hide_agent_names: bool = True,
) -> dict[str, Any]:
	"""Everything the customer sees of one ticket, as plain JSON-ready values.

	``last_activity`` is the newest visible event (the list shows it); ``timeline`` is the whole
	visible history, oldest first.
	"""
	status = customer_status(facts.state, lang)
	waiting = waiting_on(facts.state, lang)
	deadline = next_deadline(facts.state, now, zone, lang)
	timeline = customer_timeline(
		facts.events,
		viewer=viewer,
		hide_agent_names=hide_agent_names,
		now=now,
		zone=zone,
		lang=lang,
		first_responded_at=facts.state.first_responded_at,
	)
	shipment = shipment_view(facts.delivery, now, zone, lang) if facts.delivery else None
	vehicle = vehicle_view(facts.vehicle, lang) if facts.vehicle else None
	return {
		"name": facts.name,
		"subject": facts.subject,
		"lang": lang,
		"created": _iso(facts.created),
		"created_text": when_text(facts.created, now, zone, lang),
		"status": {"kind": status.kind.value, "text": status.text, "tone": status.tone},
		"is_open": status.tone != "done",
		"waiting_on": {"party": waiting.party.value, "text": waiting.text, "carrier": waiting.carrier},
		"deadline": {
			"kind": deadline.kind.value,
			"text": deadline.text,
			"at": _iso(deadline.at),
			"is_overdue": deadline.is_overdue,
		},
		"shipment": _shipment_dict(shipment) if shipment else None,
		"vehicle": {"plate": vehicle.plate, "state_text": vehicle.state_text} if vehicle else None,
		"timeline": [_event_dict(event) for event in timeline],
		"last_activity": _event_dict(timeline[-1]) if timeline else None,
	}


def _iso(moment: datetime | None) -> str | None:
	return moment.isoformat() if moment else None


def _event_dict(event: VisibleEvent) -> dict[str, Any]:
	return {
		"kind": event.kind.value,
		"at": _iso(event.at),
		"when": event.when,
		"who": event.who,
		"text": event.text,
	}


def _shipment_dict(view: ShipmentView) -> dict[str, Any]:
	return {
		"tracking_number": view.tracking_number,
		"state": view.state,
		"headline": view.headline,
		"eta_text": view.eta_text,
		"delay_text": view.delay_text,
		"delay_minutes": view.delay_minutes,
		"delivered_text": view.delivered_text,
		"proof_text": view.proof_text,
		"proof_url": view.proof_url,
		"synced_text": view.synced_text,
		"tone": view.tone,
	}

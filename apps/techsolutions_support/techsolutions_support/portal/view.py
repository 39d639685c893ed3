"""Reads one ticket, or one page of a user's tickets, and hands them to the core's customer view
(core/portal_view.py): status in plain words, waiting on whom, the next deadline, the shipment,
and the history a customer may read.

Contract for other modules (the guest tracking page calls it too):

	ticket_view(name, lang=None) -> dict     no permission check inside: the caller checks
	list_tickets_for(user, page, status)      through Frappe's permission-aware list query, so
	                                          Helpdesk's rules apply (own tickets, or all of the
	                                          customer's for a contact marked is_manager)

Nothing returned here is an agents-only field: only the core's words and the few plain values
it is given (deadline instants, tracking number, plate).
"""

import html
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_datetime, get_system_timezone, now_datetime

from techsolutions_support.core.portal_view import (
	DeliveryFacts,
	EventKind,
	TicketEvent,
	TicketFacts,
	TicketState,
	VehicleFacts,
	customer_view,
	language_of,
)
from techsolutions_support.techsolutions_support.doctype.ts_portal_settings.ts_portal_settings import (
	get_portal_settings,
)

PAGE_LENGTH = 20
# Pages beyond this are empty for any customer; a larger number is read as this one.
LAST_PAGE = 100_000
STATUS_FILTERS = ("open", "closed")
# Helpdesk's categories: Open and Paused are open, Resolved (Resolved, Closed) is done.
OPEN_FILTER = {"status_category": ("!=", "Resolved")}
CLOSED_FILTER = {"status_category": "Resolved"}

TICKET_FIELDS = (
	"name",
	"subject",
	"status",
	"status_category",
	"customer",
	"contact",
	"raised_by",
	"creation",
	"opening_date",
	"opening_time",
	"first_responded_on",
	"response_by",
	"resolution_by",
	"ts_carrier",
	"ts_sla_calendar",
	"ts_delivery",
	"ts_vehicle",
)
DELIVERY_FIELDS = (
	"name",
	"tracking_number",
	"status",
	"planned_eta",
	"current_eta",
	"delay_minutes",
	"delivered_at",
	"proof_of_delivery",
	"last_synced_at",
	"customer",
	"vehicle",
)
VEHICLE_FIELDS = ("name", "plate", "state", "customer")

# Version log fields that are SLA alerts of the app's watch (sla/watch.py).
SLA_ALERT_FIELDS = frozenset(
	{
		"ts_response_warning_sent",
		"ts_resolution_warning_sent",
		"ts_breached_at",
		"ts_escalation_level",
		"ts_escalated_to",
		"ts_escalated_on",
		"agreement_status",
	}
)
PRIORITY_FIELDS = frozenset({"priority", "ts_priority_rule", "ts_priority_reason", "ts_priority_locked"})


# One ticket


def ticket_view(ticket_name: str, *, lang: str | None = None) -> dict[str, Any]:
	"""What the customer sees of the ticket. Raises frappe.DoesNotExistError for an unknown name.

	No permission check: callers decide who may see it (api/customer.py, the tracking page).
	"""
	ticket = frappe.db.get_value("HD Ticket", ticket_name, list(TICKET_FIELDS), as_dict=True)
	if not ticket:
		raise frappe.DoesNotExistError(frappe._("Ticket not found"))

	viewer = frappe.session.user if frappe.session.user != "Guest" else (ticket.raised_by or "")
	events = ticket_events(ticket)
	facts = TicketFacts(
		name=str(ticket.name),
		subject=plain_subject(ticket.subject),
		created=aware(opened_at(ticket), system_zone()),
		state=ticket_state(ticket),
		delivery=delivery_facts(ticket, read_delivery(ticket.ts_delivery)),
		vehicle=vehicle_facts(ticket),
		events=events,
	)
	return customer_view(
		facts,
		now=aware(now_datetime(), system_zone()),
		zone=display_zone(ticket.ts_sla_calendar),
		lang=language_of(lang or frappe.local.lang),
		viewer=viewer,
		hide_agent_names=bool(get_portal_settings().hide_agent_names),
	)


# A page of tickets


def list_tickets_for(user: str, page: int = 1, status: str | None = None, *, lang: str | None = None) -> dict:
	"""One page of the tickets `user` may read, open ones first, most recently changed first within.

	`status` is "open", "closed" or None (both). Each row is the customer view without the
	timeline; `last_activity` is the newest message (or the creation).
	"""
	page = min(max(1, int(page or 1)), LAST_PAGE)
	offset = (page - 1) * PAGE_LENGTH
	# One more than shown, to know whether a next page exists.
	wanted = PAGE_LENGTH + 1
	if status == "open":
		rows = read_page(user, OPEN_FILTER, offset, wanted)
	elif status == "closed":
		rows = read_page(user, CLOSED_FILTER, offset, wanted)
	else:
		# Open first: the open tickets of this page, then closed ones where the open run out.
		open_count = frappe.get_list(
			"HD Ticket", filters=OPEN_FILTER, fields=["count(name) as n"], user=user
		)[0].n
		rows = read_page(user, OPEN_FILTER, offset, wanted) if offset < open_count else []
		if len(rows) < wanted:
			rows += read_page(user, CLOSED_FILTER, max(0, offset - open_count), wanted - len(rows))
	has_more = len(rows) > PAGE_LENGTH
	rows = rows[:PAGE_LENGTH]

	deliveries = read_deliveries([row.ts_delivery for row in rows if row.ts_delivery])
	newest = newest_messages([row.name for row in rows])
	now = aware(now_datetime(), system_zone())
	language = language_of(lang or frappe.local.lang)
	hide_agents = bool(get_portal_settings().hide_agent_names)
	tickets = []
	for row in rows:
		created = aware(opened_at(row), system_zone())
		events = [TicketEvent(EventKind.CREATED, created)]
		if row.name in newest:
			events.append(newest[row.name])
		facts = TicketFacts(
			name=str(row.name),
			subject=plain_subject(row.subject),
			created=created,
			state=ticket_state(row),
			delivery=delivery_facts(row, deliveries.get(row.ts_delivery)),
			events=events,
		)
		view = customer_view(
			facts,
			now=now,
			zone=display_zone(row.ts_sla_calendar),
			lang=language,
			viewer=user,
			hide_agent_names=hide_agents,
		)
		view.pop("timeline")
		tickets.append(view)
	return {"tickets": tickets, "page": page, "has_more": has_more, "status": status}


# Reading


def read_page(user: str, filters: dict, offset: int, length: int) -> list:
	"""Tickets `user` may read (Helpdesk's permission query applies), most recently changed first."""
	return frappe.get_list(
		"HD Ticket",
		fields=[*TICKET_FIELDS, "modified"],
		filters=filters,
		order_by="modified desc",
		limit_start=offset,
		limit_page_length=length,
		user=user,
	)


def plain_subject(stored: str | None) -> str:
	"""The subject as the customer typed it: Frappe cleans a Data field that holds markup and
	stores what it does not allow escaped ("<script>" as "&lt;script&gt;"); the portal's templates
	escape what they show. GAP: an entity typed as text ("&lt;") reads as its character."""
	return html.unescape(stored or "")


def system_zone() -> ZoneInfo:
	return ZoneInfo(get_system_timezone())


def display_zone(calendar: str | None) -> ZoneInfo:
	"""The zone the ticket's business calendar counts in, else the site's."""
	if calendar:
		zone = frappe.get_cached_value("TS Business Calendar", calendar, "time_zone")
		if zone:
			return ZoneInfo(zone)
	return system_zone()


def aware(value: Any, zone: ZoneInfo) -> datetime:
	"""A stored datetime (naive, in the system zone) as an aware one."""
	return get_datetime(value).replace(tzinfo=zone)


def maybe_aware(value: Any) -> datetime | None:
	return aware(value, system_zone()) if value else None


def opened_at(ticket: Any) -> Any:
	if ticket.opening_date and ticket.opening_time:
		return f"{ticket.opening_date} {ticket.opening_time}"
	return ticket.creation


def status_facts(status: str | None) -> tuple[str, str]:
	"""(category, pause reason) of an HD Ticket Status; ("", "") for a status that is gone."""
	if not status:
		return "", ""
	values = frappe.get_cached_value("HD Ticket Status", status, ["category", "ts_pause_reason"])
	if not values:
		return "", ""
	return values[0] or "", values[1] or ""


def ticket_state(ticket: Any) -> TicketState:
	category, reason = status_facts(ticket.status)
	return TicketState(
		status=ticket.status or "",
		category=category or ticket.status_category or "",
		pause_reason=reason,
		carrier=ticket.ts_carrier or "",
		first_responded_at=maybe_aware(ticket.first_responded_on),
		response_by=maybe_aware(ticket.response_by),
		resolution_by=maybe_aware(ticket.resolution_by),
	)


def read_delivery(name: str | None) -> Any:
	return read_deliveries([name]).get(name) if name else None


def read_deliveries(names: list[str]) -> dict[str, Any]:
	"""The deliveries by name, each with `vehicle_customer`: who owns the vehicle carrying it."""
	if not names:
		return {}
	rows = frappe.get_all("TS Delivery", filters={"name": ("in", names)}, fields=list(DELIVERY_FIELDS))
	vehicles = sorted({row.vehicle for row in rows if row.vehicle})
	owners = {}
	if vehicles:
		vehicle_rows = frappe.get_all(
			"TS Vehicle", filters={"name": ("in", vehicles)}, fields=["name", "customer"]
		)
		owners = {vehicle.name: vehicle.customer for vehicle in vehicle_rows}
	for row in rows:
		row.vehicle_customer = owners.get(row.vehicle)
	return {row.name: row for row in rows}


def delivery_facts(ticket: Any, delivery: Any) -> DeliveryFacts | None:
	"""The delivery as the core reads it, when the ticket's customer may know its state: it is the
	customer's shipment, or it travels on the customer's own vehicle (then without its proof of
	delivery). None otherwise, also for a delivery whose customer nobody recorded: a tracking
	number typed into a ticket reveals nothing of someone else's shipment."""
	if not delivery or not ticket.customer:
		return None
	own = delivery.customer == ticket.customer
	if not own and delivery.vehicle_customer != ticket.customer:
		return None
	return DeliveryFacts(
		tracking_number=delivery.tracking_number or delivery.name,
		status=delivery.status or "",
		planned_eta=maybe_aware(delivery.planned_eta),
		current_eta=maybe_aware(delivery.current_eta),
		# Frappe keeps an empty Int as 0; the core decides whether 0 is known (known_delay).
		delay_minutes=delivery.delay_minutes,
		delivered_at=maybe_aware(delivery.delivered_at),
		# Who signed for it is the shipment's customer's business, not the truck owner's.
		proof_of_delivery=(delivery.proof_of_delivery or "") if own else "",
		last_synced_at=maybe_aware(delivery.last_synced_at),
	)


def vehicle_facts(ticket: Any) -> VehicleFacts | None:
	"""The ticket's vehicle when it is the customer's own; where it is stays with the agents."""
	if not ticket.ts_vehicle or not ticket.customer:
		return None
	vehicle = frappe.db.get_value("TS Vehicle", ticket.ts_vehicle, list(VEHICLE_FIELDS), as_dict=True)
	if not vehicle or vehicle.customer != ticket.customer:
		return None
	return VehicleFacts(plate=vehicle.plate or vehicle.name, state=vehicle.state or "")


# Events


def ticket_events(ticket: Any) -> list[TicketEvent]:
	"""The creation, the messages and the changes of the Version log; the core keeps what a
	customer may see (the Version log also holds priority changes and SLA alerts, which it drops).

	Internal comments, rule traces and assignments are not read at all: a customer never sees
	them, so reading them would only cost time.
	"""
	zone = system_zone()
	events = [TicketEvent(EventKind.CREATED, aware(opened_at(ticket), zone))]
	events += communication_events(ticket.name, zone)
	events += version_events(ticket.name, zone)
	return events


# What a message shows in the timeline and the list (message_event).
MESSAGE_FIELDS = [
	"communication_date",
	"creation",
	"sent_or_received",
	"communication_type",
	"sender",
	"sender_full_name",
	"user",
	"content",
]


def communication_events(ticket: str, zone: ZoneInfo) -> list[TicketEvent]:
	rows = frappe.get_all(
		"Communication",
		filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
		fields=MESSAGE_FIELDS,
		order_by="creation asc",
	)
	return [message_event(row, zone) for row in rows]


def message_event(row: Any, zone: ZoneInfo) -> TicketEvent:
	at = aware(row.communication_date or row.creation, zone)
	if row.sent_or_received == "Received":
		return TicketEvent(
			EventKind.CUSTOMER_MESSAGE, at, row.sender or "", row.sender_full_name or "", row.content or ""
		)
	kind = (
		EventKind.AUTOMATED_MESSAGE
		if row.communication_type == "Automated Message"
		else EventKind.AGENT_MESSAGE
	)
	author = row.user or row.sender or ""
	name = row.sender_full_name or (frappe.utils.get_fullname(row.user) if row.user else "")
	return TicketEvent(kind, at, author, name, row.content or "")


def version_events(ticket: str, zone: ZoneInfo) -> list[TicketEvent]:
	rows = frappe.get_all(
		"Version",
		# Only versions that touched the status, priority or SLA fields matter; most do not.
		filters={"ref_doctype": "HD Ticket", "docname": ticket, "data": ("like", '%"changed"%')},
		fields=["creation", "owner", "data"],
		order_by="creation asc",
	)
	events = []
	for row in rows:
		at = aware(row.creation, zone)
		for field, _old, new in changed_fields(row.data):
			events.append(version_event(field, new, at, row.owner))
	return events


def changed_fields(data: str | None) -> list[tuple[str, Any, Any]]:
	try:
		changed = json.loads(data or "{}").get("changed") or []
	except (ValueError, AttributeError):
		return []
	return [tuple(change) for change in changed if isinstance(change, list) and len(change) == 3]


def version_event(field: str, new: Any, at: datetime, owner: str) -> TicketEvent:
	if field == "status":
		category, reason = status_facts(new)
		state = TicketState(status=new or "", category=category, pause_reason=reason)
		return TicketEvent(EventKind.STATUS, at, owner, "", state=state)
	if field in PRIORITY_FIELDS:
		return TicketEvent(EventKind.PRIORITY, at, owner, "", str(new or ""))
	if field in SLA_ALERT_FIELDS:
		return TicketEvent(EventKind.SLA_ALERT, at, owner, "", str(new or ""))
	return TicketEvent(EventKind.OTHER, at, owner, "", field)


def newest_messages(tickets: list[str]) -> dict[str, TicketEvent]:
	"""The newest customer or agent message of each ticket (the list's "newest activity").

	Only the newest rows of each ticket are read: a page of 20 long threads would otherwise carry
	every message's text.
	"""
	# GAP: a status change without a message is not "newest activity" in the list (reading the
	# Version log of 20 tickets per page costs more than it tells); the ticket page shows it.
	if not tickets:
		return {}
	fields = ", ".join(f"message.`{field}`" for field in ("reference_name", *MESSAGE_FIELDS))
	rows = frappe.db.sql(
		f"""
		select {fields}
		from `tabCommunication` message
		join (
			select reference_name, max(communication_date) as newest
			from `tabCommunication`
			where reference_doctype = 'HD Ticket' and reference_name in %(tickets)s
				and communication_type != 'Automated Message'
			group by reference_name
		) latest on latest.reference_name = message.reference_name
			and latest.newest = message.communication_date
		where message.reference_doctype = 'HD Ticket'
			and message.communication_type != 'Automated Message'
		order by message.creation desc
		""",
		{"tickets": tuple(str(name) for name in tickets)},
		as_dict=True,
	)
	newest: dict[str, TicketEvent] = {}
	zone = system_zone()
	for row in rows:
		# Two messages of the same instant: the one stored last.
		if row.reference_name not in newest:
			newest[row.reference_name] = message_event(row, zone)
	return newest

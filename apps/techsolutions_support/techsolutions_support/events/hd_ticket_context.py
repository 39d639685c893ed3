"""HD Ticket events: the vehicle and delivery context of a ticket, and keeping it current.

Runs after `events.hd_ticket` (hooks.py lists it second), which links a new ticket through
`links.link_vehicle` (links and context) before the priority rules run:

	before_validate   any ticket: only agents set the article that solved it; new ticket:
	                  keep a snapshot of the context at creation, point it at an open
	                  proactive ticket about the same vehicle or delivery; existing ticket:
	                  only agents change its delivery; when vehicle or delivery changed, fill
	                  the context again

`refresh_linked_tickets` is what a sync calls after it changed vehicles or deliveries: open
tickets linked to them get their context fields written, and where a vehicle's state or a
delivery's delay or status changed, their priority evaluated again (`events.hd_ticket`), once
per change.

`link_waiting_tickets` is what a sync calls after it created vehicles or deliveries: an open
ticket filed in the connector's last days that names one of them (tracking number, plate, VIN)
and is not linked to such a record yet gets linked now, its context filled and its priority
evaluated again, as if the record had existed when the ticket was filed.
"""

from collections.abc import Iterable, Mapping

import frappe
from frappe.utils import add_days, now_datetime

from helpdesk.utils import is_agent

from techsolutions_support.events.hd_ticket import reevaluate_after_live_data
from techsolutions_support.links import (
	CONTEXT_FIELDS,
	context_snapshot,
	context_values,
	fill_context,
	references_in,
)
from techsolutions_support.proactive import link_to_proactive

# Helpdesk's status categories of tickets still being worked on.
OPEN_CATEGORIES = ("Open", "Paused")
# Names per query when looking up the tickets linked to many records.
LOOKUP_CHUNK = 500
# Open tickets read per page of a sync when looking for tickets that waited for a new record;
# the newest first, so a flood of old open tickets cannot hide today's.
MAX_WAITING_TICKETS = 500


def before_validate(ticket, method=None):
	keep_solving_article_to_agents(ticket)
	if ticket.is_new():
		if not ticket.get("ts_context_snapshot"):
			ticket.ts_context_snapshot = context_snapshot(ticket)
		link_to_proactive(ticket)
		return

	if ticket.has_value_changed("ts_delivery") and not is_agent():
		# Only agents correct the delivery a ticket is about.
		ticket.ts_delivery = ticket.get_doc_before_save().ts_delivery
	if ticket.has_value_changed("ts_vehicle") or ticket.has_value_changed("ts_delivery"):
		fill_context(ticket)


def keep_solving_article_to_agents(ticket) -> None:
	"""Only agents say which article solved a ticket: the deflection report counts it."""
	if is_agent():
		return
	if ticket.is_new():
		ticket.ts_solved_by_article = None
	elif ticket.has_value_changed("ts_solved_by_article"):
		ticket.ts_solved_by_article = ticket.get_doc_before_save().ts_solved_by_article


def refresh_linked_tickets(
	vehicles: Iterable[str],
	deliveries: Iterable[str],
	*,
	reevaluate_vehicles: Iterable[str] = (),
	reevaluate_deliveries: Iterable[str] = (),
) -> tuple[int, int]:
	"""Update the context of open tickets linked to `vehicles` or `deliveries`.

	Context fields are written without a new modified time (nothing about the ticket itself
	changed); tickets linked to one of `reevaluate_*` are then saved through
	`events.hd_ticket.reevaluate_after_live_data`, which runs the priority rules again unless an
	agent fixed the priority. Returns (tickets refreshed, tickets re-evaluated).
	"""
	again_vehicles, again_deliveries = set(reevaluate_vehicles), set(reevaluate_deliveries)
	tickets = linked_open_tickets(set(vehicles) | again_vehicles, set(deliveries) | again_deliveries)
	refreshed = reevaluated = 0
	for ticket in tickets:
		try:
			write_context(ticket)
			refreshed += 1
			if ticket.ts_vehicle in again_vehicles or ticket.ts_delivery in again_deliveries:
				# Loads the ticket with the context just written, so the rules read the new values.
				reevaluate_after_live_data(ticket.name)
				reevaluated += 1
		except Exception:
			frappe.log_error(title=f"Connectors: refreshing the context of ticket {ticket.name} failed")
	return refreshed, reevaluated


# HD Ticket.ts_vehicle, ts_delivery and ts_route carry an index (setup/install.py,
# setup/ticket_context.py): each page's lookup reads the linked tickets only.
def linked_open_tickets(vehicles: set[str], deliveries: set[str]) -> list["frappe._dict"]:
	found: dict[str, frappe._dict] = {}
	for field, names in (("ts_vehicle", sorted(vehicles)), ("ts_delivery", sorted(deliveries))):
		for start in range(0, len(names), LOOKUP_CHUNK):
			rows = frappe.get_all(
				"HD Ticket",
				filters={
					field: ("in", names[start : start + LOOKUP_CHUNK]),
					"status_category": ("in", OPEN_CATEGORIES),
				},
				fields=["name", "ts_vehicle", "ts_delivery"],
			)
			found.update((row.name, row) for row in rows)
	return [found[name] for name in sorted(found)]


def write_context(ticket: "frappe._dict") -> None:
	values = context_values(ticket.ts_vehicle, ticket.ts_delivery)
	current = frappe.db.get_value("HD Ticket", ticket.name, CONTEXT_FIELDS, as_dict=True)
	changed = {field: value for field, value in values.items() if current.get(field) != value}
	if changed:
		frappe.db.set_value("HD Ticket", ticket.name, changed, update_modified=False)


def link_waiting_tickets(
	vehicles: Mapping[str, str | None], deliveries: Iterable[str], *, days: int
) -> list[str]:
	"""Link open tickets of the last `days` days to the `vehicles` (VIN: plate key) and
	`deliveries` (tracking numbers) a sync just created, where their text names one and they
	are not linked to a vehicle or a delivery yet. Returns the tickets linked, each its own try.
	"""
	new_deliveries = set(deliveries)
	if days <= 0 or not (vehicles or new_deliveries):
		return []
	by_plate = {key: vin for vin, key in vehicles.items() if key}

	linked = []
	for ticket in waiting_tickets(days):
		try:
			links = new_links(ticket, vehicles, by_plate, new_deliveries)
			if not links:
				continue
			frappe.db.set_value("HD Ticket", ticket.name, links, update_modified=False)
			write_context(frappe._dict({**ticket, **links}))
			reevaluate_after_live_data(ticket.name)
			linked.append(ticket.name)
		except Exception:
			frappe.log_error(title=f"Connectors: linking waiting ticket {ticket.name} failed")
	return linked


def waiting_tickets(days: int) -> list["frappe._dict"]:
	"""Open tickets of the last `days` days without a vehicle or without a delivery."""
	return frappe.get_all(
		"HD Ticket",
		filters={
			"status_category": ("in", OPEN_CATEGORIES),
			"creation": (">=", add_days(now_datetime(), -days)),
		},
		or_filters={"ts_vehicle": ("is", "not set"), "ts_delivery": ("is", "not set")},
		fields=["name", "subject", "description", "ts_vehicle", "ts_delivery"],
		order_by="creation desc",
		limit=MAX_WAITING_TICKETS,
	)


def new_links(
	ticket: "frappe._dict",
	vehicles: Mapping[str, str | None],
	by_plate: Mapping[str, str],
	deliveries: set[str],
) -> dict[str, str]:
	"""The links a ticket gains from the new records its text names (as `links.link_vehicle` would)."""
	references = references_in(ticket)
	links: dict[str, str] = {}
	if not ticket.ts_delivery:
		number = next((t.number for t in references.tracking_numbers if t.number in deliveries), None)
		if number:
			links["ts_delivery"] = number
	if not ticket.ts_vehicle:
		vehicle = next((vin.vin for vin in references.vins if vin.vin in vehicles), None) or next(
			(by_plate[plate.key] for plate in references.plates if plate.key in by_plate), None
		)
		if vehicle is None and links.get("ts_delivery"):
			vehicle = frappe.db.get_value("TS Delivery", links["ts_delivery"], "vehicle")
		if vehicle:
			links["ts_vehicle"] = vehicle
	return links

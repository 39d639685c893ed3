"""HD Ticket events: the vehicle and delivery context of a ticket, and keeping it current.

Runs after `events.hd_ticket` (hooks.py lists it second), which links a new ticket through
`links.link_vehicle` (links and context) before the priority rules run:

	before_validate   new ticket: keep a snapshot of the context at creation, point it at an
	                  open proactive ticket about the same vehicle or delivery; existing ticket:
	                  only agents change its delivery; when vehicle or delivery changed, fill
	                  the context again

`refresh_linked_tickets` is what a sync calls after it changed vehicles or deliveries: open
tickets linked to them get their context fields written, and where a vehicle's state or a
delivery's delay or status changed, their priority evaluated again (`events.hd_ticket`), once
per change.
"""

from collections.abc import Iterable

import frappe

from helpdesk.utils import is_agent

from techsolutions_support.events.hd_ticket import reevaluate_after_live_data
from techsolutions_support.links import CONTEXT_FIELDS, context_snapshot, context_values, fill_context
from techsolutions_support.proactive import link_to_proactive

# Helpdesk's status categories of tickets still being worked on.
OPEN_CATEGORIES = ("Open", "Paused")
# Names per query when looking up the tickets linked to many records.
LOOKUP_CHUNK = 500


def before_validate(ticket, method=None):
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


# GAP: HD Ticket.ts_vehicle (setup/install.py) has no index, so each page's lookup scans the open
# tickets; fine at pilot size, an index is needed before hundreds of thousands of tickets.
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

"""Tickets linked to what they are about: the vehicle, the delivery and its route, from their text.

Reading the text is `core.identifiers`; this module only looks the references up among the
synced records. A tracking number names a delivery, and through it a route and a vehicle. A
vehicle is found by VIN, plate or fleet number, in that order (a VIN is unambiguous, a fleet
number the least specific); a plate or VIN in the text wins over the delivery's vehicle, since
the customer names the truck they see. Without a delivery, the vehicle's route in progress is
taken.

`link_vehicle(ticket)` sets the links on a new ticket and fills its context fields (state,
position, ETA, delay, when synced), so that the priority rules see them when the ticket is first
evaluated. `vehicle_facts` and `delivery_facts` are the operands the priority rules read.
"""

import json
from typing import Any

import frappe
from frappe.utils import now_datetime

from helpdesk.utils import is_agent

from techsolutions_support.core.identifiers import References, find_references
from techsolutions_support.core.text import html_to_text

# The read-only context fields on HD Ticket (setup/ticket_context.py) and where each comes from.
VEHICLE_CONTEXT = {
	"ts_vehicle_state": "state",
	"ts_position_at": "position_at",
}
DELIVERY_CONTEXT = {
	"ts_delivery_status": "status",
}
CONTEXT_FIELDS = (
	"ts_route",
	"ts_vehicle_state",
	"ts_vehicle_position",
	"ts_position_at",
	"ts_delivery_status",
	"ts_delivery_eta",
	"ts_delivery_delay",
	"ts_delivery_delay_known",
	"ts_context_synced_at",
)
_VEHICLE_COLUMNS = (
	"name",
	"plate",
	"state",
	"latitude",
	"longitude",
	"speed_kmh",
	"position_at",
	"last_synced_at",
)
_DELIVERY_COLUMNS = (
	"name",
	"status",
	"planned_eta",
	"current_eta",
	"delay_minutes",
	"delay_known",
	"route",
	"vehicle",
	"last_synced_at",
)


def references_in(ticket) -> References:
	# Paragraph tags become spaces, so a plate at the end of one paragraph stays apart from the next word.
	return find_references(f"{ticket.subject or ''}\n{html_to_text(ticket.description)}")


def find_vehicle(references: References) -> str | None:
	for vin in references.vins:
		if frappe.db.exists("TS Vehicle", vin.vin):
			return vin.vin
	for plate in references.plates:
		if vehicle := frappe.db.get_value("TS Vehicle", {"plate_key": plate.key}):
			return vehicle
	for fleet_number in references.fleet_numbers:
		if vehicle := frappe.db.get_value("TS Vehicle", {"fleet_number": fleet_number.number}):
			return vehicle
	return None


# A ticket filed before its delivery or vehicle was synced is linked by the sync that creates
# it (events.hd_ticket_context.link_waiting_tickets).
def find_delivery(references: References) -> str | None:
	for tracking in references.tracking_numbers:
		if frappe.db.exists("TS Delivery", tracking.number):
			return tracking.number
	return None


def current_route(vehicle: str | None) -> str | None:
	"""The vehicle's route in progress, else its latest planned one."""
	if not vehicle:
		return None
	for status in ("In Progress", "Planned"):
		route = frappe.db.get_value(
			"TS Route",
			{"vehicle": vehicle, "status": status},
			"name",
			order_by="route_date desc, modified desc",
		)
		if route:
			return route
	return None


def link_vehicle(ticket) -> None:
	"""Link vehicle, delivery and route from the text, unless someone already chose them, and fill
	the context fields. (The name is the one `events.hd_ticket` calls; it links more than vehicles.)"""
	references = references_in(ticket)
	if ticket.is_new() and not is_agent():
		# Customers never choose what the app derives (events.hd_ticket clears the vehicle alike).
		ticket.ts_delivery = None
	if not ticket.get("ts_delivery"):
		ticket.ts_delivery = find_delivery(references)
	delivery = _delivery(ticket.get("ts_delivery"))
	if not ticket.ts_vehicle:
		ticket.ts_vehicle = find_vehicle(references) or (delivery.vehicle if delivery else None)
	fill_context(ticket)


def fill_context(ticket) -> None:
	"""Set the read-only context fields from the linked vehicle and delivery as stored now."""
	ticket.update(context_values(ticket.ts_vehicle, ticket.get("ts_delivery")))


def context_values(vehicle_name: str | None, delivery_name: str | None) -> dict[str, Any]:
	vehicle = _vehicle(vehicle_name)
	delivery = _delivery(delivery_name)
	values: dict[str, Any] = dict.fromkeys(CONTEXT_FIELDS)
	# An Int column is never empty in Frappe: 0 with "known" unticked is an unknown delay, and
	# the field is hidden then (setup/ticket_context.py).
	delay = known_delay(delivery)
	values["ts_delivery_delay"] = delay or 0
	values["ts_delivery_delay_known"] = int(delay is not None)
	if vehicle:
		values.update({field: vehicle.get(column) for field, column in VEHICLE_CONTEXT.items()})
		values["ts_vehicle_position"] = format_position(vehicle)
	if delivery:
		values.update({field: delivery.get(column) for field, column in DELIVERY_CONTEXT.items()})
		values["ts_delivery_eta"] = delivery.current_eta or delivery.planned_eta
	values["ts_route"] = (delivery.route if delivery else None) or current_route(
		vehicle_name if vehicle else None
	)
	synced = [record.last_synced_at for record in (vehicle, delivery) if record and record.last_synced_at]
	# The oldest of the two: the context as a whole is at least this fresh.
	values["ts_context_synced_at"] = min(synced) if synced else None
	return values


def context_snapshot(ticket) -> str:
	"""The context as it was when the ticket was created, for agents to compare with later."""
	vehicle = _vehicle(ticket.ts_vehicle)
	delivery = _delivery(ticket.get("ts_delivery"))
	snapshot = {
		"taken_at": now_datetime(),
		"vehicle": dict(vehicle) if vehicle else None,
		"delivery": dict(delivery) if delivery else None,
		"route": ticket.get("ts_route"),
	}
	return json.dumps(snapshot, default=str, ensure_ascii=False, indent=1, sort_keys=True)


def format_position(vehicle: "frappe._dict") -> str | None:
	# Frappe stores a missing number as 0: without a fix time there is no position.
	if not vehicle.position_at or vehicle.latitude is None or vehicle.longitude is None:
		return None
	text = f"{vehicle.latitude:.5f}, {vehicle.longitude:.5f}"
	if vehicle.speed_kmh is not None:
		text += f" ({vehicle.speed_kmh:.0f} km/h)"
	return text


def vehicle_facts(vehicle: str | None) -> dict:
	if not vehicle:
		return {"vehicle_state": None}
	return {"vehicle_state": frappe.db.get_value("TS Vehicle", vehicle, "state")}


def delivery_facts(delivery: str | None) -> dict:
	"""The delivery operands of the priority rules: `delivery_delay_minutes` (negative: early;
	None when there is no delivery or its delay is unknown, so no rule on the delay fires)."""
	return {"delivery_delay_minutes": known_delay(_delivery(delivery))}


def known_delay(delivery: "frappe._dict | None") -> int | None:
	"""The delay in minutes of a delivery row, None when there is none or it is unknown."""
	if not delivery or not delivery.get("delay_known"):
		return None
	return delivery.get("delay_minutes")


def _vehicle(name: str | None) -> "frappe._dict | None":
	if not name:
		return None
	return frappe.db.get_value("TS Vehicle", name, _VEHICLE_COLUMNS, as_dict=True)


def _delivery(name: str | None) -> "frappe._dict | None":
	if not name:
		return None
	return frappe.db.get_value("TS Delivery", name, _DELIVERY_COLUMNS, as_dict=True)

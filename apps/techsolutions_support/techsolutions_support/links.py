"""Tickets linked to the vehicle they are about, from plates, VINs and fleet numbers in their text.

Reading the text is `core.identifiers`; this module only looks the references up among
`TS Vehicle` records. The first reference that names a known vehicle wins, in the order
VIN, plate, fleet number (a VIN is unambiguous, a fleet number the least specific).
"""

import frappe
from frappe.utils import strip_html

from techsolutions_support.core.identifiers import References, find_references


def references_in(ticket) -> References:
	return find_references(f"{ticket.subject or ''}\n{strip_html(ticket.description or '')}")


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


def link_vehicle(ticket) -> None:
	"""Set `ts_vehicle` from the text, unless someone already chose one."""
	if ticket.ts_vehicle:
		return
	ticket.ts_vehicle = find_vehicle(references_in(ticket))


def vehicle_facts(vehicle: str | None) -> dict:
	if not vehicle:
		return {"vehicle_state": None}
	return {"vehicle_state": frappe.db.get_value("TS Vehicle", vehicle, "state")}

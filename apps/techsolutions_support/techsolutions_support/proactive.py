"""Proactive tickets: a sync reports a breakdown, a standstill or a long delay, and the customer
has a ticket before they call.

	open_for_changes      per page of a connector run (connectors/run.py): the rules of
	                      `TS Proactive Rule` against the vehicles and deliveries that changed
	link_to_proactive     a customer's new ticket about the same vehicle or delivery points at the
	                      open proactive ticket, so the agent continues there instead of starting over

Once per event: a rule opens a ticket only when the state turns (it was something else before)
or the delay crosses the threshold (it was below), and never while an earlier proactive ticket
about the same vehicle or delivery is still open. The customer is the delivery's, else the
vehicle's; without one there is nobody to tell and no ticket.
"""

from collections.abc import Mapping
from typing import Any

import frappe
from frappe import _

from techsolutions_support.tiers import tier_for_customer

# The vehicle state each vehicle event waits for.
EVENT_STATES = {"Vehicle Breakdown": "fault", "Vehicle Stopped": "stopped"}
DELAY_EVENT = "Delivery Delay"
OPEN_CATEGORIES = ("Open", "Paused")
PLACEHOLDERS = ("plate", "vin", "tracking_number", "delay_minutes", "consignee")


class ProactiveRuleError(frappe.ValidationError):
	"""A proactive rule's text names a placeholder that does not exist."""


def open_for_changes(
	previous_states: Mapping[str, str | None], previous_delays: Mapping[str, int | None]
) -> int:
	"""Open the tickets the enabled rules call for; returns how many were opened."""
	rules = frappe.get_all(
		"TS Proactive Rule",
		filters={"enabled": 1},
		fields=["name", "event", "min_delay_minutes", "tier", "ticket_type", "subject", "message"],
		order_by="name asc",
	)
	if not rules or not (previous_states or previous_delays):
		return 0
	opened = 0
	for vin, before in previous_states.items():
		vehicle = frappe.db.get_value("TS Vehicle", vin, ["name", "plate", "state", "customer"], as_dict=True)
		for rule in rules:
			wanted = EVENT_STATES.get(rule.event)
			if vehicle and wanted and vehicle.state == wanted != before:
				opened += open_ticket(rule, vehicle.customer, vehicle=vehicle, delivery=None)
	for name, before in previous_delays.items():
		delivery = frappe.db.get_value(
			"TS Delivery",
			name,
			["name", "delay_minutes", "delay_known", "consignee", "customer", "vehicle"],
			as_dict=True,
		)
		# An unknown delay crosses no threshold (it is stored as 0 with "known" unticked).
		if not delivery or not delivery.delay_known:
			continue
		vehicle = frappe.db.get_value(
			"TS Vehicle", delivery.vehicle, ["name", "plate", "customer"], as_dict=True
		)
		for rule in rules:
			threshold = rule.min_delay_minutes or 0
			if rule.event == DELAY_EVENT and (delivery.delay_minutes or 0) >= threshold > (before or 0):
				customer = delivery.customer or (vehicle.customer if vehicle else None)
				opened += open_ticket(rule, customer, vehicle=vehicle, delivery=delivery)
	return opened


def open_ticket(rule: Any, customer: str | None, *, vehicle: Any, delivery: Any) -> int:
	if not customer:
		return 0
	if rule.tier and tier_for_customer(customer) != rule.tier:
		return 0
	if open_proactive_ticket(vehicle.name if vehicle else None, delivery.name if delivery else None):
		return 0
	values = {
		"plate": vehicle.plate if vehicle else "",
		"vin": vehicle.name if vehicle else "",
		"tracking_number": delivery.name if delivery else "",
		"delay_minutes": delivery.delay_minutes if delivery else "",
		"consignee": (delivery.consignee if delivery else "") or "",
	}
	contact, email = first_contact(customer)
	try:
		frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": render(rule.subject, values),
				"description": render(rule.message or rule.subject, values),
				"ticket_type": rule.ticket_type,
				"customer": customer,
				"contact": contact,
				"raised_by": email,
				"ts_channel": "api",
				"ts_vehicle": vehicle.name if vehicle else None,
				"ts_delivery": delivery.name if delivery else None,
				"ts_proactive": 1,
			}
		).insert(ignore_permissions=True)
	except Exception:
		frappe.log_error(title=f"Proactive tickets: rule {rule.name} could not open a ticket for {customer}")
		return 0
	return 1


def open_proactive_ticket(
	vehicle: str | None, delivery: str | None, customer: str | None = None
) -> str | None:
	"""The open proactive ticket about `delivery`, else about `vehicle` (of `customer`, if given)."""
	for field, value in (("ts_delivery", delivery), ("ts_vehicle", vehicle)):
		if not value:
			continue
		filters: dict[str, Any] = {
			field: value,
			"ts_proactive": 1,
			"status_category": ("in", OPEN_CATEGORIES),
		}
		if customer:
			filters["customer"] = customer
		found = frappe.db.get_value("HD Ticket", filters, "name", order_by="creation desc")
		if found:
			return found
	return None


def link_to_proactive(ticket) -> None:
	"""Point a new ticket of a customer at their open proactive ticket about the same thing."""
	if ticket.get("ts_proactive") or ticket.get("ts_related_ticket") or not ticket.customer:
		return
	ticket.ts_related_ticket = open_proactive_ticket(
		ticket.ts_vehicle, ticket.get("ts_delivery"), ticket.customer
	)


def first_contact(customer: str) -> tuple[str | None, str | None]:
	"""The customer's managing contact, else its first one, with the e-mail tickets go to."""
	rows = frappe.get_all(
		"HD Customer Member",
		filters={"parent": customer, "parenttype": "HD Customer"},
		fields=["contact_name", "is_manager"],
		order_by="is_manager desc, idx asc",
		limit=1,
	)
	if not rows:
		return None, None
	contact = rows[0].contact_name
	return contact, frappe.db.get_value("Contact", contact, "email_id")


def render(template: str, values: Mapping[str, Any]) -> str:
	return template.format_map({key: values.get(key, "") for key in PLACEHOLDERS})


def check_template(template: str | None, label: str) -> None:
	"""Raise `ProactiveRuleError` for a placeholder other than `PLACEHOLDERS`."""
	if not template:
		return
	try:
		render(template, {})
	except (KeyError, IndexError, ValueError) as exc:
		frappe.throw(
			_("{0} names an unknown placeholder {1}; use {2}.").format(
				label, exc, ", ".join("{" + name + "}" for name in PLACEHOLDERS)
			),
			ProactiveRuleError,
			title=_("Proactive Rule"),
		)

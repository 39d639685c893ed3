"""Time tickets waited on carriers, per carrier: the third party's own clock.

Waited time is real time, nights and weekends included: what the customer waited because of the
carrier. Business time paused is what the SLA clocks did not count meanwhile, on the ticket's
business calendar. A pause still in progress counts until now, in both. Pauses are counted in the
period they started.
"""

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, now_datetime

from techsolutions_support.core.business_time import business_time_between
from techsolutions_support.sla.calendars import get_calendar
from techsolutions_support.sla.clock import aware, now_in, system_zone
from techsolutions_support.sla.reports import period_filters

UNKNOWN_CARRIER = "?"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return columns(), rows(filters)


def columns() -> list[dict]:
	return [
		{"fieldname": "carrier", "label": _("Carrier"), "fieldtype": "Data", "width": 180},
		{"fieldname": "pauses", "label": _("Waits"), "fieldtype": "Int", "width": 70},
		{"fieldname": "tickets", "label": _("Tickets"), "fieldtype": "Int", "width": 80},
		{"fieldname": "waiting_now", "label": _("Waiting Now"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "total_hours",
			"label": _("Waited (h)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 100,
		},
		{
			"fieldname": "average_hours",
			"label": _("Average (h)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 100,
		},
		{
			"fieldname": "longest_hours",
			"label": _("Longest (h)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 100,
		},
		{
			"fieldname": "business_hours",
			"label": _("Business Time Paused (h)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 170,
		},
	]


def rows(filters: frappe._dict) -> list[dict]:
	conditions = period_filters(filters, "started_at")
	conditions["reason"] = "Carrier"
	if filters.get("carrier"):
		conditions["carrier"] = filters.carrier
	pauses = frappe.get_list(
		"TS SLA Pause",
		filters=conditions,
		fields=["name", "ticket", "carrier", "started_at", "ended_at", "business_minutes"],
	)
	now = now_datetime()
	running_business_hours = business_hours_until_now([pause for pause in pauses if not pause.ended_at])

	groups: dict[str, dict] = {}
	for pause in pauses:
		carrier = pause.carrier or UNKNOWN_CARRIER
		row = groups.setdefault(carrier, new_row(carrier))
		end = get_datetime(pause.ended_at) if pause.ended_at else now
		hours = (end - get_datetime(pause.started_at)).total_seconds() / 3600
		row["pauses"] += 1
		row["ticket_names"].add(pause.ticket)
		row["waiting_now"] += not pause.ended_at
		row["total_hours"] += hours
		row["longest_hours"] = max(row["longest_hours"], hours)
		if pause.ended_at:
			row["business_hours"] += (pause.business_minutes or 0) / 60
		else:
			# Measured when the pause ends; until then, up to now.
			row["business_hours"] += running_business_hours.get(pause.name, 0.0)

	found = []
	for carrier in sorted(groups, key=lambda name: -groups[name]["total_hours"]):
		row = groups[carrier]
		row["tickets"] = len(row.pop("ticket_names"))
		row["average_hours"] = flt(row["total_hours"] / row["pauses"], 1)
		found.append(row)
	return found


def business_hours_until_now(running: list) -> dict[str, float]:
	"""Business hours of each pause still in progress, from its start until now, per pause name.

	Counted on the business calendar of its ticket; a ticket without one (not on the app's clock)
	or that the user may not read counts none.
	"""
	if not running:
		return {}
	calendars = dict(
		frappe.get_list(
			"HD Ticket",
			filters={"name": ("in", list({pause.ticket for pause in running}))},
			fields=["name", "ts_sla_calendar"],
			as_list=True,
		)
	)
	zone = system_zone()
	now = now_in(zone)
	hours = {}
	for pause in running:
		calendar = calendars.get(pause.ticket)
		if not calendar:
			continue
		started = aware(pause.started_at, zone)
		paused = business_time_between(started, now, get_calendar(calendar))
		hours[pause.name] = max(paused.total_seconds(), 0) / 3600
	return hours


def new_row(carrier: str) -> dict:
	return {
		"carrier": carrier,
		"pauses": 0,
		"ticket_names": set(),
		"waiting_now": 0,
		"total_hours": 0.0,
		"longest_hours": 0.0,
		"business_hours": 0.0,
	}

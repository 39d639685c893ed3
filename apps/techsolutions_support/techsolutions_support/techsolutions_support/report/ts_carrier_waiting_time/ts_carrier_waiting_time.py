"""Time tickets waited on carriers, per carrier: the third party's own clock.

Waited time is real time, nights and weekends included: what the customer waited because of the
carrier. Business time paused is what the SLA clocks did not count meanwhile. A pause still in
progress counts until now. Pauses are counted in the period they started.
"""

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, now_datetime

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
		fields=["ticket", "carrier", "started_at", "ended_at", "business_minutes"],
	)
	now = now_datetime()

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
		# GAP: a pause in progress has no business time measured yet (it is measured when it ends),
		# so this column leaves out the business time of carriers still being waited on.
		row["business_hours"] += (pause.business_minutes or 0) / 60

	found = []
	for carrier in sorted(groups, key=lambda name: -groups[name]["total_hours"]):
		row = groups[carrier]
		row["tickets"] = len(row.pop("ticket_names"))
		row["average_hours"] = flt(row["total_hours"] / row["pauses"], 1)
		found.append(row)
	return found


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

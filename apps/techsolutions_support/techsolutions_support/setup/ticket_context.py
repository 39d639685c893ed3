"""Custom fields of the ticket context: the delivery a ticket is about, and what the vehicle and
the delivery were doing when last synced. Created by `setup.install` with the app's other fields.

The context is internal (positions of the fleet, other consignees' ETAs): it sits at the internal
permission level, so customers read it neither in the portal nor through the REST API.
"""

# The internal permission level of setup.install (agents read, managers write).
INTERNAL_PERMLEVEL = 1

TICKET_CONTEXT_FIELDS = [
	{
		"fieldname": "ts_context_section",
		"fieldtype": "Section Break",
		"label": "Vehicle and Delivery",
		"insert_after": "ts_priority_reason",
		"collapsible": 1,
	},
	{
		"fieldname": "ts_delivery",
		"fieldtype": "Link",
		"label": "Delivery",
		"options": "TS Delivery",
		"insert_after": "ts_context_section",
		"search_index": 1,
		"description": "Found from a tracking number in the ticket, or set by an agent.",
	},
	{
		"fieldname": "ts_route",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Link",
		"label": "Route",
		"options": "TS Route",
		"insert_after": "ts_delivery",
		"read_only": 1,
		"search_index": 1,
	},
	{
		"fieldname": "ts_vehicle_state",
		"depends_on": "eval:doc.ts_vehicle",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Data",
		"label": "Vehicle State",
		"insert_after": "ts_route",
		"read_only": 1,
	},
	{
		"fieldname": "ts_vehicle_position",
		"depends_on": "eval:doc.ts_vehicle",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Data",
		"label": "Vehicle Position",
		"insert_after": "ts_vehicle_state",
		"read_only": 1,
		"description": "Latitude, longitude (speed) of the last known fix.",
	},
	{
		"fieldname": "ts_position_at",
		"depends_on": "eval:doc.ts_vehicle",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Datetime",
		"label": "Position Time",
		"insert_after": "ts_vehicle_position",
		"read_only": 1,
	},
	{
		"fieldname": "ts_context_column",
		"fieldtype": "Column Break",
		"insert_after": "ts_position_at",
	},
	{
		"fieldname": "ts_delivery_status",
		"depends_on": "eval:doc.ts_delivery",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Data",
		"label": "Delivery Status",
		"insert_after": "ts_context_column",
		"read_only": 1,
	},
	{
		"fieldname": "ts_delivery_eta",
		"depends_on": "eval:doc.ts_delivery",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Datetime",
		"label": "Delivery ETA",
		"insert_after": "ts_delivery_status",
		"read_only": 1,
	},
	{
		"fieldname": "ts_delivery_delay",
		# Hidden while the source has not told the delay: an Int column cannot hold "unknown".
		"depends_on": "eval:doc.ts_delivery && doc.ts_delivery_delay_known",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Int",
		"label": "Delivery Delay (Minutes)",
		"insert_after": "ts_delivery_eta",
		"read_only": 1,
	},
	{
		"fieldname": "ts_delivery_delay_known",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Check",
		"label": "Delivery Delay Known",
		"insert_after": "ts_delivery_delay",
		"read_only": 1,
		"hidden": 1,
	},
	{
		"fieldname": "ts_context_synced_at",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Datetime",
		"label": "Context Last Synced",
		"insert_after": "ts_delivery_delay_known",
		"read_only": 1,
		"description": "When the vehicle and delivery data above were last confirmed by a sync (the older of the two).",
	},
	{
		"fieldname": "ts_context_snapshot",
		"permlevel": INTERNAL_PERMLEVEL,
		"fieldtype": "Code",
		"options": "JSON",
		"label": "Context at Creation",
		"insert_after": "ts_context_synced_at",
		"read_only": 1,
	},
	{
		"fieldname": "ts_proactive",
		"fieldtype": "Check",
		"label": "Opened Proactively",
		"insert_after": "ts_context_snapshot",
		"read_only": 1,
		"description": "Opened by a proactive rule when a sync reported a breakdown, standstill or delay.",
	},
	{
		"fieldname": "ts_related_ticket",
		"fieldtype": "Link",
		"label": "Proactive Ticket",
		"options": "HD Ticket",
		"insert_after": "ts_proactive",
		"read_only": 1,
		"description": "The open proactive ticket about the same vehicle or delivery: continue there.",
	},
]

# Shown in the Helpdesk agent UI's "Ticket Info" (never to customers).
AGENT_TEMPLATE_CONTEXT_FIELDS = (
	"ts_delivery",
	"ts_vehicle_state",
	"ts_vehicle_position",
	"ts_position_at",
	"ts_delivery_status",
	"ts_delivery_eta",
	"ts_delivery_delay",
	"ts_context_synced_at",
	"ts_related_ticket",
)

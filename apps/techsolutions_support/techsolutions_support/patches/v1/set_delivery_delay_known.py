"""Deliveries synced before TS Delivery had "Delay Known": the delay was told where it is not 0 or
both ETAs are known (the sync computes it from them); elsewhere it stays unknown, as the next sync
that reads the delivery would say. Linked tickets follow."""

import frappe
from frappe.query_builder import DocType

from techsolutions_support.setup.install import ensure_custom_fields


def execute():
	# Patches run before after_migrate creates the app's custom fields; the ticket's copy of the
	# flag (HD Ticket.ts_delivery_delay_known) is one of them.
	ensure_custom_fields()

	delivery = DocType("TS Delivery")
	(
		frappe.qb.update(delivery)
		.set(delivery.delay_known, 1)
		.where(
			(delivery.delay_minutes != 0)
			| (delivery.planned_eta.isnotnull() & delivery.current_eta.isnotnull())
		)
		.run()
	)

	known = set(frappe.get_all("TS Delivery", filters={"delay_known": 1}, pluck="name"))
	for ticket in frappe.get_all(
		"HD Ticket", filters={"ts_delivery": ("is", "set")}, fields=["name", "ts_delivery"]
	):
		frappe.db.set_value(
			"HD Ticket",
			ticket.name,
			"ts_delivery_delay_known",
			int(ticket.ts_delivery in known),
			update_modified=False,
		)

"""Searches and ticket-form suggestions that found no article: what the knowledge base lacks."""

import frappe
from frappe import _

from techsolutions_support.kb.deflection import EVENT, SHOWN
from techsolutions_support.kb.reports import period


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return columns(), rows(filters)


def columns() -> list[dict]:
	return [
		{"fieldname": "search_text", "label": _("Search Text"), "fieldtype": "Data", "width": 360},
		{"fieldname": "searches", "label": _("Searches"), "fieldtype": "Int", "width": 90},
		{"fieldname": "users", "label": _("Users"), "fieldtype": "Int", "width": 80},
		{"fieldname": "last_searched", "label": _("Last Searched"), "fieldtype": "Datetime", "width": 160},
	]


def rows(filters) -> list[dict]:
	start, end = period(filters)
	return frappe.get_all(
		EVENT,
		filters={
			"event_type": SHOWN,
			"hit_count": 0,
			"creation": ("between", (start, end)),
			"search_text": ("is", "set"),
		},
		fields=[
			"search_text",
			"count(name) as searches",
			"count(distinct user) as users",
			"max(creation) as last_searched",
		],
		group_by="search_text",
		order_by="searches desc, last_searched desc",
	)

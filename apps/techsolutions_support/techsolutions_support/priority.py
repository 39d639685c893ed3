"""Priority of HD Tickets: gathers the facts of a ticket, runs the rule set, writes the result.

The evaluation itself lives in `core.priority` / `core.rules` (framework-free). This module only
reads the ticket, its customer's tier and the enabled `TS Priority Rule` records, writes the
outcome back (priority, the deciding rule, an explanation for agents) and keeps a trace entry.
"""

import json
from typing import Any
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_datetime, get_system_timezone, now_datetime

from techsolutions_support.core.business_time import is_open
from techsolutions_support.core.priority import decide_priority, load_ruleset
from techsolutions_support.core.rules import CompiledRuleSet, FieldSpec, Outcome, PriorityMatrix, explain
from techsolutions_support.core.text import html_to_text
from techsolutions_support.links import delivery_facts, vehicle_facts
from techsolutions_support.setup.install import IMPACT_OPTIONS, URGENCY_OPTIONS
from techsolutions_support.sla.calendars import get_calendar

RULESET_CACHE_KEY = "ts:priority_ruleset"
PRIORITIES_CACHE_KEY = "ts:priority_order"
MATRIX_CACHE_KEY = "ts:priority_matrix"
CACHE_KEYS = [RULESET_CACHE_KEY, PRIORITIES_CACHE_KEY, MATRIX_CACHE_KEY]

# Compiled rule sets per site, kept for the life of the worker process; the rule dicts in the
# site cache are the source of truth, so a changed rule set compiles again.
_compiled: dict[str, tuple[str, CompiledRuleSet]] = {}

# Operands that are not HD Ticket fields, and the kind of value each holds.
DERIVED_OPERANDS = {
	"tier": FieldSpec(kind="link"),
	"tier_rank": FieldSpec(kind="int"),
	"channel": FieldSpec(kind="select", options=("portal", "email", "api", "agent")),
	"team": FieldSpec(kind="link"),
	"vehicle_state": FieldSpec(
		kind="select", options=("unknown", "moving", "stopped", "ignition_off", "fault")
	),
	"impact": FieldSpec(kind="select", options=IMPACT_OPTIONS),
	"urgency": FieldSpec(kind="select", options=URGENCY_OPTIONS),
	# Hours since the ticket was created, and whether its tier's calendar is open: read when
	# the rules run (creation, a change, live data), not re-checked as time passes.
	"age_hours": FieldSpec(kind="float"),
	"in_business_hours": FieldSpec(kind="bool"),
	# Minutes late of the linked delivery (negative: early), from the route connectors.
	"delivery_delay_minutes": FieldSpec(kind="int"),
}

# The ticket fields a derived operand comes from: a rule reading the operand runs again when
# one of these fields changes.
DERIVED_FROM = {
	"tier": ("customer", "ts_tier"),
	"tier_rank": ("customer", "ts_tier"),
	"channel": ("ts_channel",),
	"team": ("agent_group",),
	"impact": ("ts_impact",),
	"urgency": ("ts_urgency",),
	"vehicle_state": ("ts_vehicle",),
	"delivery_delay_minutes": ("ts_delivery",),
	"age_hours": (),
	"in_business_hours": (),
}

# How Frappe field types map to the kinds the rule engine type-checks.
FIELDTYPE_KINDS = {
	"Data": "text",
	"Small Text": "text",
	"Text": "text",
	"Long Text": "text",
	"Text Editor": "text",
	"Link": "link",
	"Dynamic Link": "link",
	"Select": "select",
	"Int": "int",
	"Check": "bool",
	"Float": "float",
	"Currency": "float",
	"Percent": "float",
	"Duration": "float",
	"Datetime": "datetime",
	"Date": "datetime",
}


def apply_priority(
	ticket: "frappe.model.document.Document", trigger: str, previous: dict[str, Any] | None = None
) -> Outcome:
	"""Set priority, the deciding rule and the reason on `ticket` from the current rule set."""
	before = ticket.priority
	outcome = decide_priority(
		ticket_facts(ticket),
		get_ruleset(),
		priorities=priority_order(),
		# What Helpdesk chose from the ticket type or its settings, when no rule decides.
		default_priority=ticket.priority or default_priority(),
		previous=previous,
		matrix=priority_matrix(),
	)
	for error in outcome.errors:
		frappe.logger("ts.priority").warning(
			"Priority rule %s could not be evaluated at %s: %s", error.rule, error.path, error.message
		)

	if outcome.priority:
		ticket.priority = outcome.priority
	if outcome.ticket_type:
		ticket.ticket_type = outcome.ticket_type
	if outcome.team:
		ticket.agent_group = outcome.team
	ticket.ts_priority_rule = outcome.decided_by
	ticket.ts_priority_reason = explain(outcome)
	add_tags(ticket, outcome.tags)
	# The trace is keyed by the ticket's name: written once the ticket is saved.
	ticket.flags.ts_trace = trace_entry(trigger, before, ticket.priority, outcome)
	return outcome


def add_tags(ticket: "frappe.model.document.Document", tags: tuple[str, ...] | list[str]) -> None:
	"""Tags are written in on_update: the `_user_tags` column (which a save does not write) and
	their index rows (Tag, Tag Link). Cheaper than Frappe's DocTags, which reloads the ticket."""
	current = [tag for tag in (ticket.get("_user_tags") or "").split(",") if tag]
	new = [tag for tag in dict.fromkeys(tags) if tag not in current]
	if not new:
		return
	# Kept in flags: Frappe does not carry `_user_tags` through a save.
	ticket.flags.ts_user_tags = ticket._user_tags = "," + ",".join([*current, *new])
	ticket.flags.ts_new_tags = (*(ticket.flags.ts_new_tags or ()), *new)


def record_agent_decision(ticket: "frappe.model.document.Document", before: str | None, reason: str) -> None:
	ticket.flags.ts_trace = {
		"trigger": "Agent",
		"priority_before": before,
		"priority_after": ticket.priority,
		"decided_by": ticket.ts_priority_rule,
		"explanation": reason,
		"details": [],
	}


def trace_entry(trigger: str, before: str | None, after: str | None, outcome: Outcome) -> dict[str, Any]:
	return {
		"trigger": trigger,
		"priority_before": before,
		"priority_after": after,
		"decided_by": outcome.decided_by,
		"explanation": explain(outcome),
		"details": [
			{
				"rule": entry.rule,
				"matched": list(entry.matched),
				"changes": dict(entry.changes),
				"stopped": entry.stopped,
			}
			for entry in outcome.trace
		]
		+ [{"rule": error.rule, "error": error.message, "path": error.path} for error in outcome.errors],
	}


def write_trace_and_tags(ticket: "frappe.model.document.Document") -> None:
	"""After save: the trace entry of this evaluation (only when something changed) and tags.

	Both are this app's own records about a ticket just saved, written on the path of every
	ticket save: plain row inserts, without the per-document validation a full insert repeats.
	"""
	entry = ticket.flags.pop("ts_trace", None)
	if entry and (entry["trigger"] == "Created" or entry["priority_before"] != entry["priority_after"]):
		insert_rows(
			"TS Priority Trace",
			[
				{
					"ticket": ticket.name,
					"evaluated_by": frappe.session.user,
					**entry,
					"details": json.dumps(entry["details"], ensure_ascii=False, default=str),
				}
			],
		)

	new_tags = ticket.flags.pop("ts_new_tags", None) or ()
	if not new_tags:
		return
	frappe.db.set_value(
		ticket.doctype, ticket.name, "_user_tags", ticket.flags.pop("ts_user_tags"), update_modified=False
	)
	known = set(frappe.get_all("Tag", filters={"name": ("in", new_tags)}, pluck="name"))
	for tag in new_tags:
		if tag not in known:
			frappe.get_doc({"doctype": "Tag", "name": tag}).insert(
				ignore_permissions=True, ignore_if_duplicate=True
			)
	insert_rows(
		"Tag Link",
		[
			{
				"document_type": ticket.doctype,
				"document_name": ticket.name,
				"title": ticket.subject or "",
				"tag": tag,
			}
			for tag in new_tags
		],
	)


def insert_rows(doctype: str, rows: list[dict[str, Any]]) -> None:
	"""Insert rows in one statement, with the standard columns a document insert would set."""
	now, user = frappe.utils.now_datetime(), frappe.session.user
	standard = {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": 0}
	records = [{"name": frappe.generate_hash(length=12), **standard, **row} for row in rows]
	fields = list(records[0])
	frappe.db.bulk_insert(doctype, fields, [[record[field] for field in fields] for record in records])


def ticket_facts(ticket: "frappe.model.document.Document") -> dict[str, Any]:
	"""The flat facts the rules read: every HD Ticket field plus the derived operands."""
	facts: dict[str, Any] = {
		field: ticket.get(field) for field in rule_schema() if field not in DERIVED_OPERANDS
	}
	facts["description"] = html_to_text(ticket.description)
	facts.update(clock_facts(ticket))
	facts.update(vehicle_facts(ticket.ts_vehicle))
	facts.update(delivery_facts(ticket.get("ts_delivery")))
	facts.update(
		impact=ticket.ts_impact,
		urgency=ticket.ts_urgency,
		tier=ticket.ts_tier,
		tier_rank=(
			ticket.ts_tier and frappe.db.get_value("TS Customer Tier", ticket.ts_tier, "rank", cache=True)
		)
		or 0,
		channel=ticket.ts_channel,
		team=ticket.agent_group,
	)
	return facts


def clock_facts(ticket: "frappe.model.document.Document") -> dict[str, Any]:
	now = now_datetime()
	created = get_datetime(ticket.creation) if ticket.creation else now
	calendar = ticket.ts_tier and frappe.db.get_value("TS Customer Tier", ticket.ts_tier, "business_calendar")
	open_now = None
	if calendar:
		at = now.replace(tzinfo=ZoneInfo(get_system_timezone()))
		open_now = is_open(at, get_calendar(calendar))
	return {"age_hours": round((now - created).total_seconds() / 3600, 2), "in_business_hours": open_now}


def fields_rules_read() -> frozenset[str]:
	"""HD Ticket fields whose change can change some enabled rule's result."""
	fields = set()
	matrix = priority_matrix()
	for operand in get_ruleset().read_fields | (matrix.fields if matrix else frozenset()):
		fields.update(DERIVED_FROM.get(operand, (operand,)))
	return frozenset(fields)


def get_ruleset() -> CompiledRuleSet:
	"""The enabled rules, compiled once per worker and again only when a rule changed."""
	rules = frappe.cache.get_value(RULESET_CACHE_KEY, generator=load_rule_dicts)
	key = json.dumps(rules, sort_keys=True, default=str)
	cached = _compiled.get(frappe.local.site)
	if cached and cached[0] == key:
		return cached[1]
	compiled = load_ruleset(rules)
	_compiled[frappe.local.site] = (key, compiled)
	return compiled


def clear_ruleset_cache(doc: Any = None, method: str | None = None) -> None:
	frappe.cache.delete_value([RULESET_CACHE_KEY, PRIORITIES_CACHE_KEY])
	# A request that read the old rules before this commit must not keep them cached.
	if frappe.db:
		frappe.db.after_commit.add(
			lambda: frappe.cache.delete_value([RULESET_CACHE_KEY, PRIORITIES_CACHE_KEY])
		)


def priority_order() -> list[str]:
	"""Helpdesk priorities from lowest to highest (Helpdesk: a smaller integer_value is more urgent)."""
	return frappe.cache.get_value(PRIORITIES_CACHE_KEY, generator=_load_priority_order)


def priority_matrix() -> PriorityMatrix | None:
	"""The impact x urgency matrix, or None while it is disabled or empty."""
	cells = frappe.cache.get_value(MATRIX_CACHE_KEY, generator=_load_matrix_cells)
	if not cells:
		return None
	return PriorityMatrix(
		cells={(impact, urgency): priority for impact, urgency, priority in cells["cells"]},
		tier_adjustments=dict(cells["tiers"]),
	)


def _load_matrix_cells() -> dict[str, list] | None:
	matrix = frappe.get_cached_doc("TS Priority Matrix")
	if not matrix.enabled or not matrix.cells:
		return None
	return {
		"cells": [(row.impact, row.urgency, row.priority) for row in matrix.cells],
		"tiers": [(row.tier, row.levels or 0) for row in matrix.tier_adjustments],
	}


def default_priority() -> str | None:
	return frappe.get_cached_value("HD Settings", "HD Settings", "default_priority") or None


def load_rule_dicts() -> list[dict[str, Any]]:
	"""Every enabled rule as the engine reads it, built by the form's own controller."""
	names = frappe.get_all(
		"TS Priority Rule", filters={"enabled": 1}, pluck="name", order_by="rule_order asc, name asc"
	)
	return [frappe.get_doc("TS Priority Rule", name).as_rule() for name in names]


def rule_schema() -> dict[str, FieldSpec]:
	"""Every operand a rule may read: the HD Ticket fields (standard and custom) and derived facts."""
	schema: dict[str, FieldSpec] = {}
	for field in frappe.get_meta("HD Ticket").fields:
		kind = FIELDTYPE_KINDS.get(field.fieldtype)
		if not kind:
			continue
		options = tuple(o for o in (field.options or "").split("\n") if o) if kind == "select" else ()
		schema[field.fieldname] = FieldSpec(kind=kind, options=options)
	schema.update(DERIVED_OPERANDS)
	return schema


def _load_priority_order() -> list[str]:
	rows = frappe.get_all("HD Ticket Priority", filters={"disabled": 0}, fields=["name", "integer_value"])
	return [row.name for row in sorted(rows, key=lambda row: -(row.integer_value or 0))]

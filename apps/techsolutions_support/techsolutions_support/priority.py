"""Priority of HD Tickets: gathers the facts of a ticket, runs the rule set, writes the result.

The evaluation itself lives in `core.priority` / `core.rules` (framework-free). This module only
reads the ticket, its customer's tier and the enabled `TS Priority Rule` records, and writes the
outcome back: priority, the rule that decided it, and a short explanation for agents.
"""

import json
from typing import Any

import frappe
from frappe.desk.doctype.tag.tag import DocTags
from frappe.utils import strip_html

from techsolutions_support.core.priority import decide_priority, load_ruleset
from techsolutions_support.core.rules import CompiledRuleSet, FieldSpec, Outcome, explain
from techsolutions_support.links import vehicle_facts

RULESET_CACHE_KEY = "ts:priority_ruleset"
PRIORITIES_CACHE_KEY = "ts:priority_order"


def apply_priority(ticket: "frappe.model.document.Document", facts: dict[str, Any]) -> Outcome:
	"""Set priority, the deciding rule and the reason on `ticket` from the current rule set."""
	outcome = decide_priority(
		facts,
		get_ruleset(),
		priorities=priority_order(),
		default_priority=default_priority(),
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
	# Tags live in a separate table keyed by the ticket's name: added once it is saved.
	ticket.flags.ts_tags = tuple(outcome.tags)
	ticket.ts_priority_rule = outcome.decided_by
	ticket.ts_priority_reason = explain(outcome)
	return outcome


def apply_tags(ticket: "frappe.model.document.Document") -> None:
	tags = ticket.flags.ts_tags
	if not tags:
		return
	for tag in tags:
		DocTags(ticket.doctype).add(ticket.name, tag)
	ticket.flags.ts_tags = ()


def ticket_facts(
	ticket: "frappe.model.document.Document", tier: str | None, channel: str | None
) -> dict[str, Any]:
	"""The flat facts the rules read: every HD Ticket field plus the derived operands."""
	facts: dict[str, Any] = {
		field: ticket.get(field) for field in rule_schema() if field not in DERIVED_OPERANDS
	}
	facts["description"] = strip_html(ticket.description or "")
	facts.update(vehicle_facts(ticket.ts_vehicle))
	facts.update(
		tier=tier,
		tier_rank=(tier and frappe.db.get_value("TS Customer Tier", tier, "rank", cache=True)) or 0,
		channel=channel,
		team=ticket.agent_group,
	)
	return facts


def get_ruleset() -> CompiledRuleSet:
	"""The enabled rules, compiled once per process and invalidated when any rule changes."""
	rules = frappe.cache.get_value(RULESET_CACHE_KEY, generator=_load_rule_dicts)
	cached = frappe.local.flags.get("ts_compiled_ruleset")
	if cached and cached[0] == rules:
		return cached[1]
	compiled = load_ruleset(rules)
	frappe.local.flags.ts_compiled_ruleset = (rules, compiled)
	return compiled


def clear_ruleset_cache(doc: Any = None, method: str | None = None) -> None:
	frappe.cache.delete_value([RULESET_CACHE_KEY, PRIORITIES_CACHE_KEY])
	frappe.local.flags.pop("ts_compiled_ruleset", None)


def priority_order() -> list[str]:
	"""Helpdesk priorities from lowest to highest (Helpdesk: a smaller integer_value is more urgent)."""
	return frappe.cache.get_value(PRIORITIES_CACHE_KEY, generator=_load_priority_order)


def default_priority() -> str | None:
	return frappe.get_cached_value("HD Settings", "HD Settings", "default_priority") or None


def _load_rule_dicts() -> list[dict[str, Any]]:
	rows = frappe.get_all(
		"TS Priority Rule",
		filters={"enabled": 1},
		fields=["name", "rule_order", "stop_processing", "description", "conditions", "actions"],
		order_by="rule_order asc, name asc",
	)
	return [
		{
			"name": row.name,
			"order": row.rule_order or 0,
			"enabled": True,
			"stop": bool(row.stop_processing),
			"description": row.description or "",
			"conditions": _as_json(row.conditions),
			"actions": _as_json(row.actions),
		}
		for row in rows
	]


def _load_priority_order() -> list[str]:
	rows = frappe.get_all("HD Ticket Priority", filters={"disabled": 0}, fields=["name", "integer_value"])
	return [row.name for row in sorted(rows, key=lambda row: -(row.integer_value or 0))]


def _as_json(value: Any) -> Any:
	if isinstance(value, str):
		return json.loads(value) if value.strip() else None
	return value


# Operands that are not HD Ticket fields, and the kind of value each holds.
DERIVED_OPERANDS = {
	"tier": FieldSpec(kind="link"),
	"tier_rank": FieldSpec(kind="int"),
	"channel": FieldSpec(kind="select", options=("portal", "email", "api", "agent")),
	"team": FieldSpec(kind="link"),
	"vehicle_state": FieldSpec(
		kind="select", options=("unknown", "moving", "stopped", "ignition_off", "fault")
	),
	# GAP: deliveries are not linked to tickets yet, so this operand is always unset and rules on
	# a delivery's delay never match; the route connector (TS Delivery) will fill it.
	"delivery_delay_minutes": FieldSpec(kind="int"),
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

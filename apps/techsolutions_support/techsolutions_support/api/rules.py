"""Methods behind the priority rule form: fields to pick, the rule as evaluated, a dry run."""

import frappe
from frappe import _

from techsolutions_support.core.priority import decide_priority, load_ruleset
from techsolutions_support.permissions import RULE_ADMINS, require_role
from techsolutions_support.priority import (
	default_priority,
	load_rule_dicts,
	priority_order,
	rule_schema,
	ticket_facts,
)

# A dry run reads whole tickets; this bounds one request.
DRY_RUN_MAX_TICKETS = 1000


@frappe.whitelist()
def rule_fields() -> list[str]:
	require_role(RULE_ADMINS)
	return sorted(rule_schema())


@frappe.whitelist()
def describe_rule(rule: dict | str) -> str:
	"""The condition of an unsaved form, as the engine will read it."""
	require_role(RULE_ADMINS)
	return _rule_doc(rule).describe()


@frappe.whitelist()
def dry_run(rule: dict | str | None = None, limit: int = 200) -> dict:
	"""Which of the last `limit` tickets would get another priority; writes nothing.

	With `rule`, that (possibly unsaved or disabled) rule replaces its saved namesake or joins
	the set, enabled: the admin asks what it would do.
	Tickets whose priority an agent set are reported as unchanged: rules do not touch them.
	"""
	require_role(RULE_ADMINS)
	limit = max(1, min(int(limit), DRY_RUN_MAX_TICKETS))

	rules = load_rule_dicts()
	if rule:
		edited = {**_rule_doc(rule).as_rule(), "enabled": True}
		rules = [*(existing for existing in rules if existing["name"] != edited["name"]), edited]
	ruleset = load_ruleset(rules)
	names = frappe.get_list("HD Ticket", pluck="name", order_by="creation desc", limit_page_length=limit)

	changes = []
	for name in names:
		ticket = frappe.get_doc("HD Ticket", name)
		if ticket.ts_priority_locked:
			continue
		outcome = decide_priority(
			ticket_facts(ticket),
			ruleset,
			priorities=priority_order(),
			default_priority=default_priority(),
		)
		if outcome.priority and outcome.priority != ticket.priority:
			changes.append(
				{
					"ticket": ticket.name,
					"subject": ticket.subject,
					"current": ticket.priority,
					"proposed": outcome.priority,
					"decided_by": outcome.decided_by,
				}
			)
	return {"checked": len(names), "changes": changes}


def _rule_doc(rule: dict | str):
	data = frappe.parse_json(rule) if isinstance(rule, str) else dict(rule)
	if not isinstance(data, dict):
		frappe.throw(_("A rule must be an object."), frappe.ValidationError)
	data["doctype"] = "TS Priority Rule"
	return frappe.get_doc(data)

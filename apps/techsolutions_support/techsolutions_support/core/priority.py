"""The priority of a ticket from the priority rules: the one call the Frappe adapter makes.

Contract: pure and framework-free, like ``core.rules`` underneath. ``decide_priority`` never
raises because of a rule or of the facts: what cannot be evaluated is in ``Outcome.errors``.
``load_ruleset`` raises ``MalformedRuleError`` only when the rule set as a whole is not a list
of rules (a single bad rule is kept and reported by every evaluation that reaches it).

	adapter                         core.priority                  core.rules
	rule records (JSON) ──────────> load_ruleset ────────────────> compile_rules (once)
	ticket facts ─────────────────> decide_priority ─────────────> evaluate -> Outcome
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from techsolutions_support.core.rules import (
	PROBLEM_MESSAGES,
	CompiledRuleSet,
	MalformedRuleError,
	Outcome,
	PriorityMatrix,
	Rule,
	RuleProblem,
	compile_rules,
	evaluate,
)

__all__ = ["decide_priority", "load_ruleset"]

_RULE_LIST = "[rule, ...] (a JSON list of rules)"


def load_ruleset(rules: str | bytes | Iterable[Mapping[str, Any] | Rule]) -> CompiledRuleSet:
	"""Compile a rule set given as JSON text or as a list of rule dicts, once for many tickets."""
	data: Any = rules
	if isinstance(rules, str | bytes):
		try:
			data = json.loads(rules)
		except ValueError as error:
			raise _not_a_rule_list() from error
	if isinstance(data, Mapping | str | bytes) or not isinstance(data, Iterable):
		raise _not_a_rule_list()
	return compile_rules(data)


def decide_priority(
	facts: Mapping[str, Any],
	ruleset: CompiledRuleSet,
	*,
	priorities: Sequence[str],
	default_priority: str | None,
	previous: Mapping[str, Any] | None = None,
	matrix: PriorityMatrix | None = None,
	score_bands: Iterable[tuple[float, str]] | Mapping[float, str] = (),
) -> Outcome:
	"""The priority of one ticket, who decided it and why; ``priorities`` run lowest to highest."""
	return evaluate(
		ruleset,
		facts,
		priorities=priorities,
		previous=previous,
		matrix=matrix,
		score_bands=score_bands,
		default_priority=default_priority,
	)


def _not_a_rule_list() -> MalformedRuleError:
	problem = RuleProblem("malformed", "", PROBLEM_MESSAGES["malformed"], {"expected": _RULE_LIST})
	return MalformedRuleError([problem])

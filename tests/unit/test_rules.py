"""Priority rule engine (core.rules): tables of facts and the exact outcome each must give.

Helpers build rule dicts the way the TS Priority Rule doctype stores them. ``verdict`` runs a
single condition (or group) as a one-rule set and says whether it matched, or "error" when the
condition could not be evaluated (such a rule never matches).
"""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techsolutions_support.core.rules import (
	OPERATORS,
	OPERATORS_BY_KIND,
	PROBLEM_MESSAGES,
	ConfigurationError,
	FieldSpec,
	InvalidRuleError,
	MalformedRuleError,
	Outcome,
	PriorityMatrix,
	Rule,
	RuleDefinitionError,
	RuleError,
	RulesError,
	TraceEntry,
	check_rule,
	compile_rules,
	evaluate,
	explain,
	parse_rule,
	validate_rule,
)
from techsolutions_support.core.text import find_keywords, fold

PRIORITIES = ("Low", "Medium", "High", "Urgent")


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
	return {"field": field, "operator": operator, "value": value}


def group(match: str, *items: dict[str, Any]) -> dict[str, Any]:
	return {"match": match, "items": list(items)}


def rule(
	name: str,
	conditions: dict[str, Any],
	*actions: dict[str, Any],
	order: int = 0,
	stop: bool = False,
	enabled: bool = True,
) -> dict[str, Any]:
	return {
		"name": name,
		"order": order,
		"enabled": enabled,
		"stop": stop,
		"description": "Testregel.",
		"conditions": conditions,
		"actions": list(actions),
	}


def act(kind: str, value: Any) -> dict[str, Any]:
	return {"type": kind, "value": value}


def run(rules: list[dict[str, Any]], facts: dict[str, Any], **options: Any) -> Outcome:
	return evaluate(compile_rules(rules), facts, priorities=PRIORITIES, **options)


def verdict(condition: dict[str, Any], facts: dict[str, Any], previous: dict[str, Any] | None = None) -> Any:
	conditions = condition if "items" in condition else group("all", condition)
	outcome = run([rule("r", conditions, act("add_tag", "hit"))], facts, previous=previous)
	if outcome.errors:
		assert outcome.tags == ()
		return "error"
	return outcome.tags == ("hit",)


# --- Operators -----------------------------------------------------------------------------------

EQUALITY_CASES = [
	# operator, rule value, fact, verdict
	("equals", "Premium", "Premium", True),
	("equals", "Premium", "Business", False),
	("equals", "Premium", "premium", False),
	("equals", "Premium", None, False),
	("equals", "Premium", "", False),
	("equals", 5, 5.0, True),
	("equals", 5, Decimal("5"), True),
	("equals", 5, "5", True),
	("equals", "5", 5, True),
	("equals", 5, "fünf", "error"),
	("equals", "Premium", 3, "error"),
	("equals", True, 1, True),
	("equals", True, 0, False),
	("equals", False, False, True),
	("equals", "Premium", ["Premium"], "error"),
	("equals", "2024-05-01T10:00:00", datetime(2024, 5, 1, 10, 0), True),
	("equals", "2024-05-01", date(2024, 5, 1), True),
	("equals", ["Premium", "Business"], "Premium", "error"),
	("equals", "", "Premium", "error"),
	("not_equals", "Premium", "Business", True),
	("not_equals", "Premium", "Premium", False),
	("not_equals", "Premium", None, True),
	("not_equals", 5, "fünf", "error"),
	("in", ["Premium", "Business"], "Business", True),
	("in", ["Premium", "Business"], "Standard", False),
	("in", ["Premium", "Business"], None, False),
	("in", [30, 60], "60", True),
	("in", [30, 60], 45, False),
	("in", [30, 60], "sixty", "error"),
	("in", [30, "sixty", 60], "60", True),
	("in", [30, "60"], 60, True),
	("in", [30, "sixty"], 45, False),
	("in", "Premium", "Premium", True),
	("in", [], "Premium", "error"),
	("not_in", ["Premium", "Business"], "Standard", True),
	("not_in", ["Premium", "Business"], "Premium", False),
	("not_in", ["Premium", "Business"], None, True),
	("not_in", [30], {"minutes": 30}, "error"),
]


@pytest.mark.parametrize(("operator", "value", "fact", "expected"), EQUALITY_CASES)
def test_equality_operators(operator, value, fact, expected):
	assert verdict(cond("field", operator, value), {"field": fact}) == expected


ORDERING_CASES = [
	("gt", 120, 180, True),
	("gt", 120, 120, False),
	("gte", 120, 120, True),
	("lt", 120, 60, True),
	("lt", 120, 120, False),
	("lte", 120, 121, False),
	("lte", 120, 120, True),
	("gt", 120, 120.5, True),
	("gt", 120, Decimal("120.5"), True),
	("gt", "120", 180, True),
	("gt", 120, "180", True),
	("gt", 0, True, True),
	("gt", 5, None, False),
	("gt", 5, "", False),
	("gt", 5, "abc", "error"),
	("gt", "abc", 5, "error"),
	("gt", 5, datetime(2024, 5, 1), "error"),
	("gt", 5, [7], "error"),
	("gt", "2024-05-01T00:00:00", datetime(2024, 5, 2), True),
	("lt", "2024-05-01", date(2024, 4, 30), True),
	("gt", "2024-05-01T00:00:00", "2024-06-01T00:00:00", True),
	("gt", "2024-05-01T00:00:00+02:00", datetime(2024, 5, 2, tzinfo=UTC), True),
	("gt", "2024-05-01T00:00:00+02:00", datetime(2024, 5, 2), "error"),
	("gt", "2024-05-01T00:00:00", 5, "error"),
	("gt", None, 5, "error"),
]


@pytest.mark.parametrize(("operator", "value", "fact", "expected"), ORDERING_CASES)
def test_ordering_operators(operator, value, fact, expected):
	assert verdict(cond("field", operator, value), {"field": fact}) == expected


PRESENCE_CASES = [
	("is_set", "x", True),
	("is_set", 0, True),
	("is_set", False, True),
	("is_set", None, False),
	("is_set", "", False),
	("is_set", "   ", False),
	("is_set", [], False),
	("is_not_set", None, True),
	("is_not_set", "", True),
	("is_not_set", 0, False),
	("is_not_set", "x", False),
]


@pytest.mark.parametrize(("operator", "fact", "expected"), PRESENCE_CASES)
def test_presence_operators(operator, fact, expected):
	assert verdict(cond("field", operator), {"field": fact}) == expected


def test_a_field_missing_from_the_facts_is_not_set_and_no_error():
	assert verdict(cond("vehicle_state", "is_not_set"), {}) is True
	assert verdict(cond("vehicle_state", "equals", "stopped"), {}) is False
	assert verdict(cond("vehicle_state", "not_in", ["stopped"]), {}) is True
	assert verdict(cond("delivery_delay_minutes", "gt", 30), {}) is False
	assert verdict(cond("subject", "contains_any", "Panne"), {}) is False


CONTAINS_ANY_CASES = [
	# keywords (list or admin text), text, verdict
	("Kühlkette", "Kühlkettenunterbrechung bei Sendung 4711", True),
	("Kühlkette", "KUEHLKETTE unterbrochen", True),
	("kuehlkette", "Die Kühlkette ist gerissen", True),
	("Kühlkette", "Beide Kühlketten sind unterbrochen", True),
	("Kühlkette", "Lkw-Kühlkette defekt", True),
	("Straße", "Sperrung der STRASSE nach Hamburg", True),
	("Panne", "Reifenpanne auf der A2", True),
	("Panne", "Pannenhilfe ist unterwegs", True),
	("Panne", "Die Pannen häufen sich", True),
	("Unfall", "Zwei Unfälle auf der A9", True),
	("Unfall", "Dank an den Fahrer für die unfallfreie Fahrt", False),
	("Rad", "Das Radio im Führerhaus ist defekt", False),
	("steht still", "Der Sattelzug steht still.", True),
	("steht still", "Der Zug steht seit zwei Stunden still", False),
	("Panne, Unfall; Feuer", "Feuer im Laderaum", True),
	(["Panne", "Unfall"], "Alles in Ordnung", False),
	(["Panne"], ["Reifenpanne", "Fahrer wartet"], True),
	(["Panne"], 42, "error"),
	(["Panne"], None, False),
	("", "Panne", "error"),
	(" ,; ", "Panne", "error"),
	([1, 2], "Panne", "error"),
]


@pytest.mark.parametrize(("keywords", "text", "expected"), CONTAINS_ANY_CASES)
def test_contains_any_is_case_umlaut_and_compound_aware(keywords, text, expected):
	assert verdict(cond("subject", "contains_any", keywords), {"subject": text}) == expected


CHANGED_TO_CASES = [
	# value now, previous facts (None: a new ticket), verdict
	("stopped", None, True),
	("stopped", {"vehicle_state": "moving"}, True),
	("stopped", {}, True),
	("stopped", {"vehicle_state": None}, True),
	("stopped", {"vehicle_state": "stopped"}, False),
	("moving", {"vehicle_state": "stopped"}, False),
	(None, {"vehicle_state": "moving"}, False),
	(None, None, False),
	(7, {"vehicle_state": "moving"}, "error"),
]


@pytest.mark.parametrize(("now", "previous", "expected"), CHANGED_TO_CASES)
def test_changed_to_with_and_without_previous_facts(now, previous, expected):
	condition = cond("vehicle_state", "changed_to", "stopped")
	assert verdict(condition, {"vehicle_state": now}, previous=previous) == expected


def test_an_unknown_operator_is_an_error():
	assert verdict(cond("tier", "like", "Prem%"), {"tier": "Premium"}) == "error"


def test_every_operator_is_allowed_for_some_field_kind():
	assert set(OPERATORS) == set().union(*OPERATORS_BY_KIND.values())
	assert "contains_any" in OPERATORS_BY_KIND["text"]
	assert {"gt", "contains_any"}.isdisjoint(OPERATORS_BY_KIND["select"])


# --- Groups --------------------------------------------------------------------------------------

PREMIUM = cond("tier", "equals", "Premium")
STANDARD = cond("tier", "equals", "Standard")
BREAKDOWN = cond("ticket_type", "equals", "Breakdown")
BILLING = cond("ticket_type", "equals", "Billing")
FACTS = {
	"tier": "Premium",
	"ticket_type": "Breakdown",
	"subject": "Reifenpanne",
	"delivery_delay_minutes": 180,
}

ADDED_ROW_CASES = [
	# match, rows on the form, the row added, matched before, matched after
	("all", [PREMIUM], BREAKDOWN, True, True),
	("all", [PREMIUM], BILLING, True, False),
	("all", [STANDARD], BREAKDOWN, False, False),
	("any", [PREMIUM], BILLING, True, True),
	("any", [STANDARD], BREAKDOWN, False, True),
	("any", [STANDARD], BILLING, False, False),
	("all", [PREMIUM], group("any", BILLING, BREAKDOWN), True, True),
	("all", [PREMIUM], group("any", BILLING, STANDARD), True, False),
	("any", [STANDARD], group("all", PREMIUM, BREAKDOWN), False, True),
]


@pytest.mark.parametrize(("match", "rows", "added", "before", "after"), ADDED_ROW_CASES)
def test_adding_a_row_to_a_group_changes_the_outcome_as_the_group_says(match, rows, added, before, after):
	assert verdict(group(match, *rows), FACTS) is before
	assert verdict(group(match, *rows, added), FACTS) is after


NESTED = group(
	"all",
	cond("tier", "in", ["Premium", "Business"]),
	group(
		"any",
		cond("subject", "contains_any", ["Panne", "Unfall"]),
		group(
			"all", cond("ticket_type", "equals", "Delivery Delay"), cond("delivery_delay_minutes", "gte", 240)
		),
	),
)

NESTED_CASES = [
	# facts, matched conditions in the trace (None: no match)
	(
		{"tier": "Business", "subject": "Reifenpanne am Rastplatz"},
		(
			"tier is one of [Premium, Business]",
			'subject contains any [Panne, Unfall] (matched "Reifenpanne")',
		),
	),
	(
		{
			"tier": "Premium",
			"subject": "Lieferung fehlt",
			"ticket_type": "Delivery Delay",
			"delivery_delay_minutes": 300,
		},
		(
			"tier is one of [Premium, Business]",
			"ticket_type equals Delivery Delay",
			"delivery_delay_minutes is at least 240 (is 300)",
		),
	),
	(
		{
			"tier": "Premium",
			"subject": "Lieferung fehlt",
			"ticket_type": "Delivery Delay",
			"delivery_delay_minutes": 90,
		},
		None,
	),
	({"tier": "Standard", "subject": "Reifenpanne"}, None),
	({"tier": "Premium", "subject": "Frage"}, None),
]


@pytest.mark.parametrize(("facts", "matched"), NESTED_CASES)
def test_nested_groups(facts, matched):
	outcome = run([rule("Nested", NESTED, act("set_priority", "Urgent"))], facts, default_priority="Low")
	assert outcome.errors == ()
	if matched is None:
		assert (outcome.priority, outcome.trace) == ("Low", ())
	else:
		assert (outcome.priority, outcome.decided_by) == ("Urgent", "Nested")
		assert outcome.trace[0].matched == matched


# --- Conditions that cannot be evaluated ---------------------------------------------------------

BAD_AGE = cond("age_hours", "gt", 5)
AGE_ERROR = 'age_hours is greater than 5: "abc" (text) is not a number'

UNEVALUABLE_CASES = [
	# conditions, matched, errors (path) recorded
	(group("all", BAD_AGE, PREMIUM), False, ["conditions.items[0]"]),
	(group("all", PREMIUM, BAD_AGE), False, ["conditions.items[1]"]),
	(group("any", BAD_AGE, PREMIUM), True, ["conditions.items[0]"]),
	(group("any", PREMIUM, BAD_AGE), True, []),
	(group("all", STANDARD, BAD_AGE), False, []),
	(group("all", PREMIUM, group("any", BAD_AGE, BREAKDOWN)), True, ["conditions.items[1].items[0]"]),
]


@pytest.mark.parametrize(("conditions", "matched", "paths"), UNEVALUABLE_CASES)
def test_an_unevaluable_condition_is_logged_and_counts_as_not_matched(conditions, matched, paths):
	facts = {"tier": "Premium", "ticket_type": "Breakdown", "age_hours": "abc"}
	rules = [
		rule("Base", group("all", BREAKDOWN), act("set_priority", "High"), order=1),
		rule("Age", conditions, act("set_priority", "Urgent"), order=2),
	]
	outcome = run(rules, facts)
	assert outcome.priority == ("Urgent" if matched else "High")
	assert outcome.errors == tuple(RuleError("Age", path, AGE_ERROR) for path in paths)


def test_a_rule_that_is_not_shaped_like_a_rule_is_reported_and_skipped():
	rules = [
		rule("Base", group("all", BREAKDOWN), act("set_priority", "High"), order=1),
		{"name": "Broken", "order": 2, "conditions": "tier = Premium", "actions": []},
		{"name": "Off", "order": 3, "enabled": False, "conditions": None},
	]
	ruleset = compile_rules(rules)
	expected = RuleError(
		"Broken",
		"conditions",
		'the rule cannot be read: This part of the rule is not in the expected form: {"match": "all" | "any", "items": [...]}.',
	)
	assert ruleset.broken == (expected,)
	assert [compiled.name for compiled in ruleset.rules] == ["Base"]
	for _ in range(2):
		outcome = evaluate(ruleset, FACTS, priorities=PRIORITIES)
		assert (outcome.priority, outcome.errors) == ("High", (expected,))


def test_an_empty_group_does_not_match_and_is_reported():
	rules = [rule("Empty", group("all", PREMIUM, group("any")), act("set_priority", "Urgent"))]
	outcome = run(rules, FACTS, default_priority="Low")
	assert outcome.priority == "Low"
	assert outcome.errors == (RuleError("Empty", "conditions.items[1]", "the group has no conditions"),)


def test_unusable_actions_are_reported_and_skipped():
	rules = [
		rule(
			"Actions",
			group("all", PREMIUM),
			act("set_priority", "Critical"),
			act("raise_priority", 0),
			act("add_score", "viele"),
			act("notify", "x"),
			act("set_team", ""),
			act("add_tag", "ok"),
		)
	]
	outcome = run(rules, FACTS)
	assert outcome.tags == ("ok",)
	assert outcome.errors == (
		RuleError(
			"Actions",
			"actions[0].value",
			'unknown priority "Critical"; use one of: Low, Medium, High, Urgent',
		),
		RuleError("Actions", "actions[1]", 'raise by "0" levels: needs a whole number, at least 1'),
		RuleError("Actions", "actions[2]", 'add "viele" points: needs a number'),
		RuleError("Actions", "actions[3]", 'unknown action "notify"'),
		RuleError("Actions", "actions[4]", 'the action "set_team" has no value'),
	)


# --- Order, stop, actions ------------------------------------------------------------------------


def test_rules_run_in_ascending_order_and_a_later_priority_wins():
	rules = [
		rule("C", group("all", PREMIUM), act("set_priority", "Urgent"), order=30),
		rule("A", group("all", PREMIUM), act("set_priority", "Low"), order=10),
		rule("B", group("all", PREMIUM), act("set_priority", "High"), order=20),
		rule("B2", group("all", PREMIUM), act("add_tag", "tie"), order=20),
		rule("Off", group("all", PREMIUM), act("set_priority", "Low"), order=40, enabled=False),
	]
	outcome = run(rules, FACTS)
	assert [entry.rule for entry in outcome.trace] == ["A", "B", "B2", "C"]
	assert (outcome.priority, outcome.decided_by) == ("Urgent", "C")


def test_stop_ends_evaluation_after_its_rule_matched():
	rules = [
		rule("A", group("all", PREMIUM), act("set_priority", "Low"), order=10),
		rule("Not matching", group("all", STANDARD), act("set_priority", "Medium"), order=15, stop=True),
		rule("B", group("all", PREMIUM), act("set_priority", "High"), order=20, stop=True),
		rule("C", group("all", PREMIUM), act("set_priority", "Urgent"), order=30),
		rule("D", group("all", BAD_AGE), act("add_tag", "never"), order=40),
	]
	outcome = run(rules, {**FACTS, "age_hours": "abc"})
	assert [(entry.rule, entry.stopped) for entry in outcome.trace] == [("A", False), ("B", True)]
	assert (outcome.priority, outcome.decided_by, outcome.errors) == ("High", "B", ())


RAISE_CASES = [
	# priority set before (None: none), levels, default, priority, decided by
	("Low", 1, None, "Medium", "Raise"),
	("High", 1, None, "Urgent", "Raise"),
	("Medium", 2, None, "Urgent", "Raise"),
	("Medium", 5, None, "Urgent", "Raise"),
	("Urgent", 1, None, "Urgent", "Set"),
	(None, 1, "Low", "Medium", "Raise"),
	(None, 3, "Medium", "Urgent", "Raise"),
	(None, 1, "Urgent", "Urgent", "default"),
]


@pytest.mark.parametrize(("before", "levels", "default", "priority", "decided_by"), RAISE_CASES)
def test_raise_priority_works_on_the_current_value_and_caps_at_the_highest(
	before, levels, default, priority, decided_by
):
	rules = [rule("Raise", group("all", PREMIUM), act("raise_priority", levels), order=20)]
	if before is not None:
		rules.append(rule("Set", group("all", PREMIUM), act("set_priority", before), order=10))
	outcome = run(rules, FACTS, default_priority=default)
	assert (outcome.priority, outcome.decided_by) == (priority, decided_by)


def test_a_later_set_priority_overwrites_an_earlier_raise():
	rules = [
		rule("Raise", group("all", PREMIUM), act("raise_priority", 1), order=10),
		rule("Set", group("all", PREMIUM), act("set_priority", "Low"), order=20),
	]
	outcome = run(rules, FACTS, default_priority="Medium")
	assert (outcome.priority, outcome.decided_by) == ("Low", "Set")


def test_a_raise_with_nothing_to_raise_is_reported():
	outcome = run([rule("Raise", group("all", PREMIUM), act("raise_priority", 1))], FACTS)
	assert (outcome.priority, outcome.decided_by) == (None, None)
	message = "nothing to raise: no rule set a priority and there is no matrix, score band or default"
	assert outcome.errors == (RuleError("Raise", "actions[0]", message),)


def test_actions_fill_the_outcome_and_the_trace_records_each_change():
	rules = [
		rule(
			"Triage",
			group("all", PREMIUM),
			act("set_ticket_type", "Breakdown"),
			act("set_team", "Flotte"),
			act("set_impact", "High"),
			act("set_urgency", "Low"),
			act("add_score", 10),
			act("add_tag", "Premium"),
			act("add_tag", "Premium"),
			order=1,
		),
		rule("More", group("all", BREAKDOWN), act("add_score", 2.5), act("add_tag", "Panne"), order=2),
	]
	outcome = run(rules, FACTS)
	assert outcome._replace(trace=(), read_fields=frozenset()) == Outcome(
		priority=None,
		decided_by=None,
		score=12.5,
		impact="High",
		urgency="Low",
		ticket_type="Breakdown",
		team="Flotte",
		tags=("Premium", "Panne"),
		trace=(),
		errors=(),
		read_fields=frozenset(),
		basis="no rule set a priority and there is no default",
	)
	assert [entry.changes for entry in outcome.trace] == [
		{
			"ticket_type": "Breakdown",
			"team": "Flotte",
			"impact": "High",
			"urgency": "Low",
			"score": 10,
			"tags": ["Premium"],
		},
		{"score": 12.5, "tags": ["Panne"]},
	]


def test_conditions_read_the_facts_as_given_not_what_earlier_rules_set():
	rules = [
		rule("Type", group("all", PREMIUM), act("set_ticket_type", "Billing"), order=1),
		rule("Billing", group("all", BILLING), act("set_priority", "Low"), order=2),
	]
	outcome = run(rules, FACTS, default_priority="High")
	assert (outcome.ticket_type, outcome.priority, outcome.decided_by) == ("Billing", "High", "default")


# --- Fallbacks: matrix, score, default -----------------------------------------------------------

MATRIX = PriorityMatrix(
	cells={
		("High", "High"): "Urgent",
		("High", "Low"): "Medium",
		("Low", "High"): "Medium",
		("Low", "Low"): "Low",
		("Odd", "Low"): "Critical",
	},
	tier_adjustments={"Premium": 1, "Standard": -1, "Business": 0, "Gold": "1"},  # type: ignore[dict-item]
)

MATRIX_CASES = [
	# facts, actions of a rule matching every ticket, priority, decided by, errors
	({"impact": "High", "urgency": "Low", "tier": "Business"}, [], "Medium", "matrix", 0),
	({"impact": "High", "urgency": "Low", "tier": "Premium"}, [], "High", "matrix", 0),
	({"impact": "High", "urgency": "High", "tier": "Premium"}, [], "Urgent", "matrix", 0),
	({"impact": "Low", "urgency": "Low", "tier": "Standard"}, [], "Low", "matrix", 0),
	({"impact": "Low", "urgency": "High", "tier": "Standard"}, [], "Low", "matrix", 0),
	({"impact": "High", "tier": "Premium"}, [], "Medium", "default", 0),
	({"urgency": "High"}, [act("set_impact", "High")], "Urgent", "matrix", 0),
	(
		{"impact": "Low", "urgency": "Low"},
		[act("set_impact", "High"), act("set_urgency", "High")],
		"Urgent",
		"matrix",
		0,
	),
	({"impact": "High", "urgency": "High"}, [act("set_priority", "Low")], "Low", "Any", 0),
	({"impact": "High", "urgency": "Low"}, [act("raise_priority", 1)], "High", "Any", 0),
	({"impact": "Medium", "urgency": "High"}, [], "Medium", "default", 1),
	({"impact": "Odd", "urgency": "Low"}, [], "Medium", "default", 1),
	({"impact": "High", "urgency": "Low", "tier": "Gold"}, [], "Medium", "matrix", 1),
]


@pytest.mark.parametrize(("facts", "actions", "priority", "decided_by", "errors"), MATRIX_CASES)
def test_impact_urgency_matrix_with_tier_adjustment(facts, actions, priority, decided_by, errors):
	rules = [rule("Any", group("any", cond("impact", "is_set"), cond("impact", "is_not_set")), *actions)]
	outcome = run(rules, facts, matrix=MATRIX, default_priority="Medium")
	assert (outcome.priority, outcome.decided_by, len(outcome.errors)) == (priority, decided_by, errors)


def test_matrix_basis_and_missing_cell_error():
	outcome = run([], {"impact": "High", "urgency": "Low", "tier": "Premium"}, matrix=MATRIX)
	assert outcome.basis == (
		'the impact x urgency matrix: impact "High" and urgency "Low" give Medium, tier "Premium" moves it +1 level'
	)
	outcome = run([], {"impact": "Medium", "urgency": "High"}, matrix=MATRIX, default_priority="Low")
	assert outcome.errors == (
		RuleError("matrix", "cells[Medium, High]", 'no cell for impact "Medium" and urgency "High"'),
	)


SCORE_BANDS = ((0, "Low"), (10, "Medium"), (25, "High"), (50, "Urgent"))

SCORE_CASES = [
	# points added by matching rules, bands, priority, decided by
	([10, 20], SCORE_BANDS, "High", "score"),
	([5], SCORE_BANDS, "Low", "score"),
	([], SCORE_BANDS, "Low", "score"),
	([30, 20], SCORE_BANDS, "Urgent", "score"),
	([-5], SCORE_BANDS, "Medium", "default"),
	([30], {10: "Medium", 25: "High"}, "High", "score"),
	([30], (), "Medium", "default"),
]


@pytest.mark.parametrize(("points", "bands", "priority", "decided_by"), SCORE_CASES)
def test_score_bands(points, bands, priority, decided_by):
	rules = [
		rule(f"Score {index}", group("all", PREMIUM), act("add_score", value))
		for index, value in enumerate(points)
	]
	outcome = run(rules, FACTS, score_bands=bands, default_priority="Medium")
	assert (outcome.score, outcome.priority, outcome.decided_by) == (sum(points), priority, decided_by)


def test_unusable_score_bands_are_reported_and_skipped():
	rules = [rule("Score", group("all", PREMIUM), act("add_score", 30))]
	outcome = run(rules, FACTS, score_bands=[(25, "Critical"), (10, "Medium"), ("x", "High")])
	assert (outcome.priority, outcome.decided_by) == ("Medium", "score")
	assert outcome.errors == (
		RuleError("score", "score_bands", "not a (minimum score, priority) pair: [x, High]"),
		RuleError("score", "score_bands[25]", 'unknown priority "Critical"'),
	)


def test_matrix_comes_before_score_and_score_before_default():
	rules = [rule("Score", group("all", PREMIUM), act("add_score", 30))]
	facts = {**FACTS, "impact": "Low", "urgency": "Low"}
	assert run(rules, facts, matrix=MATRIX, score_bands=SCORE_BANDS).decided_by == "matrix"
	assert run(rules, FACTS, matrix=MATRIX, score_bands=SCORE_BANDS).decided_by == "score"
	assert run(rules, FACTS, matrix=MATRIX, default_priority="Low").decided_by == "default"


# --- Trace, explanation, read fields -------------------------------------------------------------


def test_trace_and_explanation_read_exactly():
	rules = [
		rule("Base", group("all", BREAKDOWN), act("set_priority", "High"), order=10),
		rule(
			"Safety",
			group(
				"all",
				cond("tier", "in", ["Premium", "Business"]),
				cond("subject", "contains_any", ["Panne", "Unfall"]),
				cond("delivery_delay_minutes", "gte", 120),
			),
			act("set_priority", "Urgent"),
			act("add_tag", "Sicherheit"),
			order=20,
			stop=True,
		),
	]
	outcome = run(rules, FACTS)
	assert outcome.trace == (
		TraceEntry("Base", ("ticket_type equals Breakdown",), {"priority": "High"}),
		TraceEntry(
			"Safety",
			(
				"tier is one of [Premium, Business]",
				'subject contains any [Panne, Unfall] (matched "Reifenpanne")',
				"delivery_delay_minutes is at least 120 (is 180)",
			),
			{"priority": "Urgent", "tags": ["Sicherheit"]},
			stopped=True,
		),
	)
	assert explain(outcome) == (
		'Priority Urgent: set by rule "Safety". It matched because tier is one of [Premium, Business]; '
		'subject contains any [Panne, Unfall] (matched "Reifenpanne"); delivery_delay_minutes is at least '
		'120 (is 180). Also matched: Base. Rule "Safety" stopped evaluation.'
	)


EXPLAIN_CASES = [
	# rules, default, explanation
	(
		[rule("Premium", group("all", PREMIUM), act("raise_priority", 1))],
		"Low",
		'Priority Medium: the default priority Low, raised by 1 level by rule "Premium". '
		"It matched because tier equals Premium.",
	),
	(
		[
			rule("Base", group("all", BREAKDOWN), act("set_priority", "High"), order=1),
			rule("Premium", group("all", PREMIUM), act("raise_priority", 1), order=2),
		],
		None,
		'Priority Urgent: raised from High by rule "Premium". It matched because tier equals Premium. '
		"Also matched: Base.",
	),
	([], "Low", "Priority Low: the default priority Low."),
	([], None, "No priority: no rule set one and there is no default."),
	(
		[rule("Age", group("all", BAD_AGE), act("set_priority", "High"))],
		"Low",
		"Priority Low: the default priority Low. 1 condition or action could not be evaluated.",
	),
]


@pytest.mark.parametrize(("rules", "default", "text"), EXPLAIN_CASES)
def test_explain(rules, default, text):
	assert explain(run(rules, {**FACTS, "age_hours": "abc"}, default_priority=default)) == text


def test_matched_words_are_shown_as_the_text_spells_them():
	rules = [
		rule(
			"Words",
			group("all", cond("description", "contains_any", "steht still, Kühlkette")),
			act("add_tag", "x"),
		)
	]
	facts = {"description": "Der LKW STEHT  still, die Kühlkettenunterbrechung droht."}
	(entry,) = run(rules, facts).trace
	assert entry.matched == (
		'description contains any [steht still, Kühlkette] (matched "STEHT still", "Kühlkettenunterbrechung")',
	)


def test_a_long_keyword_list_is_shortened_in_the_trace():
	keywords = ["Panne", "Unfall", "Feuer", "Rauch", "Gefahrgut", "Leckage", "Kühlkette", "Brandgeruch"]
	rules = [rule("Long", group("all", cond("subject", "contains_any", keywords)), act("add_tag", "x"))]
	(entry,) = run(rules, {"subject": "Brandgeruch im Laderaum"}).trace
	assert entry.matched == (
		'subject contains any [Panne, Unfall, Feuer, Rauch, Gefahrgut, Leckage, +2 more] (matched "Brandgeruch")',
	)


def test_the_trace_describes_the_facts_as_they_were_evaluated():
	rules = [rule("Delay", group("all", cond("delivery_delay_minutes", "gt", 60)), act("add_tag", "late"))]
	facts = {"delivery_delay_minutes": 90}
	outcome = run(rules, facts)
	facts["delivery_delay_minutes"] = 5
	assert outcome.trace[0].matched == ("delivery_delay_minutes is greater than 60 (is 90)",)


def test_trace_entries_are_read_only():
	entry = TraceEntry("A", ("x",), {})
	with pytest.raises(AttributeError):
		entry.rule = "B"  # type: ignore[misc]


def test_read_fields_are_those_of_enabled_rules_and_the_matrix():
	rules = [
		rule(
			"A",
			group("all", PREMIUM, group("any", cond("subject", "contains_any", "Panne"))),
			act("add_tag", "x"),
		),
		rule("B", group("all", cond("vehicle_state", "changed_to", "stopped")), act("add_tag", "y")),
		rule("Off", group("all", cond("customer", "is_set")), act("add_tag", "z"), enabled=False),
	]
	ruleset = compile_rules(rules)
	assert ruleset.read_fields == {"tier", "subject", "vehicle_state"}
	outcome = evaluate(ruleset, {}, priorities=PRIORITIES, matrix=MATRIX)
	assert outcome.read_fields == {"tier", "subject", "vehicle_state", "impact", "urgency"}


def test_a_compiled_rule_set_gives_each_ticket_its_own_answer():
	rules = [
		rule(
			"Keyword",
			group("all", PREMIUM, cond("subject", "contains_any", "Panne")),
			act("set_priority", "Urgent"),
		),
		rule("Delay", group("all", cond("delivery_delay_minutes", "gte", 60)), act("add_score", 1)),
		rule(
			"Bad", group("any", cond("delivery_delay_minutes", "lt", "soon"), BREAKDOWN), act("add_tag", "b")
		),
	]
	tickets = [
		{"tier": "Premium", "subject": "Reifenpanne", "delivery_delay_minutes": 90},
		{"tier": "Standard", "subject": "Panne", "delivery_delay_minutes": "abc", "ticket_type": "Breakdown"},
		{"tier": "Premium", "subject": "Rechnung", "delivery_delay_minutes": None},
	]
	shared = compile_rules(rules)
	for ticket in tickets + tickets[::-1]:
		fresh = evaluate(compile_rules(rules), ticket, priorities=PRIORITIES)
		assert evaluate(shared, ticket, priorities=PRIORITIES) == fresh


# --- Validation ----------------------------------------------------------------------------------

SCHEMA = {
	"tier": FieldSpec("link", ("Premium", "Business", "Standard")),
	"ticket_type": FieldSpec("select", ("", "Breakdown", "Billing")),
	"subject": FieldSpec("text"),
	"delivery_delay_minutes": FieldSpec("int"),
	"in_business_hours": FieldSpec("bool"),
	"opening_date": FieldSpec("datetime"),
	"impact": FieldSpec("select", ("High", "Low")),
}

VALID = rule(
	"Valid",
	group(
		"all",
		cond("tier", "in", ["Premium", "Business"]),
		group(
			"any",
			cond("subject", "contains_any", "Panne, Unfall"),
			cond("delivery_delay_minutes", "gt", "120"),
		),
		cond("in_business_hours", "equals", True),
		cond("opening_date", "gte", "2024-01-01"),
		cond("ticket_type", "is_set"),
	),
	act("set_priority", "High"),
	act("raise_priority", 1),
	act("add_score", 2.5),
	act("set_impact", "High"),
	act("add_tag", "Pilot"),
)


def with_condition(*items: dict[str, Any]) -> dict[str, Any]:
	return {**VALID, "conditions": group("all", *items)}


def with_actions(*actions: dict[str, Any]) -> dict[str, Any]:
	return {**VALID, "actions": list(actions)}


VALIDATION_CASES = [
	# rule, problems as (code, path)
	(VALID, []),
	(with_condition(cond("colour", "equals", "red")), [("unknown_field", "conditions.items[0].field")]),
	(with_condition(cond("tier", "gt", 3)), [("operator_not_allowed", "conditions.items[0].operator")]),
	(
		with_condition(cond("delivery_delay_minutes", "contains_any", "Panne")),
		[("operator_not_allowed", "conditions.items[0].operator")],
	),
	(
		with_condition(cond("opening_date", "equals", "2024-01-01")),
		[("operator_not_allowed", "conditions.items[0].operator")],
	),
	(with_condition(cond("tier", "like", "P%")), [("unknown_operator", "conditions.items[0].operator")]),
	(with_condition(cond("tier", "equals", "")), [("empty_value", "conditions.items[0].value")]),
	(with_condition(cond("tier", "in", [])), [("empty_value", "conditions.items[0].value")]),
	(with_condition(cond("subject", "contains_any", " ; ")), [("empty_value", "conditions.items[0].value")]),
	(
		with_condition(cond("subject", "contains_any", [1, 2])),
		[("invalid_value", "conditions.items[0].value")],
	),
	(
		with_condition(cond("delivery_delay_minutes", "gt", "bald")),
		[("invalid_value", "conditions.items[0].value")],
	),
	(
		with_condition(cond("in_business_hours", "equals", "ja")),
		[("invalid_value", "conditions.items[0].value")],
	),
	(with_condition(cond("opening_date", "lt", "gestern")), [("invalid_value", "conditions.items[0].value")]),
	(with_condition(cond("tier", "equals", ["Premium"])), [("invalid_value", "conditions.items[0].value")]),
	(
		with_condition(cond("tier", "in", ["Premium", "Gold"])),
		[("unknown_option", "conditions.items[0].value[1]")],
	),
	(
		with_condition(cond("ticket_type", "equals", "Panne")),
		[("unknown_option", "conditions.items[0].value")],
	),
	({**VALID, "conditions": group("all")}, [("empty_group", "conditions")]),
	(with_condition(PREMIUM, group("any")), [("empty_group", "conditions.items[1]")]),
	({**VALID, "conditions": {"match": "some", "items": [PREMIUM]}}, [("invalid_match", "conditions.match")]),
	({**VALID, "conditions": None}, [("malformed", "conditions")]),
	(with_condition("tier = Premium"), [("malformed", "conditions.items[0]")]),  # type: ignore[arg-type]
	(with_condition({"operator": "equals", "value": 1}), [("malformed", "conditions.items[0].field")]),
	(with_actions(act("notify", "x")), [("unknown_action", "actions[0].type")]),
	(with_actions(act("set_priority", "Critical")), [("unknown_priority", "actions[0].value")]),
	(with_actions(act("raise_priority", 0)), [("invalid_levels", "actions[0].value")]),
	(with_actions(act("raise_priority", 1.5)), [("invalid_levels", "actions[0].value")]),
	(with_actions(act("add_score", "viel")), [("invalid_points", "actions[0].value")]),
	(with_actions(act("add_tag", 5)), [("invalid_action_value", "actions[0].value")]),
	(with_actions(act("set_team", " ")), [("empty_action_value", "actions[0].value")]),
	(with_actions(act("set_impact", "Huge")), [("unknown_option", "actions[0].value")]),
	(with_actions(), [("no_actions", "actions")]),
	({**VALID, "actions": None}, [("no_actions", "actions")]),
	({**VALID, "name": " "}, [("empty_name", "name")]),
	({**VALID, "order": "ten"}, [("invalid_order", "order")]),
	({**VALID, "stop": "yes"}, [("invalid_flag", "stop")]),
	(
		{**with_condition(cond("colour", "equals", "red"), cond("tier", "gt", 1)), "actions": []},
		[
			("unknown_field", "conditions.items[0].field"),
			("operator_not_allowed", "conditions.items[1].operator"),
			("no_actions", "actions"),
		],
	),
]


@pytest.mark.parametrize(("data", "expected"), VALIDATION_CASES)
def test_validation_names_every_problem_with_its_path(data, expected):
	problems = validate_rule(data, SCHEMA, PRIORITIES)
	assert [(problem.code, problem.path) for problem in problems] == expected
	for problem in problems:
		assert problem.message == PROBLEM_MESSAGES[problem.code]
		assert "{" not in problem.text.replace("{...}", "").replace('{"', "")


def test_validation_messages_are_templates_with_params():
	(problem,) = validate_rule(with_condition(cond("tier", "gt", 3)), SCHEMA, PRIORITIES)
	assert problem.message == (
		'The operator "{operator}" does not fit the field "{field}" of type {kind}; use one of: {allowed}.'
	)
	assert problem.params == {
		"operator": "gt",
		"field": "tier",
		"kind": "link",
		"allowed": "equals, not_equals, in, not_in, is_set, is_not_set, changed_to",
	}
	assert problem.text == (
		'The operator "gt" does not fit the field "tier" of type link; '
		"use one of: equals, not_equals, in, not_in, is_set, is_not_set, changed_to."
	)


def test_groups_nested_too_deep_are_refused():
	conditions = group("all", PREMIUM)
	for _ in range(40):
		conditions = group("all", conditions)
	codes = {
		problem.code for problem in validate_rule({**VALID, "conditions": conditions}, SCHEMA, PRIORITIES)
	}
	assert codes == {"too_deep"}
	with pytest.raises(MalformedRuleError):
		parse_rule({**VALID, "conditions": conditions})


def test_check_rule_and_parse_rule_raise_the_documented_errors():
	assert check_rule(VALID, SCHEMA, PRIORITIES) == parse_rule(VALID)
	with pytest.raises(InvalidRuleError) as invalid:
		check_rule(with_actions(), SCHEMA, PRIORITIES)
	assert [problem.code for problem in invalid.value.problems] == ["no_actions"]
	with pytest.raises(MalformedRuleError) as malformed:
		parse_rule({**VALID, "conditions": "tier = Premium"})
	assert isinstance(malformed.value, RuleDefinitionError)
	assert issubclass(RuleDefinitionError, RulesError)
	assert issubclass(RulesError, ValueError)
	with pytest.raises(MalformedRuleError):
		parse_rule(["not", "a", "rule"])  # type: ignore[arg-type]


def test_a_parsed_rule_turns_back_into_the_same_dict():
	parsed = parse_rule(VALID)
	assert isinstance(parsed, Rule)
	assert parsed.as_dict() == VALID
	assert validate_rule(parsed, SCHEMA, PRIORITIES) == []


CONFIGURATION_CASES = [
	((), None),
	(("Low", "Low"), None),
	(PRIORITIES, "Critical"),
]


@pytest.mark.parametrize(("priorities", "default"), CONFIGURATION_CASES)
def test_an_unusable_priority_scale_raises(priorities, default):
	with pytest.raises(ConfigurationError):
		evaluate(compile_rules([]), {}, priorities=priorities, default_priority=default)


def test_an_unknown_field_kind_raises():
	with pytest.raises(ConfigurationError):
		FieldSpec("blob")


# --- Keyword search and robustness (properties) --------------------------------------------------

VOCABULARY = [
	"Panne",
	"Reifenpanne",
	"Pannenhilfe",
	"pannenfrei",
	"Unfall",
	"Unfälle",
	"unfallfreie",
	"Kühlkette",
	"Kühlketten",
	"Kühlkettenunterbrechung",
	"KUEHLKETTE",
	"Lkw-Kühlkette",
	"steht",
	"still",
	"Straße",
	"STRASSE",
	"Rad",
	"Radio",
	"Räder",
	"A2",
	"4711",
	"der",
	"Fahrer",
	"Brandenburg",
	"Feuer",
	"Gefahrgut",
	"ausgelaufen",
	"springt",
	"nicht",
	"an",
	"Motorschaden",
	"Temperatur",
	"Temperaturabweichung",
	",",
	".",
]
KEYWORDS = [
	"Panne",
	"Unfall",
	"Kühlkette",
	"steht still",
	"springt nicht an",
	"Straße",
	"Rad",
	"A2",
	"Brand",
	"Feuer",
	"Gefahrgut",
	"Temperatur",
	"4711",
	"Fahrer",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
	texts=st.lists(st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join), min_size=1, max_size=4),
	lists=st.lists(
		st.lists(st.sampled_from(KEYWORDS), min_size=1, max_size=4, unique=True), min_size=1, max_size=5
	),
)
def test_contains_any_finds_what_the_text_module_finds(texts, lists):
	"""The engine searches all keyword lists of a field at once; each list must still match
	exactly when core.text finds one of its keywords, and show the words core.text found."""
	rules = [
		rule(
			f"R{index}", group("all", cond("subject", "contains_any", keywords)), act("add_tag", f"R{index}")
		)
		for index, keywords in enumerate(lists)
	]
	ruleset = compile_rules(rules)
	for text in texts:
		outcome = evaluate(ruleset, {"subject": text}, priorities=PRIORITIES)
		matched = {entry.rule: entry for entry in outcome.trace}
		for index, keywords in enumerate(lists):
			found = find_keywords(text, keywords)
			assert (f"R{index}" in matched) == bool(found)
			if found:
				detail = matched[f"R{index}"].matched[0].split(" (matched ")[1]
				shown = [fold(word) for word in detail[1:-2].split('", "')]
				assert shown == list(dict.fromkeys(match.word for match in found))


FIELDS = ["tier", "subject", "delivery_delay_minutes", "opened_at", "vehicle_state", "tags", "impact"]
VALUES = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(),
	st.floats(),
	st.decimals(),
	st.text(),
	st.sampled_from(["Premium", "Reifenpanne", "2024-05-01", "60", "stopped", "  "]),
	st.datetimes(),
	st.datetimes(timezones=st.just(UTC)),
	st.dates(),
	st.lists(st.text(max_size=5), max_size=3),
	st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
	st.builds(object),
	st.timedeltas(),
)
FACTS_STRATEGY = st.dictionaries(st.sampled_from([*FIELDS, "other"]), VALUES)

EVERYTHING = [
	rule(
		"Eq",
		group("all", cond("tier", "equals", "Premium"), cond("vehicle_state", "not_equals", 5)),
		act("set_priority", "High"),
	),
	rule(
		"In",
		group("any", cond("tier", "in", ["Premium", 3, "2024-05-01"]), cond("impact", "not_in", [1.5])),
		act("raise_priority", 2),
	),
	rule(
		"Order",
		group(
			"any",
			cond("delivery_delay_minutes", "gt", 60),
			cond("opened_at", "lte", "2024-05-01T00:00:00+00:00"),
		),
		act("add_score", 3),
	),
	rule(
		"Dates",
		group("all", cond("opened_at", "gt", "2024-05-01"), cond("delivery_delay_minutes", "lt", "7.5")),
		act("add_tag", "d"),
	),
	rule(
		"Set", group("any", cond("tags", "is_set"), cond("impact", "is_not_set")), act("set_impact", "High")
	),
	rule(
		"Text",
		group(
			"any",
			cond("subject", "contains_any", "Panne, steht still"),
			cond("tags", "contains_any", ["Unfall"]),
		),
		act("set_urgency", "High"),
	),
	rule(
		"Changed",
		group("all", cond("vehicle_state", "changed_to", "stopped")),
		act("set_team", "Flotte"),
		stop=True,
	),
	rule("Weird", group("all", cond("tier", "matches", "P.*"), group("any")), act("nothing", 1)),
	{"name": "Broken", "conditions": 5},
]


@settings(max_examples=400, deadline=None)
@given(facts=FACTS_STRATEGY, previous=st.none() | FACTS_STRATEGY)
def test_evaluate_never_raises_on_arbitrary_facts(facts, previous):
	outcome = evaluate(
		compile_rules(EVERYTHING),
		facts,
		priorities=PRIORITIES,
		previous=previous,
		matrix=MATRIX,
		score_bands=SCORE_BANDS,
		default_priority="Low",
	)
	assert outcome.priority in PRIORITIES
	assert isinstance(explain(outcome), str)
	for entry in outcome.trace:
		assert all(isinstance(text, str) for text in entry.matched)
	assert {error.rule for error in outcome.errors} <= {
		"Eq",
		"In",
		"Order",
		"Dates",
		"Text",
		"Changed",
		"Weird",
		"Broken",
		"matrix",
		"score",
	}


def test_unhashable_and_odd_facts_are_errors_not_crashes():
	odd_facts = {
		"tier": {"name": "Premium"},
		"subject": b"Panne",
		"delivery_delay_minutes": timedelta(minutes=90),
		"opened_at": datetime(2024, 5, 2, tzinfo=timezone(timedelta(hours=2))),
		"vehicle_state": ["stopped"],
	}
	outcome = evaluate(compile_rules(EVERYTHING), odd_facts, priorities=PRIORITIES, default_priority="Low")
	# Only "impact is not one of [1.5]" holds (impact is not set): rule In raises Low by two.
	assert (outcome.priority, outcome.decided_by) == ("High", "In")
	assert [entry.rule for entry in outcome.trace] == ["In", "Set"]
	assert [error.rule for error in outcome.errors] == [
		"Eq",
		"In",
		"Order",
		"Dates",
		"Text",
		"Changed",
		"Weird",
		"Broken",
	]
	assert (
		outcome.errors[0].message
		== "tier equals Premium: cannot compare \"{'name': 'Premium'}\" (a mapping) with Premium"
	)

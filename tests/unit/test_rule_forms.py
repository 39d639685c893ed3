import json
from pathlib import Path

import pytest

from techsolutions_support.core.rule_forms import (
	ConditionRow,
	NotRepresentableError,
	action_to_dict,
	describe,
	group_to_rows,
	parse_value,
	rows_to_group,
)
from techsolutions_support.core.rules import compile_rules, evaluate

PILOT_RULES = Path(__file__).resolve().parents[2] / "fixtures" / "pilot" / "priority_rules.json"
PRIORITIES = ["Low", "Medium", "High", "Urgent"]


@pytest.mark.parametrize(
	("operator", "text", "expected"),
	[
		("equals", " Premium ", "Premium"),
		("in", "Premium, Business", ["Premium", "Business"]),
		("contains_any", "Panne; Unfall\nKühlkette", ["Panne", "Unfall", "Kühlkette"]),
		("not_in", "", []),
		("is_set", "ignored", None),
		("gte", "240", "240"),
	],
)
def test_parse_value(operator, text, expected):
	assert parse_value(operator, text) == expected


def test_rows_become_groups_in_number_order():
	rows = [
		ConditionRow(2, "subject", "contains_any", "Panne, Unfall"),
		ConditionRow(1, "tier", "equals", "Premium"),
		ConditionRow(2, "description", "contains_any", "Panne"),
	]

	group = rows_to_group(rows, within="any", between="all")

	assert group == {
		"match": "all",
		"items": [
			{"match": "any", "items": [{"field": "tier", "operator": "equals", "value": "Premium"}]},
			{
				"match": "any",
				"items": [
					{"field": "subject", "operator": "contains_any", "value": ["Panne", "Unfall"]},
					{"field": "description", "operator": "contains_any", "value": ["Panne"]},
				],
			},
		],
	}
	assert describe(group) == (
		"tier is 'Premium' AND (subject contains any of [Panne, Unfall] OR description contains any of [Panne])"
	)


def evaluate_rows(rows, within, between, facts):
	rule = {
		"name": "r",
		"order": 1,
		"conditions": rows_to_group(rows, within, between),
		"actions": [{"type": "set_priority", "value": "Urgent"}],
	}
	return evaluate(compile_rules([rule]), facts, priorities=PRIORITIES, default_priority="Low").priority


def test_adding_a_row_to_a_group_changes_what_is_evaluated_and_what_is_shown():
	"""(tier AND type) OR (subject): adding a row to group 1 narrows that group only."""
	rows = [
		ConditionRow(1, "tier", "equals", "Premium"),
		ConditionRow(2, "subject", "contains_any", "Unfall"),
	]
	facts = {"tier": "Premium", "ticket_type": "Rechnung", "subject": "Frage"}
	assert evaluate_rows(rows, "all", "any", facts) == "Urgent"

	rows.append(ConditionRow(1, "ticket_type", "equals", "Panne"))

	assert evaluate_rows(rows, "all", "any", facts) == "Low"
	assert evaluate_rows(rows, "all", "any", {**facts, "subject": "Unfall auf der A2"}) == "Urgent"
	assert describe(rows_to_group(rows, "all", "any")) == (
		"(tier is 'Premium' AND ticket_type is 'Panne') OR subject contains any of [Unfall]"
	)


def test_group_to_rows_round_trips_the_pilot_rules():
	for rule in json.loads(PILOT_RULES.read_text(encoding="utf-8")):
		rows, within, between = group_to_rows(rule["conditions"])
		rebuilt = rows_to_group(rows, within, between)
		facts = {
			"tier": "Premium",
			"ticket_type": "Panne",
			"subject": "LKW liegengeblieben",
			"description": "",
		}
		original = evaluate(compile_rules([{**rule, "stop": False}]), facts, priorities=PRIORITIES).trace
		again = evaluate(
			compile_rules([{**rule, "conditions": rebuilt, "stop": False}]), facts, priorities=PRIORITIES
		).trace
		assert [entry.rule for entry in original] == [entry.rule for entry in again], rule["name"]


def test_groups_nested_three_deep_are_refused():
	group = {"match": "all", "items": [{"match": "any", "items": [{"match": "all", "items": []}]}]}
	with pytest.raises(NotRepresentableError):
		group_to_rows(group)


def test_mixed_inner_joins_are_refused():
	group = {
		"match": "all",
		"items": [
			{"match": "any", "items": [{"field": "a", "operator": "is_set"}]},
			{"match": "all", "items": [{"field": "b", "operator": "is_set"}]},
		],
	}
	with pytest.raises(NotRepresentableError):
		group_to_rows(group)


def test_empty_rows_describe_and_build_without_error():
	assert rows_to_group([]) == {"match": "all", "items": []}
	assert describe({"match": "all", "items": []}) == "(no conditions)"


@pytest.mark.parametrize(
	("label", "value", "expected"),
	[
		("Set priority", "Urgent", {"type": "set_priority", "value": "Urgent"}),
		("Raise priority by levels", "1", {"type": "raise_priority", "value": 1}),
		("add_score", " 15 ", {"type": "add_score", "value": 15}),
		("Add to score", "viel", {"type": "add_score", "value": "viel"}),
		("Add tag", "Kühlkette", {"type": "add_tag", "value": "Kühlkette"}),
	],
)
def test_action_rows(label, value, expected):
	assert action_to_dict(label, value) == expected


def test_operator_labels_and_codes_build_the_same_group():
	by_label = rows_to_group([ConditionRow(1, "tier", "is one of", "Premium, Business")])
	by_code = rows_to_group([ConditionRow(1, "tier", "in", "Premium, Business")])
	assert by_label == by_code


@pytest.mark.parametrize(
	("text", "expected"),
	[("1", True), ("Ja", True), ("no", False), ("0", False), ("vielleicht", "vielleicht")],
)
def test_yes_no_fields_take_words(text, expected):
	assert parse_value("equals", text, kind="bool") == expected

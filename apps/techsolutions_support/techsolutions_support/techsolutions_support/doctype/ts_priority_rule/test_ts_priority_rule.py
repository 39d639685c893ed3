import json

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.priority import clear_ruleset_cache, get_ruleset
from techsolutions_support.techsolutions_support.doctype.ts_priority_rule.ts_priority_rule import (
	InvalidPriorityRule,
)


def rule(name: str, conditions: dict, actions: list, **extra) -> "frappe.model.document.Document":
	return frappe.get_doc(
		{
			"doctype": "TS Priority Rule",
			"rule_name": name,
			"rule_order": extra.pop("order", 500),
			"conditions": json.dumps(conditions),
			"actions": json.dumps(actions),
			**extra,
		}
	)


class TestTSPriorityRule(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)

	def test_a_valid_rule_saves_and_joins_the_rule_set(self):
		doc = rule(
			"Test Gefahrgut",
			{
				"match": "all",
				"items": [{"field": "subject", "operator": "contains_any", "value": ["Gefahrgut"]}],
			},
			[{"type": "set_priority", "value": "Urgent"}],
		).insert()

		self.assertIn(doc.name, {compiled.name for compiled in get_ruleset().rules})

	def test_unknown_field_is_refused(self):
		doc = rule(
			"Test Unbekannt",
			{"match": "all", "items": [{"field": "no_such_field", "operator": "equals", "value": "x"}]},
			[{"type": "set_priority", "value": "High"}],
		)
		self.assertRaises(InvalidPriorityRule, doc.insert)

	def test_operator_that_does_not_fit_the_type_is_refused(self):
		doc = rule(
			"Test Typ",
			{"match": "all", "items": [{"field": "subject", "operator": "gt", "value": 5}]},
			[{"type": "set_priority", "value": "High"}],
		)
		self.assertRaises(InvalidPriorityRule, doc.insert)

	def test_empty_group_and_unknown_priority_are_refused(self):
		empty = rule("Test Leer", {"match": "any", "items": []}, [{"type": "set_priority", "value": "High"}])
		unknown = rule(
			"Test Prio",
			{"match": "all", "items": [{"field": "subject", "operator": "is_set", "value": None}]},
			[{"type": "set_priority", "value": "Sofort"}],
		)
		self.assertRaises(InvalidPriorityRule, empty.insert)
		self.assertRaises(InvalidPriorityRule, unknown.insert)

	def test_malformed_json_is_refused(self):
		doc = frappe.get_doc(
			{
				"doctype": "TS Priority Rule",
				"rule_name": "Test JSON",
				"conditions": "{not json",
				"actions": "[]",
			}
		)
		self.assertRaises(frappe.ValidationError, doc.insert)

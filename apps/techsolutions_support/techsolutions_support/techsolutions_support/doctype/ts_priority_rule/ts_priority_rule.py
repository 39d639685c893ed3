import json

import frappe
from frappe import _
from frappe.model.document import Document

from techsolutions_support.core.rules import validate_rule
from techsolutions_support.priority import priority_order, rule_schema


class InvalidPriorityRule(frappe.ValidationError):
	pass


class TSPriorityRule(Document):
	def validate(self):
		self.validate_logic()

	def validate_logic(self) -> None:
		"""Refuse a rule the engine could not evaluate, naming every problem at once."""
		problems = validate_rule(self.as_rule(), rule_schema(), priority_order())
		if not problems:
			return
		lines = [f"{problem.path}: {_(problem.message).format(**problem.params)}" for problem in problems]
		frappe.throw("<br>".join(lines), InvalidPriorityRule, title=_("Invalid Priority Rule"))

	def as_rule(self) -> dict:
		return {
			"name": self.name or self.rule_name,
			"order": self.rule_order or 0,
			"enabled": bool(self.enabled),
			"stop": bool(self.stop_processing),
			"description": self.description or "",
			"conditions": _parsed(self.conditions),
			"actions": _parsed(self.actions),
		}


def _parsed(value):
	if isinstance(value, str):
		try:
			return json.loads(value) if value.strip() else None
		except ValueError:
			frappe.throw(_("Conditions and actions must be valid JSON."), InvalidPriorityRule)
	return value

import frappe
from frappe import _
from frappe.model.document import Document

from techsolutions_support.core.rule_forms import (
	JOIN_CODES,
	ConditionRow,
	action_to_dict,
	describe,
	rows_to_group,
)
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
		lines = [
			f"{_where(problem.path)}: {_(problem.message).format(**problem.params)}" for problem in problems
		]
		frappe.throw("<br>".join(lines), InvalidPriorityRule, title=_("Invalid Priority Rule"))

	def as_rule(self) -> dict:
		"""Exactly what the engine evaluates for this form."""
		return {
			"name": self.name or self.rule_name,
			"order": self.rule_order or 0,
			"enabled": bool(self.enabled),
			"stop": bool(self.stop_processing),
			"description": self.description or "",
			"conditions": self.condition_group(),
			"actions": [action_to_dict(row.action_type, row.action_value) for row in self.actions],
		}

	def condition_group(self) -> dict:
		rows = [
			ConditionRow(
				row.group_no or 1, row.condition_field or "", row.operator or "", row.condition_value or ""
			)
			for row in self.conditions
		]
		kinds = {field: spec.kind for field, spec in rule_schema().items()}
		return rows_to_group(
			rows, JOIN_CODES.get(self.match_within, "all"), JOIN_CODES.get(self.match_between, "all"), kinds
		)

	def describe(self) -> str:
		return describe(self.condition_group())


def _where(path: str) -> str:
	"""The engine's path (conditions.items[1].items[0].value) as the row a person sees."""
	return path.replace("conditions.items", _("Condition group")).replace("actions", _("Action"))

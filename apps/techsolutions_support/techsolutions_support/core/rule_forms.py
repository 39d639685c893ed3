"""The no-code form of a priority rule, and the exact rule the engine evaluates from it.

An admin writes conditions as table rows, each with a group number, and picks two joins:

	rows      group | field | operator | value
	within    how the rows of one group combine: "all" (AND) or "any" (OR)
	between   how the groups combine: "all" (AND) or "any" (OR)

so ``within=any, between=all`` reads "(a OR b) AND (c OR d)" and ``within=all, between=any``
reads "(a AND b) OR (c AND d)". Together the two shapes express any condition (every boolean
expression has both forms). :func:`rows_to_group` builds the engine's group from the rows and
:func:`describe` renders that same group as text, so the sentence the form shows is derived
from exactly what is evaluated; a row or group added later changes both at once.

Contract: pure, never imports Frappe. :func:`rows_to_group` and :func:`describe` never raise
for any rows (an empty table gives an empty group, which validation refuses);
:func:`group_to_rows` raises :class:`NotRepresentableError` (a ``ValueError``) for a nested
group the two-level form cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from techsolutions_support.core.text import parse_keyword_list

__all__ = [
	"ACTION_CODES",
	"ACTION_LABELS",
	"JOIN_CODES",
	"JOIN_LABELS",
	"LIST_OPERATORS",
	"NO_VALUE_OPERATORS",
	"OPERATOR_CODES",
	"OPERATOR_LABELS",
	"ConditionRow",
	"NotRepresentableError",
	"action_to_dict",
	"describe",
	"group_to_rows",
	"operator_code",
	"parse_value",
	"rows_to_group",
]

# Operators whose value is a list: the admin types it comma-, semicolon- or line-separated.
LIST_OPERATORS = frozenset({"in", "not_in", "contains_any"})
# Operators that take no value at all.
NO_VALUE_OPERATORS = frozenset({"is_set", "is_not_set"})

OPERATOR_LABELS: Mapping[str, str] = {
	"equals": "is",
	"not_equals": "is not",
	"in": "is one of",
	"not_in": "is none of",
	"gt": "is greater than",
	"gte": "is at least",
	"lt": "is less than",
	"lte": "is at most",
	"is_set": "is set",
	"is_not_set": "is not set",
	"contains_any": "contains any of",
	"changed_to": "changed to",
}

# The form stores labels; the engine reads codes.
OPERATOR_CODES: Mapping[str, str] = {label: code for code, label in OPERATOR_LABELS.items()}

ACTION_LABELS: Mapping[str, str] = {
	"set_priority": "Set priority",
	"raise_priority": "Raise priority by levels",
	"add_score": "Add to score",
	"set_impact": "Set impact",
	"set_urgency": "Set urgency",
	"set_ticket_type": "Set ticket type",
	"set_team": "Set team",
	"add_tag": "Add tag",
}
ACTION_CODES: Mapping[str, str] = {label: code for code, label in ACTION_LABELS.items()}
# Actions whose value is a whole number; text that is not one is passed on for validation to refuse.
NUMERIC_ACTIONS = frozenset({"raise_priority", "add_score"})

# How the form names the two joins, and the engine's codes for them.
JOIN_LABELS: Mapping[str, str] = {"all": "All must match", "any": "Any may match"}
JOIN_CODES: Mapping[str, str] = {label: code for code, label in JOIN_LABELS.items()}

_JOIN = {"all": "AND", "any": "OR"}


class NotRepresentableError(ValueError):
	"""A group nests deeper, or mixes joins, in a way the two-level form cannot hold."""


@dataclass(frozen=True, slots=True)
class ConditionRow:
	group: int
	field: str
	operator: str
	value: str = ""


# How a yes/no field may be answered in a row, in English and German.
BOOLEAN_WORDS: Mapping[str, bool] = {
	**dict.fromkeys(("1", "yes", "true", "ja", "wahr"), True),
	**dict.fromkeys(("0", "no", "false", "nein", "falsch"), False),
}


def parse_value(operator: str, text: str | None, kind: str | None = None) -> Any:
	"""The engine's value for the text an admin typed into a row; `kind` is the field's kind."""
	if operator in NO_VALUE_OPERATORS:
		return None
	if operator in LIST_OPERATORS:
		return parse_keyword_list(text or "")
	value = (text or "").strip()
	if kind == "bool":
		return BOOLEAN_WORDS.get(value.lower(), value)
	return value


def operator_code(operator: str) -> str:
	"""The engine's code for a form label; codes pass through, so both spellings work."""
	return OPERATOR_CODES.get(operator, operator)


def action_to_dict(action: str, value: str | None) -> dict[str, Any]:
	"""The engine action for a form row: label or code, and the value as typed."""
	code = ACTION_CODES.get(action, action)
	text = (value or "").strip()
	if code in NUMERIC_ACTIONS:
		try:
			return {"type": code, "value": int(text)}
		except ValueError:
			pass
	return {"type": code, "value": text}


def rows_to_group(
	rows: Iterable[ConditionRow],
	within: str = "all",
	between: str = "all",
	kinds: Mapping[str, str] | None = None,
) -> dict[str, Any]:
	"""The engine group for the rows: groups in ascending number, rows in table order.

	`kinds` (field -> kind) lets yes/no fields take "1"/"0", "ja"/"nein" as typed in a row.
	"""
	groups: dict[int, list[dict[str, Any]]] = {}
	for row in rows:
		code = operator_code(row.operator)
		kind = (kinds or {}).get(row.field)
		condition = {"field": row.field, "operator": code, "value": parse_value(code, row.value, kind)}
		groups.setdefault(row.group or 1, []).append(condition)
	items = [{"match": within, "items": conditions} for _, conditions in sorted(groups.items())]
	return {"match": between, "items": items}


def group_to_rows(group: Mapping[str, Any]) -> tuple[list[ConditionRow], str, str]:
	"""Rows and joins for an engine group of at most two levels (for importing rule files).

	Top-level conditions become groups of one row; nested groups must all use the same join.
	"""
	between = str(group.get("match", "all"))
	rows: list[ConditionRow] = []
	within: str | None = None
	for number, item in enumerate(group.get("items", []), start=1):
		if "items" not in item:
			rows.append(_row(number, item))
			continue
		match = str(item.get("match", "all"))
		if within not in (None, match):
			raise NotRepresentableError(f"nested groups join with both {within!r} and {match!r}")
		within = match
		for child in item["items"]:
			if "items" in child:
				raise NotRepresentableError("groups nest more than two levels deep")
			rows.append(_row(number, child))
	return rows, within or "all", between


def describe(group: Mapping[str, Any]) -> str:
	"""The group as one readable line, e.g. ``tier is 'Premium' AND (subject contains any of [Panne] OR ...)``."""
	if not group.get("items"):
		return "(no conditions)"
	return _describe_node(group, top=True)


def _describe_node(node: Mapping[str, Any], top: bool) -> str:
	if "items" not in node:
		return _describe_condition(node)
	items = node.get("items") or []
	if not items:
		return "(no conditions)"
	if len(items) == 1:
		return _describe_node(items[0], top)
	join = f" {_JOIN.get(str(node.get('match', 'all')), 'AND')} "
	text = join.join(_describe_node(item, top=False) for item in items)
	return text if top else f"({text})"


def _row(group: int, condition: Mapping[str, Any]) -> ConditionRow:
	value = condition.get("value")
	if isinstance(value, list | tuple):
		text = ", ".join(str(part) for part in value)
	else:
		text = "" if value is None else str(value)
	return ConditionRow(group, str(condition.get("field", "")), str(condition.get("operator", "")), text)


def _describe_condition(condition: Mapping[str, Any]) -> str:
	operator = str(condition.get("operator", ""))
	label = OPERATOR_LABELS.get(operator, operator)
	field = condition.get("field", "?")
	if operator in NO_VALUE_OPERATORS:
		return f"{field} {label}"
	value = condition.get("value")
	shown = (
		f"[{', '.join(map(str, value))}]"
		if isinstance(value, Sequence) and not isinstance(value, str)
		else repr(value)
	)
	return f"{field} {label} {shown}"

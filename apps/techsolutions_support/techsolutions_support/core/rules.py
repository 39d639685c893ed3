"""Priority rules: the data model, validation, and a compiled, explainable evaluator.

A rule set is plain data, as the ``TS Priority Rule`` doctype stores it as JSON::

	rule       {"name", "order", "enabled", "stop", "description", "conditions": group, "actions": [action]}
	group      {"match": "all" | "any", "items": [condition | group, ...]}
	condition  {"field": str, "operator": str, "value": any}
	action     {"type": str, "value": any}

``compile_rules`` turns a rule set into a :class:`CompiledRuleSet` once (keyword matchers
included), and ``evaluate`` runs it over the facts of one ticket: a flat mapping of field names
to values, plus the facts before the change for ``changed_to``.

Contract
--------

- Pure: no Frappe, no I/O, no clock, no ``eval``/``exec``, no SQL. Rule values are compared as
  Python values and never become code. A ``CompiledRuleSet`` is safe to share between threads
  and tickets: its only state is what it remembers per field value and per text word, which
  never changes a result.
- ``evaluate`` never raises because of a rule or of the facts. A condition it cannot evaluate
  (an unknown operator, a value of the wrong type, ``"abc" > 5``) is recorded in
  ``Outcome.errors`` with the rule's name and the condition's path, and counts as *not matched*:
  the rest of the rule is evaluated as usual, so an ``all`` group holding it does not match,
  while an ``any`` group still matches through another item. An action it cannot apply is
  recorded and skipped. A rule not even shaped like a rule is recorded and skipped whole. A
  field missing from the facts is "not set", never an error.
- ``validate_rule`` never raises: it returns every problem at once, each with a code, a path
  such as ``conditions.items[2].value`` and an English message template with its params, so
  the caller can translate the template before filling it in.
- The only exceptions raised on purpose are the ones drawn below: a rule that cannot be read
  when the caller asks for it strictly (``parse_rule``, ``check_rule``), and configuration of
  the caller that cannot work (an empty or repeating priority scale, a default priority outside
  it, an unknown field kind).

Evaluation
----------

- Enabled rules run in ascending ``order`` (ties in the order given); disabled ones are skipped.
- Conditions read the facts as they were when evaluation began. Actions build the outcome and
  never feed back into later conditions, so rules cannot trigger each other, and the result is
  a pure function of the facts.
- Groups (``match`` defaults to ``all``) are read left to right and stop early: ``all`` at the
  first item that does not match, ``any`` at the first that does. Errors are recorded for the
  conditions actually reached. An empty group does not match and records an error.
- Every matching rule applies all its actions in order. A later ``set_priority`` overwrites an
  earlier one; ``raise_priority`` raises the current priority by N levels, capped at the
  highest. When no rule has set a priority yet, the raise is kept and applied at the end to the
  fallback priority (matrix, score, default); with no fallback either, it is an error.
  ``stop`` ends evaluation after its rule matched.
- Priority: the last explicit priority from the rules; else the impact x urgency matrix when
  both are known (set by a rule, else taken from the facts), adjusted by tier; else the
  highest score band reached; else the default priority.
- A field is not set when it is missing, ``None``, text of only blanks or an empty list.
  Operators on a field that is not set: ``equals``, ``in``, ordering, ``contains_any``,
  ``changed_to`` and ``is_set`` do not match; ``not_equals``, ``not_in`` and ``is_not_set`` do.
  Equality compares text with text, numbers with numbers (``True`` is 1), dates with dates, and
  converts text that spells a number or an ISO date when the other side is one. Any other mix
  is an error, as is ordering anything but numbers or dates.
- ``contains_any`` takes a keyword list (a list, or the admin's text split at commas,
  semicolons and line breaks) and matches as ``core.text`` does: case, umlauts and ß do not
  matter, whole words, German plurals and compounds, phrases as consecutive words. A list of
  texts is searched as one text.
- ``changed_to``: the value equals the target now and did not before. Without ``previous``
  facts the ticket is new and nothing was set before, so it matches when the value equals the
  target now.
- The trace lists, for every rule that matched, the conditions that made it match (all items of
  an ``all`` group, the first matching item of an ``any`` group) and the changes its actions
  made. Its text is made when first read, from a copy of the facts taken at evaluation.

Exceptions::

	ValueError
	└── RulesError                      everything this module raises on purpose
	    ├── RuleDefinitionError         a rule, as data, cannot be used; ``.problems`` says why
	    │   ├── MalformedRuleError      parse_rule: the data is not shaped like a rule
	    │   └── InvalidRuleError        check_rule: validate_rule found problems
	    └── ConfigurationError          the caller's priority scale, default priority or field kind
"""

from __future__ import annotations

import functools
import logging
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from itertools import compress, count
from typing import Any, Final, NamedTuple, TypeAlias, cast

from techsolutions_support.core.text import KeywordMatcher, parse_keyword_list, words

__all__ = [
	"ACTION_TYPES",
	"FIELD_KINDS",
	"OPERATORS",
	"OPERATORS_BY_KIND",
	"PROBLEM_MESSAGES",
	"Action",
	"CompiledRuleSet",
	"Condition",
	"ConfigurationError",
	"FieldSpec",
	"Group",
	"InvalidRuleError",
	"MalformedRuleError",
	"Outcome",
	"PriorityMatrix",
	"Rule",
	"RuleDefinitionError",
	"RuleError",
	"RuleProblem",
	"RulesError",
	"TraceEntry",
	"check_rule",
	"compile_rules",
	"evaluate",
	"explain",
	"parse_rule",
	"validate_rule",
]

logger = logging.getLogger(__name__)

OPERATORS: Final = (
	"equals",
	"not_equals",
	"in",
	"not_in",
	"gt",
	"gte",
	"lt",
	"lte",
	"is_set",
	"is_not_set",
	"contains_any",
	"changed_to",
)

ACTION_TYPES: Final = (
	"set_priority",
	"raise_priority",
	"add_score",
	"set_impact",
	"set_urgency",
	"set_ticket_type",
	"set_team",
	"add_tag",
)

FIELD_KINDS: Final = ("text", "select", "link", "int", "float", "bool", "datetime")

_EQUALITY = ("equals", "not_equals", "in", "not_in", "changed_to")
_PRESENCE = ("is_set", "is_not_set")
_ORDERING = ("gt", "gte", "lt", "lte")

OPERATORS_BY_KIND: Final[Mapping[str, frozenset[str]]] = {
	"text": frozenset((*_EQUALITY, *_PRESENCE, "contains_any")),
	"select": frozenset((*_EQUALITY, *_PRESENCE)),
	"link": frozenset((*_EQUALITY, *_PRESENCE)),
	"int": frozenset((*_EQUALITY, *_PRESENCE, *_ORDERING)),
	"float": frozenset((*_EQUALITY, *_PRESENCE, *_ORDERING)),
	"bool": frozenset(("equals", "not_equals", "changed_to")),
	"datetime": frozenset((*_PRESENCE, *_ORDERING)),
}

# The words a trace uses for each operator: "tier is one of [Premium, Business]".
_OPERATOR_LABELS: Final = {
	"equals": "equals",
	"not_equals": "does not equal",
	"in": "is one of",
	"not_in": "is not one of",
	"gt": "is greater than",
	"gte": "is at least",
	"lt": "is less than",
	"lte": "is at most",
	"is_set": "is set",
	"is_not_set": "is not set",
	"contains_any": "contains any",
	"changed_to": "changed to",
}

# Which fact an action writes, for checking its value against the schema's options.
_ACTION_FIELDS: Final = {
	"set_impact": "impact",
	"set_urgency": "urgency",
	"set_ticket_type": "ticket_type",
	"set_team": "team",
}

# English templates of every validation problem, by code. Params are data (names and values),
# never English, so a caller translates the template and then fills it in.
PROBLEM_MESSAGES: Final[Mapping[str, str]] = {
	"malformed": "This part of the rule is not in the expected form: {expected}.",
	"empty_name": "The rule needs a name.",
	"invalid_order": 'The order must be a whole number, not "{value}".',
	"invalid_flag": '"{key}" must be true or false, not "{value}".',
	"invalid_match": 'A group matches "all" or "any", not "{match}".',
	"empty_group": "A condition group needs at least one condition or group.",
	"too_deep": "Condition groups may be nested at most {limit} levels deep.",
	"unknown_field": 'Unknown field "{field}".',
	"unknown_operator": 'Unknown operator "{operator}".',
	"operator_not_allowed": (
		'The operator "{operator}" does not fit the field "{field}" of type {kind}; use one of: {allowed}.'
	),
	"empty_value": 'The condition "{field} {operator}" needs a value.',
	"invalid_value": 'The value "{value}" does not fit the field "{field}" of type {kind}.',
	"unknown_option": 'The value "{value}" is not an option of the field "{field}"; options: {options}.',
	"no_actions": "The rule needs at least one action.",
	"unknown_action": 'Unknown action "{action}".',
	"empty_action_value": 'The action "{action}" needs a value.',
	"invalid_levels": 'The action "{action}" needs a whole number of levels, at least 1, not "{value}".',
	"invalid_points": 'The action "{action}" needs a number of points, not "{value}".',
	"invalid_action_value": 'The action "{action}" needs a text value, not "{value}".',
	"unknown_priority": 'Unknown priority "{priority}"; use one of: {priorities}.',
}

# Deeper nesting is no longer readable on a form, and recursion must stay far from its limit.
MAX_DEPTH: Final = 32

_SHAPES: Final = {
	"rule": '{"name": ..., "order": ..., "conditions": {...}, "actions": [...]}',
	"group": '{"match": "all" | "any", "items": [...]}',
	"items": "[condition or group, ...]",
	"item": '{"field": ..., "operator": ..., "value": ...} or {"match": ..., "items": [...]}',
	"field": '"field": "<field name>"',
	"operator": '"operator": "<operator>"',
	"actions": '[{"type": ..., "value": ...}, ...]',
	"action": '{"type": "<action type>", "value": ...}',
}


class RulesError(ValueError):
	"""Base of every exception this module raises on purpose."""


class RuleDefinitionError(RulesError):
	"""A rule, as data, cannot be used; ``problems`` lists why."""

	def __init__(self, problems: Sequence[RuleProblem]) -> None:
		self.problems = tuple(problems)
		super().__init__("; ".join(f"{p.path or 'rule'}: {p.text}" for p in self.problems))


class MalformedRuleError(RuleDefinitionError):
	"""The data is not shaped like a rule (``parse_rule``)."""


class InvalidRuleError(RuleDefinitionError):
	"""The rule is well formed but ``validate_rule`` found problems (``check_rule``)."""


class ConfigurationError(RulesError):
	"""The caller's priority scale, default priority or field kind cannot work."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
	"""What a field holds, for validation: its kind and, for selects, its options."""

	kind: str
	options: tuple[str, ...] = ()

	def __post_init__(self) -> None:
		if self.kind not in FIELD_KINDS:
			raise ConfigurationError(f"unknown field kind {self.kind!r}: use one of {', '.join(FIELD_KINDS)}")


@dataclass(frozen=True, slots=True)
class Condition:
	field: str
	operator: str
	value: Any = None

	def as_dict(self) -> dict[str, Any]:
		value = list(self.value) if isinstance(self.value, tuple) else self.value
		return {"field": self.field, "operator": self.operator, "value": value}


@dataclass(frozen=True, slots=True)
class Group:
	match: str
	items: tuple[Condition | Group, ...]

	def as_dict(self) -> dict[str, Any]:
		return {"match": self.match, "items": [item.as_dict() for item in self.items]}


@dataclass(frozen=True, slots=True)
class Action:
	type: str
	value: Any = None

	def as_dict(self) -> dict[str, Any]:
		return {"type": self.type, "value": self.value}


@dataclass(frozen=True, slots=True)
class Rule:
	name: str
	conditions: Group
	actions: tuple[Action, ...]
	order: int = 0
	enabled: bool = True
	stop: bool = False
	description: str = ""

	def as_dict(self) -> dict[str, Any]:
		return {
			"name": self.name,
			"order": self.order,
			"enabled": self.enabled,
			"stop": self.stop,
			"description": self.description,
			"conditions": self.conditions.as_dict(),
			"actions": [action.as_dict() for action in self.actions],
		}


@dataclass(frozen=True, slots=True)
class RuleProblem:
	"""One reason a rule cannot be saved: ``message`` is an English template filled by ``params``."""

	code: str
	path: str
	message: str
	params: Mapping[str, str] = field(default_factory=dict)

	@property
	def text(self) -> str:
		return self.message.format(**self.params)


@dataclass(frozen=True, slots=True)
class RuleError:
	"""A condition or action that could not be evaluated for one ticket (English message)."""

	rule: str
	path: str
	message: str


class TraceEntry:
	"""A rule that matched: why (its conditions, readable), what it changed, whether it stopped.

	Read-only. ``matched`` is put into words when first read, so a dry run over thousands of
	tickets that only compares priorities never pays for it.
	"""

	__slots__ = ("_changes", "_describe", "_matched", "_rule", "_stopped")

	def __init__(
		self,
		rule: str,
		matched: Sequence[str] | Callable[[], tuple[str, ...]],
		changes: dict[str, Any],
		stopped: bool = False,
	) -> None:
		self._rule = rule
		self._changes = changes
		self._stopped = stopped
		self._describe: Callable[[], tuple[str, ...]] | None = None
		self._matched: tuple[str, ...] | None = None
		if callable(matched):
			self._describe = matched
		else:
			self._matched = tuple(matched)

	@property
	def rule(self) -> str:
		return self._rule

	@property
	def matched(self) -> tuple[str, ...]:
		"""The conditions that made the rule match, e.g. 'subject contains any [Panne] (matched "Reifenpanne")'."""
		matched = self._matched
		if matched is None:
			describe = self._describe
			if describe is None:
				# Another thread described it between the two reads above.
				return cast(tuple[str, ...], self._matched)
			matched = self._matched = describe()
			self._describe = None
		return matched

	@property
	def changes(self) -> dict[str, Any]:
		"""What the rule's actions changed: field -> new value ("raise_priority" -> levels, when
		no priority was set yet to raise)."""
		return self._changes

	@property
	def stopped(self) -> bool:
		return self._stopped

	def __eq__(self, other: object) -> bool:
		if not isinstance(other, TraceEntry):
			return NotImplemented
		mine = (self.rule, self.matched, self.changes, self.stopped)
		return mine == (other.rule, other.matched, other.changes, other.stopped)

	__hash__ = None  # type: ignore[assignment]

	def __repr__(self) -> str:
		return (
			f"TraceEntry(rule={self.rule!r}, matched={self.matched!r}, changes={self.changes!r}, "
			f"stopped={self.stopped!r})"
		)


@dataclass(frozen=True, slots=True)
class PriorityMatrix:
	"""Impact x urgency -> priority, moved by a number of levels per tier (capped at both ends)."""

	cells: Mapping[tuple[str, str], str]
	tier_adjustments: Mapping[str, int] = field(default_factory=dict)
	impact_field: str = "impact"
	urgency_field: str = "urgency"
	tier_field: str = "tier"

	@property
	def fields(self) -> frozenset[str]:
		return frozenset((self.impact_field, self.urgency_field, self.tier_field))


class Outcome(NamedTuple):
	"""The result of evaluating a rule set for one ticket (immutable).

	``impact``, ``urgency``, ``ticket_type`` and ``team`` are what rules set, ``None`` where no
	rule set them. ``decided_by`` is the rule that set the priority last, or "matrix", "score",
	"default", or ``None`` when there is no priority. ``basis`` says in English how the priority
	was reached. ``errors`` name the rule, or "matrix" / "score" for a matrix cell or score band
	that cannot be used. ``read_fields`` are the fields the enabled rules (and the matrix) read:
	the outcome can only change when one of them does.
	"""

	priority: str | None
	decided_by: str | None
	score: float
	impact: str | None
	urgency: str | None
	ticket_type: str | None
	team: str | None
	tags: tuple[str, ...]
	trace: tuple[TraceEntry, ...]
	errors: tuple[RuleError, ...]
	read_fields: frozenset[str]
	basis: str = ""


# --- Parsing -------------------------------------------------------------------------------------


def parse_rule(data: Mapping[str, Any] | Rule) -> Rule:
	"""Read a rule dict into a :class:`Rule`; raise ``MalformedRuleError`` if it is not shaped like one.

	Only the shape is checked here (mappings, lists, names as text); operators, values and
	action types are checked by ``validate_rule`` and tolerated by ``evaluate``.
	"""
	if isinstance(data, Rule):
		return data
	if not isinstance(data, Mapping):
		raise MalformedRuleError([_problem("malformed", "", expected=_SHAPES["rule"])])

	name = data.get("name")
	order = data.get("order", 0)
	enabled = data.get("enabled", True)
	stop = data.get("stop", False)
	description = data.get("description") or ""
	problems: list[RuleProblem] = []
	if not isinstance(name, str):
		problems.append(_problem("empty_name", "name"))
	if not _is_int(order):
		problems.append(_problem("invalid_order", "order", value=_show(order)))
	for key, flag in (("enabled", enabled), ("stop", stop)):
		if not isinstance(flag, bool | int) or flag not in (0, 1):
			problems.append(_problem("invalid_flag", key, key=key, value=_show(flag)))
	if not isinstance(description, str):
		problems.append(_problem("malformed", "description", expected='"description": "<text>"'))
	if problems:
		raise MalformedRuleError(problems)

	conditions = _parse_group(data.get("conditions"), "conditions", 1)
	actions = _parse_actions(data.get("actions"))
	return Rule(
		name=str(name),
		order=int(order),
		enabled=bool(enabled),
		stop=bool(stop),
		description=description,
		conditions=conditions,
		actions=actions,
	)


def _parse_group(data: Any, path: str, depth: int) -> Group:
	if depth > MAX_DEPTH:
		raise MalformedRuleError([_problem("too_deep", path, limit=str(MAX_DEPTH))])
	if not isinstance(data, Mapping):
		raise MalformedRuleError([_problem("malformed", path, expected=_SHAPES["group"])])
	match = data.get("match", "all")
	if match not in ("all", "any"):
		raise MalformedRuleError([_problem("invalid_match", f"{path}.match", match=_show(match))])
	items = data.get("items")
	if not isinstance(items, list | tuple):
		raise MalformedRuleError([_problem("malformed", f"{path}.items", expected=_SHAPES["items"])])

	parsed: list[Condition | Group] = []
	for index, item in enumerate(items):
		item_path = f"{path}.items[{index}]"
		if isinstance(item, Mapping) and _is_group(item):
			parsed.append(_parse_group(item, item_path, depth + 1))
		else:
			parsed.append(_parse_condition(item, item_path))
	return Group(match=match, items=tuple(parsed))


def _parse_condition(data: Any, path: str) -> Condition:
	if not isinstance(data, Mapping):
		raise MalformedRuleError([_problem("malformed", path, expected=_SHAPES["item"])])
	field_name = data.get("field")
	operator_name = data.get("operator")
	if not isinstance(field_name, str):
		raise MalformedRuleError([_problem("malformed", f"{path}.field", expected=_SHAPES["field"])])
	if not isinstance(operator_name, str):
		raise MalformedRuleError([_problem("malformed", f"{path}.operator", expected=_SHAPES["operator"])])
	value = data.get("value")
	if isinstance(value, list):
		value = tuple(value)
	return Condition(field=field_name, operator=operator_name, value=value)


def _parse_actions(data: Any) -> tuple[Action, ...]:
	if data is None:
		return ()
	if not isinstance(data, list | tuple):
		raise MalformedRuleError([_problem("malformed", "actions", expected=_SHAPES["actions"])])

	actions: list[Action] = []
	for index, item in enumerate(data):
		if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
			raise MalformedRuleError([_problem("malformed", f"actions[{index}]", expected=_SHAPES["action"])])
		actions.append(Action(type=item["type"], value=item.get("value")))
	return tuple(actions)


def _is_group(item: Mapping[str, Any]) -> bool:
	return "items" in item or ("match" in item and "field" not in item)


# --- Validation ----------------------------------------------------------------------------------


def validate_rule(
	rule: Mapping[str, Any] | Rule, schema: Mapping[str, FieldSpec], priorities: Sequence[str]
) -> list[RuleProblem]:
	"""Return every problem that keeps the rule from being saved; an empty list when there is none.

	Never raises. ``schema`` names every field a condition may read; ``priorities`` are the
	known priorities (any order).
	"""
	data: Any = rule.as_dict() if isinstance(rule, Rule) else rule
	if not isinstance(data, Mapping):
		return [_problem("malformed", "", expected=_SHAPES["rule"])]

	problems: list[RuleProblem] = []
	try:
		parse_rule({**data, "conditions": {"match": "all", "items": []}, "actions": []})
	except MalformedRuleError as error:
		problems.extend(error.problems)
	if isinstance(data.get("name"), str) and not data["name"].strip():
		problems.append(_problem("empty_name", "name"))

	_check_group(data.get("conditions"), "conditions", 1, schema, problems)
	_check_actions(data.get("actions"), schema, priorities, problems)
	return problems


def check_rule(
	rule: Mapping[str, Any] | Rule, schema: Mapping[str, FieldSpec], priorities: Sequence[str]
) -> Rule:
	"""Return the parsed rule, or raise ``InvalidRuleError`` carrying every problem found."""
	problems = validate_rule(rule, schema, priorities)
	if problems:
		raise InvalidRuleError(problems)
	return parse_rule(rule)


def _check_group(
	data: Any, path: str, depth: int, schema: Mapping[str, FieldSpec], problems: list[RuleProblem]
) -> None:
	if depth > MAX_DEPTH:
		problems.append(_problem("too_deep", path, limit=str(MAX_DEPTH)))
		return
	if not isinstance(data, Mapping):
		problems.append(_problem("malformed", path, expected=_SHAPES["group"]))
		return
	match = data.get("match", "all")
	if match not in ("all", "any"):
		problems.append(_problem("invalid_match", f"{path}.match", match=_show(match)))
	items = data.get("items")
	if not isinstance(items, list | tuple):
		problems.append(_problem("malformed", f"{path}.items", expected=_SHAPES["items"]))
		return
	if not items:
		problems.append(_problem("empty_group", path))

	for index, item in enumerate(items):
		item_path = f"{path}.items[{index}]"
		if isinstance(item, Mapping) and _is_group(item):
			_check_group(item, item_path, depth + 1, schema, problems)
		else:
			_check_condition(item, item_path, schema, problems)


def _check_condition(
	data: Any, path: str, schema: Mapping[str, FieldSpec], problems: list[RuleProblem]
) -> None:
	if not isinstance(data, Mapping):
		problems.append(_problem("malformed", path, expected=_SHAPES["item"]))
		return
	field_name = data.get("field")
	operator_name = data.get("operator")
	if not isinstance(field_name, str) or not field_name:
		problems.append(_problem("malformed", f"{path}.field", expected=_SHAPES["field"]))
		return
	spec = schema.get(field_name)
	if spec is None:
		problems.append(_problem("unknown_field", f"{path}.field", field=field_name))
	if operator_name not in OPERATORS:
		problems.append(_problem("unknown_operator", f"{path}.operator", operator=_show(operator_name)))
		return
	if spec is None:
		return

	allowed = OPERATORS_BY_KIND[spec.kind]
	if operator_name not in allowed:
		problems.append(
			_problem(
				"operator_not_allowed",
				f"{path}.operator",
				operator=operator_name,
				field=field_name,
				kind=spec.kind,
				allowed=", ".join(op for op in OPERATORS if op in allowed),
			)
		)
		return
	if operator_name in _PRESENCE:
		return

	value = data.get("value")
	value_path = f"{path}.value"
	if _is_empty_value(value):
		problems.append(_problem("empty_value", value_path, field=field_name, operator=operator_name))
		return
	if operator_name == "contains_any":
		is_text = isinstance(value, str) or (
			isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)
		)
		if is_text and not _keywords_of(value):
			problems.append(_problem("empty_value", value_path, field=field_name, operator=operator_name))
		elif not is_text:
			problems.append(
				_problem("invalid_value", value_path, value=_show(value), field=field_name, kind=spec.kind)
			)
		return

	many = operator_name in ("in", "not_in")
	values = list(value) if many and isinstance(value, list | tuple) else [value]
	if not many and isinstance(value, list | tuple):
		problems.append(
			_problem("invalid_value", value_path, value=_show(value), field=field_name, kind=spec.kind)
		)
		return
	for index, item in enumerate(values):
		item_path = f"{value_path}[{index}]" if many and isinstance(value, list | tuple) else value_path
		if not _fits_kind(item, spec.kind):
			problems.append(
				_problem("invalid_value", item_path, value=_show(item), field=field_name, kind=spec.kind)
			)
		elif spec.options and spec.kind in ("select", "link") and str(item) not in spec.options:
			problems.append(
				_problem(
					"unknown_option",
					item_path,
					value=_show(item),
					field=field_name,
					options=", ".join(option for option in spec.options if option),
				)
			)


def _check_actions(
	data: Any, schema: Mapping[str, FieldSpec], priorities: Sequence[str], problems: list[RuleProblem]
) -> None:
	if not isinstance(data, list | tuple):
		if data is None:
			problems.append(_problem("no_actions", "actions"))
		else:
			problems.append(_problem("malformed", "actions", expected=_SHAPES["actions"]))
		return
	if not data:
		problems.append(_problem("no_actions", "actions"))

	for index, item in enumerate(data):
		path = f"actions[{index}]"
		if not isinstance(item, Mapping):
			problems.append(_problem("malformed", path, expected=_SHAPES["action"]))
			continue
		action = item.get("type")
		if action not in ACTION_TYPES:
			problems.append(_problem("unknown_action", f"{path}.type", action=_show(action)))
			continue
		value = item.get("value")
		problem = _action_value_problem(action, value, schema, priorities)
		if problem is not None:
			code, params = problem
			problems.append(_problem(code, f"{path}.value", **params))


def _action_value_problem(
	action: str, value: Any, schema: Mapping[str, FieldSpec], priorities: Sequence[str]
) -> tuple[str, dict[str, str]] | None:
	if _is_empty_value(value):
		return "empty_action_value", {"action": action}
	if action == "set_priority":
		if value not in priorities:
			return "unknown_priority", {"priority": _show(value), "priorities": ", ".join(priorities)}
		return None
	if action == "raise_priority":
		if not _is_int(value) or value < 1:
			return "invalid_levels", {"action": action, "value": _show(value)}
		return None
	if action == "add_score":
		if _as_number(value) is None:
			return "invalid_points", {"action": action, "value": _show(value)}
		return None
	if not isinstance(value, str):
		return "invalid_action_value", {"action": action, "value": _show(value)}

	spec = schema.get(_ACTION_FIELDS.get(action, ""))
	if spec is not None and spec.options and value not in spec.options:
		options = ", ".join(option for option in spec.options if option)
		return "unknown_option", {"value": value, "field": _ACTION_FIELDS[action], "options": options}
	return None


def _problem(code: str, path: str, **params: str) -> RuleProblem:
	return RuleProblem(code=code, path=path, message=PROBLEM_MESSAGES[code], params=params)


def _is_empty_value(value: Any) -> bool:
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, list | tuple | set | frozenset | dict):
		return not value or all(_is_empty_value(item) for item in value)
	return False


def _fits_kind(value: Any, kind: str) -> bool:
	if kind in ("int", "float"):
		return _as_number(value) is not None
	if kind == "bool":
		return isinstance(value, bool) or (_is_int(value) and value in (0, 1))
	if kind == "datetime":
		return _as_datetime(value) is not None
	if kind == "select":
		return isinstance(value, str)
	return isinstance(value, str) or _as_number(value) is not None


# --- Values --------------------------------------------------------------------------------------

_TEXT: Final = "text"
_NUMBER: Final = "number"
_DATE: Final = "date"
_LIST: Final = "list"
_MAPPING: Final = "mapping"
_OTHER: Final = "other"

_KIND_BY_TYPE: Final[Mapping[type, str]] = {
	str: _TEXT,
	int: _NUMBER,
	float: _NUMBER,
	bool: _NUMBER,
	Decimal: _NUMBER,
	datetime: _DATE,
	date: _DATE,
	list: _LIST,
	tuple: _LIST,
	set: _LIST,
	frozenset: _LIST,
	dict: _MAPPING,
}

_KIND_NAMES: Final = {
	_TEXT: "text",
	_NUMBER: "a number",
	_DATE: "a date",
	_LIST: "a list",
	_MAPPING: "a mapping",
	_OTHER: "a value of an unknown type",
}


def _kind(value: Any) -> str:
	kind = _KIND_BY_TYPE.get(type(value))
	if kind is not None:
		return kind
	for base, base_kind in _KIND_BY_TYPE.items():
		if isinstance(value, base):
			return base_kind
	return _OTHER


def _is_int(value: Any) -> bool:
	return isinstance(value, int) and not isinstance(value, bool)


def _is_unset(value: Any) -> bool:
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, list | tuple | set | frozenset | dict):
		return not value
	return False


def _as_number(value: Any) -> int | float | Decimal | None:
	"""The value as a number: numbers (not bools) as they are, text that spells one parsed."""
	if isinstance(value, bool):
		return None
	if isinstance(value, int):
		return value
	if isinstance(value, Decimal):
		return value if value.is_finite() else None
	if isinstance(value, float):
		return value if math.isfinite(value) else None
	if isinstance(value, str):
		text = (
			value.strip().replace(",", ".") if value.count(",") == 1 and "." not in value else value.strip()
		)
		try:
			return int(text)
		except ValueError:
			pass
		try:
			number = float(text)
		except ValueError:
			return None
		return number if math.isfinite(number) else None
	return None


def _as_datetime(value: Any) -> datetime | None:
	"""The value as a datetime: dates at midnight, ISO 8601 text parsed."""
	if isinstance(value, datetime):
		return value
	if isinstance(value, date):
		return datetime.combine(value, time())
	if isinstance(value, str) and len(value.strip()) >= 8:
		try:
			return datetime.fromisoformat(value.strip())
		except ValueError:
			return None
	return None


def _same(actual: Any, target: Any) -> bool | None:
	"""Whether a fact equals a rule value, converting text that spells a number or date; ``None``
	when the two cannot be compared."""
	kind_actual, kind_target = _kind(actual), _kind(target)
	if kind_actual == kind_target and kind_actual not in (_LIST, _MAPPING, _OTHER):
		if kind_actual == _DATE:
			return _as_datetime(actual) == _as_datetime(target)
		return bool(actual == target)
	if {kind_actual, kind_target} == {_NUMBER, _TEXT}:
		number, other = (_as_number(target), actual) if kind_target == _TEXT else (_as_number(actual), target)
		return None if number is None else bool(number == other)
	if {kind_actual, kind_target} == {_DATE, _TEXT}:
		moment_actual, moment_target = _as_datetime(actual), _as_datetime(target)
		if moment_actual is None or moment_target is None:
			return None
		return moment_actual == moment_target
	return None


def _show(value: Any) -> str:
	"""A value as a trace or message shows it."""
	if isinstance(value, str):
		return value
	if isinstance(value, bool):
		return "true" if value else "false"
	if isinstance(value, datetime | date):
		return value.isoformat()
	if isinstance(value, list | tuple | set | frozenset):
		return "[" + ", ".join(_show(item) for item in value) + "]"
	try:
		return repr(value)
	# A fact may be any object; showing it must not be what makes evaluation fail.
	except Exception:
		return f"<{type(value).__name__}>"


# A trace lists this many keywords of a condition; a long list would bury what matched.
_SHOWN_KEYWORDS: Final = 6


def _show_keywords(keywords: Sequence[str]) -> str:
	if len(keywords) <= _SHOWN_KEYWORDS:
		return _show(keywords)
	return f"[{', '.join(keywords[:_SHOWN_KEYWORDS])}, +{len(keywords) - _SHOWN_KEYWORDS} more]"


def _describe_fact(value: Any) -> str:
	shown = _show(value)
	if len(shown) > 60:
		shown = shown[:57] + "..."
	return f'"{shown}" ({_KIND_NAMES[_kind(value)]})'


def _keywords_of(value: Any) -> list[str]:
	if isinstance(value, str):
		return parse_keyword_list(value)
	if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
		keywords: list[str] = []
		for item in value:
			keywords.extend(parse_keyword_list(item))
		return keywords
	return []


# --- Compiled evaluation -------------------------------------------------------------------------
#
# How a rule set is evaluated fast, with the semantics above:
#
# - Every distinct condition of the rule set is one test, numbered; rules share tests. Tests are
#   pure functions of one field (``changed_to`` also of the previous value), so all tests on a
#   field are run together, and their results are remembered per distinct value of that field:
#   a tier, a ticket type, a delay in minutes is evaluated once per worker, not per ticket.
# - All contains_any tests on a text field are decided by one keyword search of that text.
# - Per ticket this yields bit masks over the tests: which are true, which could not be
#   evaluated. A rule that touches no test that failed to evaluate has no error to record, and
#   left-to-right evaluation with early stops then gives the same answer as plain boolean
#   algebra over the masks: that is how it is decided. A rule that does touch one is evaluated
#   in order, left to right, so exactly the errors of the conditions reached are recorded.
# - Each test also knows the rules that require it (a condition directly in the rule's top
#   "all" group): when it is false those rules are skipped without being looked at.


class _Fault:
	"""A test result that is neither true nor false: the condition could not be evaluated."""

	__slots__ = ("message",)

	def __init__(self, message: str) -> None:
		self.message = message


_TestResult: TypeAlias = bool | _Fault
_KeywordKey: TypeAlias = tuple[str, ...]
# A keyword found in a text: the index of its first word in ``words(text)``, its words as folded.
_Hit: TypeAlias = tuple[int, str]
_Hits: TypeAlias = dict[_KeywordKey, _Hit]


class _Context:
	"""Per-ticket state: the facts, which tests are true or faulty, and the errors recorded."""

	__slots__ = ("errors", "facts", "faults", "faulty", "hits", "originals", "previous", "true")

	def __init__(self, facts: Mapping[str, Any], previous: Mapping[str, Any] | None) -> None:
		self.facts = facts
		self.previous = previous
		self.true = 0
		self.faulty = 0
		self.faults: dict[int, _Fault] = {}
		self.errors: list[RuleError] = []
		# Per text field searched: the keywords found, and how many words the text has.
		self.hits: dict[str, tuple[_Hits, int]] = {}
		# Per text field described: its words as spelled (made only to describe a match).
		self.originals: dict[str, list[str]] | None = None


_Test: TypeAlias = Callable[[_Context], bool | _Fault]
_Eval: TypeAlias = Callable[[_Context], bool]
_Detail: TypeAlias = Callable[[_Context], str]
# What a group of tests contributes for one ticket: true tests, faulty tests, rules ruled out
# (a test they require is false), rules to evaluate in order (they touch a faulty test), and
# the faults by test id.
_Masks: TypeAlias = tuple[int, int, int, int, tuple[tuple[int, _Fault], ...]]

# Distinct values (or text words) remembered per field; a worker's vocabulary fits, and the
# memory stays bounded when it does not.
_MEMO_SIZE: Final = 65536


def _run(test: _Test, ctx: _Context) -> _TestResult:
	try:
		return test(ctx)
	# Facts may hold any object, and comparing one may raise anything. That is a condition
	# that cannot be evaluated, recorded like the others, never the end of the ticket.
	except Exception as error:
		logger.debug("A rule condition raised", exc_info=error)
		try:
			text = str(error)
		# An exception that cannot even be shown is still one of a known type.
		except Exception:
			text = ""
		return _Fault(f"the condition could not be evaluated: {type(error).__name__}: {text}")


@dataclass(frozen=True, slots=True)
class _TestInfo:
	"""A test with the masks it sets: its own bit, the rules requiring it, the rules touching it."""

	test_id: int
	test: _Test
	requiring: int
	touching: int

	@property
	def bit(self) -> int:
		return 1 << self.test_id


class _FieldTests:
	"""The tests on one field (other than contains_any): run together, memoised per value."""

	__slots__ = ("_memo", "field", "is_memoised", "tests")

	def __init__(self, field_name: str, tests: Sequence[_TestInfo], is_memoised: bool) -> None:
		self.field = field_name
		self.tests = tuple(tests)
		self.is_memoised = is_memoised
		self._memo: dict[tuple[type, Any], _Masks] = {}

	def masks(self, ctx: _Context) -> _Masks:
		if not self.is_memoised:
			return self._compute(ctx)
		value = ctx.facts.get(self.field)
		key = (type(value), value)
		try:
			masks = self._memo.get(key)
		except TypeError:
			# An unhashable value (a list, a dict) is not remembered.
			return self._compute(ctx)
		if masks is None:
			masks = self._compute(ctx)
			if len(self._memo) >= _MEMO_SIZE:
				self._memo.clear()
			self._memo[key] = masks
		return masks

	def _compute(self, ctx: _Context) -> _Masks:
		true = faulty = ruled_out = ordered = 0
		faults: list[tuple[int, _Fault]] = []
		for info in self.tests:
			result = _run(info.test, ctx)
			if result is True:
				true |= info.bit
			elif result is False:
				ruled_out |= info.requiring
			else:
				faulty |= info.bit
				ordered |= info.touching
				faults.append((info.test_id, result))
		return true, faulty, ruled_out, ordered, tuple(faults)


class _FieldMatcher:
	"""Finds the keywords of every rule that reads one text field, in one pass over a text.

	Per ``core.text``, a keyword word matches text words one at a time (stems, compounds), and
	a phrase matches when its words match consecutive text words. So which keyword words a text
	word matches is worked out once per distinct word and remembered. A word that is not all
	letters has no stem and is no compound: it matches only a keyword word equal to it, so
	numbers, plates and order numbers never reach the matcher. The result equals what
	``KeywordMatcher(keywords).find(text)`` reports (tested).
	"""

	__slots__ = ("_cache", "_numbered", "_phrases", "_singles", "_words")

	def __init__(self, keys: Iterable[_KeywordKey]) -> None:
		keys = set(keys)
		parts = sorted({part for key in keys for part in key})
		self._singles = frozenset(key[0] for key in keys if len(key) == 1)
		self._phrases = tuple(sorted(key for key in keys if len(key) > 1))
		self._words = KeywordMatcher(parts)
		self._numbered = frozenset(part for part in parts if not part.isalpha())
		self._cache: dict[str, tuple[str, ...]] = {}

	def search(self, text: str) -> tuple[_Hits, int]:
		"""The keywords found in text, and how many words the text has."""
		tokens = words(text)
		found: list[tuple[str, ...] | None] = list(map(self._cache.get, tokens))
		if None in found:
			numbered = self._numbered
			for index in [index for index, parts in enumerate(found) if parts is None]:
				token = tokens[index]
				if token.isalpha():
					found[index] = self._match_word(token)
				else:
					found[index] = (token,) if token in numbered else ()
		matched = cast(list[tuple[str, ...]], found)

		first: dict[str, int] = {}
		for index in compress(count(), matched):
			for part in matched[index]:
				if part not in first:
					first[part] = index

		singles = self._singles
		hits: _Hits = {}
		for part, index in first.items():
			if part in singles:
				hits[(part,)] = (index, tokens[index])
		for phrase in self._phrases:
			if phrase[0] in first:
				start = _phrase_start(phrase, matched, first)
				if start is not None:
					hits[phrase] = (start, " ".join(tokens[start : start + len(phrase)]))
		return hits, len(tokens)

	def _match_word(self, token: str) -> tuple[str, ...]:
		parts = tuple(match.keyword for match in self._words.find(token))
		if len(self._cache) >= _MEMO_SIZE:
			self._cache.clear()
		self._cache[token] = parts
		return parts


def _phrase_start(
	phrase: _KeywordKey, found: Sequence[tuple[str, ...]], first: Mapping[str, int]
) -> int | None:
	"""Where the words of a phrase first match consecutive text words, if they do."""
	begin = first.get(phrase[0])
	if begin is None or any(part not in first for part in phrase[1:]):
		return None
	for start in range(begin, len(found) - len(phrase) + 1):
		if all(part in found[start + offset] for offset, part in enumerate(phrase)):
			return start
	return None


class _KeywordField:
	"""All contains_any tests on one text field, decided by one keyword search per ticket."""

	__slots__ = ("_by_key", "_requiring", "_touching", "all_tests", "field", "matcher")

	def __init__(self, field_name: str, tests: Sequence[tuple[_TestInfo, frozenset[_KeywordKey]]]) -> None:
		self.field = field_name
		by_key: dict[_KeywordKey, tuple[int, int]] = {}
		self.all_tests = self._requiring = self._touching = 0
		for info, keys in tests:
			self.all_tests |= info.bit
			self._requiring |= info.requiring
			self._touching |= info.touching
			for key in keys:
				bits, requiring = by_key.get(key, (0, 0))
				by_key[key] = (bits | info.bit, requiring | info.requiring)
		# Per keyword: the tests it makes true, and the rules it keeps in the running.
		self._by_key = by_key
		self.matcher = _FieldMatcher(by_key)

	def masks(self, ctx: _Context) -> _Masks:
		value = ctx.facts.get(self.field)
		if type(value) is not str:
			if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
				value = "\n".join(value)
			if not _is_unset(value) and not isinstance(value, str):
				fault = _Fault(
					f"{self.field} contains any: the field holds {_describe_fact(value)}, not text"
				)
				faults = tuple((test_id, fault) for test_id in _bits(self.all_tests))
				return 0, self.all_tests, 0, self._touching, faults
		if not value or value.isspace():
			return 0, 0, self._requiring, 0, ()

		hits, count = self.matcher.search(value)
		ctx.hits[self.field] = hits, count
		true = alive = 0
		by_key = self._by_key
		for key in hits:
			bits, requiring = by_key[key]
			true |= bits
			alive |= requiring
		# A rule requiring several of these tests may still fail one: the full check catches it.
		return true, 0, self._requiring & ~alive, 0, ()


def _bits(mask: int) -> Iterable[int]:
	while mask:
		low = mask & -mask
		yield low.bit_length() - 1
		mask ^= low


def _keyword_key(spelling: str) -> _KeywordKey:
	return tuple(words(spelling))


_ORIGINAL_WORD: Final = re.compile(r"[^\W_]+")


def _keyword_detail(field_name: str, keys: frozenset[_KeywordKey]) -> _Detail:
	def matched_words(ctx: _Context) -> str:
		hits = ctx.hits.get(field_name, ({}, 0))[0]
		found = sorted(hits[key] for key in keys if key in hits)
		if not found:
			return ""
		spelled = dict.fromkeys(_spelled(ctx, field_name, start, word) for start, word in found)
		return " (matched " + ", ".join(f'"{word}"' for word in spelled) + ")"

	return matched_words


def _spelled(ctx: _Context, field_name: str, start: int, word: str) -> str:
	"""A matched word as the text spells it ("Reifenpanne"), when the words of the original text
	line up one to one with the folded words; else as folded."""
	if ctx.originals is None:
		ctx.originals = {}
	original = ctx.originals.get(field_name)
	if original is None:
		value = ctx.facts.get(field_name)
		text = "\n".join(value) if isinstance(value, list | tuple) else value
		original = _ORIGINAL_WORD.findall(text) if isinstance(text, str) else []
		if len(original) != ctx.hits.get(field_name, ({}, -1))[1]:
			original = []
		ctx.originals[field_name] = original
	if not original:
		return word
	return " ".join(original[start : start + len(word.split())])


def _compile_test(condition: Condition) -> tuple[_Test, _Detail | None]:
	"""The test of one condition (contains_any aside), and the detail a trace adds when it matched."""
	name, op, value = condition.field, condition.operator, condition.value
	label = f"{name} {_OPERATOR_LABELS.get(op, op)}"

	def fault(message: str) -> _Test:
		full = f"{label} {_show(value)}: {message}" if op not in _PRESENCE else f"{label}: {message}"

		def test(ctx: _Context) -> _TestResult:
			return _Fault(full)

		return test

	if op not in OPERATORS:
		return fault(f'unknown operator "{op}"'), None

	if op in _PRESENCE:
		wanted = op == "is_set"

		def presence(ctx: _Context) -> _TestResult:
			return _is_unset(ctx.facts.get(name)) is not wanted

		return presence, None

	if _is_empty_value(value):
		return fault("the condition has no value"), None
	if op == "contains_any":
		# A valid keyword list is compiled with its field's other keyword tests.
		return fault("the value is not a keyword list"), None
	if op in _ORDERING:
		return _compile_ordering(name, op, value, label, fault)

	many = op in ("in", "not_in")
	if many:
		targets = tuple(value) if isinstance(value, list | tuple | set | frozenset) else (value,)
	elif isinstance(value, list | tuple | set | frozenset | dict):
		return fault("the value must be a single value, not a list"), None
	else:
		targets = (value,)
	if any(_kind(target) in (_LIST, _MAPPING, _OTHER) for target in targets):
		return fault("the values must be text, numbers or dates"), None
	return _compile_equality(name, op, targets, label)


def _compile_equality(
	name: str, op: str, targets: tuple[Any, ...], label: str
) -> tuple[_Test, _Detail | None]:
	target_set = frozenset(targets)
	target_kinds = frozenset(_kind(target) for target in targets)
	# When all targets are of one kind, facts of these exact types compare with them by hashing
	# alone: not in the set is not equal (text "" included: not set, so not equal either).
	plain_types: frozenset[type] = frozenset()
	if len(target_kinds) == 1:
		plain_types = frozenset(type(target) for target in targets) & {str, int, float}
	shown = _show(targets if op in ("in", "not_in") else targets[0])

	def matches(actual: Any) -> _TestResult:
		"""Whether the fact equals one of the targets; not set never does."""
		try:
			if actual in target_set:
				return True
		except TypeError:
			# An unhashable fact (a list, a dict): it equals none of the targets.
			pass
		if type(actual) in plain_types:
			return False
		if _is_unset(actual):
			return False
		kind = _kind(actual)
		if kind in target_kinds and len(target_kinds) == 1 and kind != _DATE:
			return False
		is_comparable = False
		for target in targets:
			same = _same(actual, target)
			if same:
				return True
			is_comparable = is_comparable or same is not None
		if is_comparable:
			return False
		return _Fault(f"{label} {shown}: cannot compare {_describe_fact(actual)} with {shown}")

	if op in ("equals", "in"):

		def equal(ctx: _Context) -> _TestResult:
			return matches(ctx.facts.get(name))

		return equal, None

	if op in ("not_equals", "not_in"):

		def unequal(ctx: _Context) -> _TestResult:
			result = matches(ctx.facts.get(name))
			return result if isinstance(result, _Fault) else not result

		def not_set_detail(ctx: _Context) -> str:
			return " (not set)" if _is_unset(ctx.facts.get(name)) else ""

		return unequal, not_set_detail

	def changed_to(ctx: _Context) -> _TestResult:
		now = matches(ctx.facts.get(name))
		if now is not True:
			return now
		if ctx.previous is None:
			return True
		before = matches(ctx.previous.get(name))
		# A previous value that cannot be compared is a different value.
		return before is not True

	def was_detail(ctx: _Context) -> str:
		if ctx.previous is None:
			return " (new ticket)"
		before = ctx.previous.get(name)
		return " (was not set)" if _is_unset(before) else f" (was {_show(before)})"

	return changed_to, was_detail


_COMPARE: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
	"gt": operator.gt,
	"gte": operator.ge,
	"lt": operator.lt,
	"lte": operator.le,
}


def _compile_ordering(
	name: str, op: str, value: Any, label: str, fault: Callable[[str], _Test]
) -> tuple[_Test, _Detail | None]:
	compare = _COMPARE[op]
	number = _as_number(value)
	moment = None if number is not None else _as_datetime(value)
	if number is None and moment is None:
		return fault("the value must be a number or a date"), None
	shown = _show(value)

	def detail(ctx: _Context) -> str:
		return f" (is {_show(ctx.facts.get(name))})"

	if number is not None:
		target_number = number

		def numeric(ctx: _Context) -> _TestResult:
			actual = ctx.facts.get(name)
			kind = type(actual)
			if kind is int or kind is float:
				return compare(actual, target_number)
			if _is_unset(actual):
				return False
			converted = _as_number(actual) if not isinstance(actual, bool) else int(actual)
			if converted is None:
				return _Fault(f"{label} {shown}: {_describe_fact(actual)} is not a number")
			try:
				return compare(converted, target_number)
			except (TypeError, InvalidOperation):
				return _Fault(f"{label} {shown}: cannot compare {_describe_fact(actual)} with {shown}")

		return numeric, detail

	assert moment is not None
	target_moment = moment

	def temporal(ctx: _Context) -> _TestResult:
		actual = ctx.facts.get(name)
		if _is_unset(actual):
			return False
		converted = _as_datetime(actual)
		if converted is None:
			return _Fault(f"{label} {shown}: {_describe_fact(actual)} is not a date")
		try:
			return compare(converted, target_moment)
		except TypeError:
			# Only one of the two has a time zone.
			return _Fault(f"{label} {shown}: cannot compare {_describe_fact(actual)} with {shown}")

	return temporal, detail


# A node of a compiled condition tree, kept to describe what matched: a leaf
# ("leaf", test id, text, detail) or a group ("all" | "any", children).
_Node: TypeAlias = tuple[Any, ...]
_TestKey: TypeAlias = tuple[str, str, str, str]
# A condition as an ordered group reads it: its bit, its test id, its path.
_Leaf: TypeAlias = tuple[int, int, str]
# A group as boolean algebra over the true tests.
_Check: TypeAlias = Callable[[int], bool]


@dataclass(frozen=True, slots=True)
class _CompiledAction:
	type: str
	value: Any
	fault: str | None


@dataclass(frozen=True, slots=True)
class _CompiledRule:
	"""One rule, compiled.

	``needs`` are the tests of the conditions directly in a top "all" group; ``check`` decides
	the rest from the true tests (``None``: nothing else to check); ``ordered`` evaluates left
	to right, recording errors, for tickets where one of its tests could not be evaluated.
	"""

	name: str
	stop: bool
	needs: int
	check: _Check | None
	ordered: _Eval
	tree: _Node
	actions: tuple[_CompiledAction, ...]


class CompiledRuleSet:
	"""A rule set ready to evaluate: rules sorted, equal conditions shared, keyword matchers built.

	``rules`` are the enabled, readable rules in evaluation order; ``broken`` lists the enabled
	rules skipped because they are not shaped like rules (also reported in every outcome that
	reaches them); ``read_fields`` are the fields any enabled rule reads.
	"""

	__slots__ = ("_all", "_always_ordered", "_compiled", "_groups", "broken", "read_fields", "rules")

	def __init__(self, rules: Iterable[Mapping[str, Any] | Rule]) -> None:
		parsed: list[tuple[int, int, Rule]] = []
		broken: list[tuple[int, int, str, RuleError]] = []
		for position, data in enumerate(rules):
			if _is_disabled(data):
				continue
			try:
				rule = parse_rule(data)
			except MalformedRuleError as error:
				name, order = _salvage(data, position)
				problem = error.problems[0]
				message = f"the rule cannot be read: {problem.text}"
				broken.append((order, position, name, RuleError(name, problem.path, message)))
				continue
			parsed.append((rule.order, position, rule))

		# One sequence in evaluation order: a rule's index is its bit in the rule masks.
		entries: list[tuple[int, int, Rule | tuple[str, RuleError]]] = [*parsed]
		entries += [(order, position, (name, error)) for order, position, name, error in broken]
		entries.sort(key=lambda entry: entry[:2])
		compiler = _Compiler(entries)
		self._compiled = tuple(compiler.compiled)
		self._groups = tuple(compiler.groups)
		self._all = (1 << len(self._compiled)) - 1
		self._always_ordered = compiler.always_ordered

		parsed.sort(key=lambda entry: entry[:2])
		self.rules = tuple(entry[2] for entry in parsed)
		self.broken = tuple(entry[3] for entry in sorted(broken, key=lambda entry: entry[:2]))
		self.read_fields = frozenset(compiler.read_fields)

	def __len__(self) -> int:
		return len(self._compiled)


def compile_rules(rules: Iterable[Mapping[str, Any] | Rule]) -> CompiledRuleSet:
	"""Compile rule dicts (or parsed rules) once, to evaluate them for many tickets.

	Never raises because of a rule: one that is not shaped like a rule is kept as an error that
	every evaluation reaching it reports.
	"""
	return CompiledRuleSet(rules)


def _is_disabled(data: Any) -> bool:
	if isinstance(data, Rule):
		return not data.enabled
	return isinstance(data, Mapping) and data.get("enabled", True) in (False, 0)


def _salvage(data: Any, position: int) -> tuple[str, int]:
	"""A name and an order for a rule that cannot be read, so its error can name it."""
	name = data.get("name") if isinstance(data, Mapping) else None
	order = data.get("order") if isinstance(data, Mapping) else None
	return (
		name if isinstance(name, str) and name else f"rule #{position + 1}",
		order if isinstance(order, int) and not isinstance(order, bool) else 0,
	)


def _conditions(group: Group) -> Iterable[Condition]:
	for item in group.items:
		if isinstance(item, Group):
			yield from _conditions(item)
		else:
			yield item


def _has_empty_group(group: Group) -> bool:
	return not group.items or any(isinstance(item, Group) and _has_empty_group(item) for item in group.items)


def _required(group: Group) -> list[Condition]:
	"""The conditions a rule cannot match without: those directly in its top "all" group."""
	if group.match == "all" or len(group.items) == 1:
		return [item for item in group.items if isinstance(item, Condition)]
	return []


def _test_key(condition: Condition) -> _TestKey:
	value = condition.value
	return (condition.field, condition.operator, type(value).__name__, repr(value))


def _keyword_keys(condition: Condition) -> frozenset[_KeywordKey]:
	if condition.operator != "contains_any":
		return frozenset()
	return frozenset(_keyword_key(keyword) for keyword in _keywords_of(condition.value))


class _Compiler:
	"""Numbers the distinct conditions of a rule set, groups the tests by field, and compiles
	each rule."""

	def __init__(self, entries: Sequence[tuple[int, int, Rule | tuple[str, RuleError]]]) -> None:
		self.read_fields: set[str] = set()
		self.always_ordered = 0
		self.ids: dict[_TestKey, int] = {}
		self.details: list[_Detail | None] = []
		conditions: dict[_TestKey, Condition] = {}
		requiring: dict[_TestKey, int] = {}
		touching: dict[_TestKey, int] = {}
		for index, (_, _, rule) in enumerate(entries):
			if not isinstance(rule, Rule):
				continue
			for condition in _conditions(rule.conditions):
				key = _test_key(condition)
				conditions.setdefault(key, condition)
				touching[key] = touching.get(key, 0) | 1 << index
				self.read_fields.add(condition.field)
			for condition in _required(rule.conditions):
				key = _test_key(condition)
				requiring[key] = requiring.get(key, 0) | 1 << index

		plain: dict[tuple[str, bool], list[_TestInfo]] = {}
		keyworded: dict[str, list[tuple[_TestInfo, frozenset[_KeywordKey]]]] = {}
		for key, condition in conditions.items():
			test_id = self.ids[key] = len(self.details)
			keys = _keyword_keys(condition)
			test: _Test
			if keys:
				test = _keyword_placeholder
				self.details.append(_keyword_detail(condition.field, keys))
			else:
				test, detail = _compile_test(condition)
				self.details.append(detail)
			info = _TestInfo(test_id, test, requiring.get(key, 0), touching[key])
			if keys:
				keyworded.setdefault(condition.field, []).append((info, keys))
			else:
				# changed_to also reads the previous value: not remembered per value.
				plain.setdefault((condition.field, condition.operator != "changed_to"), []).append(info)

		self.groups: list[_FieldTests | _KeywordField] = [
			_FieldTests(field_name, tests, is_memoised) for (field_name, is_memoised), tests in plain.items()
		]
		self.groups += [_KeywordField(field_name, tests) for field_name, tests in keyworded.items()]

		self.compiled: list[_CompiledRule] = []
		for index, (_, _, rule) in enumerate(entries):
			if isinstance(rule, Rule):
				self.compiled.append(self._compile_rule(rule, index))
			else:
				self.always_ordered |= 1 << index
				self.compiled.append(_broken_rule(*rule))

	def _compile_rule(self, rule: Rule, index: int) -> _CompiledRule:
		top = rule.conditions
		if _has_empty_group(top):
			self.always_ordered |= 1 << index
		needs = 0
		for condition in _required(top):
			needs |= 1 << self.ids[_test_key(condition)]
		rest = [item for item in top.items if isinstance(item, Group)] if needs else list(top.items)
		check = self._check(top.match if not needs else "all", rest) if rest else None
		return _CompiledRule(
			name=rule.name,
			stop=rule.stop,
			needs=needs,
			check=check,
			ordered=self._ordered(rule.name, top, "conditions"),
			tree=self._node(top),
			actions=tuple(_compile_action(action) for action in rule.actions),
		)

	def _check(self, match: str, items: Sequence[Condition | Group]) -> _Check:
		leaves = 0
		for item in items:
			if isinstance(item, Condition):
				leaves |= 1 << self.ids[_test_key(item)]
		groups = tuple(self._check(item.match, item.items) for item in items if isinstance(item, Group))
		if match == "all":
			if not groups:
				return lambda true: true & leaves == leaves
			return lambda true: true & leaves == leaves and all(group(true) for group in groups)
		if not groups:
			return lambda true: true & leaves != 0
		return lambda true: true & leaves != 0 or any(group(true) for group in groups)

	def _ordered(self, rule: str, group: Group, path: str) -> _Eval:
		"""Left to right, stopping early, recording the errors of the conditions reached."""
		if not group.items:
			error = RuleError(rule, path, "the group has no conditions")

			def empty(ctx: _Context) -> bool:
				ctx.errors.append(error)
				return False

			return empty

		items: list[_Leaf | _Eval] = []
		for index, item in enumerate(group.items):
			item_path = f"{path}.items[{index}]"
			if isinstance(item, Group):
				items.append(self._ordered(rule, item, item_path))
			else:
				test_id = self.ids[_test_key(item)]
				items.append((1 << test_id, test_id, item_path))
		return _ordered_group(rule, group.match == "all", tuple(items))

	def _node(self, group: Group) -> _Node:
		children: list[_Node] = []
		for item in group.items:
			if isinstance(item, Group):
				children.append(self._node(item))
				continue
			test_id = self.ids[_test_key(item)]
			text = f"{item.field} {_OPERATOR_LABELS.get(item.operator, item.operator)}"
			if item.operator == "contains_any" and _keywords_of(item.value):
				text = f"{text} {_show_keywords(_keywords_of(item.value))}"
			elif item.operator not in _PRESENCE:
				text = f"{text} {_show(item.value)}"
			children.append(("leaf", test_id, text, self.details[test_id]))
		return (group.match, tuple(children))


def _keyword_placeholder(ctx: _Context) -> _TestResult:
	# contains_any tests are decided by their field's keyword search, never run one by one.
	return False


def _ordered_group(rule: str, is_all: bool, items: tuple[_Leaf | _Eval, ...]) -> _Eval:
	def ordered(ctx: _Context) -> bool:
		for item in items:
			if isinstance(item, tuple):
				bit, test_id, path = item
				if ctx.true & bit:
					matched = True
				else:
					matched = False
					if ctx.faulty & bit:
						ctx.errors.append(RuleError(rule, path, ctx.faults[test_id].message))
			else:
				matched = item(ctx)
			if matched is not is_all:
				return matched
		return is_all

	return ordered


def _broken_rule(name: str, error: RuleError) -> _CompiledRule:
	def record(ctx: _Context) -> bool:
		ctx.errors.append(error)
		return False

	return _CompiledRule(
		name=name, stop=False, needs=0, check=None, ordered=record, tree=("any", ()), actions=()
	)


def _compile_action(action: Action) -> _CompiledAction:
	kind, value = action.type, action.value
	if kind not in ACTION_TYPES:
		return _CompiledAction(kind, value, f'unknown action "{kind}"')
	if _is_empty_value(value):
		return _CompiledAction(kind, value, f'the action "{kind}" has no value')
	if kind == "raise_priority":
		levels = _as_number(value)
		if levels is None or levels != int(levels) or levels < 1:
			return _CompiledAction(
				kind, value, f'raise by "{_show(value)}" levels: needs a whole number, at least 1'
			)
		return _CompiledAction(kind, int(levels), None)
	if kind == "add_score":
		points = _as_number(value)
		if points is None:
			return _CompiledAction(kind, value, f'add "{_show(value)}" points: needs a number')
		return _CompiledAction(kind, float(points) if isinstance(points, Decimal) else points, None)
	if not isinstance(value, str):
		return _CompiledAction(kind, value, f'the action "{kind}" needs text, not {_describe_fact(value)}')
	return _CompiledAction(kind, value.strip(), None)


def _is_matched(node: _Node, true: int) -> bool:
	"""Whether a node matched, read from the true tests (records nothing)."""
	if node[0] == "leaf":
		return bool(true >> node[1] & 1)
	children: tuple[_Node, ...] = node[1]
	if node[0] == "all":
		return bool(children) and all(_is_matched(child, true) for child in children)
	return any(_is_matched(child, true) for child in children)


def _described(node: _Node, ctx: _Context) -> tuple[str, ...]:
	described: list[str] = []
	_describe(node, ctx, described)
	return tuple(described)


def _describe(node: _Node, ctx: _Context, into: list[str]) -> None:
	"""Add the conditions that made a matched node match: all items of an "all" group, the
	first matching item of an "any" group (where evaluation in order stops)."""
	if node[0] == "leaf":
		detail: _Detail | None = node[3]
		into.append(node[2] + detail(ctx) if detail is not None else node[2])
		return
	children: tuple[_Node, ...] = node[1]
	if node[0] == "all":
		for child in children:
			_describe(child, ctx, into)
		return
	for child in children:
		if _is_matched(child, ctx.true):
			_describe(child, ctx, into)
			return


# --- Evaluation ----------------------------------------------------------------------------------


class _State:
	"""What the matching rules have decided so far."""

	__slots__ = (
		"basis",
		"decided_by",
		"impact",
		"pending_raise",
		"priority",
		"raised_at",
		"raised_by",
		"score",
		"tags",
		"team",
		"ticket_type",
		"urgency",
	)

	def __init__(self) -> None:
		self.priority: str | None = None
		self.decided_by: str | None = None
		self.pending_raise = 0
		self.raised_by: str | None = None
		self.raised_at = ""
		self.score: float = 0
		self.impact: str | None = None
		self.urgency: str | None = None
		self.ticket_type: str | None = None
		self.team: str | None = None
		self.tags: list[str] = []
		self.basis = ""


def evaluate(
	rules: CompiledRuleSet | Iterable[Mapping[str, Any] | Rule],
	facts: Mapping[str, Any],
	*,
	priorities: Sequence[str],
	previous: Mapping[str, Any] | None = None,
	matrix: PriorityMatrix | None = None,
	score_bands: Iterable[tuple[float, str]] | Mapping[float, str] = (),
	default_priority: str | None = None,
) -> Outcome:
	"""Evaluate a rule set for one ticket; see the module docstring for the semantics.

	``priorities`` run from lowest to highest. Never raises because of a rule or the facts;
	raises ``ConfigurationError`` when ``priorities`` is empty or repeats a name, or
	``default_priority`` is not one of them.
	"""
	ruleset = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
	levels = _levels(tuple(priorities), default_priority)
	ctx = _Context(facts, previous)
	state = _State()
	trace: list[TraceEntry] = []

	true = faulty = ruled_out = ordered = 0
	for group in ruleset._groups:
		group_true, group_faulty, group_ruled_out, group_ordered, faults = group.masks(ctx)
		true |= group_true
		faulty |= group_faulty
		ruled_out |= group_ruled_out
		ordered |= group_ordered
		if faults:
			ctx.faults.update(faults)
	ctx.true, ctx.faulty = true, faulty
	ordered |= ruleset._always_ordered
	candidates = (ruleset._all & ~ruled_out) | ordered

	compiled = ruleset._compiled
	while candidates:
		low = candidates & -candidates
		candidates ^= low
		rule = compiled[low.bit_length() - 1]
		if low & ordered:
			if not rule.ordered(ctx):
				continue
		elif true & rule.needs != rule.needs or (rule.check is not None and not rule.check(true)):
			continue

		if not trace:
			# Descriptions are made later, from a copy of the facts: the caller's may change.
			ctx.facts = dict(facts)
			ctx.previous = dict(previous) if previous is not None else None
		changes = _apply_actions(rule, state, levels, priorities, ctx.errors)
		trace.append(TraceEntry(rule.name, functools.partial(_described, rule.tree, ctx), changes, rule.stop))
		if rule.stop:
			break

	priority, decided_by, basis = _resolve(
		state, facts, levels, priorities, matrix, score_bands, default_priority, ctx
	)
	read_fields = ruleset.read_fields | matrix.fields if matrix is not None else ruleset.read_fields
	return Outcome(
		priority=priority,
		decided_by=decided_by,
		score=state.score,
		impact=state.impact,
		urgency=state.urgency,
		ticket_type=state.ticket_type,
		team=state.team,
		tags=tuple(state.tags),
		trace=tuple(trace),
		errors=tuple(ctx.errors),
		read_fields=read_fields,
		basis=basis,
	)


@functools.lru_cache(maxsize=64)
def _levels(priorities: tuple[str, ...], default_priority: str | None) -> Mapping[str, int]:
	if not priorities:
		raise ConfigurationError("the priority scale is empty")
	levels = {name: level for level, name in enumerate(priorities)}
	if len(levels) != len(priorities):
		raise ConfigurationError(f"the priority scale repeats a name: {', '.join(priorities)}")
	if default_priority is not None and default_priority not in levels:
		raise ConfigurationError(
			f"the default priority {default_priority!r} is not one of {', '.join(priorities)}"
		)
	return levels


def _apply_actions(
	rule: _CompiledRule,
	state: _State,
	levels: Mapping[str, int],
	priorities: Sequence[str],
	errors: list[RuleError],
) -> dict[str, Any]:
	changes: dict[str, Any] = {}
	for index, action in enumerate(rule.actions):
		if action.fault is not None:
			errors.append(RuleError(rule.name, f"actions[{index}]", action.fault))
			continue
		kind, value = action.type, action.value

		if kind == "set_priority":
			if value not in levels:
				message = f'unknown priority "{value}"; use one of: {", ".join(priorities)}'
				errors.append(RuleError(rule.name, f"actions[{index}].value", message))
				continue
			state.priority, state.decided_by, state.pending_raise = value, rule.name, 0
			state.basis = f'set by rule "{rule.name}"'
			changes["priority"] = value
		elif kind == "raise_priority":
			if state.priority is None:
				state.pending_raise += value
				state.raised_by, state.raised_at = rule.name, f"actions[{index}]"
				changes["raise_priority"] = changes.get("raise_priority", 0) + value
				continue
			raised = priorities[min(levels[state.priority] + value, len(priorities) - 1)]
			if raised != state.priority:
				state.basis = f'raised from {state.priority} by rule "{rule.name}"'
				state.priority, state.decided_by = raised, rule.name
				changes["priority"] = raised
		elif kind == "add_score":
			state.score += value
			changes["score"] = state.score
		elif kind == "set_impact":
			state.impact = changes["impact"] = value
		elif kind == "set_urgency":
			state.urgency = changes["urgency"] = value
		elif kind == "set_ticket_type":
			state.ticket_type = changes["ticket_type"] = value
		elif kind == "set_team":
			state.team = changes["team"] = value
		elif kind == "add_tag" and value not in state.tags:
			state.tags.append(value)
			changes.setdefault("tags", []).append(value)
	return changes


def _resolve(
	state: _State,
	facts: Mapping[str, Any],
	levels: Mapping[str, int],
	priorities: Sequence[str],
	matrix: PriorityMatrix | None,
	score_bands: Iterable[tuple[float, str]] | Mapping[float, str],
	default_priority: str | None,
	ctx: _Context,
) -> tuple[str | None, str | None, str]:
	"""The final priority, who decided it, and how, in English."""
	if state.priority is not None:
		return state.priority, state.decided_by, state.basis

	base: tuple[str, str, str] | None = None
	if matrix is not None:
		base = _from_matrix(state, facts, levels, priorities, matrix, ctx)
	if base is None:
		base = _from_score(state.score, levels, score_bands, ctx)
	if base is None and default_priority is not None:
		base = (default_priority, "default", f"the default priority {default_priority}")

	if state.pending_raise:
		if base is None:
			message = "nothing to raise: no rule set a priority and there is no matrix, score band or default"
			ctx.errors.append(RuleError(state.raised_by or "", state.raised_at, message))
			return None, None, ""
		priority, _source, basis = base
		raised = priorities[min(levels[priority] + state.pending_raise, len(priorities) - 1)]
		if raised != priority:
			plural = "s" if state.pending_raise > 1 else ""
			basis = f'{basis}, raised by {state.pending_raise} level{plural} by rule "{state.raised_by}"'
			return raised, state.raised_by, basis
	if base is None:
		return None, None, "no rule set a priority and there is no default"
	return base


def _from_matrix(
	state: _State,
	facts: Mapping[str, Any],
	levels: Mapping[str, int],
	priorities: Sequence[str],
	matrix: PriorityMatrix,
	ctx: _Context,
) -> tuple[str, str, str] | None:
	impact = state.impact or facts.get(matrix.impact_field)
	urgency = state.urgency or facts.get(matrix.urgency_field)
	if not isinstance(impact, str) or not isinstance(urgency, str) or not impact or not urgency:
		return None

	cell = matrix.cells.get((impact, urgency))
	if cell is None or cell not in levels:
		problem = f'no cell for impact "{impact}" and urgency "{urgency}"'
		if cell is not None:
			problem = (
				f'the cell for impact "{impact}" and urgency "{urgency}" holds the unknown priority "{cell}"'
			)
		ctx.errors.append(RuleError("matrix", f"cells[{impact}, {urgency}]", problem))
		return None

	basis = f'the impact x urgency matrix: impact "{impact}" and urgency "{urgency}" give {cell}'
	tier = facts.get(matrix.tier_field)
	adjustment = matrix.tier_adjustments.get(tier, 0) if isinstance(tier, str) else 0
	if not _is_int(adjustment):
		message = f'the adjustment for tier "{tier}" is not a whole number of levels: {_show(adjustment)}'
		ctx.errors.append(RuleError("matrix", f"tier_adjustments[{tier}]", message))
		adjustment = 0
	if not adjustment:
		return cell, "matrix", basis
	level = max(0, min(levels[cell] + adjustment, len(priorities) - 1))
	plural = "s" if abs(adjustment) > 1 else ""
	basis = f'{basis}, tier "{tier}" moves it {adjustment:+d} level{plural}'
	return priorities[level], "matrix", basis


def _from_score(
	score: float,
	levels: Mapping[str, int],
	score_bands: Iterable[tuple[float, str]] | Mapping[float, str],
	ctx: _Context,
) -> tuple[str, str, str] | None:
	bands: list[tuple[float, str]] = []
	for band in score_bands.items() if isinstance(score_bands, Mapping) else score_bands:
		minimum = band[0] if isinstance(band, tuple | list) and len(band) == 2 else None
		if isinstance(minimum, bool) or not isinstance(minimum, int | float) or math.isnan(minimum):
			ctx.errors.append(
				RuleError("score", "score_bands", f"not a (minimum score, priority) pair: {_show(band)}")
			)
			continue
		bands.append((minimum, band[1]))

	for minimum, priority in sorted(bands, key=lambda band: band[0], reverse=True):
		if score < minimum:
			continue
		if priority not in levels:
			ctx.errors.append(RuleError("score", f"score_bands[{minimum}]", f'unknown priority "{priority}"'))
			continue
		return priority, "score", f"a score of {_show(score)}, in the band from {_show(minimum)}"
	return None


def explain(outcome: Outcome) -> str:
	"""A short English text: the priority, who set it and why, and what else happened."""
	if outcome.priority is None:
		text = "No priority: no rule set one and there is no default."
	else:
		text = f"Priority {outcome.priority}: {outcome.basis}."

	deciding = next((entry for entry in reversed(outcome.trace) if entry.rule == outcome.decided_by), None)
	if deciding is not None and deciding.matched:
		text += f" It matched because {'; '.join(deciding.matched)}."
	others = [entry.rule for entry in outcome.trace if entry is not deciding]
	if others:
		text += f" Also matched: {', '.join(others)}."
	if outcome.trace and outcome.trace[-1].stopped:
		text += f' Rule "{outcome.trace[-1].rule}" stopped evaluation.'
	if outcome.errors:
		count = len(outcome.errors)
		text += f" {count} condition{'s' if count > 1 else ''} or action{'s' if count > 1 else ''} could not be evaluated."
	return text

"""Generic JSON records for route and delivery sources, and what all connector parsers share.

A route or delivery system that speaks no standard format is set up in the connector form with a
mapping from our field names to dotted paths in its records::

	{
		"tracking_number": "shipment.trackingNo",
		"current_eta": "eta.current",
		"planned_eta": {"path": "stops[0].eta", "type": "datetime"},
	}

`parse_records` applies such a mapping to every record of a payload. Paths are names joined by
dots, each name optionally followed by list indexes (``stops[0]``, ``stops[-1]`` for the last).
Each of our fields has a type (`DELIVERY_FIELDS`); values are coerced to it, and times without a
zone are read in the source's time zone, given by the caller.

The pieces every connector parser shares live here too: `ParseResult`, `RecordError`,
`decode_json` and `parse_datetime`.

Contract:

- pure: no I/O, no clock, no logging of payload content; the caller passes time zones as
  `tzinfo` objects;
- per record: a record that fails (required field missing, value of the wrong type, a local time
  that does not exist in the source time zone) becomes a `RecordError` carrying its index, its id
  when readable, and a message; the other records are still parsed;
- every datetime returned is aware and in UTC.

Exceptions raised by the connector parsers (`mapping`, `rfms`, `vroom`)::

	ConnectorError                   base class of all of them
	├── PayloadFormatError            the payload as a whole is not of the expected format
	│   ├── rfms.RfmsFormatError
	│   └── vroom.VroomFormatError
	├── MappingConfigError            a configured mapping is invalid (path, field or type)
	├── InvalidArgumentError          an argument from the caller is unusable (e.g. a naive datetime)
	├── rfms.CursorStalledError       the next page request would not move the paging cursor
	└── vroom.VroomSolverError        the solver reported a failure instead of a solution

`RecordInvalid` is the internal signal for a bad record: it is always caught inside the parse
functions and turned into a `RecordError`, never raised to a caller.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, TypeAlias, TypeVar

RecordT = TypeVar("RecordT")
Value: TypeAlias = str | int | float | bool | datetime | None


class ConnectorError(Exception):
	"""Base class of the errors raised by the connector parsers."""


class PayloadFormatError(ConnectorError):
	"""The payload as a whole is not of the expected format (not JSON, wrong shape)."""


class MappingConfigError(ConnectorError):
	"""A configured field mapping is invalid: unknown field, bad path or type, missing id."""


class InvalidArgumentError(ConnectorError, ValueError):
	"""An argument given by the caller cannot be used, e.g. a naive datetime or no time zone."""


class RecordInvalid(Exception):
	"""Internal: one record cannot be parsed. Caught by the parse functions, never raised out."""


@dataclass(frozen=True, slots=True)
class RecordError:
	"""One record of a page that could not be parsed; the rest of the page was."""

	index: int
	record_id: str | None
	message: str


@dataclass(frozen=True, slots=True)
class ParseResult(Generic[RecordT]):
	"""The parsed records of one page, the records that failed, and what paging needs.

	`last_id` and `last_time` describe the last item of the page as sent, read even when that item
	failed to parse, so that paging continues after a bad record instead of stalling on it.
	"""

	records: tuple[RecordT, ...]
	errors: tuple[RecordError, ...] = ()
	more_data_available: bool = False
	next_link: str | None = None
	resource: str | None = None
	server_time: datetime | None = None
	last_id: str | None = None
	last_time: datetime | None = None

	@property
	def item_count(self) -> int:
		"""Items in the page as sent: parsed plus failed."""
		return len(self.records) + len(self.errors)


class FieldType(StrEnum):
	STR = "str"
	INT = "int"
	FLOAT = "float"
	BOOL = "bool"
	DATETIME = "datetime"
	EPOCH_SECONDS = "epoch_seconds"
	EPOCH_MILLIS = "epoch_millis"


# Types that all produce a datetime: a datetime field may be configured as any of them.
_TIME_TYPES = frozenset({FieldType.DATETIME, FieldType.EPOCH_SECONDS, FieldType.EPOCH_MILLIS})

# Our fields for deliveries (TS Delivery) and the type each is coerced to.
DELIVERY_FIELDS: Mapping[str, FieldType] = MappingProxyType(
	{
		"tracking_number": FieldType.STR,
		"consignee": FieldType.STR,
		"planned_eta": FieldType.DATETIME,
		"current_eta": FieldType.DATETIME,
		"delay_minutes": FieldType.INT,
		"status": FieldType.STR,
		"vehicle_ref": FieldType.STR,
		"route_ref": FieldType.STR,
		"stop_sequence": FieldType.INT,
		"delivered_at": FieldType.DATETIME,
		"proof_of_delivery": FieldType.STR,
		"updated_at": FieldType.DATETIME,
	}
)


@dataclass(frozen=True, slots=True)
class FieldPath:
	"""A parsed dotted path: names (dict keys) and integer indexes (list positions)."""

	text: str
	steps: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldRule:
	field: str
	path: FieldPath
	type: FieldType
	is_required: bool


@dataclass(frozen=True, slots=True)
class RecordMapping:
	"""A validated mapping, ready to apply to many records."""

	rules: tuple[FieldRule, ...]
	id_field: str | None


@dataclass(frozen=True, slots=True)
class MappedRecord:
	"""One source record in our fields. Every mapped field is present, None when the source lacks it."""

	external_id: str | None
	values: Mapping[str, Value]

	def __getitem__(self, field: str) -> Value:
		return self.values[field]


_PATH_PART = re.compile(r"(?P<name>[^.\[\]\s][^.\[\]]*)?(?P<indexes>(?:\[-?\d+\])*)")
_INDEX = re.compile(r"\[(-?\d+)\]")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
# Longer digit texts are not counts, ids or timestamps; Python also refuses beyond 4300 digits.
_MAX_DIGITS = 40
_TRUE_TEXTS = frozenset({"true", "1", "yes", "ja", "y", "j"})
_FALSE_TEXTS = frozenset({"false", "0", "no", "nein", "n"})


def describe(value: object) -> str:
	"""A short, safe description of a JSON value for error messages (never the whole value)."""
	if value is None:
		return "null"
	if isinstance(value, bool):
		return "a boolean"
	if isinstance(value, int) and value.bit_length() > 64:
		return "a number too large to use"
	if isinstance(value, int | float):
		return f"the number {value!r}"
	if isinstance(value, str):
		shown = value if len(value) <= 40 else value[:37] + "..."
		return f"the text {shown!r}"
	if isinstance(value, list):
		return "a list"
	if isinstance(value, dict):
		return "an object"
	return type(value).__name__


def decode_json(payload: object, error: type[PayloadFormatError] = PayloadFormatError) -> object:
	"""Decode text or bytes as JSON; anything else is taken as already decoded.

	Raises `error` (a `PayloadFormatError` subclass) when the text is not valid JSON.
	"""
	if isinstance(payload, bytes | bytearray):
		try:
			payload = bytes(payload).decode("utf-8")
		except UnicodeDecodeError as exc:
			raise error(f"payload is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
	if isinstance(payload, str):
		try:
			return json.loads(payload)
		except json.JSONDecodeError as exc:
			raise error(
				f"payload is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
			) from None
		except ValueError as exc:
			# Python refuses integers of more than 4300 digits while decoding.
			raise error(f"payload is not usable JSON: {exc}") from None
	return payload


def finite_number(value: object) -> float | None:
	"""A JSON number (not a boolean) as a finite float; None for anything else or out of range."""
	if isinstance(value, bool) or not isinstance(value, int | float):
		return None
	try:
		number = float(value)
	except OverflowError:
		return None
	return number if math.isfinite(number) else None


def parse_datetime(value: object, where: str, *, source_tz: tzinfo | None) -> datetime:
	"""Read an ISO 8601 date-time text into an aware UTC datetime.

	A text without zone is read in `source_tz`; with `source_tz` None it is a record error. A local
	time that does not exist there (the spring clock change) is a record error too. In the repeated
	autumn hour the first reading (summer time) is taken.
	"""
	if not isinstance(value, str):
		raise RecordInvalid(f"{where}: expected an ISO 8601 date-time, got {describe(value)}")
	text = value.strip()
	try:
		parsed = datetime.fromisoformat(text)
	except ValueError:
		raise RecordInvalid(f"{where}: {describe(value)} is not an ISO 8601 date-time") from None
	try:
		if parsed.utcoffset() is None:
			if source_tz is None:
				raise RecordInvalid(f"{where}: {text!r} has no time zone")
			parsed = _localize(parsed.replace(tzinfo=None), source_tz, where)
		return parsed.astimezone(UTC)
	except OverflowError:
		raise RecordInvalid(f"{where}: {text!r} is out of range") from None


def _localize(naive: datetime, zone: tzinfo, where: str) -> datetime:
	aware = naive.replace(tzinfo=zone)
	# A wall time inside the spring gap does not survive the round trip through UTC.
	if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
		raise RecordInvalid(f"{where}: {naive.isoformat()} does not exist in {zone} (clock change)")
	return aware


def parse_path(text: object) -> FieldPath:
	"""Parse a dotted path like ``shipment.trackingNo`` or ``stops[-1].eta``.

	Raises `MappingConfigError` for an empty or malformed path.
	"""
	if not isinstance(text, str) or not text.strip():
		raise MappingConfigError(f"a path must be a non-empty text, got {describe(text)}")
	steps: list[str | int] = []
	for part in text.strip().split("."):
		match = _PATH_PART.fullmatch(part)
		if match is None or not (match["name"] or match["indexes"]):
			raise MappingConfigError(f"invalid path {text!r} at {part!r}")
		if match["name"]:
			steps.append(match["name"].rstrip())
		steps.extend(int(index) for index in _INDEX.findall(match["indexes"]))
	return FieldPath(text.strip(), tuple(steps))


def resolve_path(data: object, path: FieldPath) -> object:
	"""The value at `path` in `data`; None when a key or index is absent.

	A step into a value of the wrong kind (a key into a list, an index into text) is a record
	error: it usually means the source changed its shape.
	"""
	current = data
	for position, step in enumerate(path.steps):
		if current is None:
			return None
		if isinstance(step, int):
			if not isinstance(current, list):
				raise RecordInvalid(f"{_prefix(path, position)}: expected a list, got {describe(current)}")
			if not -len(current) <= step < len(current):
				return None
			current = current[step]
		else:
			if not isinstance(current, dict):
				raise RecordInvalid(f"{_prefix(path, position)}: expected an object, got {describe(current)}")
			current = current.get(step)
	return current


def _prefix(path: FieldPath, upto: int) -> str:
	text = ""
	for step in path.steps[:upto]:
		text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
	return text or "(record)"


def compile_mapping(
	mapping: Mapping[str, object],
	*,
	fields: Mapping[str, FieldType] = DELIVERY_FIELDS,
	required: Sequence[str] = ("tracking_number",),
	id_field: str | None = "tracking_number",
) -> RecordMapping:
	"""Validate a mapping from the connector form.

	Each entry maps one of `fields` to a path text, or to an object with ``path`` and optionally
	``type`` (one of `FieldType`, compatible with the field's type) and ``required`` (bool).
	Raises `MappingConfigError` naming the first problem found.
	"""
	if not isinstance(mapping, Mapping) or not mapping:
		raise MappingConfigError("the mapping must be a non-empty object of field: path")
	rules: list[FieldRule] = []
	for field, spec in mapping.items():
		if field not in fields:
			raise MappingConfigError(f"unknown field {field!r}; known fields: {', '.join(sorted(fields))}")
		rules.append(_compile_rule(field, spec, fields[field], field in required))
	mapped = {rule.field for rule in rules}
	missing = [field for field in required if field not in mapped]
	if missing:
		raise MappingConfigError(f"required field(s) not mapped: {', '.join(missing)}")
	if id_field is not None and id_field not in mapped:
		raise MappingConfigError(f"the id field {id_field!r} is not mapped")
	return RecordMapping(rules=tuple(rules), id_field=id_field)


def _compile_rule(field: str, spec: object, default_type: FieldType, is_required: bool) -> FieldRule:
	if isinstance(spec, str):
		return FieldRule(field, parse_path(spec), default_type, is_required)
	if not isinstance(spec, Mapping):
		raise MappingConfigError(
			f"{field}: expected a path text or an object with 'path', got {describe(spec)}"
		)
	unknown = set(spec) - {"path", "type", "required"}
	if unknown:
		raise MappingConfigError(f"{field}: unknown option(s) {', '.join(sorted(map(str, unknown)))}")
	path = parse_path(spec.get("path"))
	field_type = default_type
	if spec.get("type") is not None:
		try:
			field_type = FieldType(spec["type"])
		except ValueError:
			choices = ", ".join(member.value for member in FieldType)
			raise MappingConfigError(f"{field}: unknown type {spec['type']!r}; one of {choices}") from None
		is_compatible = field_type == default_type or {field_type, default_type} <= _TIME_TYPES
		if not is_compatible:
			raise MappingConfigError(
				f"{field}: type {field_type.value} does not fit a {default_type.value} field"
			)
	flag = spec.get("required", False)
	if not isinstance(flag, bool):
		raise MappingConfigError(f"{field}: 'required' must be true or false")
	return FieldRule(field, path, field_type, is_required or flag)


def coerce(value: object, field_type: FieldType, where: str, *, source_tz: tzinfo) -> Value:
	"""Coerce one JSON value to `field_type`; None stays None. Raises `RecordInvalid`."""
	if value is None:
		return None
	match field_type:
		case FieldType.STR:
			return _to_str(value, where)
		case FieldType.INT:
			return _to_int(value, where)
		case FieldType.FLOAT:
			return _to_float(value, where)
		case FieldType.BOOL:
			return _to_bool(value, where)
		case FieldType.DATETIME:
			return parse_datetime(value, where, source_tz=source_tz)
		case FieldType.EPOCH_SECONDS:
			return _from_epoch(value, 1, where)
		case FieldType.EPOCH_MILLIS:
			return _from_epoch(value, 1000, where)


def _to_str(value: object, where: str) -> str | None:
	if isinstance(value, str):
		return value.strip() or None
	if isinstance(value, int) and not isinstance(value, bool):
		return str(value)
	if isinstance(value, float) and math.isfinite(value) and value.is_integer():
		return str(int(value))
	raise RecordInvalid(f"{where}: expected text, got {describe(value)}")


def _to_int(value: object, where: str) -> int:
	if isinstance(value, int) and not isinstance(value, bool):
		return value
	if isinstance(value, float) and math.isfinite(value) and value.is_integer():
		return int(value)
	if (
		isinstance(value, str)
		and _INTEGER_TEXT.fullmatch(value.strip())
		and len(value.strip()) <= _MAX_DIGITS
	):
		return int(value.strip())
	raise RecordInvalid(f"{where}: expected a whole number, got {describe(value)}")


def _to_float(value: object, where: str) -> float:
	number = finite_number(value)
	if isinstance(value, str):
		text = value.strip()
		# German sources write a decimal comma ("12,5"); a text with both marks is ambiguous.
		if "," in text and "." not in text:
			text = text.replace(",", ".")
		try:
			number = float(text)
		except ValueError:
			number = None
	if number is None or not math.isfinite(number):
		raise RecordInvalid(f"{where}: expected a number, got {describe(value)}")
	return number


def _to_bool(value: object, where: str) -> bool:
	if isinstance(value, bool):
		return value
	if isinstance(value, int) and value in (0, 1):
		return bool(value)
	if isinstance(value, str):
		text = value.strip().lower()
		if text in _TRUE_TEXTS:
			return True
		if text in _FALSE_TEXTS:
			return False
	raise RecordInvalid(f"{where}: expected true or false, got {describe(value)}")


def _from_epoch(value: object, per_second: int, where: str) -> datetime:
	number = finite_number(value)
	if (
		isinstance(value, str)
		and _INTEGER_TEXT.fullmatch(value.strip())
		and len(value.strip()) <= _MAX_DIGITS
	):
		number = finite_number(int(value.strip()))
	if number is None:
		raise RecordInvalid(f"{where}: expected a Unix timestamp, got {describe(value)}")
	try:
		return datetime.fromtimestamp(number / per_second, UTC)
	except (OverflowError, OSError, ValueError):
		raise RecordInvalid(f"{where}: timestamp {value!r} is out of range") from None


def parse_records(
	payload: object,
	records_path: str | None,
	mapping: Mapping[str, object] | RecordMapping,
	source_tz: tzinfo,
	*,
	fields: Mapping[str, FieldType] = DELIVERY_FIELDS,
	next_link_path: str | None = None,
) -> ParseResult[MappedRecord]:
	"""Parse the records of one page of a generic JSON source.

	`payload` is the response (text, bytes or decoded JSON); `records_path` points at the list of
	records in it (None or "" when the payload itself is the list); `mapping` is a mapping from the
	form or a `RecordMapping` from `compile_mapping`; naive times are read in `source_tz`.
	With `next_link_path`, a non-empty text there is the link to the next page.

	Raises `PayloadFormatError` when the payload is not JSON or has no record list at
	`records_path`, `MappingConfigError` for an invalid mapping and `InvalidArgumentError` when
	`source_tz` is not a time zone.
	"""
	if not isinstance(source_tz, tzinfo):
		raise InvalidArgumentError(f"source_tz must be a tzinfo, got {type(source_tz).__name__}")
	compiled = mapping if isinstance(mapping, RecordMapping) else compile_mapping(mapping, fields=fields)
	data = decode_json(payload)
	items = _record_list(data, records_path)
	next_link = _next_link(data, next_link_path)

	records: list[MappedRecord] = []
	errors: list[RecordError] = []
	for index, item in enumerate(items):
		record_id = _peek_id(item, compiled)
		try:
			records.append(_apply(item, compiled, source_tz, record_id))
		except RecordInvalid as problem:
			errors.append(RecordError(index, record_id, str(problem)))

	return ParseResult(
		records=tuple(records),
		errors=tuple(errors),
		more_data_available=next_link is not None,
		next_link=next_link,
		last_id=_peek_id(items[-1], compiled) if items else None,
	)


def _record_list(data: object, records_path: str | None) -> list[object]:
	if records_path is None or not records_path.strip():
		found = data
	else:
		try:
			path = parse_path(records_path)
		except MappingConfigError as exc:
			raise MappingConfigError(f"records path: {exc}") from None
		try:
			found = resolve_path(data, path)
		except RecordInvalid as problem:
			raise PayloadFormatError(f"no record list at {records_path!r}: {problem}") from None
	if not isinstance(found, list):
		where = f"at {records_path!r}" if records_path else "at the top level"
		raise PayloadFormatError(f"expected a list of records {where}, got {describe(found)}")
	return found


def _next_link(data: object, next_link_path: str | None) -> str | None:
	if next_link_path is None:
		return None
	try:
		link = resolve_path(data, parse_path(next_link_path))
	except RecordInvalid as problem:
		raise PayloadFormatError(f"next link: {problem}") from None
	if link is None or link == "":
		return None
	if not isinstance(link, str):
		raise PayloadFormatError(f"next link at {next_link_path!r} must be text, got {describe(link)}")
	return link


def _peek_id(item: object, compiled: RecordMapping) -> str | None:
	"""The record's id for error entries, or None when it cannot be read."""
	if compiled.id_field is None:
		return None
	rule = next((rule for rule in compiled.rules if rule.field == compiled.id_field), None)
	if rule is None:
		return None
	try:
		value = resolve_path(item, rule.path)
		return _to_str(value, rule.field) if value is not None else None
	except RecordInvalid:
		return None


def _apply(item: object, compiled: RecordMapping, source_tz: tzinfo, record_id: str | None) -> MappedRecord:
	if not isinstance(item, dict):
		raise RecordInvalid(f"expected an object, got {describe(item)}")
	values: dict[str, Value] = {}
	for rule in compiled.rules:
		where = f"{rule.field} ({rule.path.text})"
		try:
			found = resolve_path(item, rule.path)
		except RecordInvalid as problem:
			raise RecordInvalid(f"{where}: {problem}") from None
		value = coerce(found, rule.type, where, source_tz=source_tz)
		if value is None and rule.is_required:
			raise RecordInvalid(f"{where}: required but missing")
		values[rule.field] = value
	return MappedRecord(external_id=record_id, values=MappingProxyType(values))

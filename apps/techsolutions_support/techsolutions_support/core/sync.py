"""Rules of a sync that can be trusted, without I/O: back-off, rate limit, change detection, times.

The connector jobs (``techsolutions_support.connectors``) fetch pages over HTTP and write records;
everything they decide is decided here, so that it is exact and tested without a network:

- `RetryPolicy`: which answers are retried, how long to wait (``Retry-After`` honoured, in
  seconds or as an HTTP date), when to give up so that the next run resumes instead;
- `RateLimiter`: the pause before the next request so that a source's limit per minute holds;
- `fingerprint` and `classify`: created, updated or unchanged, from a stable hash of the values
  a sync owns;
- `vehicle_values`, `position_values`, `status_values`: the `TS Vehicle` fields an rFMS record
  gives, and `is_newer` to keep an older report from overwriting a newer one;
- `delivery_values`, `normalise_status`, `delay_minutes`, `normalise_tracking_number`: the
  `TS Delivery` fields of a mapped record; `record_time`: the ``updated_at`` of a record that
  failed, so the cursor can wait for it; `route_code`, `route_values`: a VROOM route as a
  `TS Route` with its stops;
- `local_naive`: the one conversion of an aware time into the naive system-time the database
  stores; `utc_stamp` and `parse_stamp`: the text form of instants kept for comparison;
- `ErrorSamples`: the first few failed records of a run, for the sync log.

Contract: pure, no clock (the caller passes ``now`` and time zones), no logging of payload
content. Every datetime it returns for storage is naive in the zone the caller gave; every
datetime it compares is aware.

Exceptions::

	InvalidArgumentError (mapping; ConnectorError, ValueError)   a naive datetime, a bad setting
"""

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, TypeVar

from techsolutions_support.core.identifiers import parse_plate, plate_key
from techsolutions_support.core.mapping import (
	InvalidArgumentError,
	MappedRecord,
	RecordInvalid,
	RecordMapping,
	coerce,
	resolve_path,
)
from techsolutions_support.core.rfms import Position, Status, Vehicle
from techsolutions_support.core.vroom import Route, StopKind

__all__ = [
	"DELIVERY_STATUSES",
	"RETRY_STATUSES",
	"RFMS_BRANDS",
	"Change",
	"ErrorSamples",
	"RateLimiter",
	"RetryPolicy",
	"classify",
	"delay_minutes",
	"delivery_values",
	"fingerprint",
	"is_newer",
	"latest_per_vin",
	"local_naive",
	"normalise_status",
	"normalise_tracking_number",
	"parse_retry_after",
	"parse_stamp",
	"position_values",
	"record_time",
	"route_code",
	"route_values",
	"status_values",
	"utc_stamp",
	"vehicle_values",
]

ReportT = TypeVar("ReportT", Position, Status)

# Answers worth another try: rate limited, or the server failed on its side for now.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

# rFMS `brand` values (the OEM's code) and the name agents know the make by.
RFMS_BRANDS = {
	"DAIMLER": "Mercedes-Benz",
	"MERCEDES-BENZ": "Mercedes-Benz",
	"VOLVO TRUCKS": "Volvo",
	"RENAULT TRUCKS": "Renault",
	"SCANIA": "Scania",
	"IVECO": "Iveco",
	"MAN": "MAN",
	"DAF": "DAF",
}

# Delivery statuses as stored, and the source spellings that mean each (upper case, no spaces).
DELIVERY_STATUSES = {
	"Planned": ("PLANNED", "CREATED", "ANNOUNCED", "GEPLANT"),
	"In Transit": ("IN_TRANSIT", "INTRANSIT", "ON_ROUTE", "OUT_FOR_DELIVERY", "UNTERWEGS"),
	"Delayed": ("DELAYED", "LATE", "VERSPÄTET", "VERSPAETET"),
	"Delivered": ("DELIVERED", "COMPLETED", "DONE", "ZUGESTELLT", "GELIEFERT"),
	"Failed": ("FAILED", "NOT_DELIVERED", "REFUSED", "RETURNED", "EXCEPTION"),
	"Cancelled": ("CANCELLED", "CANCELED", "STORNIERT"),
}
_STATUS_BY_SPELLING = {
	spelling: status for status, spellings in DELIVERY_STATUSES.items() for spelling in spellings
}


class Change(StrEnum):
	CREATED = "created"
	UPDATED = "updated"
	UNCHANGED = "unchanged"


# --- back-off and rate limit ---


def parse_retry_after(value: str | None, now: datetime) -> float | None:
	"""Seconds to wait from a ``Retry-After`` header: whole seconds or an HTTP date; None if absent or unreadable."""
	if value is None or not value.strip():
		return None
	text = value.strip()
	if text.isdigit():
		return float(text)
	if now.utcoffset() is None:
		raise InvalidArgumentError("now must be an aware datetime")
	try:
		moment = parsedate_to_datetime(text)
	except (TypeError, ValueError, IndexError):
		return None
	if moment.utcoffset() is None:
		moment = moment.replace(tzinfo=UTC)
	return max(0.0, (moment - now).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
	"""How often and how long to retry one request.

	Attempt 1 is the first try. After a failed attempt `delay` gives the pause before the next one,
	or None to give up: the attempts are used up, or the server asks for a longer pause than
	`max_wait_s` (the run then ends and the next scheduled run resumes from the saved cursor,
	rather than holding a worker and the connector's lock for minutes).
	"""

	max_attempts: int = 5
	base_s: float = 1.0
	max_wait_s: float = 60.0

	def __post_init__(self) -> None:
		if self.max_attempts < 1:
			raise InvalidArgumentError("max_attempts must be at least 1")
		if not (math.isfinite(self.base_s) and self.base_s >= 0):
			raise InvalidArgumentError("base_s must be a finite number >= 0")
		if not (math.isfinite(self.max_wait_s) and self.max_wait_s >= 0):
			raise InvalidArgumentError("max_wait_s must be a finite number >= 0")

	def delay(self, attempt: int, retry_after_s: float | None = None) -> float | None:
		if attempt >= self.max_attempts:
			return None
		if retry_after_s is not None:
			return retry_after_s if retry_after_s <= self.max_wait_s else None
		# Doubling from base_s; no jitter: runs of one connector never overlap (they hold a lock).
		return min(self.base_s * 2.0 ** (attempt - 1), self.max_wait_s)


class RateLimiter:
	"""At most `per_minute` requests in any minute, spaced evenly; 0 means no limit.

	The caller owns the clock: `wait(now)` says how long to pause before a request at monotonic
	time `now`, and the request is counted as made at ``now + wait``.
	"""

	def __init__(self, per_minute: int) -> None:
		if isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 0:
			raise InvalidArgumentError(f"per_minute must be a whole number >= 0, got {per_minute!r}")
		self.interval_s = 60.0 / per_minute if per_minute else 0.0
		self._next_at: float | None = None

	def wait(self, now: float) -> float:
		if not self.interval_s:
			return 0.0
		pause = 0.0 if self._next_at is None else max(0.0, self._next_at - now)
		self._next_at = now + pause + self.interval_s
		return pause


# --- change detection ---


def fingerprint(values: Mapping[str, object]) -> str:
	"""A stable hash of `values` (key order, float noise and datetime form do not matter)."""
	canonical = json.dumps(
		{key: _canonical(value) for key, value in values.items()},
		sort_keys=True,
		ensure_ascii=False,
		separators=(",", ":"),
	)
	return hashlib.sha1(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()


def _canonical(value: object) -> object:
	if isinstance(value, datetime):
		return utc_stamp(value) if value.utcoffset() is not None else value.isoformat()
	if isinstance(value, date):
		return value.isoformat()
	if isinstance(value, float):
		return round(value, 6)
	if isinstance(value, tuple | list):
		return [_canonical(item) for item in value]
	if isinstance(value, Mapping):
		return {str(key): _canonical(item) for key, item in value.items()}
	return value


def classify(stored: str | None, incoming: str, *, exists: bool) -> Change:
	"""Created when there is no record, unchanged when the stored fingerprint matches."""
	if not exists:
		return Change.CREATED
	return Change.UNCHANGED if stored == incoming else Change.UPDATED


# --- times ---


def local_naive(moment: datetime, zone: tzinfo) -> datetime:
	"""An aware instant as the naive wall time in `zone` (how Frappe stores datetimes)."""
	if moment.utcoffset() is None:
		raise InvalidArgumentError("cannot convert a naive datetime: its zone is unknown")
	return moment.astimezone(zone).replace(tzinfo=None)


def utc_stamp(moment: datetime) -> str:
	"""An aware instant as fixed-width UTC text, e.g. ``2025-03-11T08:01:07.000000Z``."""
	if moment.utcoffset() is None:
		raise InvalidArgumentError("cannot stamp a naive datetime: its zone is unknown")
	return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> datetime | None:
	"""The instant of a `utc_stamp` text (or any ISO text with a zone); None when empty or unreadable."""
	if not text:
		return None
	try:
		moment = datetime.fromisoformat(text)
	except ValueError:
		return None
	return moment.astimezone(UTC) if moment.utcoffset() is not None else None


def is_newer(incoming: datetime, stored_stamp: str | None) -> bool:
	"""Whether a report taken at `incoming` is newer than the one stored (stamp text, or none)."""
	stored = parse_stamp(stored_stamp)
	return stored is None or incoming > stored


# --- fleet (rFMS) ---


def vehicle_values(vehicle: Vehicle) -> dict[str, Any]:
	"""The `TS Vehicle` fields the vehicle list gives. The plate comes from the customer's vehicle
	name when that is a plate; what the source does not give is left out, so a sync never blanks
	it. Fleet number and customer belong to the desk and are never synced."""
	values: dict[str, Any] = {"vin": vehicle.vin}
	plate = parse_plate(vehicle.name) if vehicle.name else None
	if plate is not None:
		values.update(plate=plate.text, plate_key=plate.key)
	elif vehicle.name and (key := plate_key(vehicle.name)):
		values.update(plate=vehicle.name, plate_key=key)
	brand = RFMS_BRANDS.get((vehicle.brand or "").upper(), vehicle.brand)
	model = " ".join(part for part in (brand, vehicle.model) if part)
	if model:
		values["model"] = model
	return values


def position_values(position: Position, zone: tzinfo) -> dict[str, Any]:
	return {
		"latitude": position.lat,
		"longitude": position.lon,
		"speed_kmh": position.speed,
		"heading": position.heading,
		"position_at": local_naive(position.at, zone),
		"position_stamp": utc_stamp(position.at),
	}


def status_values(status: Status, zone: tzinfo) -> dict[str, Any]:
	red = ", ".join(sorted({tell_tale.name for tell_tale in status.red_tell_tales}))
	return {
		"state": status.state.value,
		"ignition": None if status.ignition is None else ("On" if status.ignition else "Off"),
		"red_tell_tales": red or None,
		"odometer_km": None if status.odometer_m is None else round(status.odometer_m / 1000, 1),
		"fuel_level_pct": status.fuel_level_pct,
		"status_at": local_naive(status.at, zone),
		"status_stamp": utc_stamp(status.at),
	}


def latest_per_vin(reports: Iterable[ReportT]) -> dict[str, ReportT]:
	"""The newest report of each vehicle (a page may hold several per vehicle)."""
	latest: dict[str, ReportT] = {}
	for report in reports:
		known = latest.get(report.vin)
		if known is None or report.at > known.at:
			latest[report.vin] = report
	return latest


# --- deliveries and routes ---


def normalise_status(text: str | None) -> str | None:
	"""A source's delivery status as one of `DELIVERY_STATUSES`; None when unknown or empty."""
	if not text:
		return None
	key = "_".join(text.strip().upper().replace("-", " ").split())
	return _STATUS_BY_SPELLING.get(key)


def normalise_tracking_number(text: str | None) -> str:
	"""A tracking number as stored and as `identifiers` reads it: upper case, no blanks or hyphens."""
	return "".join(character for character in (text or "").upper() if character not in " \t-\u00a0")


def record_time(item: object, mapping: RecordMapping, field_name: str, source_tz: tzinfo) -> datetime | None:
	"""The time in `field_name` of a raw record, also of one that failed as a whole; None if unreadable.

	A run that skipped a bad record keeps its incremental cursor at or before this time, so the
	next run reads the record again.
	"""
	rule = next((rule for rule in mapping.rules if rule.field == field_name), None)
	if rule is None:
		return None
	try:
		value = coerce(resolve_path(item, rule.path), rule.type, field_name, source_tz=source_tz)
	except RecordInvalid:
		return None
	return value if isinstance(value, datetime) else None


def delay_minutes(planned: datetime | None, current: datetime | None, given: int | None = None) -> int | None:
	"""Minutes late (negative: early). The source's own figure wins; else current minus planned ETA."""
	if given is not None:
		return given
	if planned is None or current is None:
		return None
	return round((current - planned).total_seconds() / 60)


def delivery_values(record: MappedRecord, zone: tzinfo) -> dict[str, Any]:
	"""The `TS Delivery` fields of one mapped record (see `mapping.DELIVERY_FIELDS`).

	Fields the mapping leaves out are left out here too, so a sync never blanks a value it does
	not own. Times become naive wall times in `zone`. Where the mapping has a delay or ETAs,
	``delay_minutes`` is None when the record does not tell the delay (``delay_known`` False).
	"""
	values = record.values
	out: dict[str, Any] = {"tracking_number": normalise_tracking_number(str(values["tracking_number"]))}
	for field_name in ("consignee", "proof_of_delivery", "vehicle_ref", "route_ref", "stop_sequence"):
		if field_name in values:
			out[field_name] = values[field_name]
	for field_name in ("planned_eta", "current_eta", "delivered_at", "updated_at"):
		if field_name in values:
			moment = values[field_name]
			out[field_name] = local_naive(moment, zone) if isinstance(moment, datetime) else None
	if "status" in values:
		raw = values["status"]
		out["source_status"] = raw
		out["status"] = normalise_status(raw if isinstance(raw, str) else None)
	planned = values.get("planned_eta")
	current = values.get("current_eta")
	given = values.get("delay_minutes")
	if {"planned_eta", "current_eta", "delay_minutes"} & values.keys():
		out["delay_minutes"] = delay_minutes(
			planned if isinstance(planned, datetime) else None,
			current if isinstance(current, datetime) else None,
			given if isinstance(given, int) and not isinstance(given, bool) else None,
		)
		# The database stores no empty number: this flag keeps "unknown" apart from "on time".
		out["delay_known"] = out["delay_minutes"] is not None
	return out


def route_code(pattern: str, plan_date: date, vehicle_id: int, description: str | None = None) -> str:
	"""The code of a planned route from the connector's pattern, e.g. ``R-{date:%Y%m%d}-{vehicle}``.

	Fields: ``date`` (the plan's date), ``vehicle`` (VROOM's vehicle id), ``description`` (the
	vehicle's description in the plan, often its plate). Raises `InvalidArgumentError` for a
	pattern that cannot be filled.
	"""
	try:
		code = pattern.format(date=plan_date, vehicle=vehicle_id, description=description or "")
	except (KeyError, IndexError, ValueError) as exc:
		raise InvalidArgumentError(f"route code pattern {pattern!r} cannot be filled: {exc}") from None
	code = code.strip()
	if not code:
		raise InvalidArgumentError(f"route code pattern {pattern!r} gives an empty code")
	return code


def route_values(route: Route, zone: tzinfo) -> dict[str, Any]:
	"""A VROOM route's `TS Route` fields and stops (times as naive wall times in `zone`)."""
	stops = [
		{
			"seq": stop.seq,
			"kind": stop.kind.value,
			"job_id": stop.job_id,
			"tracking_number": stop.description if stop.kind not in (StopKind.START, StopKind.END) else None,
			"planned_arrival": local_naive(stop.planned_arrival, zone),
			"planned_departure": local_naive(stop.planned_departure, zone),
			"latitude": stop.location.lat if stop.location else None,
			"longitude": stop.location.lon if stop.location else None,
		}
		for stop in route.stops
	]
	return {
		"vehicle_ref": route.description,
		"planned_start": local_naive(route.planned_start, zone),
		"planned_end": local_naive(route.planned_end, zone),
		"distance_km": None if route.distance_m is None else round(route.distance_m / 1000, 1),
		"stops": stops,
	}


# --- the log ---


@dataclass
class ErrorSamples:
	"""The first `limit` problems of a run, and how many there were in all."""

	limit: int = 20
	total: int = 0
	samples: list[dict[str, str | None]] = field(default_factory=list)

	def add(self, resource: str, record_id: str | None, message: str) -> None:
		self.total += 1
		if len(self.samples) < self.limit:
			self.samples.append({"resource": resource, "id": record_id, "message": message})

"""Parser for route plans in the VROOM solution format.

VROOM (an open-source vehicle routing optimiser) answers with ``code``, ``summary``,
``unassigned`` and ``routes``; each route has the ``vehicle`` id and ``steps`` of type start, job,
pickup, delivery, break or end, with ``arrival`` in seconds, ``location`` as ``[lon, lat]`` and
the task ``id``. `parse_solution` turns that into a `RoutePlan` of `Route` records with numbered
`Stop` records.

Arrival times: VROOM counts seconds on the time scale of the plan's time windows. The caller
gives the moment second 0 stands for, `plan_start`, as an aware datetime; when the plan used Unix
timestamps, pass `UNIX_EPOCH`. Seconds are added in UTC, so a plan that crosses a clock change
still gets the right instants.

Contract:

- pure: no I/O, no clock;
- per record: a route with a bad step becomes a `RecordError` (route index, vehicle id when
  readable, message) and is left out whole, because a route with a hole in its stops would be
  wrong; the other routes are still parsed. Unassigned jobs are checked the same way;
- every datetime returned is aware and in UTC.

Exceptions (the whole tree is in `mapping`)::

	ConnectorError
	├── PayloadFormatError
	│   └── VroomFormatError        not a VROOM solution (no code, no routes list, ...)
	├── InvalidArgumentError         plan_start is naive
	└── VroomSolverError             the solver answered with an error code instead of a solution
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from techsolutions_support.core.mapping import (
	ConnectorError,
	InvalidArgumentError,
	PayloadFormatError,
	RecordError,
	RecordInvalid,
	decode_json,
	describe,
	finite_number,
)

__all__ = [
	"UNIX_EPOCH",
	"Location",
	"Route",
	"RoutePlan",
	"Stop",
	"StopKind",
	"UnassignedJob",
	"VroomFormatError",
	"VroomSolverError",
	"parse_solution",
]

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# VROOM status codes other than 0 (solution found).
_SOLVER_CODES = {1: "internal error", 2: "input error", 3: "routing error"}


class VroomFormatError(PayloadFormatError):
	"""The payload is not a VROOM solution."""


class VroomSolverError(ConnectorError):
	"""VROOM reported that it could not solve the problem."""

	def __init__(self, code: int, detail: str | None) -> None:
		self.code = code
		self.detail = detail
		kind = _SOLVER_CODES.get(code, "unknown error")
		super().__init__(f"VROOM returned code {code} ({kind})" + (f": {detail}" if detail else ""))


class StopKind(StrEnum):
	START = "start"
	JOB = "job"
	PICKUP = "pickup"
	DELIVERY = "delivery"
	BREAK = "break"
	END = "end"


# Step types that carry the id of a task (job, shipment step or break).
_TASK_KINDS = frozenset({StopKind.JOB, StopKind.PICKUP, StopKind.DELIVERY, StopKind.BREAK})


@dataclass(frozen=True, slots=True)
class Location:
	lat: float
	lon: float


@dataclass(frozen=True, slots=True)
class Stop:
	# 1-based position in the route, the start step included.
	seq: int
	kind: StopKind
	# Id of the job, shipment step or break; None for start and end.
	job_id: int | None
	planned_arrival: datetime
	location: Location | None
	waiting_s: int
	# Setup time before the service (VROOM 1.12 and later; 0 when absent).
	setup_s: int
	service_s: int
	# Task description from the plan input, e.g. the tracking number of a delivery.
	description: str | None

	@property
	def planned_departure(self) -> datetime:
		return self.planned_arrival + timedelta(seconds=self.waiting_s + self.setup_s + self.service_s)


@dataclass(frozen=True, slots=True)
class Route:
	vehicle_id: int
	stops: tuple[Stop, ...]
	# Vehicle description from the plan input, e.g. a licence plate.
	description: str | None
	duration_s: int | None
	distance_m: int | None

	@property
	def planned_start(self) -> datetime:
		return self.stops[0].planned_arrival

	@property
	def planned_end(self) -> datetime:
		return self.stops[-1].planned_departure


@dataclass(frozen=True, slots=True)
class UnassignedJob:
	job_id: int
	kind: str | None
	location: Location | None
	description: str | None


@dataclass(frozen=True, slots=True)
class RoutePlan:
	plan_start: datetime
	routes: tuple[Route, ...]
	unassigned: tuple[UnassignedJob, ...]
	errors: tuple[RecordError, ...] = ()
	unassigned_errors: tuple[RecordError, ...] = ()


def parse_solution(payload: object, *, plan_start: datetime) -> RoutePlan:
	"""Parse a VROOM solution (text, bytes or decoded JSON) into a `RoutePlan`.

	Raises `VroomFormatError` when the payload is not a VROOM solution, `VroomSolverError` when
	its code reports a failure and `InvalidArgumentError` when `plan_start` is naive.
	"""
	if not isinstance(plan_start, datetime) or plan_start.utcoffset() is None:
		raise InvalidArgumentError("plan_start must be an aware datetime")
	origin = plan_start.astimezone(UTC)
	data = decode_json(payload, VroomFormatError)
	if not isinstance(data, dict):
		raise VroomFormatError(f"a VROOM solution is a JSON object, got {describe(data)}")
	code = data.get("code")
	if isinstance(code, bool) or not isinstance(code, int):
		raise VroomFormatError(f"not a VROOM solution: code must be a whole number, got {describe(code)}")
	if code != 0:
		detail = data.get("error")
		raise VroomSolverError(code, detail if isinstance(detail, str) else None)
	routes = data.get("routes")
	if not isinstance(routes, list):
		raise VroomFormatError(f"not a VROOM solution: routes must be a list, got {describe(routes)}")
	unassigned = data.get("unassigned", [])
	if unassigned is None:
		unassigned = []
	if not isinstance(unassigned, list):
		raise VroomFormatError(f"unassigned must be a list, got {describe(unassigned)}")

	parsed_routes: list[Route] = []
	errors: list[RecordError] = []
	for index, item in enumerate(routes):
		try:
			parsed_routes.append(_route(item, origin))
		except RecordInvalid as problem:
			errors.append(RecordError(index, _peek_id(item, "vehicle"), str(problem)))

	parsed_unassigned: list[UnassignedJob] = []
	unassigned_errors: list[RecordError] = []
	for index, item in enumerate(unassigned):
		try:
			parsed_unassigned.append(_unassigned(item))
		except RecordInvalid as problem:
			unassigned_errors.append(RecordError(index, _peek_id(item, "id"), str(problem)))

	return RoutePlan(
		plan_start=origin,
		routes=tuple(parsed_routes),
		unassigned=tuple(parsed_unassigned),
		errors=tuple(errors),
		unassigned_errors=tuple(unassigned_errors),
	)


def _peek_id(item: object, key: str) -> str | None:
	if isinstance(item, dict):
		value = item.get(key)
		if isinstance(value, int) and not isinstance(value, bool):
			return str(value)
	return None


def _route(item: object, origin: datetime) -> Route:
	if not isinstance(item, dict):
		raise RecordInvalid(f"expected an object, got {describe(item)}")
	vehicle_id = _whole(item, "vehicle")
	if vehicle_id is None:
		raise RecordInvalid("vehicle: required but missing")
	steps = item.get("steps")
	if not isinstance(steps, list) or not steps:
		raise RecordInvalid(f"steps: expected a non-empty list, got {describe(steps)}")

	stops: list[Stop] = []
	for index, step in enumerate(steps):
		stop = _stop(step, index, origin)
		if stops and stop.planned_arrival < stops[-1].planned_arrival:
			raise RecordInvalid(f"steps[{index}].arrival: earlier than the step before")
		stops.append(stop)

	return Route(
		vehicle_id=vehicle_id,
		stops=tuple(stops),
		description=_text(item, "description"),
		duration_s=_whole(item, "duration", low=0),
		distance_m=_whole(item, "distance", low=0),
	)


def _stop(step: object, index: int, origin: datetime) -> Stop:
	where = f"steps[{index}]"
	if not isinstance(step, dict):
		raise RecordInvalid(f"{where}: expected an object, got {describe(step)}")
	kind_text = step.get("type")
	if kind_text not in StopKind.__members__.values():
		raise RecordInvalid(f"{where}.type: unknown step type {describe(kind_text)}")
	kind = StopKind(str(kind_text))
	arrival = _whole(step, "arrival", f"{where}.", low=0)
	if arrival is None:
		raise RecordInvalid(f"{where}.arrival: required but missing")
	job_id = None
	if kind in _TASK_KINDS:
		# Older VROOM versions named a job step's id "job" (deprecated in its API); still read it.
		job_id = _whole(step, "id", f"{where}.")
		if job_id is None:
			job_id = _whole(step, "job", f"{where}.")
		if job_id is None:
			raise RecordInvalid(f"{where}.id: required for a {kind.value} step")
	try:
		planned_arrival = origin + timedelta(seconds=arrival)
	except OverflowError:
		raise RecordInvalid(f"{where}.arrival: {arrival} seconds is out of range") from None
	return Stop(
		seq=index + 1,
		kind=kind,
		job_id=job_id,
		planned_arrival=planned_arrival,
		location=_location(step.get("location"), f"{where}.location"),
		waiting_s=_whole(step, "waiting_time", f"{where}.", low=0) or 0,
		setup_s=_whole(step, "setup", f"{where}.", low=0) or 0,
		service_s=_whole(step, "service", f"{where}.", low=0) or 0,
		description=_text(step, "description", f"{where}."),
	)


def _unassigned(item: object) -> UnassignedJob:
	if not isinstance(item, dict):
		raise RecordInvalid(f"expected an object, got {describe(item)}")
	job_id = _whole(item, "id")
	if job_id is None:
		raise RecordInvalid("id: required but missing")
	return UnassignedJob(
		job_id=job_id,
		kind=_text(item, "type"),
		location=_location(item.get("location"), "location"),
		description=_text(item, "description"),
	)


def _location(value: object, where: str) -> Location | None:
	if value is None:
		return None
	if not isinstance(value, list) or len(value) != 2:
		raise RecordInvalid(f"{where}: expected [lon, lat], got {describe(value)}")
	lon, lat = finite_number(value[0]), finite_number(value[1])
	if lon is None or lat is None:
		raise RecordInvalid(f"{where}: expected [lon, lat] numbers, got {describe(value)}")
	if not (-180 <= lon <= 180 and -90 <= lat <= 90):
		raise RecordInvalid(f"{where}: [{lon}, {lat}] is not a [lon, lat] pair")
	return Location(lat=lat, lon=lon)


def _whole(item: dict[str, Any], key: str, prefix: str = "", *, low: int | None = None) -> int | None:
	value = item.get(key)
	if value is None:
		return None
	if isinstance(value, float) and math.isfinite(value) and value.is_integer():
		value = int(value)
	if isinstance(value, bool) or not isinstance(value, int):
		raise RecordInvalid(f"{prefix}{key}: expected a whole number, got {describe(value)}")
	if low is not None and value < low:
		raise RecordInvalid(f"{prefix}{key}: {value} is below {low}")
	return value


def _text(item: dict[str, Any], key: str, prefix: str = "") -> str | None:
	value = item.get(key)
	if value is None:
		return None
	if not isinstance(value, str):
		raise RecordInvalid(f"{prefix}{key}: expected text, got {describe(value)}")
	return value.strip() or None

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from techsolutions_support.core.mapping import InvalidArgumentError
from techsolutions_support.core.vroom import (
	UNIX_EPOCH,
	Location,
	StopKind,
	UnassignedJob,
	VroomFormatError,
	VroomSolverError,
	parse_solution,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "connectors" / "vroom" / "solution.json"
BERLIN = ZoneInfo("Europe/Berlin")
# The recorded plan: arrival 0 is 06:00 in Berlin on 11 March 2025 (CET, 05:00 UTC).
PLAN_START = datetime(2025, 3, 11, 6, 0, tzinfo=BERLIN)


def recorded() -> dict[str, Any]:
	data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
	return data


def solution(*routes: Any, unassigned: list[Any] | None = None) -> dict[str, Any]:
	return {"code": 0, "summary": {}, "unassigned": unassigned or [], "routes": list(routes)}


ROUTE: dict[str, Any] = {
	"vehicle": 7,
	"description": "B-TS 1001",
	"duration": 900,
	"steps": [
		{"type": "start", "location": [13.5573, 52.5321], "arrival": 0, "duration": 0},
		{
			"type": "job",
			"id": 101,
			"description": "TS2503110001",
			"location": [13.421, 52.548],
			"arrival": 600,
			"setup": 120,
			"service": 420,
			"waiting_time": 60,
			"duration": 600,
		},
		{"type": "break", "id": 3, "arrival": 1200, "service": 1800, "duration": 600},
		{"type": "end", "location": [13.5573, 52.5321], "arrival": 3480, "duration": 900},
	],
}


def test_recorded_solution() -> None:
	plan = parse_solution(recorded(), plan_start=PLAN_START)

	assert (len(plan.routes), plan.errors, plan.unassigned_errors) == (5, (), ())
	assert [route.vehicle_id for route in plan.routes] == [1, 2, 3, 4, 5]
	assert [route.description for route in plan.routes] == [
		"B-TS 1001",
		"B-TS 1002",
		"B-TS 1004",
		"B-TS 1013",
		"B-TS 1014",
	]
	assert plan.plan_start == datetime(2025, 3, 11, 5, 0, tzinfo=UTC)
	assert plan.unassigned == (
		UnassignedJob(
			job_id=121, kind="job", location=Location(lat=52.56, lon=13.092), description="TS2503110021"
		),
	)
	first = plan.routes[0]
	assert [stop.kind for stop in first.stops] == [
		StopKind.START,
		StopKind.JOB,
		StopKind.PICKUP,
		StopKind.DELIVERY,
		StopKind.JOB,
		StopKind.END,
	]
	assert [stop.seq for stop in first.stops] == [1, 2, 3, 4, 5, 6]
	assert first.stops[1].job_id == 101
	assert first.stops[1].description == "TS2503110001"
	assert first.stops[1].planned_arrival == datetime(2025, 3, 11, 5, 19, 19, tzinfo=UTC)
	assert first.planned_start == datetime(2025, 3, 11, 5, 0, tzinfo=UTC)
	assert plan.routes[2].stops[3].kind is StopKind.BREAK
	jobs = [stop for route in plan.routes for stop in route.stops if stop.job_id is not None]
	assert len([stop for stop in jobs if stop.kind is not StopKind.BREAK]) == 20


def test_stop_fields() -> None:
	(route,) = parse_solution(solution(ROUTE), plan_start=PLAN_START).routes

	start, job, pause, end = route.stops
	assert end.kind is StopKind.END
	assert (start.job_id, start.location, start.service_s) == (None, Location(lat=52.5321, lon=13.5573), 0)
	assert (job.job_id, job.waiting_s, job.setup_s, job.service_s) == (101, 60, 120, 420)
	assert job.planned_arrival == datetime(2025, 3, 11, 5, 10, tzinfo=UTC)
	assert job.planned_departure == datetime(2025, 3, 11, 5, 20, tzinfo=UTC)
	assert (pause.kind, pause.job_id, pause.location) == (StopKind.BREAK, 3, None)
	assert route.planned_end == datetime(2025, 3, 11, 5, 58, tzinfo=UTC)
	assert (route.vehicle_id, route.duration_s, route.distance_m) == (7, 900, None)


@pytest.mark.parametrize(
	("plan_start", "arrival", "expected"),
	[
		# Berlin, winter time: 06:00 CET is 05:00 UTC.
		(datetime(2025, 3, 11, 6, 0, tzinfo=BERLIN), 3600, datetime(2025, 3, 11, 6, 0, tzinfo=UTC)),
		# Across the spring clock change at 02:00 on 30 March: four real hours after 00:00 CET
		# are 03:00 UTC (05:00 CEST), not 04:00 on the wall clock.
		(datetime(2025, 3, 30, 0, 0, tzinfo=BERLIN), 4 * 3600, datetime(2025, 3, 30, 3, 0, tzinfo=UTC)),
		# Across the autumn change on 26 October: 00:00 CEST is 22:00 UTC the day before; four real
		# hours later it is 02:00 UTC, 03:00 CET on the wall clock.
		(datetime(2025, 10, 26, 0, 0, tzinfo=BERLIN), 4 * 3600, datetime(2025, 10, 26, 2, 0, tzinfo=UTC)),
		(datetime(2025, 3, 11, 5, 0, tzinfo=UTC), 90, datetime(2025, 3, 11, 5, 1, 30, tzinfo=UTC)),
		(
			datetime(2025, 3, 11, 6, 0, tzinfo=timezone(timedelta(hours=1))),
			0,
			datetime(2025, 3, 11, 5, 0, tzinfo=UTC),
		),
		# Plans made with Unix timestamps.
		(UNIX_EPOCH, 1741669200, datetime(2025, 3, 11, 5, 0, tzinfo=UTC)),
	],
)
def test_arrivals_are_counted_in_utc(plan_start: datetime, arrival: int, expected: datetime) -> None:
	route = {"vehicle": 1, "steps": [{"type": "start", "arrival": arrival}]}

	(parsed,) = parse_solution(solution(route), plan_start=plan_start).routes

	assert parsed.stops[0].planned_arrival == expected
	assert parsed.stops[0].planned_arrival.tzinfo is UTC


def with_step(index: int, **changes: Any) -> dict[str, Any]:
	route = copy.deepcopy(ROUTE)
	for key, value in changes.items():
		if value is ...:
			del route["steps"][index][key]
		else:
			route["steps"][index][key] = value
	return route


BAD_ROUTES = [
	(with_step(1, arrival="soon"), "steps[1].arrival: expected a whole number, got the text 'soon'"),
	(with_step(1, arrival=...), "steps[1].arrival: required but missing"),
	(with_step(1, arrival=-5), "steps[1].arrival: -5 is below 0"),
	(with_step(1, arrival=10**20), "steps[1].arrival: 100000000000000000000 seconds is out of range"),
	(with_step(2, arrival=500), "steps[2].arrival: earlier than the step before"),
	(with_step(1, id=...), "steps[1].id: required for a job step"),
	(with_step(1, id="101"), "steps[1].id: expected a whole number"),
	(with_step(1, type="visit"), "steps[1].type: unknown step type the text 'visit'"),
	(with_step(1, location=[52.5, 13.4, 0]), "steps[1].location: expected [lon, lat]"),
	(with_step(1, location=[13.4, 95.0]), "is not a [lon, lat] pair"),
	(with_step(1, location=["13.4", 52.5]), "expected [lon, lat] numbers"),
	(with_step(1, location=[10**400, 52.5]), "expected [lon, lat] numbers"),
	(with_step(1, service=-1), "steps[1].service: -1 is below 0"),
	(with_step(1, setup="kurz"), "steps[1].setup: expected a whole number"),
	(with_step(1, description=5), "steps[1].description: expected text"),
	({**ROUTE, "steps": []}, "steps: expected a non-empty list"),
	({**ROUTE, "vehicle": "seven"}, "vehicle: expected a whole number"),
	({"steps": ROUTE["steps"]}, "vehicle: required but missing"),
	("route 7", "expected an object, got the text 'route 7'"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROUTES)
def test_bad_route_is_a_record_error_and_left_out(bad: Any, message: str) -> None:
	plan = parse_solution(solution(ROUTE, bad, {**ROUTE, "vehicle": 8}), plan_start=PLAN_START)

	assert [route.vehicle_id for route in plan.routes] == [7, 8]
	(error,) = plan.errors
	assert error.index == 1
	assert message in error.message
	expected_id = (
		str(bad["vehicle"]) if isinstance(bad, dict) and isinstance(bad.get("vehicle"), int) else None
	)
	assert error.record_id == expected_id


def test_old_job_key_is_read() -> None:
	route = with_step(1, id=..., job=55)

	(parsed,) = parse_solution(solution(route), plan_start=PLAN_START).routes

	assert parsed.stops[1].job_id == 55


def test_bad_unassigned_entry() -> None:
	unassigned = [
		{"id": 9, "location": [13.0, 52.0]},
		{"location": [13.0, 52.0]},
		{"id": 10, "location": "Berlin"},
	]

	plan = parse_solution(solution(ROUTE, unassigned=unassigned), plan_start=PLAN_START)

	assert [job.job_id for job in plan.unassigned] == [9]
	assert [(error.index, error.record_id) for error in plan.unassigned_errors] == [(1, None), (2, "10")]


@pytest.mark.parametrize(
	("payload", "message"),
	[
		([], "a VROOM solution is a JSON object, got a list"),
		({}, "code must be a whole number, got null"),
		({"code": "0", "routes": []}, "code must be a whole number"),
		({"code": 0}, "routes must be a list, got null"),
		({"code": 0, "routes": {}}, "routes must be a list"),
		({"code": 0, "routes": [], "unassigned": 3}, "unassigned must be a list"),
		('{"code": 0, "routes": [', "payload is not valid JSON"),
	],
)
def test_not_a_vroom_solution(payload: Any, message: str) -> None:
	with pytest.raises(VroomFormatError, match=message):
		parse_solution(payload, plan_start=PLAN_START)


@pytest.mark.parametrize(
	("payload", "message"),
	[
		({"code": 2, "error": "Invalid vehicles."}, "VROOM returned code 2 (input error): Invalid vehicles."),
		({"code": 3}, "VROOM returned code 3 (routing error)"),
		({"code": 9, "error": 5}, "VROOM returned code 9 (unknown error)"),
	],
)
def test_solver_error(payload: Any, message: str) -> None:
	with pytest.raises(VroomSolverError) as raised:
		parse_solution(payload, plan_start=PLAN_START)

	assert str(raised.value) == message
	assert raised.value.code == payload["code"]


def test_plan_start_must_be_aware() -> None:
	with pytest.raises(InvalidArgumentError):
		parse_solution(recorded(), plan_start=datetime(2025, 3, 11, 6, 0))


def test_text_and_bytes_are_decoded() -> None:
	raw = FIXTURE.read_bytes()

	assert parse_solution(raw, plan_start=PLAN_START) == parse_solution(raw.decode(), plan_start=PLAN_START)

"""The connector simulator, exercised over real HTTP on 127.0.0.1 with the core parsers."""

import json
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from techsolutions_support.core import rfms
from techsolutions_support.core.mapping import parse_records
from techsolutions_support.core.vroom import parse_solution
from techsolutions_support.simulator import (
	FIXTURES_DIR,
	Simulator,
	generated_plate,
	generated_vin,
	start_simulator,
)

TIMEOUT = 5
ROOT = Path(__file__).resolve().parents[2]
DELIVERY_MAPPING = {"tracking_number": "shipment.trackingNo", "planned_eta": "eta.planned"}


@pytest.fixture
def sim() -> Iterator[Simulator]:
	simulator = start_simulator(page_size=6)
	yield simulator
	simulator.stop()


@pytest.fixture
def http() -> Iterator[requests.Session]:
	with requests.Session() as session:
		yield session


def get(http: requests.Session, sim: Simulator, path: str, **params: str) -> requests.Response:
	return http.get(sim.url + path, params=params, timeout=TIMEOUT)


def read_all(
	http: requests.Session,
	sim: Simulator,
	path: str,
	parse: Any,
	params: dict[str, str],
	headers: dict[str, str] | None = None,
) -> tuple[list[Any], int]:
	"""Follow the rFMS paging of `path` to the end; the records and the number of pages."""
	records: list[Any] = []
	pages = 0
	following: dict[str, str] | None = params
	while following is not None:
		response = http.get(sim.url + path, params=following, headers=headers, timeout=TIMEOUT)
		response.raise_for_status()
		result = parse(response.content)
		assert result.errors == ()
		records.extend(result.records)
		pages += 1
		following = rfms.next_request(following, result)
	return records, pages


def test_binds_an_ephemeral_port_on_loopback(sim: Simulator, http: requests.Session) -> None:
	assert sim.url == f"http://127.0.0.1:{sim.port}"
	assert sim.port > 0
	assert get(http, sim, "/_health").json() == {"status": "ok"}


def test_vehicles_are_paged_with_last_vin(sim: Simulator, http: requests.Session) -> None:
	first = get(http, sim, "/rfms/vehicles")
	body = first.json()

	assert first.headers["Content-Type"] == "application/json; rfms=vehicles.v4.0"
	assert body["moreDataAvailable"] is True
	last_vin = body["vehicleResponse"]["vehicles"][-1]["vin"]
	assert body["moreDataAvailableLink"] == f"/rfms/vehicles?lastVin={last_vin}"

	vehicles, pages = read_all(http, sim, "/rfms/vehicles", rfms.parse_vehicles, {})

	assert pages == 4
	assert len(vehicles) == len({vehicle.vin for vehicle in vehicles}) == 20


def test_latest_positions_one_per_vehicle(sim: Simulator, http: requests.Session) -> None:
	positions, pages = read_all(
		http, sim, "/rfms/vehiclepositions", rfms.parse_positions, {"latestOnly": "true"}
	)

	assert pages == 4
	assert len({position.vin for position in positions}) == len(positions) == 20
	# The recorded positions are at about 06:xx, 07:xx and 08:xx UTC; the latest are the 08:xx ones.
	assert all(position.received_at.hour == 8 for position in positions)


@pytest.mark.parametrize(
	("params", "expected"),
	[
		({"starttime": "2025-03-11T00:00:00Z"}, 60),
		({"starttime": "2025-03-11T07:30:00Z"}, 20),
		({"starttime": "2025-03-11T07:30:00+01:00"}, 40),
		({"starttime": "2025-03-11T07:00:00Z", "stoptime": "2025-03-11T08:00:00Z"}, 20),
		({"starttime": "2025-03-11T07:01:00Z", "datetype": "created", "stoptime": "2025-03-11T07:02:00Z"}, 1),
		({"starttime": "2025-03-11T00:00:00Z", "vin": "YV2RP3US3SJ322061"}, 3),
		({"starttime": "2025-03-11T09:00:00Z"}, 0),
	],
)
def test_positions_by_time(
	sim: Simulator, http: requests.Session, params: dict[str, str], expected: int
) -> None:
	positions, _ = read_all(http, sim, "/rfms/vehiclepositions", rfms.parse_positions, params)

	assert len(positions) == len({(position.vin, position.received_at) for position in positions}) == expected
	start = datetime.fromisoformat(params["starttime"])
	moment = "created_at" if params.get("datetype") == "created" else "received_at"
	assert all(getattr(position, moment) >= start for position in positions)


def test_statuses_by_time(sim: Simulator, http: requests.Session) -> None:
	statuses, pages = read_all(
		http, sim, "/rfms/vehiclestatuses", rfms.parse_statuses, {"starttime": "2025-03-11T00:00:00Z"}
	)

	assert (len(statuses), pages) == (40, 7)
	assert {status.state for status in statuses} == set(rfms.VehicleState)


@pytest.mark.parametrize(
	("params", "message"),
	[
		({}, "either starttime or latestOnly=true is required"),
		({"latestOnly": "false"}, "either starttime or latestOnly=true is required"),
		(
			{"latestOnly": "true", "starttime": "2025-03-11T00:00:00Z"},
			"latestOnly cannot be combined with starttime or stoptime",
		),
		({"latestOnly": "maybe"}, "latestOnly must be true or false"),
		({"starttime": "2025-03-11T00:00:00"}, "starttime needs a time zone"),
		({"starttime": "gestern"}, "starttime must be an ISO 8601 date-time"),
		({"starttime": "2025-03-11T00:00:00Z", "datetype": "sent"}, "datetype must be received or created"),
	],
)
def test_invalid_report_queries(
	sim: Simulator, http: requests.Session, params: dict[str, str], message: str
) -> None:
	response = get(http, sim, "/rfms/vehiclestatuses", **params)

	assert response.status_code == 400
	assert response.json() == {"error": "invalid_request", "error_description": message}


def test_a_page_never_ends_inside_a_second(tmp_path: Path, http: requests.Session) -> None:
	fixtures = tmp_path / "connectors"
	shutil.copytree(FIXTURES_DIR, fixtures)
	positions_file = fixtures / "rfms" / "vehiclepositions.json"
	data = json.loads(positions_file.read_text(encoding="utf-8"))
	items = data["vehiclePositionResponse"]["vehiclePositions"]
	for item in items[:5]:
		item["receivedDateTime"] = "2025-03-11T05:00:00.250Z"
	positions_file.write_text(json.dumps(data), encoding="utf-8")

	with start_simulator(fixtures=fixtures, page_size=2) as sim:
		first = get(http, sim, "/rfms/vehiclepositions", starttime="2025-03-11T00:00:00Z").json()
		positions, _ = read_all(
			http, sim, "/rfms/vehiclepositions", rfms.parse_positions, {"starttime": "2025-03-11T00:00:00Z"}
		)

	assert len(first["vehiclePositionResponse"]["vehiclePositions"]) == 5
	assert first["moreDataAvailableLink"] == "/rfms/vehiclepositions?starttime=2025-03-11T05%3A00%3A01Z"
	assert len(positions) == len({(position.vin, position.created_at) for position in positions}) == 60


def test_429_with_retry_after_for_the_next_requests(sim: Simulator, http: requests.Session) -> None:
	sim.set(fail_429=2, retry_after_s=3)

	answers = [get(http, sim, "/rfms/vehicles") for _ in range(3)]

	assert [answer.status_code for answer in answers] == [429, 429, 200]
	assert answers[0].headers["Retry-After"] == "3"
	assert sim.counters()["faults"] == {"fail_429": 2}
	assert sim.counters()["by_status"] == {"429": 2, "200": 1}


def test_500_for_the_next_requests(sim: Simulator, http: requests.Session) -> None:
	sim.set(fail_500=1)

	answers = [get(http, sim, "/rfms/vehiclepositions", latestOnly="true") for _ in range(2)]

	assert [answer.status_code for answer in answers] == [500, 200]


def test_malformed_record_in_one_page(sim: Simulator, http: requests.Session) -> None:
	sim.set(malformed=1)

	bad = rfms.parse_positions(get(http, sim, "/rfms/vehiclepositions", latestOnly="true").content)
	good = rfms.parse_positions(get(http, sim, "/rfms/vehiclepositions", latestOnly="true").content)

	(error,) = bad.errors
	assert (error.index, len(bad.records)) == (3, 5)
	assert error.record_id is not None
	assert "has no time zone" in error.message
	assert (good.errors, len(good.records)) == ((), 6)


@pytest.mark.parametrize(
	("path", "parse"),
	[("/rfms/vehicles", rfms.parse_vehicles), ("/rfms/vehiclestatuses", rfms.parse_statuses)],
)
def test_malformed_record_per_resource(sim: Simulator, http: requests.Session, path: str, parse: Any) -> None:
	sim.set(malformed=1)
	params = {} if path.endswith("vehicles") else {"latestOnly": "true"}

	result = parse(http.get(sim.url + path, params=params, timeout=TIMEOUT).content)

	assert len(result.errors) == 1
	assert len(result.records) == 5


def test_broken_page(sim: Simulator, http: requests.Session) -> None:
	sim.set(broken=1)

	broken = get(http, sim, "/rfms/vehicles")
	repaired = get(http, sim, "/rfms/vehicles")

	assert broken.status_code == 200
	with pytest.raises(rfms.RfmsFormatError, match="not valid JSON"):
		rfms.parse_vehicles(broken.content)
	assert len(rfms.parse_vehicles(repaired.content).records) == 6


def test_api_key(http: requests.Session) -> None:
	with start_simulator(auth="api_key", api_key="k-123") as sim:
		missing = get(http, sim, "/rfms/vehicles")
		wrong = http.get(sim.url + "/rfms/vehicles", headers={"X-API-Key": "k-12"}, timeout=TIMEOUT)
		right = http.get(sim.url + "/rfms/vehicles", headers={"X-API-Key": "k-123"}, timeout=TIMEOUT)

	assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
	assert missing.json()["error"] == "invalid_api_key"


def test_oauth2_client_credentials(http: requests.Session) -> None:
	with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim") as sim:
		token_url = sim.url + "/oauth/token"
		grant = {"grant_type": "client_credentials"}
		by_basic = http.post(token_url, data=grant, auth=("ts", "geheim"), timeout=TIMEOUT)
		by_form = http.post(
			token_url, data={**grant, "client_id": "ts", "client_secret": "geheim"}, timeout=TIMEOUT
		)
		wrong = http.post(token_url, data=grant, auth=("ts", "falsch"), timeout=TIMEOUT)
		other_grant = http.post(
			token_url, data={"grant_type": "password"}, auth=("ts", "geheim"), timeout=TIMEOUT
		)
		token = by_basic.json()["access_token"]
		without = get(http, sim, "/rfms/vehicles")
		with_token = http.get(
			sim.url + "/rfms/vehicles", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
		)
		issued = sim.counters()["tokens_issued"]

	assert by_basic.status_code == by_form.status_code == 200
	assert by_basic.json()["token_type"] == "Bearer"
	assert by_basic.json()["expires_in"] == 3600
	assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
	assert (other_grant.status_code, other_grant.json()["error"]) == (400, "unsupported_grant_type")
	assert without.status_code == 401
	assert without.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
	assert with_token.status_code == 200
	assert issued == 2


def test_oauth2_token_expires(http: requests.Session) -> None:
	with start_simulator(auth="oauth2", token_ttl_s=0) as sim:
		token = http.post(
			sim.url + "/oauth/token",
			data={"grant_type": "client_credentials"},
			auth=("sim-client", "sim-secret"),
			timeout=TIMEOUT,
		).json()["access_token"]
		expired = http.get(
			sim.url + "/rfms/vehicles", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
		)

	assert expired.status_code == 401
	assert expired.json()["error_description"] == "access token expired"


def test_control_endpoint(sim: Simulator, http: requests.Session) -> None:
	get(http, sim, "/rfms/vehicles")

	changed = http.post(sim.url + "/_control", json={"page_size": 25, "fail_500": 1}, timeout=TIMEOUT)
	refused = http.post(sim.url + "/_control", json={"page_size": 0}, timeout=TIMEOUT)
	unknown = http.post(sim.url + "/_control", json={"speed": 1}, timeout=TIMEOUT)
	failing = get(http, sim, "/rfms/vehicles")
	whole = get(http, sim, "/rfms/vehicles")
	state = http.get(sim.url + "/_control", timeout=TIMEOUT).json()
	reset = http.post(sim.url + "/_control", json={"reset_counters": True}, timeout=TIMEOUT).json()

	assert changed.json()["switches"]["page_size"] == 25
	assert (refused.status_code, unknown.status_code) == (400, 400)
	assert unknown.json()["error_description"] == "unknown switch 'speed'"
	assert failing.status_code == 500
	assert len(whole.json()["vehicleResponse"]["vehicles"]) == 20
	assert state["switches"]["fail_500"] == 0
	assert state["counters"]["by_path"] == {"/rfms/vehicles": 3}
	assert reset["counters"]["requests"] == 0


def test_latency(sim: Simulator, http: requests.Session) -> None:
	sim.set(latency_ms=150)

	started = time.monotonic()
	get(http, sim, "/rfms/vehicles")

	assert time.monotonic() - started >= 0.15


def test_unknown_path_and_method(sim: Simulator, http: requests.Session) -> None:
	assert get(http, sim, "/rfms/trailers").status_code == 404
	assert http.post(sim.url + "/rfms/vehicles", timeout=TIMEOUT).status_code == 405
	assert http.get(sim.url + "/oauth/token", timeout=TIMEOUT).status_code == 405


def test_generated_fleet_of_ten_thousand(http: requests.Session) -> None:
	with start_simulator(generate=10_000, page_size=1_000) as sim:
		started = time.monotonic()
		vehicles, vehicle_pages = read_all(http, sim, "/rfms/vehicles", rfms.parse_vehicles, {})
		positions, position_pages = read_all(
			http, sim, "/rfms/vehiclepositions", rfms.parse_positions, {"starttime": "2025-03-11T00:00:00Z"}
		)
		statuses, _ = read_all(
			http, sim, "/rfms/vehiclestatuses", rfms.parse_statuses, {"latestOnly": "true"}
		)
		elapsed = time.monotonic() - started
		requests_made = sim.request_count()

	assert (len(vehicles), vehicle_pages, len(positions), position_pages, len(statuses)) == (
		10_000,
		10,
		10_000,
		10,
		10_000,
	)
	assert len({vehicle.vin for vehicle in vehicles}) == 10_000
	assert len({vehicle.name for vehicle in vehicles}) == 10_000
	assert vehicles[42].vin == generated_vin(42) == "WTSGEN000SB000042"
	assert vehicles[42].name == generated_plate(42) == "M-TE 1"
	assert requests_made == 30
	assert elapsed < 30


def test_generated_fleet_is_deterministic(http: requests.Session) -> None:
	pages = []
	for _ in range(2):
		with start_simulator(generate=50, page_size=50) as sim:
			body = get(http, sim, "/rfms/vehiclestatuses", latestOnly="true").json()
			body.pop("requestServerDateTime")
			pages.append(body)

	assert pages[0] == pages[1]
	states = [status.state for status in rfms.parse_statuses(pages[0]).records]
	assert states.count(rfms.VehicleState.IGNITION_OFF) == 8
	assert states.count(rfms.VehicleState.FAULT) == 1


def test_vroom_solution(sim: Simulator, http: requests.Session) -> None:
	plan_start = datetime(2025, 3, 11, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))

	plan = parse_solution(get(http, sim, "/vroom/solution").content, plan_start=plan_start)
	sim.set(malformed=1)
	damaged = parse_solution(get(http, sim, "/vroom/solution").content, plan_start=plan_start)

	assert (len(plan.routes), len(plan.unassigned), plan.errors) == (5, 1, ())
	assert len(damaged.routes) == 4
	assert [(error.index, error.record_id) for error in damaged.errors] == [(2, "3")]


def test_generic_deliveries_paged(sim: Simulator, http: requests.Session) -> None:
	berlin = ZoneInfo("Europe/Berlin")
	records: list[Any] = []
	link: str | None = "/generic/deliveries"
	pages = 0
	while link is not None:
		response = http.get(sim.url + link, timeout=TIMEOUT)
		result = parse_records(
			response.content, "data.deliveries", DELIVERY_MAPPING, berlin, next_link_path="paging.next"
		)
		records.extend(result.records)
		link = result.next_link
		pages += 1

	assert pages == 4
	assert len({record.external_id for record in records}) == len(records) == 21


def test_generic_deliveries_since_and_malformed(sim: Simulator, http: requests.Session) -> None:
	berlin = ZoneInfo("Europe/Berlin")
	sim.set(page_size=50, malformed=1)

	recent = get(http, sim, "/generic/deliveries", since="2025-03-11T07:30:00Z")
	result = parse_records(
		recent.content, "data.deliveries", DELIVERY_MAPPING, berlin, next_link_path="paging.next"
	)

	assert result.item_count == 7
	(error,) = result.errors
	assert "'bald' is not an ISO 8601 date-time" in error.message
	assert all(str(record["tracking_number"]) >= "TS2503110015" for record in result.records)
	assert get(http, sim, "/generic/deliveries", page="0").status_code == 400


def test_invalid_switch_at_start() -> None:
	with pytest.raises(ValueError, match="unknown switch 'colour'"):
		start_simulator(colour="red")
	with pytest.raises(ValueError, match="auth must be one of"):
		start_simulator(auth="ldap")


def test_stop_closes_the_port() -> None:
	sim = start_simulator()
	url = sim.url

	sim.stop()

	with pytest.raises(requests.ConnectionError):
		requests.get(url + "/_health", timeout=TIMEOUT)


def test_runs_as_a_module_for_the_demo() -> None:
	process = subprocess.Popen(
		[sys.executable, "-m", "techsolutions_support.simulator", "--port", "0", "--page-size", "5"],
		cwd=ROOT,
		stdout=subprocess.PIPE,
		text=True,
		env={"PYTHONPATH": str(ROOT / "apps" / "techsolutions_support")},
	)
	assert process.stdout is not None
	try:
		ready, _, _ = select.select([process.stdout], [], [], 20)
		assert ready, "the simulator did not print its URL"
		url = process.stdout.readline().strip()
		body = requests.get(url + "/rfms/vehicles", timeout=TIMEOUT).json()
	finally:
		process.terminate()
		process.wait(timeout=10)

	assert url.startswith("http://127.0.0.1:")
	assert len(body["vehicleResponse"]["vehicles"]) == 5


def test_times_in_generated_pages_are_utc(http: requests.Session) -> None:
	with start_simulator(generate=3) as sim:
		(position, *_) = rfms.parse_positions(
			get(http, sim, "/rfms/vehiclepositions", latestOnly="true").content
		).records

	assert position.received_at == datetime(2025, 3, 11, 5, 0, tzinfo=UTC)

from datetime import UTC, date, datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from techsolutions_support.core.mapping import (
	InvalidArgumentError,
	MappedRecord,
	compile_mapping,
)
from techsolutions_support.core.rfms import Position, Status, TellTale, Vehicle, VehicleState
from techsolutions_support.core.sync import (
	Change,
	ErrorSamples,
	RateLimiter,
	RetryPolicy,
	classify,
	delay_minutes,
	delivery_values,
	fingerprint,
	is_newer,
	latest_per_vin,
	local_naive,
	normalise_status,
	normalise_tracking_number,
	parse_retry_after,
	parse_stamp,
	position_values,
	record_time,
	route_code,
	status_values,
	utc_stamp,
	vehicle_values,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 11, 8, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
	return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
	("header", "expected"),
	[
		(None, None),
		("", None),
		("7", 7.0),
		(" 120 ", 120.0),
		("Tue, 11 Mar 2025 08:00:30 GMT", 30.0),
		("Tue, 11 Mar 2025 07:59:00 GMT", 0.0),
		("soon", None),
	],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
	assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize(
	("attempt", "retry_after", "expected"),
	[
		(1, None, 1.0),
		(2, None, 2.0),
		(3, None, 4.0),
		(4, None, 8.0),
		(5, None, None),
		(1, 3.0, 3.0),
		(1, 0.0, 0.0),
		(1, 60.0, 60.0),
		(1, 61.0, None),
	],
)
def test_retry_policy(attempt: int, retry_after: float | None, expected: float | None) -> None:
	policy = RetryPolicy(max_attempts=5, base_s=1.0, max_wait_s=60.0)

	assert policy.delay(attempt, retry_after) == expected


def test_retry_policy_caps_the_doubling() -> None:
	policy = RetryPolicy(max_attempts=20, base_s=1.0, max_wait_s=10.0)

	assert [policy.delay(attempt) for attempt in (4, 5, 9)] == [8.0, 10.0, 10.0]


@pytest.mark.parametrize("arguments", [{"max_attempts": 0}, {"base_s": -1.0}, {"max_wait_s": float("inf")}])
def test_retry_policy_rejects_bad_settings(arguments: dict[str, float]) -> None:
	with pytest.raises(InvalidArgumentError):
		RetryPolicy(**arguments)  # type: ignore[arg-type]


def test_rate_limiter_spaces_requests() -> None:
	limiter = RateLimiter(per_minute=30)

	# Requests wanted at 0 s, 0.5 s, 1 s and 10 s: two seconds apart at least.
	assert [limiter.wait(now) for now in (0.0, 0.5, 1.0, 10.0)] == [0.0, 1.5, 3.0, 0.0]


def test_rate_limiter_without_limit() -> None:
	limiter = RateLimiter(per_minute=0)

	assert [limiter.wait(now) for now in (0.0, 0.0, 0.0)] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_rate_limiter_rejects(bad: object) -> None:
	with pytest.raises(InvalidArgumentError):
		RateLimiter(per_minute=bad)  # type: ignore[arg-type]


def test_fingerprint_is_stable() -> None:
	first = {"vin": "WDB8AZFPMRD883528", "lat": 52.1234567, "at": utc(2025, 3, 11, 8, 0)}
	same = {
		"at": datetime(2025, 3, 11, 9, 0, tzinfo=BERLIN),
		"lat": 52.12345670001,
		"vin": "WDB8AZFPMRD883528",
	}
	moved = {**first, "lat": 52.2}

	assert fingerprint(first) == fingerprint(same)
	assert fingerprint(first) != fingerprint(moved)


@pytest.mark.parametrize(
	("stored", "incoming", "exists", "expected"),
	[
		(None, "a", False, Change.CREATED),
		(None, "a", True, Change.UPDATED),
		("a", "a", True, Change.UNCHANGED),
		("a", "b", True, Change.UPDATED),
	],
)
def test_classify(stored: str | None, incoming: str, exists: bool, expected: Change) -> None:
	assert classify(stored, incoming, exists=exists) is expected


@pytest.mark.parametrize(
	("moment", "zone", "expected"),
	[
		(utc(2025, 3, 11, 7, 18), BERLIN, datetime(2025, 3, 11, 8, 18)),
		(utc(2025, 7, 11, 7, 18), BERLIN, datetime(2025, 7, 11, 9, 18)),
		# Around the autumn clock change: 00:30 and 01:30 UTC are both 02:30 wall time in Berlin.
		(utc(2025, 10, 26, 0, 30), BERLIN, datetime(2025, 10, 26, 2, 30)),
		(utc(2025, 10, 26, 1, 30), BERLIN, datetime(2025, 10, 26, 2, 30)),
		(
			datetime(2025, 3, 11, 8, 0, tzinfo=timezone(timedelta(hours=-5))),
			UTC,
			datetime(2025, 3, 11, 13, 0),
		),
	],
)
def test_local_naive(moment: datetime, zone: ZoneInfo, expected: datetime) -> None:
	assert local_naive(moment, zone) == expected


def test_local_naive_refuses_naive_times() -> None:
	with pytest.raises(InvalidArgumentError):
		local_naive(datetime(2025, 3, 11, 8, 0), BERLIN)


def test_stamps_compare_across_the_autumn_hour() -> None:
	first, second = utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)

	assert utc_stamp(first) == "2025-10-26T00:30:00.000000Z"
	assert parse_stamp(utc_stamp(second)) == second
	assert is_newer(second, utc_stamp(first))
	assert not is_newer(first, utc_stamp(second))
	assert not is_newer(first, utc_stamp(first))
	assert is_newer(first, None)
	assert parse_stamp("gestern") is None


VEHICLE = Vehicle(
	vin="WDBN1NRJAPZ107337",
	name="B-TS 1004",
	brand="DAIMLER",
	model="Actros 1845",
	vehicle_type="TRUCK",
	production_date=None,
	emission_level=None,
	gearbox_type=None,
	fuel_types=(),
)


@pytest.mark.parametrize(
	("name", "brand", "expected"),
	[
		(
			"B-TS 1004",
			"DAIMLER",
			{
				"vin": VEHICLE.vin,
				"plate": "B-TS 1004",
				"plate_key": "BTS1004",
				"model": "Mercedes-Benz Actros 1845",
			},
		),
		(
			"HH-TS 45E",
			"VOLVO TRUCKS",
			{"vin": VEHICLE.vin, "plate": "HH-TS 45E", "plate_key": "HHTS45", "model": "Volvo Actros 1845"},
		),
		(
			"BTS1004",
			"MAN",
			{"vin": VEHICLE.vin, "plate": "BTS1004", "plate_key": "BTS1004", "model": "MAN Actros 1845"},
		),
		# Not a plate: the stored plate is left alone.
		("Kühlzug 7", "ACME", {"vin": VEHICLE.vin, "model": "ACME Actros 1845"}),
		(None, None, {"vin": VEHICLE.vin, "model": "Actros 1845"}),
	],
)
def test_vehicle_values(name: str | None, brand: str | None, expected: dict[str, str]) -> None:
	assert vehicle_values(_vehicle(name, brand)) == expected


def _vehicle(name: str | None, brand: str | None) -> Vehicle:
	return Vehicle(
		vin=VEHICLE.vin,
		name=name,
		brand=brand,
		model=VEHICLE.model,
		vehicle_type=None,
		production_date=None,
		emission_level=None,
		gearbox_type=None,
		fuel_types=(),
	)


def _position(vin: str, at: datetime, lat: float = 52.158) -> Position:
	return Position(
		vin=vin,
		at=at,
		created_at=at,
		received_at=at + timedelta(seconds=7),
		lat=lat,
		lon=11.702,
		heading=246,
		altitude_m=50,
		speed=0.0,
		trigger="TIMER",
	)


def test_position_values_in_the_system_zone() -> None:
	values = position_values(_position("V1", utc(2025, 3, 11, 8, 3, 59)), BERLIN)

	assert values == {
		"latitude": 52.158,
		"longitude": 11.702,
		"speed_kmh": 0.0,
		"heading": 246,
		"position_at": datetime(2025, 3, 11, 9, 3, 59),
		"position_stamp": "2025-03-11T08:03:59.000000Z",
	}


def test_status_values() -> None:
	status = Status(
		vin="V1",
		at=utc(2025, 3, 11, 8, 4, 30),
		received_at=utc(2025, 3, 11, 8, 4, 42),
		trigger="TELL_TALE",
		ignition=True,
		speed=0.0,
		engine_speed=600.0,
		odometer_m=209_370_499,
		fuel_used_ml=None,
		fuel_level_pct=66.0,
		gross_weight_kg=None,
		driver_id="DF00001000031676",
		lat=None,
		lon=None,
		tell_tales=(TellTale("ENGINE_OIL", "OFF"), TellTale("ENGINE_COOLANT_TEMPERATURE", "RED")),
		service_distance_m=None,
		state=VehicleState.FAULT,
	)

	assert status_values(status, BERLIN) == {
		"state": "fault",
		"ignition": "On",
		"red_tell_tales": "ENGINE_COOLANT_TEMPERATURE",
		"odometer_km": 209370.5,
		"fuel_level_pct": 66.0,
		"status_at": datetime(2025, 3, 11, 9, 4, 30),
		"status_stamp": "2025-03-11T08:04:30.000000Z",
	}


def test_latest_per_vin() -> None:
	reports = [
		_position("V1", utc(2025, 3, 11, 6, 0), lat=1.0),
		_position("V2", utc(2025, 3, 11, 7, 0), lat=2.0),
		_position("V1", utc(2025, 3, 11, 8, 0), lat=3.0),
		_position("V1", utc(2025, 3, 11, 7, 0), lat=4.0),
	]

	latest = latest_per_vin(reports)

	assert {vin: position.lat for vin, position in latest.items()} == {"V1": 3.0, "V2": 2.0}


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("DELIVERED", "Delivered"),
		("in transit", "In Transit"),
		("In-Transit", "In Transit"),
		("DELAYED", "Delayed"),
		("verspätet", "Delayed"),
		("PLANNED", "Planned"),
		("canceled", "Cancelled"),
		("LOST_IN_SPACE", None),
		("", None),
		(None, None),
	],
)
def test_normalise_status(text: str | None, expected: str | None) -> None:
	assert normalise_status(text) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("TS2503110001", "TS2503110001"),
		("ts 2503 1100 01", "TS2503110001"),
		("TS-2503110001", "TS2503110001"),
		(None, ""),
	],
)
def test_normalise_tracking_number(text: str | None, expected: str) -> None:
	assert normalise_tracking_number(text) == expected


@pytest.mark.parametrize(
	("planned", "current", "given", "expected"),
	[
		(utc(2025, 3, 11, 8, 33), utc(2025, 3, 11, 9, 23), None, 50),
		(utc(2025, 3, 11, 8, 33), utc(2025, 3, 11, 8, 20), None, -13),
		(utc(2025, 3, 11, 8, 33), utc(2025, 3, 11, 8, 33, 29), None, 0),
		(utc(2025, 3, 11, 8, 33), utc(2025, 3, 11, 9, 23), 240, 240),
		(None, utc(2025, 3, 11, 9, 23), None, None),
		(utc(2025, 3, 11, 8, 33), None, None, None),
	],
)
def test_delay_minutes(
	planned: datetime | None, current: datetime | None, given: int | None, expected: int | None
) -> None:
	assert delay_minutes(planned, current, given) == expected


def test_delivery_values() -> None:
	record = MappedRecord(
		external_id="TS2503110013",
		values=MappingProxyType(
			{
				"tracking_number": "TS2503110013",
				"consignee": "Möbelhaus Kranich AG",
				"planned_eta": utc(2025, 3, 11, 8, 33),
				"current_eta": utc(2025, 3, 11, 9, 23),
				"status": "DELAYED",
				"vehicle_ref": "B-TS 1004",
				"updated_at": utc(2025, 3, 11, 7, 26),
			}
		),
	)

	assert delivery_values(record, BERLIN) == {
		"tracking_number": "TS2503110013",
		"consignee": "Möbelhaus Kranich AG",
		"vehicle_ref": "B-TS 1004",
		"planned_eta": datetime(2025, 3, 11, 9, 33),
		"current_eta": datetime(2025, 3, 11, 10, 23),
		"updated_at": datetime(2025, 3, 11, 8, 26),
		"source_status": "DELAYED",
		"status": "Delayed",
		"delay_minutes": 50,
		"delay_known": True,
	}


@pytest.mark.parametrize(
	("fields", "expected"),
	[
		# A planned ETA alone, or a current ETA alone, does not tell the delay: unknown, not 0.
		({"planned_eta": utc(2025, 3, 11, 8, 33)}, (None, False)),
		({"current_eta": utc(2025, 3, 11, 8, 33)}, (None, False)),
		({"planned_eta": None, "current_eta": None, "delay_minutes": None}, (None, False)),
		({"delay_minutes": 0}, (0, True)),
		({"planned_eta": utc(2025, 3, 11, 8, 33), "current_eta": utc(2025, 3, 11, 8, 33)}, (0, True)),
	],
)
def test_unknown_delay_is_none_and_flagged(fields: dict, expected: tuple) -> None:
	record = MappedRecord(external_id="TS1", values=MappingProxyType({"tracking_number": "TS1", **fields}))

	values = delivery_values(record, BERLIN)

	assert (values["delay_minutes"], values["delay_known"]) == expected


def test_delivery_values_leave_unmapped_fields_out() -> None:
	record = MappedRecord(external_id="TS1", values=MappingProxyType({"tracking_number": "ts 1"}))

	assert delivery_values(record, BERLIN) == {"tracking_number": "TS1"}


def test_record_time_of_a_failed_record() -> None:
	mapping = compile_mapping({"tracking_number": "id", "planned_eta": "eta", "updated_at": "updatedAt"})
	bad = {"id": "TS1", "eta": "bald", "updatedAt": "2025-03-11T08:26"}

	assert record_time(bad, mapping, "updated_at", BERLIN) == utc(2025, 3, 11, 7, 26)
	assert record_time({"id": "TS1", "updatedAt": "gestern"}, mapping, "updated_at", BERLIN) is None
	assert record_time(bad, mapping, "delivered_at", BERLIN) is None


@pytest.mark.parametrize(
	("pattern", "expected"),
	[
		("R-{date:%Y%m%d}-{vehicle}", "R-20250311-3"),
		("R-{date:%Y-%m-%d}-{vehicle:02d}", "R-2025-03-11-03"),
		("{description}/{date:%d.%m.}", "B-TS 1004/11.03."),
	],
)
def test_route_code(pattern: str, expected: str) -> None:
	assert route_code(pattern, date(2025, 3, 11), 3, "B-TS 1004") == expected


@pytest.mark.parametrize("pattern", ["R-{day}", "R-{vehicle:%Y}", "  ", "{0}"])
def test_route_code_rejects(pattern: str) -> None:
	with pytest.raises(InvalidArgumentError):
		route_code(pattern, date(2025, 3, 11), 3)


def test_error_samples_keep_the_first_and_count_all() -> None:
	samples = ErrorSamples(limit=2)
	for index in range(5):
		samples.add("vehicles", f"V{index}", "bad")

	assert samples.total == 5
	assert [sample["id"] for sample in samples.samples] == ["V0", "V1"]

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.mapping import InvalidArgumentError, ParseResult
from techsolutions_support.core.rfms import (
	CursorStalledError,
	RfmsFormatError,
	TellTale,
	VehicleState,
	check_cursor_advances,
	derive_state,
	format_rfms_time,
	next_request,
	parse_positions,
	parse_statuses,
	parse_vehicles,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "connectors" / "rfms"


def load(name: str) -> Any:
	return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def plates_by_vin() -> dict[str, str | None]:
	return {vehicle.vin: vehicle.name for vehicle in parse_vehicles(load("vehicles.json")).records}


def page(envelope: str, key: str, items: list[Any], **extra: Any) -> dict[str, Any]:
	return {envelope: {key: items}, "moreDataAvailable": False, **extra}


POSITION = {
	"vin": "WDB963400RL400037",
	"triggerType": {"triggerType": "TIMER", "context": "RFMS"},
	"createdDateTime": "2025-03-11T07:01:00+01:00",
	"receivedDateTime": "2025-03-11T06:01:07Z",
	"gnssPosition": {
		"latitude": 52.381,
		"longitude": 12.452,
		"heading": 249,
		"altitude": 51,
		"speed": 79.5,
		"positionDateTime": "2025-03-11T06:00:59Z",
	},
	"wheelBasedSpeed": 79.0,
}

STATUS = {
	"vin": "WMA06XZZ9RY400259",
	"triggerType": {"triggerType": "TIMER", "context": "RFMS"},
	"createdDateTime": "2025-03-11T08:07:30Z",
	"receivedDateTime": "2025-03-11T08:07:44Z",
	"hrTotalVehicleDistance": 231270000,
	"engineTotalFuelUsed": 75758000,
	"grossCombinationVehicleWeight": 32291,
	"driver1Id": {
		"tachoDriverIdentification": {
			"driverIdentification": "DF00001000055433",
			"cardIssuingMemberState": "D",
		}
	},
	"snapshotData": {"wheelBasedSpeed": 0.0, "engineSpeed": 700.0, "fuelLevel1": 60.0},
	"uptimeData": {"tellTaleInfo": [{"tellTale": "ENGINE_OIL", "state": "OFF"}], "serviceDistance": 28700000},
}


def positions_page(*items: Any) -> dict[str, Any]:
	return page("vehiclePositionResponse", "vehiclePositions", list(items))


def statuses_page(*items: Any) -> dict[str, Any]:
	return page("vehicleStatusResponse", "vehicleStatuses", list(items))


def changed(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
	"""A deep copy of `record` with the dotted `path` set to `value` (or removed when value is ...)."""
	result = copy.deepcopy(record)
	*parents, last = path.split(".")
	target = result
	for key in parents:
		target = target[key]
	if value is ...:
		del target[last]
	else:
		target[last] = value
	return result


def test_recorded_vehicles() -> None:
	result = parse_vehicles(load("vehicles.json"))

	assert len(result.records) == 20
	assert result.errors == ()
	assert result.more_data_available is False
	first = result.records[0]
	assert (first.vin, first.name, first.brand, first.model) == (
		"WDB8AZFPMRD883528",
		"B-TS 1001",
		"DAIMLER",
		"Actros 1845",
	)
	assert first.vehicle_type == "TRUCK"
	assert first.production_date == date(2022, 6, 8)
	names = {vehicle.name for vehicle in result.records}
	assert {"B-TS 1001", "HB-TS 77", "M-TS 200", "HH-TS 31", "L-TS 405"} <= names


def test_recorded_positions_are_in_utc() -> None:
	result = parse_positions(load("vehiclepositions.json"))

	assert (len(result.records), result.errors) == (60, ())
	munich = [position for position in result.records if position.vin == "WMAZCXEYFSN608597"]
	# Sent as 07:18:00+01:00 (CET): stored as 06:18 UTC.
	assert munich[0].created_at == datetime(2025, 3, 11, 6, 18, tzinfo=UTC)
	assert munich[0].at == datetime(2025, 3, 11, 6, 17, 59, tzinfo=UTC)
	assert all(position.at.tzinfo is UTC for position in result.records)
	assert result.server_time == datetime(2025, 3, 11, 8, 30, tzinfo=UTC)


# Latest status (08:xx) of each special vehicle: state, ignition, speed.
RECORDED_STATES = [
	("B-TS 1001", VehicleState.MOVING, True, 72.0),
	("B-TS 1003", VehicleState.STOPPED, True, 0.0),
	("B-TS 1005", VehicleState.IGNITION_OFF, False, 0.0),
	("B-TS 1007", VehicleState.FAULT, True, 0.0),
	("B-TS 1008", VehicleState.MOVING, True, 87.0),
	("B-TS 1010", VehicleState.IGNITION_OFF, False, 0.0),
	("B-TS 1013", VehicleState.STOPPED, None, 0.0),
	("B-TS 1015", VehicleState.STOPPED, True, 0.0),
	("HB-TS 77", VehicleState.UNKNOWN, None, None),
	("L-TS 405", VehicleState.MOVING, True, 86.0),
	# The pilot's breakdown ticket: B-TS 1004 standing on the A2, engine running.
	("B-TS 1004", VehicleState.STOPPED, True, 0.0),
]


@pytest.mark.parametrize(("plate", "state", "ignition", "speed"), RECORDED_STATES)
def test_recorded_statuses(
	plate: str, state: VehicleState, ignition: bool | None, speed: float | None
) -> None:
	result = parse_statuses(load("vehiclestatuses.json"))
	plates = plates_by_vin()
	latest = max(
		(status for status in result.records if plates[status.vin] == plate), key=lambda status: status.at
	)

	assert (latest.state, latest.ignition, latest.speed) == (state, ignition, speed)


def test_recorded_fault_names_the_red_lamp() -> None:
	result = parse_statuses(load("vehiclestatuses.json"))
	faults = [status for status in result.records if status.state is VehicleState.FAULT]

	(fault,) = faults
	assert fault.trigger == "TELL_TALE"
	assert fault.red_tell_tales == (TellTale("ENGINE_COOLANT_TEMPERATURE", "RED"),)
	assert (fault.odometer_m, fault.fuel_used_ml, fault.gross_weight_kg) == (231270000, 75758000, 32291)
	assert fault.driver_id == "DF00001000055433"
	assert (fault.lat, fault.lon) == (51.749, 12.385)


def test_position_fields() -> None:
	(position,) = parse_positions(positions_page(POSITION)).records

	assert position.vin == "WDB963400RL400037"
	assert position.at == datetime(2025, 3, 11, 6, 0, 59, tzinfo=UTC)
	assert position.created_at == datetime(2025, 3, 11, 6, 1, tzinfo=UTC)
	assert position.received_at == datetime(2025, 3, 11, 6, 1, 7, tzinfo=UTC)
	assert (position.lat, position.lon, position.heading, position.altitude_m) == (52.381, 12.452, 249, 51)
	# Wheel-based speed wins over the GNSS speed.
	assert position.speed == 79.0
	assert position.trigger == "TIMER"


def test_position_without_fix_uses_created_time() -> None:
	(position,) = parse_positions(positions_page(changed(POSITION, "gnssPosition", ...))).records

	assert not position.has_fix
	assert position.at == datetime(2025, 3, 11, 6, 1, tzinfo=UTC)


# Mutation of a valid position -> words the record error must contain.
BAD_POSITIONS = [
	("vin", ..., "vin: required"),
	("vin", 12345, "vin: expected text"),
	("createdDateTime", "2025-03-11T07:01:00", "createdDateTime: '2025-03-11T07:01:00' has no time zone"),
	("receivedDateTime", "gestern", "receivedDateTime: the text 'gestern' is not an ISO 8601"),
	("receivedDateTime", ..., "receivedDateTime: required"),
	("gnssPosition.latitude", 95.0, "gnssPosition.latitude: 95.0 is out of range"),
	("gnssPosition.longitude", "12.4", "gnssPosition.longitude: expected a number"),
	("gnssPosition.latitude", ..., "latitude and longitude are required"),
	("gnssPosition.heading", 12.5, "gnssPosition.heading: expected a whole number"),
	("gnssPosition.positionDateTime", "2025-03-11 06:00", "has no time zone"),
	("gnssPosition", [52.3, 12.4], "gnssPosition: expected an object"),
	("wheelBasedSpeed", -3, "wheelBasedSpeed: -3 is out of range"),
	("wheelBasedSpeed", True, "wheelBasedSpeed: expected a number"),
	("wheelBasedSpeed", 10**400, "wheelBasedSpeed: expected a number, got a number too large to use"),
	(
		"createdDateTime",
		"0001-01-01T00:00:00+05:00",
		"createdDateTime: '0001-01-01T00:00:00+05:00' is out of range",
	),
	("triggerType", ..., "triggerType: required"),
	("triggerType.triggerType", ..., "triggerType.triggerType: required"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD_POSITIONS)
def test_bad_position_is_a_record_error(path: str, value: Any, message: str) -> None:
	bad = changed(POSITION, path, value)

	result = parse_positions(positions_page(POSITION, bad, POSITION))

	assert len(result.records) == 2
	(error,) = result.errors
	assert error.index == 1
	assert message in error.message
	expected_id = bad["vin"] if isinstance(bad.get("vin"), str) else None
	assert error.record_id == expected_id


BAD_STATUSES = [
	("hrTotalVehicleDistance", "viel", "hrTotalVehicleDistance: expected a number"),
	("hrTotalVehicleDistance", -1, "out of range"),
	("snapshotData", "an", "snapshotData: expected an object"),
	("snapshotData.ignition", "yes", "snapshotData.ignition: expected true or false"),
	("snapshotData.fuelLevel1", 101, "snapshotData.fuelLevel1: 101 is out of range"),
	("uptimeData.tellTaleInfo", {"tellTale": "ENGINE_OIL"}, "uptimeData.tellTaleInfo: expected a list"),
	("uptimeData.tellTaleInfo", [{"tellTale": "ENGINE_OIL"}], "tellTale and state are required"),
	("driver1Id", "DF123", "driver1Id: expected an object"),
	("createdDateTime", "2025-03-11", "has no time zone"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD_STATUSES)
def test_bad_status_is_a_record_error(path: str, value: Any, message: str) -> None:
	result = parse_statuses(statuses_page(changed(STATUS, path, value), STATUS))

	assert len(result.records) == 1
	(error,) = result.errors
	assert (error.index, error.record_id) == (0, "WMA06XZZ9RY400259")
	assert message in error.message


def test_record_that_is_not_an_object() -> None:
	result = parse_vehicles(
		page("vehicleResponse", "vehicles", ["WDB963400RL400037", {"vin": "WDB963400RL400037"}])
	)

	assert [vehicle.vin for vehicle in result.records] == ["WDB963400RL400037"]
	assert result.errors[0].message == "expected an object, got the text 'WDB963400RL400037'"


@pytest.mark.parametrize(
	("value", "expected"),
	[
		({"year": 2021, "month": 4, "day": 9}, date(2021, 4, 9)),
		({"year": 2021}, date(2021, 1, 1)),
		({}, None),
		({"year": 2021, "month": 13}, "productionDate: month must be in 1..12"),
		({"year": 10**20}, "productionDate: year 100000000000000000000 is out of range"),
		("gestern", "productionDate: expected an object"),
	],
)
def test_production_date(value: Any, expected: date | str | None) -> None:
	result = parse_vehicles(page("vehicleResponse", "vehicles", [{"vin": "x", "productionDate": value}]))

	if isinstance(expected, str):
		assert expected in result.errors[0].message
	else:
		assert result.records[0].production_date == expected


def test_vin_is_upper_cased() -> None:
	result = parse_vehicles(page("vehicleResponse", "vehicles", [{"vin": " wdb963400rl400037 "}]))

	assert result.records[0].vin == "WDB963400RL400037"


# Status content -> ignition, state.
STATUS_STATES = [
	({"triggerType": "IGNITION_OFF"}, {}, False, VehicleState.IGNITION_OFF),
	({"triggerType": "ENGINE_OFF"}, {}, False, VehicleState.IGNITION_OFF),
	({"triggerType": "IGNITION_ON"}, {"wheelBasedSpeed": 0.0}, True, VehicleState.STOPPED),
	({"triggerType": "TIMER"}, {"wheelBasedSpeed": 0.0, "engineSpeed": 650.0}, True, VehicleState.STOPPED),
	({"triggerType": "TIMER"}, {"wheelBasedSpeed": 0.0, "engineSpeed": 0.0}, None, VehicleState.STOPPED),
	({"triggerType": "TIMER"}, {"wheelBasedSpeed": 1.9}, None, VehicleState.STOPPED),
	({"triggerType": "TIMER"}, {"wheelBasedSpeed": 2.0}, None, VehicleState.MOVING),
	({"triggerType": "TIMER"}, {"tachographSpeed": 55.0}, None, VehicleState.MOVING),
	({"triggerType": "TIMER"}, {"gnssPosition": {"latitude": 52.0, "longitude": 13.0, "speed": 30.0,
		"positionDateTime": "2025-03-11T08:00:00Z"}}, None, VehicleState.MOVING),
	({"triggerType": "TIMER"}, {"electricMotorSpeed": 1800.0, "wheelBasedSpeed": 40.0}, True, VehicleState.MOVING),
	({"triggerType": "TIMER"}, {}, None, VehicleState.UNKNOWN),
	({"triggerType": "TIMER"}, {"ignition": False, "engineSpeed": 800.0}, False, VehicleState.IGNITION_OFF),
	({"triggerType": "IGNITION_OFF"}, {"ignition": True, "wheelBasedSpeed": 0.0}, True, VehicleState.STOPPED),
]  # fmt: skip


@pytest.mark.parametrize(("trigger", "snapshot", "ignition", "state"), STATUS_STATES)
def test_ignition_and_state(
	trigger: dict[str, Any], snapshot: dict[str, Any], ignition: bool | None, state: VehicleState
) -> None:
	status = {**STATUS, "triggerType": {**trigger, "context": "RFMS"}, "snapshotData": snapshot}

	(parsed,) = parse_statuses(statuses_page(status)).records

	assert (parsed.ignition, parsed.state) == (ignition, state)


def test_red_lamp_in_the_trigger_alone_is_a_fault() -> None:
	trigger = {
		"triggerType": "TELL_TALE",
		"context": "RFMS",
		"tellTaleInfo": {"tellTale": "BRAKE_MALFUNCTION", "state": "RED"},
	}
	status = changed(STATUS, "triggerType", trigger)

	(parsed,) = parse_statuses(statuses_page(status)).records

	assert parsed.state is VehicleState.FAULT
	assert [lamp.name for lamp in parsed.tell_tales] == ["ENGINE_OIL", "BRAKE_MALFUNCTION"]


def test_uptime_list_wins_over_the_trigger_lamp() -> None:
	trigger = {
		"triggerType": "TELL_TALE",
		"context": "RFMS",
		"tellTaleInfo": {"tellTale": "ENGINE_OIL", "state": "RED"},
	}
	status = changed(STATUS, "triggerType", trigger)

	(parsed,) = parse_statuses(statuses_page(status)).records

	assert parsed.tell_tales == (TellTale("ENGINE_OIL", "OFF"),)
	assert parsed.state is VehicleState.STOPPED


@pytest.mark.parametrize(
	("ignition", "speed", "lamps", "expected"),
	[
		(True, 80.0, [TellTale("ENGINE_OIL", "RED")], VehicleState.FAULT),
		(False, 0.0, [TellTale("ENGINE_OIL", "RED")], VehicleState.FAULT),
		(False, 30.0, [], VehicleState.IGNITION_OFF),
		(True, 80.0, [TellTale("ADBLUE_LEVEL", "YELLOW")], VehicleState.MOVING),
		(True, 0.0, [], VehicleState.STOPPED),
		(None, 0.0, [], VehicleState.STOPPED),
		(True, None, [], VehicleState.UNKNOWN),
		(None, None, [], VehicleState.UNKNOWN),
	],
)
def test_derive_state(
	ignition: bool | None, speed: float | None, lamps: list[TellTale], expected: VehicleState
) -> None:
	assert derive_state(ignition=ignition, speed=speed, tell_tales=lamps) is expected


@pytest.mark.parametrize(
	("payload", "message"),
	[
		([], "an rFMS vehicles response is a JSON object, got a list"),
		({}, "no 'vehicleResponse' object"),
		({"vehicles": []}, "no 'vehicleResponse' object"),
		({"vehicleResponse": []}, "no 'vehicleResponse' object"),
		({"vehicleResponse": {"vehicles": {}}}, "vehicleResponse.vehicles must be a list"),
		({"vehicleResponse": {"vehicles": []}}, "moreDataAvailable must be true or false, got null"),
		(
			{"vehicleResponse": {"vehicles": []}, "moreDataAvailable": "false"},
			"moreDataAvailable must be true or false",
		),
		(
			{"vehicleResponse": {}, "moreDataAvailable": True, "moreDataAvailableLink": 7},
			"moreDataAvailableLink must be text",
		),
		('{"vehicleResponse": {"vehicles": [', "payload is not valid JSON"),
		(b"\xff\xfe", "payload is not UTF-8 text"),
		("<html>Bad Gateway</html>", "payload is not valid JSON"),
		('{"moreDataAvailable": ' + "1" * 5000 + "}", "payload is not usable JSON"),
	],
)
def test_not_an_rfms_payload(payload: Any, message: str) -> None:
	with pytest.raises(RfmsFormatError, match=message):
		parse_vehicles(payload)


def test_statuses_payload_is_not_a_positions_payload() -> None:
	with pytest.raises(RfmsFormatError, match="no 'vehiclePositionResponse' object"):
		parse_positions(load("vehiclestatuses.json"))


def test_naive_server_time_is_a_format_error() -> None:
	payload = positions_page(POSITION) | {"requestServerDateTime": "2025-03-11T08:30:00"}

	with pytest.raises(RfmsFormatError, match="requestServerDateTime"):
		parse_positions(payload)


def test_bytes_and_text_are_decoded() -> None:
	raw = (FIXTURES / "vehicles.json").read_bytes()

	assert parse_vehicles(raw) == parse_vehicles(raw.decode("utf-8")) == parse_vehicles(json.loads(raw))


def test_missing_list_is_an_empty_page() -> None:
	result = parse_positions({"vehiclePositionResponse": {}, "moreDataAvailable": False})

	assert (result.records, result.errors, result.last_id) == ((), (), None)


def test_cursor_is_read_from_a_bad_last_item() -> None:
	bad_last = changed(POSITION, "gnssPosition.latitude", "north") | {"vin": "YV2RTA0A5SA400111"}

	result = parse_positions(positions_page(POSITION, bad_last))

	assert len(result.errors) == 1
	assert result.last_id == "YV2RTA0A5SA400111"
	assert result.last_time == datetime(2025, 3, 11, 6, 1, 7, tzinfo=UTC)


def result_of(
	resource: str,
	*,
	more: bool = True,
	link: str | None = None,
	last_id: str | None = "YS2R4X209RS400185",
	last_time: datetime | None = datetime(2025, 3, 11, 8, 7, 44, 500000, tzinfo=UTC),
) -> ParseResult[Any]:
	return ParseResult(
		records=(),
		more_data_available=more,
		next_link=link,
		resource=resource,
		last_id=last_id,
		last_time=last_time,
	)


NEXT_REQUESTS = [
	({}, result_of("vehicles", more=False), None),
	({}, result_of("vehicles"), {"lastVin": "YS2R4X209RS400185"}),
	({"lastVin": "WDB963400RL400037"}, result_of("vehicles"), {"lastVin": "YS2R4X209RS400185"}),
	(
		{},
		result_of("vehicles", link="/rfms/vehicles?lastVin=XLRTEH433RE400370"),
		{"lastVin": "XLRTEH433RE400370"},
	),
	(
		{"latestOnly": "true"},
		result_of("vehiclestatuses"),
		{"latestOnly": "true", "lastVin": "YS2R4X209RS400185"},
	),
	(
		{"starttime": "2025-03-11T06:00:00Z", "stoptime": "2025-03-11T09:00:00Z"},
		result_of("vehiclepositions"),
		{"starttime": "2025-03-11T08:07:45Z", "stoptime": "2025-03-11T09:00:00Z"},
	),
	(
		{"starttime": "2025-03-11T06:00:00Z", "datetype": "received"},
		result_of(
			"vehiclestatuses",
			link="/rfms/vehiclestatuses?starttime=2025-03-11T08%3A07%3A45Z&datetype=received&triggerFilter=TIMER",
		),
		{"starttime": "2025-03-11T08:07:45Z", "datetype": "received", "triggerFilter": "TIMER"},
	),
]


@pytest.mark.parametrize(("params", "result", "expected"), NEXT_REQUESTS)
def test_next_request(
	params: dict[str, str], result: ParseResult[Any], expected: dict[str, str] | None
) -> None:
	assert next_request(params, result) == expected


@pytest.mark.parametrize(
	("params", "result", "message"),
	[
		({"lastVin": "YS2R4X209RS400185"}, result_of("vehicles"), "repeats the last one"),
		(
			{"lastVin": "YS2R4X209RS400185"},
			result_of("vehicles", link="/rfms/vehicles?lastVin=YS2R4X209RS400185&page=2"),
			"lastVin did not advance",
		),
		(
			{"lastVin": "A"},
			result_of("vehicles", link="/rfms/vehicles?lastVin=A"),
			"repeats the last one",
		),
		({}, result_of("vehicles", last_id=None), "no readable VIN"),
		(
			{"starttime": "2025-03-11T06:00:00Z"},
			result_of("vehiclepositions", last_time=None),
			"no readable receivedDateTime",
		),
		(
			{"starttime": "2025-03-11T08:07:45Z"},
			result_of("vehiclepositions"),
			"repeats the last one",
		),
		(
			{"starttime": "2025-03-11T09:00:00Z"},
			result_of("vehiclepositions"),
			"starttime did not advance",
		),
		(
			{"starttime": "2025-03-11T09:00:00Z"},
			result_of("vehiclepositions", link="/rfms/vehiclepositions?starttime=2025-03-11T08:00:00Z"),
			"starttime did not advance",
		),
	],
)
def test_stalled_cursor(params: dict[str, str], result: ParseResult[Any], message: str) -> None:
	with pytest.raises(CursorStalledError, match=message):
		next_request(params, result)


def test_next_request_needs_an_rfms_result() -> None:
	with pytest.raises(InvalidArgumentError):
		next_request({}, result_of("deliveries"))


def test_check_cursor_accepts_a_new_vin_with_the_same_other_parameters() -> None:
	check_cursor_advances({"latestOnly": "true", "lastVin": "A"}, {"latestOnly": "true", "lastVin": "B"})


@pytest.mark.parametrize(
	("moment", "expected"),
	[
		(datetime(2025, 3, 11, 8, 15, tzinfo=UTC), "2025-03-11T08:15:00Z"),
		(datetime.fromisoformat("2025-03-11T09:15:00+01:00"), "2025-03-11T08:15:00Z"),
		(datetime(2025, 3, 11, 8, 15, 0, 250000, tzinfo=UTC), "2025-03-11T08:15:00.250000Z"),
	],
)
def test_format_rfms_time(moment: datetime, expected: str) -> None:
	assert format_rfms_time(moment) == expected


def test_format_rfms_time_rejects_naive() -> None:
	with pytest.raises(InvalidArgumentError):
		format_rfms_time(datetime(2025, 3, 11, 8, 15))


_JSON = st.recursive(
	st.none()
	| st.booleans()
	| st.integers()
	| st.sampled_from([10**400, -(2**64), 2**63])
	| st.floats(allow_nan=True)
	| st.text(max_size=30),
	lambda children: (
		st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
	),
	max_leaves=20,
)
_KEYS = st.sampled_from(
	[
		"vin",
		"triggerType",
		"createdDateTime",
		"receivedDateTime",
		"gnssPosition",
		"snapshotData",
		"uptimeData",
		"driver1Id",
		"hrTotalVehicleDistance",
		"productionDate",
		"wheelBasedSpeed",
	]
)


@given(st.lists(st.dictionaries(_KEYS, _JSON, max_size=8) | _JSON, max_size=5))
def test_any_records_become_records_or_errors(items: list[Any]) -> None:
	for parse, envelope, key in (
		(parse_vehicles, "vehicleResponse", "vehicles"),
		(parse_positions, "vehiclePositionResponse", "vehiclePositions"),
		(parse_statuses, "vehicleStatusResponse", "vehicleStatuses"),
	):
		result = parse(page(envelope, key, items))

		assert result.item_count == len(items)

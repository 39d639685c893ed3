import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.mapping import (
	FieldType,
	InvalidArgumentError,
	MappingConfigError,
	PayloadFormatError,
	RecordInvalid,
	coerce,
	compile_mapping,
	parse_datetime,
	parse_path,
	parse_records,
	resolve_path,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "connectors" / "generic" / "deliveries.json"
BERLIN = ZoneInfo("Europe/Berlin")

# The mapping an admin would enter in the connector form for the recorded export.
DELIVERY_MAPPING = {
	"tracking_number": "shipment.trackingNo",
	"consignee": "shipment.consignee.name",
	"planned_eta": "eta.planned",
	"current_eta": "eta.current",
	"status": "status",
	"vehicle_ref": "vehicle.plate",
	"route_ref": "route.id",
	"stop_sequence": "stops[0].seq",
	"delivered_at": "deliveredAt",
	"proof_of_delivery": "pod.reference",
	"updated_at": "updatedAt",
}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
	return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
	("text", "steps"),
	[
		("status", ("status",)),
		("shipment.trackingNo", ("shipment", "trackingNo")),
		("stops[0].eta", ("stops", 0, "eta")),
		("stops[-1].eta", ("stops", -1, "eta")),
		("matrix[1][2]", ("matrix", 1, 2)),
		("[0].id", (0, "id")),
		(" eta.current ", ("eta", "current")),
		("Sendung.Empfänger Name", ("Sendung", "Empfänger Name")),
	],
)
def test_parse_path(text: str, steps: tuple[str | int, ...]) -> None:
	assert parse_path(text).steps == steps


@pytest.mark.parametrize(
	"text", ["", "  ", "eta..current", ".eta", "eta.", "stops[x]", "stops[0", "stops]0[", 5, None]
)
def test_invalid_path(text: Any) -> None:
	with pytest.raises(MappingConfigError):
		parse_path(text)


RECORD = {"eta": {"current": "2025-03-11T09:00"}, "stops": [{"eta": "a"}, {"eta": "b"}], "note": "text"}


@pytest.mark.parametrize(
	("path", "expected"),
	[
		("eta.current", "2025-03-11T09:00"),
		("stops[0].eta", "a"),
		("stops[-1].eta", "b"),
		("stops[2].eta", None),
		("stops[-3].eta", None),
		("eta.missing", None),
		("missing.deeper.still", None),
	],
)
def test_resolve_path(path: str, expected: object) -> None:
	assert resolve_path(RECORD, parse_path(path)) == expected


@pytest.mark.parametrize(
	("path", "message"),
	[
		("note.text", "note: expected an object, got the text 'text'"),
		("eta[0]", "eta: expected a list, got an object"),
	],
)
def test_resolve_path_into_the_wrong_kind(path: str, message: str) -> None:
	with pytest.raises(RecordInvalid, match=message):
		resolve_path(RECORD, parse_path(path))


# (value, type) -> coerced value; datetimes with naive text are read in Berlin.
COERCIONS = [
	("  TS2503110001 ", FieldType.STR, "TS2503110001"),
	("   ", FieldType.STR, None),
	(2503110001, FieldType.STR, "2503110001"),
	(12.0, FieldType.STR, "12"),
	(None, FieldType.STR, None),
	(7, FieldType.INT, 7),
	(7.0, FieldType.INT, 7),
	(" -12 ", FieldType.INT, -12),
	(3, FieldType.FLOAT, 3.0),
	("12,5", FieldType.FLOAT, 12.5),
	("12.5", FieldType.FLOAT, 12.5),
	(True, FieldType.BOOL, True),
	("ja", FieldType.BOOL, True),
	("Nein", FieldType.BOOL, False),
	(0, FieldType.BOOL, False),
	("2025-03-11T09:30", FieldType.DATETIME, utc(2025, 3, 11, 8, 30)),
	("2025-07-11T09:30", FieldType.DATETIME, utc(2025, 7, 11, 7, 30)),
	("2025-03-11T09:30:00+01:00", FieldType.DATETIME, utc(2025, 3, 11, 8, 30)),
	("2025-03-11T09:30:00Z", FieldType.DATETIME, utc(2025, 3, 11, 9, 30)),
	("2025-03-11", FieldType.DATETIME, utc(2025, 3, 10, 23, 0)),
	# The repeated autumn hour: the first (summer time) reading.
	("2025-10-26T02:30", FieldType.DATETIME, utc(2025, 10, 26, 0, 30)),
	(1741681800, FieldType.EPOCH_SECONDS, utc(2025, 3, 11, 8, 30)),
	("1741681800", FieldType.EPOCH_SECONDS, utc(2025, 3, 11, 8, 30)),
	(1741681800000, FieldType.EPOCH_MILLIS, utc(2025, 3, 11, 8, 30)),
]


@pytest.mark.parametrize(("value", "field_type", "expected"), COERCIONS)
def test_coerce(value: object, field_type: FieldType, expected: object) -> None:
	assert coerce(value, field_type, "field", source_tz=BERLIN) == expected


BAD_COERCIONS = [
	(True, FieldType.STR, "expected text, got a boolean"),
	({"a": 1}, FieldType.STR, "expected text, got an object"),
	(12.5, FieldType.STR, "expected text"),
	("zwölf", FieldType.INT, "expected a whole number"),
	(7.5, FieldType.INT, "expected a whole number"),
	(False, FieldType.INT, "expected a whole number, got a boolean"),
	("1.234,5", FieldType.FLOAT, "expected a number"),
	(float("nan"), FieldType.FLOAT, "expected a number"),
	(10**400, FieldType.FLOAT, "expected a number, got a number too large to use"),
	("9" * 5000, FieldType.INT, "expected a whole number"),
	("0001-01-01T00:00:00+05:00", FieldType.DATETIME, "is out of range"),
	("vielleicht", FieldType.BOOL, "expected true or false"),
	(2, FieldType.BOOL, "expected true or false"),
	("bald", FieldType.DATETIME, "is not an ISO 8601 date-time"),
	(1741681800, FieldType.DATETIME, "expected an ISO 8601 date-time, got the number"),
	# The spring gap: 02:30 did not exist in Berlin on 30 March 2025.
	("2025-03-30T02:30", FieldType.DATETIME, "2025-03-30T02:30:00 does not exist in Europe/Berlin"),
	("soon", FieldType.EPOCH_SECONDS, "expected a Unix timestamp"),
	(10**20, FieldType.EPOCH_SECONDS, "out of range"),
]


@pytest.mark.parametrize(("value", "field_type", "message"), BAD_COERCIONS)
def test_coerce_rejects(value: object, field_type: FieldType, message: str) -> None:
	with pytest.raises(RecordInvalid, match=message.replace("[", r"\[")):
		coerce(value, field_type, "field", source_tz=BERLIN)


def test_parse_datetime_without_source_zone_rejects_naive() -> None:
	with pytest.raises(RecordInvalid, match="has no time zone"):
		parse_datetime("2025-03-11T09:30", "eta", source_tz=None)


def test_fixed_offset_source_zone() -> None:
	source = timezone(timedelta(hours=-5))

	assert parse_datetime("2025-03-11T09:30", "eta", source_tz=source) == utc(2025, 3, 11, 14, 30)


def test_recorded_deliveries() -> None:
	result = parse_records(
		FIXTURE.read_text(), "data.deliveries", DELIVERY_MAPPING, BERLIN, next_link_path="paging.next"
	)

	assert (len(result.records), result.errors, result.more_data_available) == (21, (), False)
	first = result.records[0]
	assert first.external_id == "TS2503110001"
	assert dict(first.values) == {
		"tracking_number": "TS2503110001",
		"consignee": "Bäckerei Schulze GmbH",
		"planned_eta": utc(2025, 3, 11, 5, 19),
		"current_eta": utc(2025, 3, 11, 5, 19),
		"status": "DELIVERED",
		"vehicle_ref": "B-TS 1001",
		"route_ref": "R-20250311-1",
		"stop_sequence": 2,
		"delivered_at": utc(2025, 3, 11, 5, 19, 19),
		"proof_of_delivery": "POD-2503110001",
		"updated_at": utc(2025, 3, 11, 6, 50),
	}
	unplanned = result.records[-1]
	assert (unplanned["tracking_number"], unplanned["vehicle_ref"], unplanned["current_eta"]) == (
		"TS2503110021",
		None,
		None,
	)
	assert all(
		value.tzinfo is UTC
		for record in result.records
		for value in record.values.values()
		if isinstance(value, datetime)
	)


def test_naive_and_offset_times_in_one_source_agree() -> None:
	records = [
		{"id": "TS0000000001", "eta": "2025-03-11T09:42"},
		{"id": "TS0000000002", "eta": "2025-03-11T09:42+01:00"},
		{"id": "TS0000000003", "eta": "2025-03-11T08:42Z"},
	]

	result = parse_records(records, None, {"tracking_number": "id", "current_eta": "eta"}, BERLIN)

	assert {record["current_eta"] for record in result.records} == {utc(2025, 3, 11, 8, 42)}


def test_one_bad_record_does_not_stop_the_page() -> None:
	records = [
		{"shipment": {"trackingNo": "TS2503110001"}, "eta": {"planned": "2025-03-11T09:00"}},
		{"shipment": {"trackingNo": "TS2503110002"}, "eta": {"planned": "bald"}},
		{"shipment": {}, "eta": {"planned": "2025-03-11T09:00"}},
		"TS2503110004",
		{"shipment": {"trackingNo": "TS2503110005"}, "eta": "2025-03-11T09:00"},
		{"shipment": {"trackingNo": "TS2503110006"}, "eta": {"planned": "2025-03-30T02:15"}},
		{"shipment": {"trackingNo": "TS2503110007"}},
	]
	mapping = {"tracking_number": "shipment.trackingNo", "planned_eta": "eta.planned"}

	result = parse_records({"items": records}, "items", mapping, BERLIN)

	assert [record.external_id for record in result.records] == ["TS2503110001", "TS2503110007"]
	assert [(error.index, error.record_id, error.message) for error in result.errors] == [
		(1, "TS2503110002", "planned_eta (eta.planned): the text 'bald' is not an ISO 8601 date-time"),
		(2, None, "tracking_number (shipment.trackingNo): required but missing"),
		(3, None, "expected an object, got the text 'TS2503110004'"),
		(
			4,
			"TS2503110005",
			"planned_eta (eta.planned): eta: expected an object, got the text '2025-03-11T09:00'",
		),
		(
			5,
			"TS2503110006",
			"planned_eta (eta.planned): 2025-03-30T02:15:00 does not exist in Europe/Berlin (clock change)",
		),
	]
	assert result.last_id == "TS2503110007"


def test_spec_object_with_type_and_required() -> None:
	mapping = {
		"tracking_number": "no",
		"planned_eta": {"path": "plannedAt", "type": "epoch_millis"},
		"status": {"path": "state", "required": True},
	}
	records = [{"no": "TS1", "plannedAt": 1741681800000, "state": "OK"}, {"no": "TS2", "plannedAt": 0}]

	result = parse_records(records, "", mapping, BERLIN)

	assert result.records[0]["planned_eta"] == utc(2025, 3, 11, 8, 30)
	assert result.errors[0].message == "status (state): required but missing"


@pytest.mark.parametrize(
	("mapping", "message"),
	[
		({}, "must be a non-empty object"),
		({"tracking_number": "id", "eta": "eta"}, "unknown field 'eta'"),
		({"consignee": "name"}, "required field\\(s\\) not mapped: tracking_number"),
		({"tracking_number": "id", "planned_eta": 5}, "planned_eta: expected a path text"),
		({"tracking_number": "id", "planned_eta": {"type": "datetime"}}, "a path must be a non-empty text"),
		({"tracking_number": "id", "planned_eta": {"path": "eta", "type": "date"}}, "unknown type 'date'"),
		(
			{"tracking_number": "id", "planned_eta": {"path": "eta", "type": "int"}},
			"does not fit a datetime field",
		),
		({"tracking_number": "id", "status": {"path": "s", "default": "x"}}, "unknown option\\(s\\) default"),
		(
			{"tracking_number": "id", "status": {"path": "s", "required": "yes"}},
			"'required' must be true or false",
		),
		({"tracking_number": "a..b"}, "invalid path"),
	],
)
def test_invalid_mapping(mapping: dict[str, Any], message: str) -> None:
	with pytest.raises(MappingConfigError, match=message):
		compile_mapping(mapping)


def test_other_record_kinds_bring_their_fields() -> None:
	fields = {"route_ref": FieldType.STR, "stops": FieldType.INT}
	compiled = compile_mapping(
		{"route_ref": "id", "stops": "count"}, fields=fields, required=("route_ref",), id_field="route_ref"
	)

	result = parse_records([{"id": "R-1", "count": "4"}], None, compiled, BERLIN, fields=fields)

	assert dict(result.records[0].values) == {"route_ref": "R-1", "stops": 4}


@pytest.mark.parametrize(
	("payload", "records_path", "message"),
	[
		("{not json", "data", "payload is not valid JSON"),
		(
			{"data": {"deliveries": {}}},
			"data.deliveries",
			"expected a list of records at 'data.deliveries', got an object",
		),
		({"data": []}, "data.deliveries", "no record list at 'data.deliveries': data: expected an object"),
		({"data": {}}, "data.deliveries", "got null"),
		({"data": []}, None, "expected a list of records at the top level"),
	],
)
def test_payload_without_record_list(payload: Any, records_path: str | None, message: str) -> None:
	with pytest.raises(PayloadFormatError, match=message):
		parse_records(payload, records_path, {"tracking_number": "id"}, BERLIN)


@pytest.mark.parametrize(
	("paging", "expected"),
	[
		({"next": "/generic/deliveries?page=2"}, "/generic/deliveries?page=2"),
		({"next": None}, None),
		({"next": ""}, None),
		({}, None),
	],
)
def test_next_link(paging: dict[str, Any], expected: str | None) -> None:
	result = parse_records(
		{"items": [], "paging": paging},
		"items",
		{"tracking_number": "id"},
		BERLIN,
		next_link_path="paging.next",
	)

	assert (result.next_link, result.more_data_available) == (expected, expected is not None)


def test_next_link_must_be_text() -> None:
	with pytest.raises(PayloadFormatError, match="must be text"):
		parse_records(
			{"items": [], "next": 2}, "items", {"tracking_number": "id"}, BERLIN, next_link_path="next"
		)


def test_source_tz_must_be_a_time_zone() -> None:
	with pytest.raises(InvalidArgumentError):
		parse_records([], None, {"tracking_number": "id"}, "Europe/Berlin")  # type: ignore[arg-type]


_JSON = st.recursive(
	st.none()
	| st.booleans()
	| st.integers()
	| st.sampled_from([10**400, -(2**64)])
	| st.floats(allow_nan=True)
	| st.text(max_size=25),
	lambda children: (
		st.lists(children, max_size=3)
		| st.dictionaries(st.sampled_from(["id", "eta", "a", "b"]), children, max_size=3)
	),
	max_leaves=15,
)


@given(st.lists(_JSON, max_size=6))
def test_any_records_become_records_or_errors(items: list[Any]) -> None:
	mapping = {"tracking_number": "id", "planned_eta": "eta", "delay_minutes": "a.b", "stop_sequence": "b[0]"}

	result = parse_records(json.dumps(items), None, mapping, BERLIN)

	assert result.item_count == len(items)

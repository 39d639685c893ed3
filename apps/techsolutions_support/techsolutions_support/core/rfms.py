"""Parser for rFMS 4.0 vehicle data, the truck makers' remote fleet management standard.

Reads the three JSON responses of an rFMS 4 server into typed, immutable records:

- ``GET /rfms/vehicles``: `parse_vehicles` gives `Vehicle` records;
- ``GET /rfms/vehiclepositions``: `parse_positions` gives `Position` records;
- ``GET /rfms/vehiclestatuses``: `parse_statuses` gives `Status` records with a derived
  `VehicleState` (moving, stopped, ignition off, fault, unknown);

and works out the request for the next page of a paged read (`next_request`).

Contract:

- pure: no I/O, no clock, no logging of payload content;
- per record: one bad record becomes a `RecordError` (index, VIN when readable, message) and the
  rest of the page is still parsed; a payload that is not an rFMS response at all raises
  `RfmsFormatError`;
- times: rFMS sends ISO 8601 with a zone; each is converted once to an aware UTC datetime. A time
  without zone makes its record an error: the zone of a fleet server is never guessed;
- units as the standard defines them: distances in metres, fuel in millilitres, speeds in km/h.

Field names follow the rFMS 4.0.0 OpenAPI description (``rFMS_4_0.yaml``). One field is read
when present although the standard does not define it: ``snapshotData.ignition`` (a boolean some
OEM extensions send). Otherwise ignition is derived from the trigger type and the engine speed.

Paging, as the standard defines it: the vehicle list pages with ``lastVin``; positions and
statuses page with ``lastVin`` when ``latestOnly`` is set and otherwise with ``starttime`` set
one second after the last received time. A server may instead send ``moreDataAvailableLink``,
which is then followed as is.

Exceptions (the whole tree is in `mapping`)::

	ConnectorError
	├── PayloadFormatError
	│   └── RfmsFormatError         not an rFMS vehicles, positions or statuses response
	├── InvalidArgumentError         next_request was given a result it cannot page from
	└── CursorStalledError           the next page request would not move the cursor forward
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from techsolutions_support.core.mapping import (
	ConnectorError,
	InvalidArgumentError,
	ParseResult,
	PayloadFormatError,
	RecordError,
	RecordInvalid,
	decode_json,
	describe,
	finite_number,
	parse_datetime,
)

__all__ = [
	"MOVING_MIN_SPEED_KMH",
	"CursorStalledError",
	"ParseResult",
	"Position",
	"RecordError",
	"RfmsFormatError",
	"Status",
	"TellTale",
	"Vehicle",
	"VehicleState",
	"check_cursor_advances",
	"cursor_key",
	"derive_state",
	"format_rfms_time",
	"next_request",
	"parse_positions",
	"parse_statuses",
	"parse_vehicles",
]

RecordT = TypeVar("RecordT")

VEHICLES = "vehicles"
POSITIONS = "vehiclepositions"
STATUSES = "vehiclestatuses"

# Below this a standing truck's sensors may still report creeping (yard, gate, queue): not moving.
MOVING_MIN_SPEED_KMH = 2.0

_IGNITION_ON_TRIGGERS = frozenset({"IGNITION_ON", "ENGINE_ON"})
_IGNITION_OFF_TRIGGERS = frozenset({"IGNITION_OFF", "ENGINE_OFF"})

# Response object and list key of each resource (rFMS 4.0 *ResponseObject schemas).
_ENVELOPES = {
	VEHICLES: ("vehicleResponse", "vehicles"),
	POSITIONS: ("vehiclePositionResponse", "vehiclePositions"),
	STATUSES: ("vehicleStatusResponse", "vehicleStatuses"),
}


class RfmsFormatError(PayloadFormatError):
	"""The payload is not an rFMS 4 vehicles, positions or statuses response."""


class CursorStalledError(ConnectorError):
	"""The next page request would repeat or go behind the current one; paging must stop."""


class VehicleState(StrEnum):
	MOVING = "moving"
	STOPPED = "stopped"
	IGNITION_OFF = "ignition_off"
	FAULT = "fault"
	UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TellTale:
	"""A dashboard warning lamp: its rFMS name (e.g. ``ENGINE_OIL``) and its state."""

	name: str
	state: str
	oem_name: str | None = None

	@property
	def is_red(self) -> bool:
		return self.state == "RED"


@dataclass(frozen=True, slots=True)
class Vehicle:
	vin: str
	# customerVehicleName: the customer's own name for the truck, often its licence plate.
	name: str | None
	brand: str | None
	model: str | None
	vehicle_type: str | None
	production_date: date | None
	emission_level: str | None
	gearbox_type: str | None
	fuel_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Position:
	vin: str
	# Time of the GNSS fix, or when the report was created in the vehicle if it has no fix.
	at: datetime
	created_at: datetime
	received_at: datetime
	lat: float | None
	lon: float | None
	heading: int | None
	altitude_m: int | None
	# km/h: wheel-based speed, else tachograph speed, else GNSS speed.
	speed: float | None
	trigger: str

	@property
	def has_fix(self) -> bool:
		return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Status:
	vin: str
	# When the report was created in the vehicle.
	at: datetime
	received_at: datetime
	trigger: str
	ignition: bool | None
	speed: float | None
	engine_speed: float | None
	odometer_m: int | None
	fuel_used_ml: int | None
	fuel_level_pct: float | None
	gross_weight_kg: int | None
	# Tachograph card or OEM driver id: personal data (DSGVO), store only where allowed.
	driver_id: str | None
	lat: float | None
	lon: float | None
	tell_tales: tuple[TellTale, ...]
	service_distance_m: int | None
	state: VehicleState

	@property
	def red_tell_tales(self) -> tuple[TellTale, ...]:
		return tuple(tell_tale for tell_tale in self.tell_tales if tell_tale.is_red)


def derive_state(
	*, ignition: bool | None, speed: float | None, tell_tales: Iterable[TellTale]
) -> VehicleState:
	"""The state an agent needs first, in order: a red lamp, ignition off, moving, stopped."""
	if any(tell_tale.is_red for tell_tale in tell_tales):
		return VehicleState.FAULT
	if ignition is False:
		return VehicleState.IGNITION_OFF
	if speed is not None:
		return VehicleState.MOVING if speed >= MOVING_MIN_SPEED_KMH else VehicleState.STOPPED
	return VehicleState.UNKNOWN


def parse_vehicles(payload: object) -> ParseResult[Vehicle]:
	"""Parse a ``/rfms/vehicles`` response (text, bytes or decoded JSON)."""
	return _parse_page(payload, VEHICLES, _vehicle)


def parse_positions(payload: object) -> ParseResult[Position]:
	"""Parse a ``/rfms/vehiclepositions`` response (text, bytes or decoded JSON)."""
	return _parse_page(payload, POSITIONS, _position)


def parse_statuses(payload: object) -> ParseResult[Status]:
	"""Parse a ``/rfms/vehiclestatuses`` response (text, bytes or decoded JSON)."""
	return _parse_page(payload, STATUSES, _status)


def format_rfms_time(moment: datetime) -> str:
	"""An aware datetime as rFMS query text, in UTC with a ``Z``: ``2025-03-11T08:15:00Z``."""
	if moment.utcoffset() is None:
		raise InvalidArgumentError("rFMS times need a time zone; got a naive datetime")
	timespec = "microseconds" if moment.microsecond else "seconds"
	return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def next_request(params: Mapping[str, str], result: ParseResult[Any]) -> dict[str, str] | None:
	"""Query parameters for the next page, or None when the read is complete.

	`params` are the query parameters of the request that gave `result`. A
	``moreDataAvailableLink`` is followed as sent (the standard says it keeps the original query);
	without it, the standard's rule applies: ``lastVin`` for the vehicle list and for
	``latestOnly`` reads, else ``starttime`` one second after the last received time. That time
	is cut to the whole second first: the rule assumes whole seconds, and from 08:00:00.5 it would
	otherwise jump to 08:00:01.5.

	Raises `CursorStalledError` when the next request would not advance, and
	`InvalidArgumentError` for a result that does not come from this module.
	"""
	if not result.more_data_available:
		return None
	if result.next_link:
		following = dict(parse_qsl(urlsplit(result.next_link).query, keep_blank_values=True))
	else:
		following = _fallback_request(params, result)
	check_cursor_advances(params, following)
	return following


def _fallback_request(params: Mapping[str, str], result: ParseResult[Any]) -> dict[str, str]:
	if result.resource not in _ENVELOPES:
		raise InvalidArgumentError(f"cannot page a result of resource {result.resource!r}")
	following = dict(params)
	is_latest_only = str(params.get("latestOnly", "")).lower() == "true"
	if result.resource == VEHICLES or is_latest_only:
		if not result.last_id:
			raise CursorStalledError("more data announced, but the page's last item has no readable VIN")
		following["lastVin"] = result.last_id
		return following
	if result.last_time is None:
		raise CursorStalledError(
			"more data announced, but the page's last item has no readable receivedDateTime"
		)
	following.pop("lastVin", None)
	# GAP: the standard's "+1 second" skips reports received later in the same second when a
	# server ends a page inside a second; only a moreDataAvailableLink (followed above) avoids it.
	following["starttime"] = format_rfms_time(result.last_time.replace(microsecond=0) + timedelta(seconds=1))
	return following


def cursor_key(params: Mapping[str, str]) -> str:
	"""A stable text for a request's query, so a caller can also detect cycles over many pages."""
	return "&".join(f"{key}={params[key]}" for key in sorted(params))


def check_cursor_advances(previous: Mapping[str, str], following: Mapping[str, str]) -> None:
	"""Raise `CursorStalledError` when `following` repeats `previous` or moves its start back."""
	if cursor_key(previous) == cursor_key(following):
		raise CursorStalledError(f"the next page request repeats the last one ({cursor_key(following)})")
	if previous.get("lastVin") and previous.get("lastVin") == following.get("lastVin"):
		raise CursorStalledError(f"lastVin did not advance from {previous['lastVin']}")
	before = _query_time(previous.get("starttime"))
	after = _query_time(following.get("starttime"))
	if before is not None and after is not None and after <= before and "lastVin" not in following:
		raise CursorStalledError(
			f"starttime did not advance ({previous['starttime']} to {following['starttime']})"
		)


def _query_time(text: str | None) -> datetime | None:
	if not text:
		return None
	try:
		return parse_datetime(text, "starttime", source_tz=None)
	except RecordInvalid:
		return None


def _parse_page(
	payload: object, resource: str, parse_item: Callable[[dict[str, Any]], RecordT]
) -> ParseResult[RecordT]:
	data = decode_json(payload, RfmsFormatError)
	if not isinstance(data, dict):
		raise RfmsFormatError(f"an rFMS {resource} response is a JSON object, got {describe(data)}")
	envelope_key, list_key = _ENVELOPES[resource]
	envelope = data.get(envelope_key)
	if not isinstance(envelope, dict):
		raise RfmsFormatError(f"not an rFMS {resource} response: no {envelope_key!r} object")
	items = envelope.get(list_key)
	if items is None:
		items = []
	if not isinstance(items, list):
		raise RfmsFormatError(f"{envelope_key}.{list_key} must be a list, got {describe(items)}")
	more_data_available = data.get("moreDataAvailable")
	if not isinstance(more_data_available, bool):
		raise RfmsFormatError(f"moreDataAvailable must be true or false, got {describe(more_data_available)}")
	link = data.get("moreDataAvailableLink")
	if link is not None and not isinstance(link, str):
		raise RfmsFormatError(f"moreDataAvailableLink must be text, got {describe(link)}")
	server_time = None
	if data.get("requestServerDateTime") is not None:
		try:
			server_time = parse_datetime(
				data["requestServerDateTime"], "requestServerDateTime", source_tz=None
			)
		except RecordInvalid as problem:
			raise RfmsFormatError(str(problem)) from None

	records: list[RecordT] = []
	errors: list[RecordError] = []
	for index, item in enumerate(items):
		try:
			if not isinstance(item, dict):
				raise RecordInvalid(f"expected an object, got {describe(item)}")
			records.append(parse_item(item))
		except RecordInvalid as problem:
			errors.append(RecordError(index, _peek_vin(item), str(problem)))

	last = items[-1] if items else None
	return ParseResult(
		records=tuple(records),
		errors=tuple(errors),
		more_data_available=more_data_available,
		next_link=link or None,
		resource=resource,
		server_time=server_time,
		last_id=_peek_vin(last),
		last_time=_peek_received(last),
	)


def _peek_vin(item: object) -> str | None:
	if isinstance(item, dict) and isinstance(item.get("vin"), str) and item["vin"].strip():
		return str(item["vin"]).strip().upper()
	return None


def _peek_received(item: object) -> datetime | None:
	if not isinstance(item, dict):
		return None
	try:
		return parse_datetime(item.get("receivedDateTime"), "receivedDateTime", source_tz=None)
	except RecordInvalid:
		return None


def _vehicle(item: dict[str, Any]) -> Vehicle:
	return Vehicle(
		vin=_vin(item),
		name=_text(item, "customerVehicleName"),
		brand=_text(item, "brand"),
		model=_text(item, "model"),
		vehicle_type=_text(item, "type"),
		production_date=_production_date(item.get("productionDate")),
		emission_level=_text(item, "emissionLevel"),
		gearbox_type=_text(item, "gearboxType"),
		fuel_types=_texts(item, "possibleFuelType"),
	)


def _position(item: dict[str, Any]) -> Position:
	vin = _vin(item)
	created_at = _time(item, "createdDateTime")
	received_at = _time(item, "receivedDateTime")
	gnss = _object(item, "gnssPosition")
	lat = lon = None
	heading = altitude = None
	gnss_speed = None
	at = created_at
	if gnss is not None:
		lat, lon = _coordinates(gnss, "gnssPosition")
		heading = _whole(gnss, "heading", "gnssPosition.", low=0, high=360)
		altitude = _whole(gnss, "altitude", "gnssPosition.")
		gnss_speed = _number(gnss, "speed", "gnssPosition.", low=0)
		at = _time(gnss, "positionDateTime", "gnssPosition.")
	speed = _first_known(
		_number(item, "wheelBasedSpeed", low=0),
		_number(item, "tachographSpeed", low=0),
		gnss_speed,
	)
	return Position(
		vin=vin,
		at=at,
		created_at=created_at,
		received_at=received_at,
		lat=lat,
		lon=lon,
		heading=heading,
		altitude_m=altitude,
		speed=speed,
		trigger=_trigger(item)[0],
	)


def _status(item: dict[str, Any]) -> Status:
	vin = _vin(item)
	created_at = _time(item, "createdDateTime")
	received_at = _time(item, "receivedDateTime")
	trigger, trigger_tell_tale = _trigger(item)
	snapshot = _object(item, "snapshotData") or {}
	uptime = _object(item, "uptimeData") or {}

	gnss = _object(snapshot, "gnssPosition", "snapshotData.")
	lat, lon = _coordinates(gnss, "snapshotData.gnssPosition") if gnss is not None else (None, None)
	speed = _first_known(
		_number(snapshot, "wheelBasedSpeed", "snapshotData.", low=0),
		_number(snapshot, "tachographSpeed", "snapshotData.", low=0),
		_number(gnss, "speed", "snapshotData.gnssPosition.", low=0) if gnss is not None else None,
	)
	engine_speed = _first_known(
		_number(snapshot, "engineSpeed", "snapshotData.", low=0),
		_number(snapshot, "electricMotorSpeed", "snapshotData.", low=0),
	)
	ignition = _ignition(snapshot, trigger, engine_speed)
	tell_tales = _merge_tell_tales(_tell_tales(uptime), trigger_tell_tale)

	return Status(
		vin=vin,
		at=created_at,
		received_at=received_at,
		trigger=trigger,
		ignition=ignition,
		speed=speed,
		engine_speed=engine_speed,
		odometer_m=_whole(item, "hrTotalVehicleDistance", low=0),
		fuel_used_ml=_whole(item, "engineTotalFuelUsed", low=0),
		fuel_level_pct=_number(snapshot, "fuelLevel1", "snapshotData.", low=0, high=100),
		gross_weight_kg=_whole(item, "grossCombinationVehicleWeight", low=0),
		driver_id=_driver_id(item.get("driver1Id")),
		lat=lat,
		lon=lon,
		tell_tales=tell_tales,
		service_distance_m=_whole(uptime, "serviceDistance", "uptimeData."),
		state=derive_state(ignition=ignition, speed=speed, tell_tales=tell_tales),
	)


def _ignition(snapshot: dict[str, Any], trigger: str, engine_speed: float | None) -> bool | None:
	explicit = snapshot.get("ignition")
	if explicit is not None:
		if not isinstance(explicit, bool):
			raise RecordInvalid(f"snapshotData.ignition: expected true or false, got {describe(explicit)}")
		return explicit
	if trigger in _IGNITION_ON_TRIGGERS:
		return True
	if trigger in _IGNITION_OFF_TRIGGERS:
		return False
	# A turning engine or motor needs the ignition on; a still one says nothing about it.
	if engine_speed is not None and engine_speed > 0:
		return True
	return None


def _trigger(item: dict[str, Any]) -> tuple[str, TellTale | None]:
	trigger = _object(item, "triggerType")
	if trigger is None:
		raise RecordInvalid("triggerType: required but missing")
	name = _text(trigger, "triggerType", "triggerType.")
	if name is None:
		raise RecordInvalid("triggerType.triggerType: required but missing")
	info = _object(trigger, "tellTaleInfo", "triggerType.")
	return name, _tell_tale(info, "triggerType.tellTaleInfo") if info is not None else None


def _tell_tales(uptime: dict[str, Any]) -> tuple[TellTale, ...]:
	items = uptime.get("tellTaleInfo")
	if items is None:
		return ()
	if not isinstance(items, list):
		raise RecordInvalid(f"uptimeData.tellTaleInfo: expected a list, got {describe(items)}")
	found: list[TellTale] = []
	for index, entry in enumerate(items):
		where = f"uptimeData.tellTaleInfo[{index}]"
		if not isinstance(entry, dict):
			raise RecordInvalid(f"{where}: expected an object, got {describe(entry)}")
		found.append(_tell_tale(entry, where))
	return tuple(found)


def _tell_tale(entry: dict[str, Any], where: str) -> TellTale:
	name = _text(entry, "tellTale", f"{where}.")
	state = _text(entry, "state", f"{where}.")
	if name is None or state is None:
		raise RecordInvalid(f"{where}: tellTale and state are required")
	return TellTale(name=name, state=state.upper(), oem_name=_text(entry, "oemTellTale", f"{where}."))


def _merge_tell_tales(current: tuple[TellTale, ...], triggering: TellTale | None) -> tuple[TellTale, ...]:
	# The uptime list is the full current picture; the trigger's lamp only adds what it lacks.
	if triggering is None or any(tell_tale.name == triggering.name for tell_tale in current):
		return current
	return (*current, triggering)


def _driver_id(value: object) -> str | None:
	if value is None:
		return None
	if not isinstance(value, dict):
		raise RecordInvalid(f"driver1Id: expected an object, got {describe(value)}")
	tacho = _object(value, "tachoDriverIdentification", "driver1Id.")
	if tacho is not None:
		found = _text(tacho, "driverIdentification", "driver1Id.tachoDriverIdentification.")
		if found:
			return found
	oem = _object(value, "oemDriverIdentification", "driver1Id.")
	if oem is not None:
		return _text(oem, "oemDriverIdentification", "driver1Id.oemDriverIdentification.")
	return None


def _production_date(value: object) -> date | None:
	if value is None:
		return None
	if not isinstance(value, dict):
		raise RecordInvalid(f"productionDate: expected an object, got {describe(value)}")
	year = _whole(value, "year", "productionDate.")
	month = _whole(value, "month", "productionDate.")
	day = _whole(value, "day", "productionDate.")
	if year is None:
		return None
	try:
		return date(year, month or 1, day or 1)
	except ValueError as exc:
		raise RecordInvalid(f"productionDate: {exc}") from None
	except OverflowError:
		raise RecordInvalid(f"productionDate: year {year} is out of range") from None


def _vin(item: dict[str, Any]) -> str:
	vin = _text(item, "vin")
	if vin is None:
		raise RecordInvalid("vin: required but missing")
	return vin.upper()


def _coordinates(gnss: dict[str, Any], where: str) -> tuple[float, float]:
	lat = _number(gnss, "latitude", f"{where}.", low=-90, high=90)
	lon = _number(gnss, "longitude", f"{where}.", low=-180, high=180)
	if lat is None or lon is None:
		raise RecordInvalid(f"{where}: latitude and longitude are required")
	return lat, lon


def _time(item: dict[str, Any], key: str, prefix: str = "") -> datetime:
	value = item.get(key)
	if value is None:
		raise RecordInvalid(f"{prefix}{key}: required but missing")
	return parse_datetime(value, f"{prefix}{key}", source_tz=None)


def _object(item: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any] | None:
	value = item.get(key)
	if value is None:
		return None
	if not isinstance(value, dict):
		raise RecordInvalid(f"{prefix}{key}: expected an object, got {describe(value)}")
	return value


def _text(item: dict[str, Any], key: str, prefix: str = "") -> str | None:
	value = item.get(key)
	if value is None:
		return None
	if not isinstance(value, str):
		raise RecordInvalid(f"{prefix}{key}: expected text, got {describe(value)}")
	return value.strip() or None


def _texts(item: dict[str, Any], key: str, prefix: str = "") -> tuple[str, ...]:
	value = item.get(key)
	if value is None:
		return ()
	if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
		raise RecordInvalid(f"{prefix}{key}: expected a list of texts, got {describe(value)}")
	return tuple(entry.strip() for entry in value if entry.strip())


def _number(
	item: dict[str, Any], key: str, prefix: str = "", *, low: float | None = None, high: float | None = None
) -> float | None:
	value = item.get(key)
	if value is None:
		return None
	number = finite_number(value)
	if number is None:
		raise RecordInvalid(f"{prefix}{key}: expected a number, got {describe(value)}")
	if (low is not None and number < low) or (high is not None and number > high):
		raise RecordInvalid(f"{prefix}{key}: {value!r} is out of range")
	return number


def _whole(
	item: dict[str, Any], key: str, prefix: str = "", *, low: float | None = None, high: float | None = None
) -> int | None:
	number = _number(item, key, prefix, low=low, high=high)
	if number is None:
		return None
	if not number.is_integer():
		raise RecordInvalid(f"{prefix}{key}: expected a whole number, got {item[key]!r}")
	return int(number)


def _first_known(*values: float | None) -> float | None:
	return next((value for value in values if value is not None), None)

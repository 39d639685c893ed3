"""Local HTTP simulator of the fleet (rFMS 4) and route planning systems, for tests and the demo.

Serves the recorded payloads in ``fixtures/connectors/`` on 127.0.0.1 only::

	GET  /rfms/vehicles              rFMS vehicle list, paged with lastVin
	GET  /rfms/vehiclepositions      latestOnly=true (paged with lastVin) or starttime[, stoptime]
	                                 (paged with starttime); optional vin and datetype
	GET  /rfms/vehiclestatuses       the same parameters, for statuses
	GET  /vroom/solution             a VROOM solution: 5 routes and one unassigned job
	GET  /generic/deliveries         deliveries in the company's own JSON, paged with page=N,
	                                 optional since=<ISO time> on updatedAt
	POST /oauth/token                OAuth 2 client credentials (Basic auth or form fields)
	GET  /_health                    liveness
	GET  /_control                   switches and counters
	POST /_control                   change switches (JSON object); "reset_counters": true

Switches, given to `start_simulator` or posted to ``/_control`` (see `Switches`): page size,
latency, 429 with Retry-After or 500 for the next N data requests, one malformed record in each
of the next N data pages, the next N data pages broken (truncated JSON), API key or OAuth 2
authentication, and a generator mode that serves N synthetic vehicles (with one position and
one status each) computed from their index, so a 10,000-vehicle run costs no memory up front.

Paging follows rFMS 4: ``moreDataAvailable`` and a relative ``moreDataAvailableLink`` that keeps
the query. A starttime page never ends inside a second: the next starttime is the last received
second plus one, so reports sharing that second must all be on the page or they would be lost.

It lives in the app package, framework-free, so that the app's integration tests (run by bench in
the bench's environment), the demo and the unit tests all start the same server. Run it for the
demo with ``python -m techsolutions_support.simulator --port 8090`` (with ``apps/techsolutions_support``
on the path). The recorded payloads are read from the checkout's ``fixtures/connectors``, or from
the folder ``TS_SIM_FIXTURES`` names.
"""

import argparse
import base64
import binascii
import copy
import json
import os
import secrets
import sys
import threading
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cached_property
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, overload
from urllib.parse import parse_qsl, urlencode, urlsplit

# GAP: an install of the app without this checkout has no recorded payloads unless TS_SIM_FIXTURES
# names a copy; only the generator mode (`generate`) then works.
FIXTURES_DIR = Path(
	os.environ.get("TS_SIM_FIXTURES") or Path(__file__).resolve().parents[3] / "fixtures" / "connectors"
)
HOST = "127.0.0.1"

# Generated vehicles report one second apart from this instant, in index order.
GENERATED_BASE = datetime(2025, 3, 11, 5, 0, tzinfo=UTC)
_GENERATED_DISTRICTS = ("B", "HH", "M", "K", "F", "S", "L", "DD", "H", "HB")
_GENERATED_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

_RFMS_CONTENT_TYPES = {
	"vehicles": "application/json; rfms=vehicles.v4.0",
	"vehiclepositions": "application/json; rfms=vehiclepositions.v4.0",
	"vehiclestatuses": "application/json; rfms=vehiclestatuses.v4.0",
}
_AUTH_MODES = ("none", "api_key", "oauth2")
API_KEY_HEADER = "X-API-Key"

Item = dict[str, Any]
Reply = tuple[int, bytes, dict[str, str]]


@dataclass
class Switches:
	"""What the simulator does; every field can be changed while it runs."""

	# Items per page (rFMS lists, deliveries).
	page_size: int = 100
	# Delay before every data response.
	latency_ms: int = 0
	# The next N data requests answer 429 Too Many Requests with Retry-After.
	fail_429: int = 0
	retry_after_s: int = 1
	# The next N data requests answer 500.
	fail_500: int = 0
	# The next N data pages carry one malformed record (the middle one).
	malformed: int = 0
	# The next N data pages are cut off in the middle: invalid JSON.
	broken: int = 0
	# Serve N synthetic vehicles instead of the recorded fleet (0: recorded fleet).
	generate: int = 0
	# "none", "api_key" (header X-API-Key) or "oauth2" (Bearer token from /oauth/token).
	auth: str = "none"
	api_key: str = "sim-api-key"
	client_id: str = "sim-client"
	client_secret: str = "sim-secret"
	token_ttl_s: int = 3600

	def update(self, values: Mapping[str, object]) -> None:
		"""Apply `values` after checking all of them; raises ValueError naming the first bad one."""
		known = {field.name: field for field in fields(self)}
		checked: dict[str, object] = {}
		for name, value in values.items():
			if name not in known:
				raise ValueError(f"unknown switch {name!r}")
			if known[name].type is int:
				if isinstance(value, bool) or not isinstance(value, int) or value < 0:
					raise ValueError(f"{name} must be a whole number >= 0")
				if name == "page_size" and value < 1:
					raise ValueError("page_size must be at least 1")
			elif not isinstance(value, str) or not value:
				raise ValueError(f"{name} must be non-empty text")
			if name == "auth" and value not in _AUTH_MODES:
				raise ValueError(f"auth must be one of {', '.join(_AUTH_MODES)}")
			checked[name] = value
		for name, value in checked.items():
			setattr(self, name, value)


class _Generated(Sequence[Item]):
	"""A read-only list whose items are computed from their index when read."""

	def __init__(self, count: int, make: Callable[[int], Item]) -> None:
		self._count = count
		self._make = make

	def __len__(self) -> int:
		return self._count

	@overload
	def __getitem__(self, index: int) -> Item: ...

	@overload
	def __getitem__(self, index: slice) -> list[Item]: ...

	def __getitem__(self, index: int | slice) -> Item | list[Item]:
		if isinstance(index, slice):
			return [self._make(position) for position in range(*index.indices(self._count))]
		if not -self._count <= index < self._count:
			raise IndexError(index)
		return self._make(index % self._count)

	def __iter__(self) -> Iterator[Item]:
		return (self._make(position) for position in range(self._count))


@dataclass(frozen=True)
class _Reports:
	"""Positions or statuses in the orders paging needs."""

	latest: Sequence[Item]
	by_received: Sequence[Item]
	by_created: Sequence[Item]


@dataclass(frozen=True)
class _Fleet:
	vehicles: Sequence[Item]
	reports: Mapping[str, _Reports]


def _time(text: str) -> datetime:
	return datetime.fromisoformat(text).astimezone(UTC)


def _received(item: Item) -> datetime:
	return _time(item["receivedDateTime"])


def _created(item: Item) -> datetime:
	return _time(item["createdDateTime"])


def _vin(item: Item) -> str:
	return str(item["vin"])


def _rfms_time(moment: datetime) -> str:
	return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _recorded_reports(items: list[Item]) -> _Reports:
	latest: dict[str, Item] = {}
	for item in items:
		if item["vin"] not in latest or _received(item) > _received(latest[item["vin"]]):
			latest[item["vin"]] = item
	return _Reports(
		latest=sorted(latest.values(), key=_vin),
		by_received=sorted(items, key=lambda item: (_received(item), _vin(item))),
		by_created=sorted(items, key=lambda item: (_created(item), _vin(item))),
	)


def _load_recorded_fleet(directory: Path) -> _Fleet:
	def read(name: str) -> Any:
		return json.loads((directory / "rfms" / name).read_text(encoding="utf-8"))

	vehicles = read("vehicles.json")["vehicleResponse"]["vehicles"]
	positions = read("vehiclepositions.json")["vehiclePositionResponse"]["vehiclePositions"]
	statuses = read("vehiclestatuses.json")["vehicleStatusResponse"]["vehicleStatuses"]
	return _Fleet(
		vehicles=sorted(vehicles, key=_vin),
		reports={
			"vehiclepositions": _recorded_reports(positions),
			"vehiclestatuses": _recorded_reports(statuses),
		},
	)


def generated_vin(index: int) -> str:
	"""VIN of generated vehicle `index`: fixed 11 characters and the index, so VIN order is index order."""
	return f"WTSGEN000SB{index:06d}"


def generated_plate(index: int) -> str:
	"""A unique German plate for generated vehicle `index`, e.g. "B-TA 1"."""
	rest = index // len(_GENERATED_DISTRICTS)
	district = _GENERATED_DISTRICTS[index % len(_GENERATED_DISTRICTS)]
	letter = _GENERATED_LETTERS[rest % len(_GENERATED_LETTERS)]
	return f"{district}-T{letter} {rest // len(_GENERATED_LETTERS) + 1}"


def _generated_vehicle(index: int) -> Item:
	return {
		"vin": generated_vin(index),
		"customerVehicleName": generated_plate(index),
		"brand": ("DAIMLER", "MAN", "SCANIA", "VOLVO TRUCKS", "DAF")[index % 5],
		"productionDate": {"day": 1 + index % 28, "month": 1 + index % 12, "year": 2019 + index % 6},
		"type": "TRUCK",
		"model": ("Actros", "TGX", "R 450", "FH", "XF")[index % 5],
		"emissionLevel": "EURO_VI",
		"gearboxType": "AUTOMATIC",
	}


def _generated_place(index: int) -> dict[str, Any]:
	moving = index % 7 != 0
	speed = float(20 + (index * 13) % 70) if moving else 0.0
	return {
		"latitude": round(47.6 + (index * 0.3719) % 7.2, 5),
		"longitude": round(6.2 + (index * 0.5347) % 8.6, 5),
		"heading": (index * 37) % 360,
		"altitude": 30 + index % 400,
		"speed": speed,
	}


def _generated_position(index: int) -> Item:
	received = GENERATED_BASE + timedelta(seconds=index)
	place = _generated_place(index)
	return {
		"vin": generated_vin(index),
		"triggerType": {"triggerType": "TIMER", "context": "RFMS"},
		"createdDateTime": _rfms_time(received - timedelta(seconds=5)),
		"receivedDateTime": _rfms_time(received),
		"gnssPosition": {**place, "positionDateTime": _rfms_time(received - timedelta(seconds=6))},
		"wheelBasedSpeed": place["speed"],
		"tachographSpeed": place["speed"],
	}


def _generated_status(index: int) -> Item:
	received = GENERATED_BASE + timedelta(seconds=index)
	place = _generated_place(index)
	is_parked = index % 7 == 0
	tell_tales = [{"tellTale": "ENGINE_OIL", "state": "OFF"}]
	trigger: dict[str, Any] = {"triggerType": "IGNITION_OFF" if is_parked else "TIMER", "context": "RFMS"}
	if index % 50 == 3:
		red = {"tellTale": "BRAKE_MALFUNCTION", "state": "RED"}
		tell_tales.append(red)
		trigger = {"triggerType": "TELL_TALE", "context": "RFMS", "tellTaleInfo": red}
	return {
		"vin": generated_vin(index),
		"triggerType": trigger,
		"createdDateTime": _rfms_time(received - timedelta(seconds=5)),
		"receivedDateTime": _rfms_time(received),
		"hrTotalVehicleDistance": 100_000_000 + index * 1_000,
		"engineTotalFuelUsed": 40_000_000 + index * 100,
		"grossCombinationVehicleWeight": 18_000 + (index * 97) % 22_000,
		"snapshotData": {
			"gnssPosition": {**place, "positionDateTime": _rfms_time(received - timedelta(seconds=6))},
			"wheelBasedSpeed": place["speed"],
			"engineSpeed": 0.0 if is_parked else 900.0 + index % 500,
			"fuelLevel1": float(10 + index % 90),
		},
		"uptimeData": {"tellTaleInfo": tell_tales, "serviceDistance": 50_000_000 - index * 10},
	}


def _generated_fleet(count: int) -> _Fleet:
	# Index order is VIN order and received order at once, so one lazy list serves every query.
	positions = _Generated(count, _generated_position)
	statuses = _Generated(count, _generated_status)
	return _Fleet(
		vehicles=_Generated(count, _generated_vehicle),
		reports={
			"vehiclepositions": _Reports(latest=positions, by_received=positions, by_created=positions),
			"vehiclestatuses": _Reports(latest=statuses, by_received=statuses, by_created=statuses),
		},
	)


class _BadRequest(Exception):
	"""A request the simulated server refuses with 400."""


class _State:
	"""Switches, counters, tokens and data of one simulator; shared by all handler threads."""

	def __init__(self, fixtures: Path, switches: Switches) -> None:
		self.lock = threading.Lock()
		self.fixtures = fixtures
		self.switches = switches
		self.tokens: dict[str, float] = {}
		self.counters: dict[str, Any] = {}
		self.reset_counters()
		self._fleets: dict[int, _Fleet] = {}

	def reset_counters(self) -> None:
		self.counters = {
			"requests": 0,
			"by_path": Counter(),
			"by_status": Counter(),
			"faults": Counter(),
			"tokens_issued": 0,
		}

	def snapshot(self) -> dict[str, Any]:
		with self.lock:
			return {
				"requests": self.counters["requests"],
				"by_path": dict(self.counters["by_path"]),
				"by_status": {str(status): count for status, count in self.counters["by_status"].items()},
				"faults": dict(self.counters["faults"]),
				"tokens_issued": self.counters["tokens_issued"],
			}

	def take(self, switch: str) -> bool:
		"""Use up one of the next-N faults named `switch`; True when one was left."""
		with self.lock:
			left = getattr(self.switches, switch)
			if left <= 0:
				return False
			setattr(self.switches, switch, left - 1)
			self.counters["faults"][switch] += 1
			return True

	def fleet(self) -> _Fleet:
		with self.lock:
			count = self.switches.generate
			if count not in self._fleets:
				self._fleets[count] = (
					_generated_fleet(count) if count else _load_recorded_fleet(self.fixtures)
				)
			return self._fleets[count]

	@cached_property
	def solution(self) -> Item:
		solution: Item = json.loads((self.fixtures / "vroom" / "solution.json").read_text(encoding="utf-8"))
		return solution

	@cached_property
	def deliveries(self) -> list[Item]:
		data = json.loads((self.fixtures / "generic" / "deliveries.json").read_text(encoding="utf-8"))
		return sorted(data["data"]["deliveries"], key=lambda item: item["shipment"]["trackingNo"])


class _Server(ThreadingHTTPServer):
	daemon_threads = True

	def __init__(self, port: int, state: _State) -> None:
		self.state = state
		super().__init__((HOST, port), _Handler)


def _json(
	status: int, body: object, headers: Mapping[str, str] | None = None, content_type: str = ""
) -> Reply:
	return (
		status,
		json.dumps(body, ensure_ascii=False).encode("utf-8"),
		{"Content-Type": content_type or "application/json; charset=utf-8", **(headers or {})},
	)


def _error(
	status: HTTPStatus, error: str, description: str, headers: Mapping[str, str] | None = None
) -> Reply:
	# The rFMS ErrorObject shape: error, error_description.
	return _json(status, {"error": error, "error_description": description}, headers)


class _Handler(BaseHTTPRequestHandler):
	server: _Server
	protocol_version = "HTTP/1.1"
	# Headers and body go out in separate writes; without this, delayed ACKs cost 40 ms a request.
	disable_nagle_algorithm = True
	# Idle keep-alive connections close after this, so a stopped simulator leaves no thread for long.
	timeout = 15

	def log_message(self, format: str, *args: Any) -> None:
		# Quiet: the counters say what happened; tests read them instead of a log.
		return

	def do_GET(self) -> None:
		self._dispatch("GET")

	def do_POST(self) -> None:
		self._dispatch("POST")

	def _dispatch(self, method: str) -> None:
		state = self.server.state
		split = urlsplit(self.path)
		path = split.path.rstrip("/") or "/"
		query = dict(parse_qsl(split.query, keep_blank_values=True))
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length) if length else b""

		if path == "/_health":
			self._send(_json(200, {"status": "ok"}))
			return
		if path == "/_control":
			self._send(self._control(method, body))
			return

		with state.lock:
			state.counters["requests"] += 1
			state.counters["by_path"][path] += 1
		reply = self._data(method, path, query, body)
		with state.lock:
			state.counters["by_status"][reply[0]] += 1
		self._send(reply)

	def _data(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
		state = self.server.state
		if path == "/oauth/token":
			return (
				self._token(method, body)
				if method == "POST"
				else _error(HTTPStatus.METHOD_NOT_ALLOWED, "method", "POST only")
			)
		routes: dict[str, Callable[[dict[str, str]], Reply]] = {
			"/rfms/vehicles": self._vehicles,
			"/rfms/vehiclepositions": lambda query: self._reports("vehiclepositions", query),
			"/rfms/vehiclestatuses": lambda query: self._reports("vehiclestatuses", query),
			"/vroom/solution": self._solution,
			"/generic/deliveries": self._deliveries,
		}
		if path not in routes:
			return _error(HTTPStatus.NOT_FOUND, "not_found", f"no resource {path}")
		if method != "GET":
			return _error(HTTPStatus.METHOD_NOT_ALLOWED, "method", "GET only")

		latency_ms = state.switches.latency_ms
		if latency_ms:
			time.sleep(latency_ms / 1000)
		if state.take("fail_429"):
			retry_after = str(state.switches.retry_after_s)
			return _error(
				HTTPStatus.TOO_MANY_REQUESTS, "too_many_requests", "rate limit", {"Retry-After": retry_after}
			)
		if state.take("fail_500"):
			return _error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "simulated server error")
		refusal = self._refuse_unauthenticated()
		if refusal is not None:
			return refusal
		try:
			reply = routes[path](query)
		except _BadRequest as problem:
			return _error(HTTPStatus.BAD_REQUEST, "invalid_request", str(problem))
		if reply[0] == 200 and state.take("broken"):
			status, content, headers = reply
			return status, content[: len(content) // 2], headers
		return reply

	def _send(self, reply: Reply) -> None:
		status, content, headers = reply
		try:
			self.send_response(status)
			for name, value in headers.items():
				self.send_header(name, value)
			self.send_header("Content-Length", str(len(content)))
			self.end_headers()
			self.wfile.write(content)
		except (BrokenPipeError, ConnectionResetError):
			# The client gave up first (its timeout is shorter than the latency switched on).
			self.close_connection = True

	# --- authentication ---

	def _refuse_unauthenticated(self) -> Reply | None:
		state = self.server.state
		mode = state.switches.auth
		if mode == "api_key":
			if secrets.compare_digest(self.headers.get(API_KEY_HEADER, ""), state.switches.api_key):
				return None
			return _error(
				HTTPStatus.UNAUTHORIZED, "invalid_api_key", f"missing or wrong {API_KEY_HEADER} header"
			)
		if mode == "oauth2":
			header = self.headers.get("Authorization", "")
			token = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
			with state.lock:
				expires = state.tokens.get(token)
			if expires is not None and expires > time.monotonic():
				return None
			challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
			reason = "expired" if expires is not None else "missing or unknown"
			return _error(HTTPStatus.UNAUTHORIZED, "invalid_token", f"access token {reason}", challenge)
		return None

	def _token(self, method: str, body: bytes) -> Reply:
		state = self.server.state
		form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
		if form.get("grant_type") != "client_credentials":
			return _error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type", "only client_credentials")
		client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
		header = self.headers.get("Authorization", "")
		if header.startswith("Basic "):
			try:
				client_id, _, client_secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
			except (binascii.Error, UnicodeDecodeError):
				return _error(HTTPStatus.UNAUTHORIZED, "invalid_client", "malformed Basic credentials")
		is_known = secrets.compare_digest(client_id, state.switches.client_id) and secrets.compare_digest(
			client_secret, state.switches.client_secret
		)
		if not is_known:
			return _error(HTTPStatus.UNAUTHORIZED, "invalid_client", "unknown client or wrong secret")
		token = secrets.token_urlsafe(24)
		ttl = state.switches.token_ttl_s
		with state.lock:
			state.tokens[token] = time.monotonic() + ttl
			state.counters["tokens_issued"] += 1
		body_out = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": "rfms"}
		return _json(200, body_out, {"Cache-Control": "no-store"})

	# --- control ---

	def _control(self, method: str, body: bytes) -> Reply:
		state = self.server.state
		if method == "POST":
			try:
				values = json.loads(body or b"{}")
				if not isinstance(values, dict):
					raise ValueError("expected a JSON object of switches")
				reset = values.pop("reset_counters", False)
				with state.lock:
					state.switches.update(values)
					if reset:
						state.reset_counters()
			except ValueError as problem:
				return _error(HTTPStatus.BAD_REQUEST, "invalid_switch", str(problem))
		with state.lock:
			switches = asdict(state.switches)
		return _json(200, {"switches": switches, "counters": state.snapshot()})

	# --- resources ---

	def _page_reply(
		self, resource: str, envelope: str, key: str, items: list[Item], link: str | None
	) -> Reply:
		body: dict[str, Any] = {envelope: {key: items}, "moreDataAvailable": link is not None}
		if link is not None:
			body["moreDataAvailableLink"] = link
		if resource != "vehicles":
			body["requestServerDateTime"] = _rfms_time(datetime.now(UTC))
		return _json(200, body, content_type=_RFMS_CONTENT_TYPES[resource])

	def _vehicles(self, query: dict[str, str]) -> Reply:
		vehicles = self.server.state.fleet().vehicles
		page_size = self.server.state.switches.page_size
		last_vin = query.get("lastVin")
		start = bisect_right(vehicles, last_vin, key=_vin) if last_vin else 0
		end = min(start + page_size, len(vehicles))
		items = self._maybe_malformed(list(vehicles[start:end]), _corrupt_vehicle)
		link = None
		if end < len(vehicles):
			link = "/rfms/vehicles?" + urlencode({**query, "lastVin": _vin(vehicles[end - 1])})
		return self._page_reply("vehicles", "vehicleResponse", "vehicles", items, link)

	def _reports(self, resource: str, query: dict[str, str]) -> Reply:
		reports = self.server.state.fleet().reports[resource]
		page_size = self.server.state.switches.page_size
		latest_only = query.get("latestOnly", "").lower()
		has_times = "starttime" in query or "stoptime" in query
		if latest_only not in ("", "true", "false"):
			raise _BadRequest("latestOnly must be true or false")
		if latest_only == "true" and has_times:
			raise _BadRequest("latestOnly cannot be combined with starttime or stoptime")
		if latest_only != "true" and "starttime" not in query:
			raise _BadRequest("either starttime or latestOnly=true is required")
		datetype = query.get("datetype", "received")
		if datetype not in ("received", "created"):
			raise _BadRequest("datetype must be received or created")
		vin = query.get("vin")

		if latest_only == "true":
			indexes, sequence, link_key = self._latest_window(reports.latest, query.get("lastVin"), vin)
		else:
			sequence = reports.by_received if datetype == "received" else reports.by_created
			indexes, link_key = self._time_window(sequence, query, datetype, vin), "starttime"

		end = min(page_size, len(indexes))
		moment = _received if datetype == "received" else _created
		if link_key == "starttime":
			# Keep every report of the last second on this page: the next page starts one second later.
			while 0 < end < len(indexes) and _whole_second(moment(sequence[indexes[end]])) == _whole_second(
				moment(sequence[indexes[end - 1]])
			):
				end += 1
		items = self._maybe_malformed([sequence[index] for index in indexes[:end]], _corrupt_report)
		link = None
		if end < len(indexes):
			last = sequence[indexes[end - 1]]
			if link_key == "lastVin":
				cursor = {"lastVin": _vin(last)}
			else:
				cursor = {"starttime": _rfms_time(_whole_second(moment(last)) + timedelta(seconds=1))}
			link = f"/rfms/{resource}?" + urlencode({**query, **cursor})
		envelope, key = (
			("vehiclePositionResponse", "vehiclePositions")
			if resource == "vehiclepositions"
			else ("vehicleStatusResponse", "vehicleStatuses")
		)
		return self._page_reply(resource, envelope, key, items, link)

	@staticmethod
	def _latest_window(
		latest: Sequence[Item], last_vin: str | None, vin: str | None
	) -> tuple[Sequence[int], Sequence[Item], str]:
		start = bisect_right(latest, last_vin, key=_vin) if last_vin else 0
		indexes: Sequence[int] = range(start, len(latest))
		if vin:
			indexes = [index for index in indexes if _vin(latest[index]) == vin]
		return indexes, latest, "lastVin"

	@staticmethod
	def _time_window(
		sequence: Sequence[Item], query: dict[str, str], datetype: str, vin: str | None
	) -> Sequence[int]:
		moment = _received if datetype == "received" else _created
		start_at = _query_time(query, "starttime")
		stop_at = _query_time(query, "stoptime")
		start = bisect_left(sequence, start_at, key=moment) if start_at else 0
		stop = bisect_left(sequence, stop_at, key=moment) if stop_at else len(sequence)
		indexes: Sequence[int] = range(start, max(start, stop))
		if vin:
			indexes = [index for index in indexes if _vin(sequence[index]) == vin]
		return indexes

	def _solution(self, query: dict[str, str]) -> Reply:
		solution = self.server.state.solution
		if self.server.state.take("malformed"):
			solution = copy.deepcopy(solution)
			route = solution["routes"][len(solution["routes"]) // 2]
			route["steps"][1]["arrival"] = "soon"
		return _json(200, solution)

	def _deliveries(self, query: dict[str, str]) -> Reply:
		state = self.server.state
		items = state.deliveries
		since = _query_time(query, "since")
		if since is not None:
			items = [item for item in items if _time(item["updatedAt"]) >= since]
		try:
			page = int(query.get("page", "1"))
		except ValueError:
			raise _BadRequest("page must be a whole number") from None
		if page < 1:
			raise _BadRequest("page starts at 1")
		size = state.switches.page_size
		chosen = self._maybe_malformed(items[(page - 1) * size : page * size], _corrupt_delivery)
		following = None
		if page * size < len(items):
			following = "/generic/deliveries?" + urlencode({**query, "page": str(page + 1)})
		return _json(200, {"data": {"deliveries": chosen}, "paging": {"next": following, "page": page}})

	def _maybe_malformed(self, items: list[Item], corrupt: Callable[[Item], None]) -> list[Item]:
		if not items or not self.server.state.take("malformed"):
			return items
		changed = list(items)
		middle = len(changed) // 2
		changed[middle] = copy.deepcopy(changed[middle])
		corrupt(changed[middle])
		return changed


def _corrupt_vehicle(item: Item) -> None:
	item["productionDate"] = "gestern"


def _corrupt_report(item: Item) -> None:
	# A time without zone: the classic mistake of a server that forgot to send UTC.
	item["createdDateTime"] = _time(item["createdDateTime"]).replace(tzinfo=None).isoformat()


def _corrupt_delivery(item: Item) -> None:
	item["eta"] = {**(item.get("eta") or {}), "planned": "bald"}


def _whole_second(moment: datetime) -> datetime:
	return moment.replace(microsecond=0)


def _query_time(query: Mapping[str, str], name: str) -> datetime | None:
	text = query.get(name)
	if text is None:
		return None
	try:
		moment = datetime.fromisoformat(text)
	except ValueError:
		raise _BadRequest(f"{name} must be an ISO 8601 date-time") from None
	if moment.utcoffset() is None:
		raise _BadRequest(f"{name} needs a time zone")
	return moment.astimezone(UTC)


class Simulator:
	"""A running simulator: its base URL, its switches and counters, and `stop()`."""

	def __init__(self, server: _Server, thread: threading.Thread) -> None:
		self._server = server
		self._thread = thread
		self.port = int(server.server_address[1])
		self.url = f"http://{HOST}:{self.port}"

	def set(self, **switches: object) -> None:
		"""Change switches while running (the same as POST /_control)."""
		state = self._server.state
		with state.lock:
			state.switches.update(switches)

	@property
	def switches(self) -> dict[str, Any]:
		with self._server.state.lock:
			return asdict(self._server.state.switches)

	def counters(self) -> dict[str, Any]:
		"""Requests, by path, by status, faults served and tokens issued."""
		return self._server.state.snapshot()

	def request_count(self, path: str | None = None) -> int:
		counters = self.counters()
		return int(counters["requests"] if path is None else counters["by_path"].get(path, 0))

	def reset_counters(self) -> None:
		with self._server.state.lock:
			self._server.state.reset_counters()

	def stop(self) -> None:
		self._server.shutdown()
		self._server.server_close()
		self._thread.join(timeout=5)

	def __enter__(self) -> "Simulator":
		return self

	def __exit__(self, *exc_info: object) -> None:
		self.stop()


def start_simulator(*, port: int = 0, fixtures: Path = FIXTURES_DIR, **switches: object) -> Simulator:
	"""Start a simulator on 127.0.0.1 (`port` 0: a free port) in a background thread.

	`switches` are `Switches` fields; an unknown or invalid one raises ValueError before anything
	is bound.
	"""
	settings = Switches()
	settings.update(switches)
	server = _Server(port, _State(fixtures, settings))
	thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
	thread.start()
	return Simulator(server, thread)


def main(argv: Sequence[str] | None = None) -> int:
	parser = argparse.ArgumentParser(
		prog="python -m techsolutions_support.simulator", description=__doc__.split("\n")[0]
	)
	parser.add_argument("--port", type=int, default=8090, help="port on 127.0.0.1 (0: any free port)")
	parser.add_argument("--page-size", type=int, default=Switches.page_size)
	parser.add_argument("--generate", type=int, default=0, help="serve N synthetic vehicles")
	parser.add_argument("--latency-ms", type=int, default=0)
	parser.add_argument("--auth", choices=_AUTH_MODES, default="none")
	arguments = parser.parse_args(argv)
	simulator = start_simulator(
		port=arguments.port,
		page_size=arguments.page_size,
		generate=arguments.generate,
		latency_ms=arguments.latency_ms,
		auth=arguments.auth,
	)
	sys.stdout.write(f"{simulator.url}\n")
	sys.stdout.flush()
	try:
		while True:
			time.sleep(1)
	except KeyboardInterrupt:
		pass
	finally:
		simulator.stop()
	return 0


if __name__ == "__main__":
	sys.exit(main())

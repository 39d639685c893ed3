"""Fleet telematics over rFMS 4: the vehicle list, then the latest positions and statuses.

The vehicle list is read whole every run (rFMS has no "changed since" for it; unchanged vehicles
cost one query per page). Positions and statuses are incremental, each with its own cursor:

	first run      ``latestOnly=true``, paged with ``lastVin``; then the cursor is the server's
	               time at the start of that read, so nothing received during it is missed
	later runs     ``starttime=<cursor>``, paged as the standard says; the cursor becomes the
	               newest received time seen (inclusive: the last second is read again and
	               found unchanged, rather than a report of that second being skipped)
	mid-run        after every page the cursor is the next page's query, so a run that stops
	               resumes there

A record that cannot be read is skipped and its VIN kept in the cursor; the next run asks for
that vehicle's latest report again (``latestOnly=true&vin=...``). A bad record without a
readable VIN keeps the cursor where the run started, so the whole window is read again.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from techsolutions_support.connectors import store
from techsolutions_support.connectors.run import RunState
from techsolutions_support.core import rfms
from techsolutions_support.core.mapping import ParseResult
from techsolutions_support.core.sync import parse_stamp, utc_stamp

# VINs to ask for again, at most: beyond that the whole window is read again instead.
MAX_RETRY_VINS = 200

REPORTS: tuple[
	tuple[str, Callable[[bytes], ParseResult[Any]], Callable[[RunState, Sequence[Any]], None]], ...
] = (
	(rfms.POSITIONS, rfms.parse_positions, store.apply_positions),
	(rfms.STATUSES, rfms.parse_statuses, store.apply_statuses),
)


def sync_fleet(run: RunState) -> None:
	base = run.config.base_url.rstrip("/")
	read_vehicles(run, f"{base}/{rfms.VEHICLES}")
	for resource, parse, apply in REPORTS:
		retry_failed(run, f"{base}/{resource}", resource, parse, apply)
		read_reports(run, f"{base}/{resource}", resource, parse, apply)


def read_vehicles(run: RunState, url: str) -> None:
	params: dict[str, str] | None = {}
	while params is not None:
		run.begin_page()
		result = run.fetch(url, params, rfms.parse_vehicles)
		run.fetched += result.item_count
		run.record_errors(rfms.VEHICLES, result.errors)
		store.upsert_vehicles(run, result.records)
		params = rfms.next_request(params, result)
		run.page_done()


def read_reports(
	run: RunState,
	url: str,
	resource: str,
	parse: Callable[[bytes], ParseResult[Any]],
	apply: Callable[[RunState, Sequence[Any]], None],
) -> None:
	started_with = dict(run.cursor.get(resource) or {"latestOnly": "true"})
	is_latest_only = started_with.get("latestOnly") == "true"
	params: dict[str, str] | None = dict(started_with)
	# A latestOnly read resumed mid-way keeps the server time of its first page.
	read_start = parse_stamp(run.cursor.get(f"{resource}_read_start"))
	newest: datetime | None = None
	must_reread = False
	while params is not None:
		run.begin_page()
		result = run.fetch(url, params, parse)
		if is_latest_only and read_start is None and result.server_time is not None:
			read_start = result.server_time
			run.cursor[f"{resource}_read_start"] = utc_stamp(read_start)
		run.fetched += result.item_count
		run.record_errors(resource, result.errors)
		for error in result.errors:
			if error.record_id and len(retry_list(run, resource)) < MAX_RETRY_VINS:
				remember_retry(run, resource, error.record_id)
			else:
				must_reread = True
		apply(run, result.records)
		for record in result.records:
			newest = record.received_at if newest is None or record.received_at > newest else newest
		following = rfms.next_request(params, result)
		if following is not None:
			run.cursor[resource] = following
		else:
			run.cursor[resource] = end_cursor(started_with, is_latest_only, read_start, newest, must_reread)
			run.cursor.pop(f"{resource}_read_start", None)
		run.page_done()
		params = following


def end_cursor(
	started_with: dict[str, str],
	is_latest_only: bool,
	read_start: datetime | None,
	newest: datetime | None,
	must_reread: bool,
) -> dict[str, str]:
	if must_reread:
		return started_with
	if is_latest_only:
		moment = read_start or newest
		return {"starttime": rfms.format_rfms_time(moment)} if moment else started_with
	if newest is None:
		return {"starttime": started_with["starttime"]} if "starttime" in started_with else started_with
	return {"starttime": rfms.format_rfms_time(newest)}


def retry_failed(
	run: RunState,
	url: str,
	resource: str,
	parse: Callable[[bytes], ParseResult[Any]],
	apply: Callable[[RunState, Sequence[Any]], None],
) -> None:
	"""Ask again for the latest report of each vehicle whose report could not be read last time."""
	for vin in list(retry_list(run, resource)):
		run.begin_page()
		result = run.fetch(url, {"latestOnly": "true", "vin": vin}, parse)
		run.fetched += result.item_count
		run.record_errors(resource, result.errors)
		apply(run, result.records)
		if not result.errors:
			retry_list(run, resource).remove(vin)
		run.page_done()


def retry_list(run: RunState, resource: str) -> list[str]:
	return run.cursor.setdefault(f"{resource}_retry", [])


def remember_retry(run: RunState, resource: str, vin: str) -> None:
	pending = retry_list(run, resource)
	if vin not in pending:
		pending.append(vin)

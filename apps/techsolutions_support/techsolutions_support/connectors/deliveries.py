"""Deliveries from a generic JSON REST source, its fields mapped in the connector form.

Pages are followed by the link the mapping's Next Page Path points at. A run is incremental when
the form names a Changed-Since Parameter and the mapping has ``updated_at``: the cursor is the
newest ``updated_at`` seen, sent as that parameter next time (inclusive: the newest records are
read again and found unchanged). The cursor moves only when a run reads every page: offset
paging is not stable while records change, so a run that stops starts over from the cursor,
which costs a re-read and loses nothing. A record that cannot be read holds the cursor at its
own ``updated_at`` (or where the run started, if that is unreadable too), so the next run
reads it again.
"""

from datetime import datetime
from typing import Any

from techsolutions_support.connectors import store
from techsolutions_support.connectors.http import resolve_link
from techsolutions_support.connectors.run import RunState
from techsolutions_support.core.mapping import (
	MappedRecord,
	ParseResult,
	PayloadFormatError,
	RecordInvalid,
	decode_json,
	parse_path,
	parse_records,
	resolve_path,
)
from techsolutions_support.core.rfms import format_rfms_time
from techsolutions_support.core.sync import record_time

CURSOR_KEY = "since"


def sync_deliveries(run: RunState) -> None:
	config = run.config
	mapping = config.mapping
	assert mapping is not None
	since = run.cursor.get(CURSOR_KEY)
	params: dict[str, str] | None = {}
	if config.since_param and since:
		params[config.since_param] = since
	if config.page_size_param:
		params[config.page_size_param] = str(config.page_size)

	url: str | None = config.base_url
	newest: datetime | None = None
	hold_at: datetime | None = None
	must_reread = False
	while url is not None:
		run.begin_page()
		result, items = run.fetch(url, params, lambda content: parse_page(run, content))
		run.fetched += result.item_count
		run.record_errors("deliveries", result.errors)
		for error in result.errors:
			moment = record_time(items[error.index], mapping, "updated_at", config.source_zone)
			if moment is None:
				must_reread = True
			else:
				hold_at = moment if hold_at is None or moment < hold_at else hold_at
		store.upsert_deliveries(run, result.records)
		newest = max_time(newest, result.records)
		url = resolve_link(config.base_url, result.next_link) if result.next_link else None
		# A next-page link carries the whole query.
		params = None
		run.page_done()

	run.cursor[CURSOR_KEY] = next_since(since, newest, hold_at, must_reread)
	run.page_done()


def parse_page(run: RunState, content: bytes) -> tuple[ParseResult[MappedRecord], list[Any]]:
	"""The parsed page and its raw records (to read the time of records that failed)."""
	config = run.config
	assert config.mapping is not None
	data = decode_json(content)
	result = parse_records(
		data, config.records_path, config.mapping, config.source_zone, next_link_path=config.next_link_path
	)
	return result, raw_items(data, config.records_path)


def raw_items(data: object, records_path: str | None) -> list[Any]:
	if not records_path:
		return data if isinstance(data, list) else []
	try:
		found = resolve_path(data, parse_path(records_path))
	except RecordInvalid as problem:
		raise PayloadFormatError(str(problem)) from None
	return found if isinstance(found, list) else []


def max_time(newest: datetime | None, records: tuple[MappedRecord, ...]) -> datetime | None:
	for record in records:
		moment = record.values.get("updated_at")
		if isinstance(moment, datetime) and (newest is None or moment > newest):
			newest = moment
	return newest


def next_since(
	since: str | None, newest: datetime | None, hold_at: datetime | None, must_reread: bool
) -> str | None:
	"""The cursor after a complete read: the newest time seen, or held back for records to retry."""
	if must_reread:
		return since
	moment = hold_at or newest
	return format_rfms_time(moment) if moment is not None else since

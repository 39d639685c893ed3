"""The state of one connector run: counts, error samples, the cursor, and page-by-page commits.

Each page is its own unit: it is fetched (a broken page is fetched again, like a 5xx), written,
and then committed together with the cursor that says where the next page starts. A run that
stops anywhere therefore leaves the records of its finished pages and the cursor to resume
from; a record is never half-written, and re-reading a page only finds its records unchanged.
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TypeVar

import frappe

from techsolutions_support.connectors.config import ConnectorConfig
from techsolutions_support.connectors.http import SourceAnswerInvalid, SourceClient, redact_url, with_params
from techsolutions_support.core.mapping import PayloadFormatError, RecordError
from techsolutions_support.core.sync import Change, ErrorSamples
from techsolutions_support.events.hd_ticket_context import link_waiting_tickets, refresh_linked_tickets
from techsolutions_support.proactive import open_for_changes

ResultT = TypeVar("ResultT")

# A run stops rather than page forever through a source whose cursor goes round in circles.
MAX_PAGES = 100_000
# Unexpected errors of single records also go to the Error Log, but only this many per run.
MAX_ERROR_LOGS = 3


@dataclass
class RunState:
	config: ConnectorConfig
	client: SourceClient
	cursor: dict[str, Any]
	zone: tzinfo
	synced_at: datetime
	commit: bool = True
	lock: Any = None
	sleep: Callable[[float], None] = time.sleep
	fetched: int = 0
	created: int = 0
	updated: int = 0
	unchanged: int = 0
	failed: int = 0
	pages: int = 0
	errors: ErrorSamples = field(default_factory=ErrorSamples)
	# Records whose context shown on tickets changed, and those whose change re-runs the rules.
	touched_vehicles: set[str] = field(default_factory=set)
	changed_vehicles: set[str] = field(default_factory=set)
	touched_deliveries: set[str] = field(default_factory=set)
	changed_deliveries: set[str] = field(default_factory=set)
	# What changed records were before, for proactive rules (state turned, delay crossed).
	previous_states: dict[str, str | None] = field(default_factory=dict)
	previous_delays: dict[str, int | None] = field(default_factory=dict)
	# Records this page created (vehicles with their plate key), for tickets that named them first.
	created_vehicles: dict[str, str | None] = field(default_factory=dict)
	created_deliveries: set[str] = field(default_factory=set)
	tickets_reevaluated: int = 0
	tickets_opened: int = 0
	tickets_linked: int = 0
	_error_logs: int = 0
	_in_page: bool = False

	@property
	def connector(self) -> str:
		return self.config.name

	# --- counting ---

	def count(self, change: Change, n: int = 1) -> None:
		if change is Change.CREATED:
			self.created += n
		elif change is Change.UPDATED:
			self.updated += n
		else:
			self.unchanged += n

	def fail(self, resource: str, record_id: str | None, message: str) -> None:
		self.failed += 1
		self.errors.add(resource, record_id, message)

	def record_errors(self, resource: str, errors: tuple[RecordError, ...]) -> None:
		for error in errors:
			self.fail(resource, error.record_id, error.message)

	def record_exception(self, resource: str, record_id: str | None, exc: Exception) -> None:
		"""A record that could not be written: counted, sampled, and its traceback kept (a few per run)."""
		self.fail(resource, record_id, f"{type(exc).__name__}: {exc}")
		if self._error_logs < MAX_ERROR_LOGS:
			self._error_logs += 1
			frappe.log_error(title=f"Connectors: {self.connector} could not write {resource} {record_id}")

	# --- pages ---

	def fetch(self, url: str, params: Mapping[str, str] | None, parse: Callable[[bytes], ResultT]) -> ResultT:
		"""GET one page and parse it; a page that does not parse (cut off, not JSON) is fetched again."""
		if self.pages >= MAX_PAGES:
			raise SourceAnswerInvalid(f"more than {MAX_PAGES} pages: the source's paging does not end")
		attempt = 0
		while True:
			attempt += 1
			answer = self.client.get(url, params)
			try:
				result = parse(answer.content)
			except PayloadFormatError as exc:
				detail = f"GET {redact_url(with_params(url, params))} answered an unreadable page ({exc})"
				self.client.back_off(attempt, None, detail, SourceAnswerInvalid, "parse")
				continue
			self.pages += 1
			return result

	def begin_page(self) -> None:
		frappe.db.savepoint("ts_connector_page")
		self._in_page = True

	def undo_page(self) -> None:
		"""Drop what the unfinished page wrote; finished pages stay."""
		if self._in_page:
			frappe.db.rollback(save_point="ts_connector_page")
			self._in_page = False

	def page_done(self) -> None:
		"""The page's records, the tickets they touch and the cursor after it, committed together."""
		self.refresh_tickets()
		save_cursor(self.connector, self.cursor)
		self._in_page = False
		if self.commit:
			frappe.db.commit()
		if self.lock is not None:
			# The lock lives as long as a run may; each page finished renews it.
			self.lock.reacquire()

	def refresh_tickets(self) -> None:
		"""Open tickets that named a vehicle or delivery this page created linked to it; context of
		open tickets linked to this page's changes; rules again where state or delay changed;
		proactive tickets where a rule asks for one.

		Per page, so that memory stays flat however large the fleet, and agents see changes as
		soon as the page is committed.
		"""
		pending = (
			self.touched_vehicles,
			self.changed_vehicles,
			self.touched_deliveries,
			self.changed_deliveries,
			self.previous_states,
			self.previous_delays,
			self.created_vehicles,
			self.created_deliveries,
		)
		if not any(pending):
			return
		try:
			linked = link_waiting_tickets(
				self.created_vehicles, self.created_deliveries, days=self.config.link_tickets_days
			)
			self.tickets_linked += len(linked)
		except Exception:
			frappe.log_error(title=f"Connectors: {self.connector} could not link waiting tickets")
		try:
			_, reevaluated = refresh_linked_tickets(
				self.touched_vehicles,
				self.touched_deliveries,
				reevaluate_vehicles=self.changed_vehicles,
				reevaluate_deliveries=self.changed_deliveries,
			)
			self.tickets_reevaluated += reevaluated
		except Exception:
			frappe.log_error(title=f"Connectors: {self.connector} could not refresh linked tickets")
		try:
			self.tickets_opened += open_for_changes(self.previous_states, self.previous_delays)
		except Exception:
			frappe.log_error(title=f"Connectors: {self.connector} could not open proactive tickets")
		for records in pending:
			records.clear()


def save_cursor(connector: str, cursor: Mapping[str, Any]) -> None:
	frappe.db.set_value("TS Connector", connector, "cursor", dump(cursor), update_modified=False)


def dump(value: Any) -> str:
	return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1, default=str)

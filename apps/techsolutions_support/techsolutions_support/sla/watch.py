"""The SLA watch: every five minutes, the clocks of all open tickets on the app's calendars.

For each open or paused ticket whose deadlines the app's clock sets (`ts_sla_calendar`):

	keep current  response_by, resolution_by, agreement_status and ts_breached_at, written
	              without a document event (derived values, like Helpdesk's own hourly job)
	warn          ts_response_warning_sent, ts_resolution_warning_sent, once per ticket, when the
	              share of the target set in TS SLA Settings is spent
	escalate      ts_escalation_level (with ts_escalated_to, ts_escalated_on) up to the level
	              reached, one per delay after the breach; never lowered

Warnings and escalations are saved as real changes of the ticket, so Frappe Notifications
("Value Change" of those fields) and Webhooks fire on them; the people they reach are written
with them (ts_warning_recipients, ts_escalation_recipients, see sla/alerts.py), and the app's
standard Notifications, sent on a document method per alert that the change runs
(ALERT_METHODS), address those people. Each is written only when the stored value is below the
one due, re-checked on the freshly loaded ticket, so running the watch again (or two workers
running it) sends nothing twice. Several levels reached at once (a watch that did not run for a
while) are written as one change to the highest, sent to the people of every level reached.

An alert's change is written lean (save_watch_change): as a change it is like a save (modified,
Version, Notifications, Webhooks, server scripts), but the steps that derive and check what users
enter, and the apps' reactions to fields the watch never touches, do not run; its deadlines and
status come from the same computation as its alerts.

A deadline the watch itself moves (a calendar edited under running tickets, say) is announced to
the ticket's contact like one moved by a save (portal/notify.py), from a job queued after the
run's commit: the watch writes without document events. Tickets adopted in the same run are not
announced (their first deadlines of the app's clock are no news to tell).

Runs never overlap: each takes a lock in Redis for the site and gives up at once when another
run holds it. Tickets open before the app's clock existed are adopted on the way: their terms are
set from their creation, and a pause in progress is recorded from Helpdesk's on_hold_since.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.exceptions import LockError

import frappe
from frappe.core.doctype.server_script.server_script_utils import run_server_script_for_doc_event
from frappe.integrations.doctype.webhook import run_webhooks
from frappe.utils import get_datetime, now_datetime

from techsolutions_support.core.business_time import BusinessCalendar
from techsolutions_support.core.portal_notices import DEADLINE_FIELDS
from techsolutions_support.core.sla import SlaReport, agreement_status
from techsolutions_support.sla.alerts import AlertAudience
from techsolutions_support.sla.calendars import get_calendar, terms_for
from techsolutions_support.sla.clock import (
	ClockInput,
	SlaPolicy,
	evaluate,
	load_policy,
	naive,
	now_in,
	stop_kind,
	system_zone,
	terms_entry,
)

LOCK_NAME = "ts:sla_watch"
# A run over 10,000 tickets takes seconds; a lock older than this belongs to a dead worker.
LOCK_TIMEOUT_S = 30 * 60
# Ticket names per query for their clock stops (an IN list MariaDB handles comfortably).
READ_BATCH = 1000
# Derived values are committed in batches: one transaction per ticket would cost more than the
# computation, and a crash loses at most one batch, which the next run writes again.
COMMIT_EVERY = 500
# Tickets per job that announces the deadlines the watch moved.
ANNOUNCE_BATCH = 200

SAVEPOINT = "ts_sla_watch"

OPEN_CATEGORIES = ("Open", "Paused")
WARNING_FIELDS = frozenset({"ts_response_warning_sent", "ts_resolution_warning_sent"})
# The document method each alert runs on the ticket with its change; the app's standard
# Notifications (techsolutions_support/notification/) are sent on these methods.
ALERT_METHODS = {
	"ts_response_warning_sent": "ts_sla_response_warning",
	"ts_resolution_warning_sent": "ts_sla_resolution_warning",
	"ts_escalation_level": "ts_sla_escalation",
}
DEADLINE_FIELDS_SET = frozenset(DEADLINE_FIELDS)
ESCALATION_FIELDS = ("ts_escalation_level", "ts_escalated_to", "ts_escalated_on")
TICKET_FIELDS = (
	"name",
	"status",
	"service_level_agreement_creation",
	"first_responded_on",
	"ts_closed_without_reply",
	"ts_sla_terms",
	"response_by",
	"resolution_by",
	"agreement_status",
	"ts_breached_at",
	"ts_response_warning_sent",
	"ts_resolution_warning_sent",
	"ts_escalation_level",
)
STOP_FIELDS = ("ticket", "reason", "started_at", "ended_at")


@dataclass
class WatchResult:
	is_skipped: bool = False
	checked: int = 0
	adopted: int = 0
	updated: int = 0
	warned: int = 0
	escalated: int = 0
	failed: list[str] = field(default_factory=list)
	# Tickets whose deadlines this run moved: {"name", "response_by", "resolution_by"} as before.
	moved_deadlines: list[dict[str, str | None]] = field(default_factory=list)


def enqueue_watch() -> None:
	"""Queue a run on the long queue, unless one is queued already."""
	frappe.enqueue(
		"techsolutions_support.sla.watch.run_watch", queue="long", job_id=LOCK_NAME, deduplicate=True
	)


def run_watch(commit: bool = True) -> WatchResult:
	"""One run over all open tickets; `commit=False` leaves the transaction to the caller (tests)."""
	policy = load_policy()
	if not policy.is_watch_enabled:
		return WatchResult(is_skipped=True)
	lock = frappe.cache.lock(frappe.cache.make_key(LOCK_NAME), timeout=LOCK_TIMEOUT_S)
	if not lock.acquire(blocking=False):
		frappe.logger("ts.sla").info("SLA watch: another run holds the lock; skipped")
		return WatchResult(is_skipped=True)
	try:
		return Watch(policy, commit).run()
	finally:
		try:
			lock.release()
		except LockError:
			# Held longer than LOCK_TIMEOUT_S: the lock expired and another run may have taken it.
			frappe.logger("ts.sla").warning("SLA watch: the lock expired before the run ended")


class Watch:
	def __init__(self, policy: SlaPolicy, commit: bool):
		self.policy = policy
		self.commit = commit
		self.zone = system_zone()
		self.now = now_datetime()
		self.instant = now_in(self.zone)
		self.result = WatchResult()
		self.calendars: dict[str, BusinessCalendar] = {}
		self.audience = AlertAudience(policy)
		self.pending_writes = 0
		self.adopted: set[str] = set()

	def run(self) -> WatchResult:
		self.adopt_untracked_tickets()

		tickets = frappe.get_all(
			"HD Ticket",
			filters={"status_category": ("in", OPEN_CATEGORIES), "ts_sla_calendar": ("is", "set")},
			fields=list(TICKET_FIELDS),
			order_by="name asc",
		)
		for start in range(0, len(tickets), READ_BATCH):
			batch = tickets[start : start + READ_BATCH]
			stops = self.stops_of([ticket.name for ticket in batch])
			for ticket in batch:
				self.check(ticket, stops.get(ticket.name, []))

		self.flush()
		self.announce_moved_deadlines()
		frappe.logger("ts.sla").info(
			"SLA watch: %s checked, %s adopted, %s updated, %s warned, %s escalated, %s failed",
			self.result.checked,
			self.result.adopted,
			self.result.updated,
			self.result.warned,
			self.result.escalated,
			len(self.result.failed),
		)
		return self.result

	# One ticket

	def check(self, ticket: frappe._dict, stops: list[frappe._dict]) -> None:
		self.result.checked += 1
		try:
			report = self.evaluate(ticket, stops)
			alerts = self.alerts_due(ticket, report)
			changed = self.changed_values(ticket, report)
		except Exception:
			self.fail(ticket.name)
			return

		if alerts:
			written = self.write(self.raise_alerts, ticket.name, alerts, changed)
		elif changed:
			written = self.write(self.keep_current, ticket.name, changed)
		else:
			return
		if written and ticket.name not in self.adopted and DEADLINE_FIELDS_SET.intersection(changed):
			before = {
				field: str(ticket.get(field)) if ticket.get(field) else None for field in DEADLINE_FIELDS
			}
			self.result.moved_deadlines.append({"name": ticket.name, **before})

	def write(self, step, *args) -> bool:
		"""Run one ticket's write; a failure undoes only that ticket's changes."""
		frappe.db.savepoint(SAVEPOINT)
		try:
			step(*args)
		except Exception:
			frappe.db.rollback(save_point=SAVEPOINT)
			self.fail(args[0])
			return False
		return True

	def fail(self, name: str) -> None:
		"""Log the failure with its traceback and the ticket; the run goes on with the next one."""
		self.result.failed.append(name)
		frappe.log_error(
			title=f"SLA watch: ticket {name} failed", reference_doctype="HD Ticket", reference_name=name
		)

	def evaluate(self, ticket: frappe._dict, stops: list[frappe._dict]) -> SlaReport:
		clock = ClockInput(
			created=ticket.service_level_agreement_creation,
			terms=json.loads(ticket.ts_sla_terms),
			stops=stops,
			first_responded_on=ticket.first_responded_on,
			is_closed_without_reply=bool(ticket.ts_closed_without_reply),
		)
		return evaluate(clock, self.instant, self.policy, self.zone, self.calendar_of)

	def alerts_due(self, ticket: frappe._dict, report: SlaReport) -> dict[str, Any]:
		alerts: dict[str, Any] = {}
		if report.response.is_warning_due and not ticket.ts_response_warning_sent:
			alerts["ts_response_warning_sent"] = 1
		if report.resolution.is_warning_due and not ticket.ts_resolution_warning_sent:
			alerts["ts_resolution_warning_sent"] = 1
		level = report.escalation.level
		if level > (ticket.ts_escalation_level or 0):
			alerts["ts_escalation_level"] = level
			alerts["ts_escalated_to"] = self.policy.escalation_names[level - 1]
			alerts["ts_escalated_on"] = self.now
		return alerts

	def raise_alerts(self, name: str, alerts: dict[str, Any], derived: dict[str, Any]) -> None:
		"""Change the ticket by the alerts still missing on its latest version: events fire once."""
		# Locked from here to the commit: no other writer comes between the check and the change.
		ticket = frappe.get_doc("HD Ticket", name, for_update=True)
		missing = still_missing(alerts, ticket)
		if not missing:
			if derived:
				self.keep_current(name, derived)
			return
		# The version read, for Value Change Notifications and the Version: the row is locked.
		ticket._doc_before_save = frappe.get_doc(ticket.as_dict())

		if WARNING_FIELDS.intersection(missing):
			missing["ts_warning_recipients"] = self.audience.warning_to(ticket)
		if "ts_escalation_level" in missing:
			missing["ts_escalation_recipients"] = self.audience.escalation_to(
				ticket, ticket.ts_escalation_level or 0, missing["ts_escalation_level"]
			)
		ticket.update(derived)
		ticket.update(missing)
		save_watch_change(ticket, [method for field, method in ALERT_METHODS.items() if field in missing])

		self.result.warned += int(bool(WARNING_FIELDS.intersection(missing)))
		self.result.escalated += int("ts_escalation_level" in missing)
		# Committed at once, with the derived values written before it: Frappe queues a System
		# Notification's logs without waiting for the commit, so the alert that sent them must
		# not stay uncommitted (a crash would roll it back and the next run send it again).
		self.pending_writes += 1
		self.flush()

	def changed_values(self, ticket: frappe._dict, report: SlaReport) -> dict[str, Any]:
		"""Deadlines, status and breach instant as they are now, where they differ from the stored ones."""
		values = {
			"response_by": naive(report.response.deadline, self.zone),
			"resolution_by": naive(report.resolution.deadline, self.zone),
			"agreement_status": agreement_status(report).value,
		}
		if report.escalation.breached_at and not ticket.ts_breached_at:
			values["ts_breached_at"] = naive(report.escalation.breached_at, self.zone)
		return {key: value for key, value in values.items() if not is_same(ticket.get(key), value)}

	def keep_current(self, name: str, changed: dict[str, Any]) -> None:
		"""Derived values only: written without a document event, committed in batches."""
		frappe.db.set_value("HD Ticket", name, changed, update_modified=False)
		self.result.updated += 1
		self.pending_writes += 1
		if self.pending_writes >= COMMIT_EVERY:
			self.flush()

	def announce_moved_deadlines(self) -> None:
		"""Queue the notices of the moved deadlines, to run once this run's writes are committed."""
		moved = self.result.moved_deadlines
		for start in range(0, len(moved), ANNOUNCE_BATCH):
			frappe.enqueue(
				"techsolutions_support.portal.notify.announce_moved_deadlines",
				moves=moved[start : start + ANNOUNCE_BATCH],
				enqueue_after_commit=True,
			)

	# Reading

	def stops_of(self, names: list[str]) -> dict[str, list[frappe._dict]]:
		rows = frappe.get_all(
			"TS SLA Pause",
			filters={"ticket": ("in", names)},
			fields=list(STOP_FIELDS),
			order_by="started_at asc",
		)
		stops: dict[str, list[frappe._dict]] = {}
		for row in rows:
			stops.setdefault(row.ticket, []).append(row)
		return stops

	def calendar_of(self, name: str) -> BusinessCalendar:
		if name not in self.calendars:
			self.calendars[name] = get_calendar(name)
		return self.calendars[name]

	def flush(self) -> None:
		if self.commit and self.pending_writes:
			frappe.db.commit()
		self.pending_writes = 0

	# Tickets from before the app's clock

	def adopt_untracked_tickets(self) -> None:
		untracked = frappe.get_all(
			"HD Ticket",
			filters={
				"status_category": ("in", OPEN_CATEGORIES),
				"ts_sla_terms": ("is", "not set"),
				"ts_tier": ("is", "set"),
			},
			fields=[
				"name",
				"ts_tier",
				"priority",
				"status",
				"on_hold_since",
				"service_level_agreement_creation",
			],
		)
		for ticket in untracked:
			terms = terms_for(ticket.ts_tier, ticket.priority)
			if terms is None or not ticket.service_level_agreement_creation:
				continue
			since = get_datetime(ticket.service_level_agreement_creation)
			frappe.db.set_value(
				"HD Ticket",
				ticket.name,
				{
					"ts_sla_terms": json.dumps([terms_entry(terms, since)]),
					"ts_sla_calendar": terms.calendar,
					"ts_response_target": terms.response_minutes,
					"ts_resolution_target": terms.resolution_minutes,
				},
				update_modified=False,
			)
			self.record_running_pause(ticket)
			self.adopted.add(ticket.name)
			self.result.adopted += 1
		if untracked and self.commit:
			frappe.db.commit()

	def record_running_pause(self, ticket: frappe._dict) -> None:
		kind = stop_kind(ticket.status)
		if not kind or kind[0] != "pause" or not ticket.on_hold_since:
			return
		if frappe.db.exists("TS SLA Pause", {"ticket": ticket.name}):
			return
		frappe.get_doc(
			{
				"doctype": "TS SLA Pause",
				"ticket": ticket.name,
				"reason": kind[1],
				"status": ticket.status,
				"started_at": ticket.on_hold_since,
			}
		).insert(ignore_permissions=True)


def save_watch_change(ticket: Any, methods: list[str]) -> None:
	"""Write the watch's change of `ticket` (loaded FOR UPDATE) as a document change, lean.

	What a change is to others runs as in a save: `modified` moves on (a desk form opened before
	it refuses to overwrite it), a Version records the change, and after the update and after the
	change the Notifications, Webhooks and server scripts of HD Ticket run (Value Change
	Notifications compare with the version read). Then the document methods of the alerts raised
	(`methods`, see ALERT_METHODS) run, which send the app's Notifications: those cost nothing on
	the other saves of a ticket. Helpdesk's open ticket pages are told to reload.

	What is left out is the work of a save that a change of the watch's own fields cannot need:
	before_validate, validate and before_save (Helpdesk's SLA pick, contact and customer; the app's
	priority rules, context and deadlines, set here from the same computation as the alerts), and
	the on_update/on_change handlers of the apps (Frappe's assignment rules, due dates, file links
	and search index, Helpdesk's team and status reactions, the app's trace): none of the fields
	they react to changes. Child tables are not written.
	"""
	ticket.flags.ignore_permissions = True
	ticket.flags.notifications_executed = []
	ticket.flags.ignore_version = frappe.flags.in_test
	ticket.set_user_and_timestamp()
	ticket.db_update()

	announce(ticket, "on_update")
	ticket.clear_cache()
	ticket.notify_update()
	ticket.save_version()
	announce(ticket, "on_change")
	for method in methods:
		ticket.run_method(method)
	ticket.publish_update()


def announce(ticket: Any, event: str) -> None:
	"""The Notifications, Webhooks and server scripts of HD Ticket for `event`, as a save runs them."""
	ticket.run_notifications(event)
	run_webhooks(ticket, event)
	run_server_script_for_doc_event(ticket, event)


def still_missing(alerts: dict[str, Any], ticket: Any) -> dict[str, Any]:
	"""The alerts the ticket does not hold yet: warnings not sent, an escalation level above its own."""
	missing = {key: value for key, value in alerts.items() if key in WARNING_FIELDS and not ticket.get(key)}
	level = alerts.get("ts_escalation_level") or 0
	if level > (ticket.ts_escalation_level or 0):
		missing.update({key: alerts[key] for key in ESCALATION_FIELDS})
	return missing


def is_same(stored: Any, computed: Any) -> bool:
	if isinstance(computed, datetime) and stored is not None:
		return get_datetime(stored) == computed
	return (stored or None) == (computed or None)

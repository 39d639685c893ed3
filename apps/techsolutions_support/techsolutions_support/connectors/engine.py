"""One connector run, end to end, and the schedule that starts runs.

	run_connector       lock, log, read the source page by page, record the outcome
	enqueue_due         (scheduler, every minute) queue each enabled connector whose interval passed
	enqueue_run         queue one run on the long queue, never twice at once

Two runs of one connector never overlap, whichever worker or machine starts them: a run holds a
Redis lock named after the site and connector; a run that finds it taken ends at once with a
"Skipped" log. The lock expires on its own after `LOCK_TTL_S` without a finished page, so a
killed worker cannot block a connector for good.

Outcome of a run: Success; Partial when some records could not be read or written (they are in
the log with their ids, and the next run retries them); Failed when the run stopped early (the
pages before are kept, and the next run resumes from the saved cursor). After
`alert_after_failures` failed runs in a row, System Managers and Agent Managers are notified,
once until a run succeeds again.
"""

import json
import time
from collections.abc import Callable
from typing import Any

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, now_datetime

from techsolutions_support.connectors import deliveries, fleet, route_plan
from techsolutions_support.connectors.config import (
	GENERIC,
	RFMS,
	VROOM,
	ConnectorConfigError,
	load_config,
	system_zone,
)
from techsolutions_support.connectors.http import SourceClient, SourceError
from techsolutions_support.connectors.run import RunState, dump
from techsolutions_support.core.mapping import ConnectorError

SOURCES: dict[str, Callable[[RunState], None]] = {
	RFMS: fleet.sync_fleet,
	VROOM: route_plan.sync_route_plan,
	GENERIC: deliveries.sync_deliveries,
}
# A run that finishes no page for this long is taken as dead: its lock expires.
LOCK_TTL_S = 15 * 60
# A queued run is given this long on the long queue.
JOB_TIMEOUT_S = 2 * 60 * 60
ALERT_ROLES = ("Administrator", "System Manager", "Agent Manager")


def run_connector(connector: str, trigger: str = "Schedule", *, commit: bool = True) -> str:
	"""Run `connector` now, in this process; returns the name of its `TS Sync Log`.

	`commit` False keeps everything in the caller's transaction (tests roll it back).
	"""
	lock = connector_lock(connector)
	if not lock.acquire(blocking=False):
		return write_skipped_log(connector, trigger, commit)
	try:
		return _run(connector, trigger, commit, lock)
	finally:
		release(lock)


def connector_lock(connector: str) -> Any:
	key = frappe.cache.make_key(f"ts:connector-run:{connector}")
	return frappe.cache.lock(key, timeout=LOCK_TTL_S, blocking=False)


def release(lock: Any) -> None:
	from redis.exceptions import LockError

	try:
		lock.release()
	except LockError:
		# Expired while the run was still going; another run may hold it now, which is not ours to free.
		frappe.logger("ts.connectors").warning(
			"Connector lock %s had expired before the run ended", lock.name
		)


def _run(name: str, trigger: str, commit: bool, lock: Any) -> str:
	connector = frappe.get_doc("TS Connector", name)
	started = time.monotonic()
	started_at = now_datetime()
	close_interrupted_logs(name)
	cursor_before = connector.cursor or "{}"
	log = frappe.get_doc(
		{
			"doctype": "TS Sync Log",
			"connector": name,
			"connector_type": connector.connector_type,
			"status": "Running",
			"trigger": trigger,
			"started_at": started_at,
			"cursor_before": cursor_before,
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("TS Connector", name, "last_run_at", started_at, update_modified=False)
	if commit:
		frappe.db.commit()

	run: RunState | None = None
	error = None
	try:
		config = load_config(connector)
		client = SourceClient(config.client)
		run = RunState(
			config=config,
			client=client,
			cursor=json.loads(cursor_before),
			zone=system_zone(),
			synced_at=started_at,
			commit=commit,
			lock=lock,
		)
		try:
			SOURCES[config.kind](run)
		finally:
			client.close()
	except (SourceError, ConnectorError, ConnectorConfigError) as exc:
		error = str(exc)
	except Exception as exc:
		if run is not None:
			run.undo_page()
		frappe.log_error(title=f"Connectors: run of {name} failed")
		error = f"{type(exc).__name__}: {exc}"

	reevaluated = run.tickets_reevaluated if run is not None else 0
	status = "Failed" if error else ("Partial" if run and run.failed else "Success")
	finish_log(log, run, status, error, reevaluated, time.monotonic() - started)
	record_outcome(name, status, error)
	if commit:
		frappe.db.commit()
	return log.name


def close_interrupted_logs(connector: str) -> None:
	"""A log still "Running" while this run holds the lock belongs to a run that was killed."""
	frappe.db.set_value(
		"TS Sync Log",
		{"connector": connector, "status": "Running"},
		{
			"status": "Failed",
			"error": _("The run was interrupted (its worker stopped); the next run resumed."),
		},
		update_modified=False,
	)


def finish_log(
	log: Any, run: RunState | None, status: str, error: str | None, reevaluated: int, seconds: float
) -> None:
	values: dict[str, Any] = {
		"status": status,
		"finished_at": now_datetime(),
		"duration_s": round(seconds, 3),
		"error": error,
		"tickets_reevaluated": reevaluated,
		"tickets_opened": run.tickets_opened if run is not None else 0,
		"tickets_linked": run.tickets_linked if run is not None else 0,
	}
	if run is not None:
		values.update(
			fetched=run.fetched,
			created_count=run.created,
			updated=run.updated,
			unchanged=run.unchanged,
			failed=run.failed,
			pages=run.pages,
			requests=run.client.requests,
			retries=run.client.retries,
			error_samples=dump(run.errors.samples) if run.errors.samples else None,
			request_trace="\n".join(run.client.trace) or None,
			cursor_after=dump(run.cursor),
		)
	log.db_set(values, update_modified=False)


def record_outcome(connector: str, status: str, error: str | None) -> None:
	state = frappe.db.get_value(
		"TS Connector",
		connector,
		["consecutive_failures", "alert_sent", "alert_after_failures"],
		as_dict=True,
	)
	values: dict[str, Any] = {"last_status": status, "last_error": error}
	if status == "Failed":
		failures = (state.consecutive_failures or 0) + 1
		values["consecutive_failures"] = failures
		threshold = state.alert_after_failures or 0
		if threshold and failures >= threshold and not state.alert_sent:
			alert_admins(connector, failures, error)
			values["alert_sent"] = 1
	else:
		values.update(consecutive_failures=0, alert_sent=0, last_success_at=now_datetime())
	frappe.db.set_value("TS Connector", connector, values, update_modified=False)


def alert_admins(connector: str, failures: int, error: str | None) -> None:
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	users = admins()
	if not users:
		return
	subject = _("Connector {0} failed {1} times in a row").format(connector, failures)
	try:
		make_notification_logs(
			frappe._dict(
				{
					"type": "Alert",
					"document_type": "TS Connector",
					"document_name": connector,
					"subject": subject,
					"email_content": _("Last error: {0}").format(error or _("unknown")),
					"from_user": "Administrator",
				}
			),
			users,
		)
	except Exception:
		frappe.log_error(title=f"Connectors: alert about {connector} could not be sent")


def admins() -> list[str]:
	"""E-mail addresses of the enabled desk users who administer connectors (what Frappe's
	notification log addresses)."""
	users = frappe.get_all(
		"Has Role", filters={"role": ("in", ALERT_ROLES), "parenttype": "User"}, pluck="parent", distinct=True
	)
	emails = frappe.get_all(
		"User",
		filters={"name": ("in", users or [""]), "enabled": 1, "user_type": "System User"},
		pluck="email",
	)
	return sorted({email for email in emails if email})


def write_skipped_log(connector: str, trigger: str, commit: bool) -> str:
	now = now_datetime()
	log = frappe.get_doc(
		{
			"doctype": "TS Sync Log",
			"connector": connector,
			"connector_type": frappe.db.get_value("TS Connector", connector, "connector_type"),
			"status": "Skipped",
			"trigger": trigger,
			"started_at": now,
			"finished_at": now,
			"duration_s": 0,
			"error": _("Another run of this connector was still going; this one did nothing."),
		}
	).insert(ignore_permissions=True)
	if commit:
		frappe.db.commit()
	return log.name


# --- scheduling ---


def enqueue_due() -> list[str]:
	"""Queue a run of each enabled connector whose interval has passed since its last run."""
	now = now_datetime()
	queued = []
	for row in frappe.get_all(
		"TS Connector", filters={"enabled": 1}, fields=["name", "interval_minutes", "last_run_at"]
	):
		due_at = (
			add_to_date(get_datetime(row.last_run_at), minutes=row.interval_minutes or 1)
			if row.last_run_at
			else None
		)
		if due_at is None or due_at <= now:
			enqueue_run(row.name, "Schedule")
			queued.append(row.name)
	return queued


def enqueue_run(connector: str, trigger: str) -> str:
	"""Queue one run on the long queue; a run already queued for this connector is not queued again."""
	job_id = f"ts-connector::{connector}"
	frappe.enqueue(
		"techsolutions_support.connectors.engine.run_connector",
		queue="long",
		timeout=JOB_TIMEOUT_S,
		job_id=job_id,
		deduplicate=True,
		connector=connector,
		trigger=trigger,
	)
	return job_id

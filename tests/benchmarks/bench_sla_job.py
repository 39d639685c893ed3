"""One run of the SLA watch (warnings, escalation, stored status) over N open tickets.

	python tests/benchmarks/bench_sla_job.py [--tickets 10000] [--days 7] [--site ts-test.localhost]
	                                        [--compare] [--rounds 1]

Runs inside the bench's own Python (it re-launches itself there, TS_BENCH names the bench), on
the test site, in one transaction that is rolled back at the end: nothing is left behind.
TS SLA Settings are the app's defaults (warn at 75 %, escalate to the team lead at once and to
the support managers two business hours after a breach), set inside that transaction.

The open tickets are copies of one real ticket, created over the `--days` before Wednesday
9 December 2026, 11:00 (Berlin), over the three pilot tiers and the four priorities; every tenth
waits on a carrier; each is assigned to one of the site's agents, so warnings reach people. The
fewer the days, the younger the tickets and the more alerts fall due in one run: 10,000 tickets
all opened within a week and none resolved is a worst case. Their alerts and stored status are
those of a watch that ran five minutes earlier, so the measured run does what a run every five
minutes does: evaluates every ticket, changes those that crossed a warning share or an
escalation delay in those five minutes (a real document change: Version, Notifications,
Webhooks), and writes changed status and deadlines of the others. A second run at the same
instant shows the cost when nothing is due. The watch runs with commit=False here; the real job
also commits every 500 writes and after each alert. The Notification Logs of the alerts are
written inside the run (in production a worker writes them) and rolled back with the rest.
Prints numbers only; asserts nothing about speed (the issue's target: under 10 s for 10,000).

--compare measures, beside each run of the watch as it is, one whose alert changes are whole
`doc.save()` calls (every step and hook of a save: Helpdesk's SLA pick, the priority rules, the
deadlines, the search index, ...), as the watch wrote them before save_watch_change; --rounds
repeats both, interleaved, each from the same tickets, and prints the medians: on a busy machine
single runs vary by a factor of two. Whole saves also write Helpdesk's search index, a file
outside the transaction: with --compare the copies stay in it until the index is rebuilt.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = "2026-12-09 11:00:00"
SAVEPOINT = "bench_sla_job"
MODES = {"lean": "lean (save_watch_change)", "whole": "whole doc.save()"}
WATCH_INTERVAL = timedelta(minutes=5)
TIERS = ("Standard", "Business", "Premium")
PRIORITIES = ("Urgent", "High", "Medium", "Low")
# Columns a copy gets from the template ticket unchanged.
SKIPPED_COLUMNS = {"_user_tags", "_comments", "_liked_by", "_seen", "key"}


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--tickets", type=int, default=10_000, help="open tickets to watch")
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--days", type=int, default=7, help="tickets were opened over this many days")
	parser.add_argument("--seed", type=int, default=4)
	parser.add_argument("--compare", action="store_true", help="also measure alerts saved with doc.save()")
	parser.add_argument("--rounds", type=int, default=1, help="measurements per mode, interleaved")
	parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.inside:
		return measure(args.site, args.tickets, args.days, args.seed, args.compare, args.rounds)

	bench = Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser()
	python = bench / "env" / "bin" / "python"
	if not python.exists():
		print(f"no bench at {bench}: build one with ./dev setup")
		return 1
	command = [str(python), str(Path(__file__).resolve()), "--inside"]
	command += ["--site", args.site, "--tickets", str(args.tickets), "--days", str(args.days)]
	command += ["--seed", str(args.seed), "--rounds", str(args.rounds)] + (
		["--compare"] if args.compare else []
	)
	return subprocess.call(command, cwd=bench / "sites")


def measure(site: str, tickets: int, days: int, seed: int, compare: bool, rounds: int) -> int:
	from freezegun import freeze_time

	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		now = frappe.utils.get_datetime(NOW)
		utc_now = now.replace(tzinfo=ZoneInfo(frappe.utils.get_system_timezone())).astimezone(UTC)

		began = time.perf_counter()
		use_default_escalation()
		with freeze_time(utc_now - timedelta(days=days + 1)):
			template = make_template()
		names = insert_copies(template, tickets, now, days, random.Random(seed))
		settle_as_of(names, now - WATCH_INTERVAL)
		prepared = time.perf_counter() - began
		print(
			f"{tickets:,} open tickets opened over {days} days, prepared in {prepared:.1f} s (not measured)"
		)

		from techsolutions_support.sla import watch

		lean = watch.save_watch_change
		keep_notification_logs_in_the_transaction()
		modes = ("lean", "whole") if compare else ("lean",)
		timings: dict[str, list[float]] = {mode: [] for mode in modes}
		for _round in range(rounds):
			for mode in modes:
				watch.save_watch_change = lean if mode == "lean" else save_whole
				# Each measurement starts from the same tickets: undone to here afterwards.
				frappe.db.savepoint(SAVEPOINT)
				print(f"alert changes: {MODES[mode]}")
				for label in ("run (alerts of the last 5 minutes due)", "run again (nothing new due)"):
					# tick: the clock runs on from the frozen instant, so the timer measures real time.
					with freeze_time(utc_now, tick=True):
						started = time.perf_counter()
						result = watch.run_watch(commit=False)
						elapsed = time.perf_counter() - started
					print(
						f"  {label:<40} {elapsed:>7.2f} s   checked {result.checked:,}, "
						f"warned {result.warned}, escalated {result.escalated}, "
						f"status updated {result.updated}, failed {len(result.failed)}"
					)
					if label.startswith("run ("):
						timings[mode].append(elapsed)
				frappe.db.rollback(save_point=SAVEPOINT)
		for mode, values in timings.items():
			print(f"median of {len(values)}, {MODES[mode]}: {statistics.median(values):.2f} s")
	finally:
		frappe.db.rollback()
		frappe.destroy()
	return 0


def use_default_escalation() -> None:
	"""The app's default levels (team lead at once, support manager after 2 h), whatever the site has."""
	import frappe

	from techsolutions_support.setup.sla import DEFAULT_ESCALATION_LEVELS

	settings = frappe.get_single("TS SLA Settings")
	settings.warn_share_percent = 75
	settings.set(
		"escalation_levels",
		[
			{"level_name": name, "delay_minutes": delay, **audience}
			for name, delay, audience in DEFAULT_ESCALATION_LEVELS
		],
	)
	settings.save()


def save_whole(ticket, methods) -> None:
	"""An alert change as the watch wrote it before: a whole save, then the alert methods."""
	ticket.save(ignore_permissions=True)
	for method in methods:
		ticket.run_method(method)


def keep_notification_logs_in_the_transaction() -> None:
	"""Notification Logs written at once, inside the benchmark's transaction, not by a worker.

	So the measured run includes writing them (in production a worker does), and the rollback at
	the end removes them with the tickets.
	"""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
	from frappe.email.doctype.notification import notification

	notification.enqueue_create_notification = lambda users, doc: make_notification_logs(
		frappe_dict(doc), [users] if isinstance(users, str) else users
	)


def frappe_dict(values):
	import frappe

	return frappe._dict(values)


def make_template():
	"""One ticket filed the normal way: its row is the pattern of every copy."""
	import frappe

	from techsolutions_support.tests.factories import file_agent_ticket, make_customer

	ticket = file_agent_ticket(make_customer("Standard"), "Medium", "Benchmark: Sendung verspätet")
	return frappe.db.get_value("HD Ticket", ticket.name, "*", as_dict=True)


def insert_copies(template, count: int, now, days: int, rng: random.Random) -> list[str]:
	import frappe

	from techsolutions_support.sla.calendars import terms_for

	terms = {(tier, priority): terms_for(tier, priority) for tier in TIERS for priority in PRIORITIES}
	# Each copy is assigned to one of the site's agents: its warnings reach a person.
	agents = frappe.get_all("HD Agent", filters={"is_active": 1}, pluck="user", order_by="user")
	columns = [column for column in template if column not in SKIPPED_COLUMNS]
	rows, pauses, names = [], [], []
	for number in range(count):
		tier, priority = rng.choice(TIERS), rng.choice(PRIORITIES)
		created = now - timedelta(minutes=rng.randrange(1, days * 24 * 60))
		waiting_since = None
		if number % 10 == 0:
			waiting_since = created + (now - created) * rng.random()
		entry = {
			"from": str(created),
			"tier": tier,
			"priority": priority,
			"calendar": terms[tier, priority].calendar,
			"response": terms[tier, priority].response_minutes,
			"resolution": terms[tier, priority].resolution_minutes,
		}
		values = dict(template)
		values.update(
			name=f"BENCH-{number:06d}",
			_assign=json.dumps([agents[number % len(agents)]]) if agents else None,
			subject=f"Benchmark {number}: Sendung verspätet",
			creation=created,
			modified=created,
			opening_date=created.date(),
			service_level_agreement_creation=created,
			priority=priority,
			ts_tier=tier,
			ts_sla_calendar=entry["calendar"],
			ts_response_target=entry["response"],
			ts_resolution_target=entry["resolution"],
			ts_sla_terms=json.dumps([entry]),
			status="Waiting on Carrier" if waiting_since else "Open",
			status_category="Paused" if waiting_since else "Open",
			first_responded_on=waiting_since,
			on_hold_since=waiting_since,
		)
		rows.append([values[column] for column in columns])
		names.append(values["name"])
		if waiting_since:
			pauses.append(
				[
					f"BENCH-PAUSE-{number:06d}",
					values["name"],
					"Carrier",
					"Waiting on Carrier",
					f"Spedition {number % 7}",
					waiting_since,
					created,
					created,
					"Administrator",
					"Administrator",
				]
			)
	frappe.db.bulk_insert("HD Ticket", columns, rows)
	frappe.db.bulk_insert(
		"TS SLA Pause",
		[
			"name",
			"ticket",
			"reason",
			"status",
			"carrier",
			"started_at",
			"creation",
			"modified",
			"owner",
			"modified_by",
		],
		pauses,
	)
	return names


def settle_as_of(names: list[str], then) -> None:
	"""Alerts and stored status as a watch run at `then` left them."""
	import frappe

	from techsolutions_support.core.sla import agreement_status
	from techsolutions_support.sla.clock import ClockInput, aware, evaluate, load_policy, naive, system_zone
	from techsolutions_support.sla.watch import TICKET_FIELDS, Watch

	policy, zone = load_policy(), system_zone()
	watch = Watch(policy, commit=False)
	tickets = frappe.get_all("HD Ticket", filters={"name": ("in", names)}, fields=list(TICKET_FIELDS))
	stops = watch.stops_of(names)
	for ticket in tickets:
		clock = ClockInput(
			ticket.service_level_agreement_creation,
			json.loads(ticket.ts_sla_terms),
			stops.get(ticket.name, []),
			ticket.first_responded_on,
			False,
		)
		report = evaluate(clock, aware(then, zone), policy, zone, watch.calendar_of)
		level = report.escalation.level
		frappe.db.set_value(
			"HD Ticket",
			ticket.name,
			{
				"response_by": naive(report.response.deadline, zone),
				"resolution_by": naive(report.resolution.deadline, zone),
				"agreement_status": agreement_status(report).value,
				"ts_breached_at": naive(report.escalation.breached_at, zone),
				"ts_response_warning_sent": int(report.response.is_warning_due),
				"ts_resolution_warning_sent": int(report.resolution.is_warning_due),
				"ts_escalation_level": level,
				"ts_escalated_to": policy.escalation_names[level - 1] if level else None,
			},
			update_modified=False,
		)


if __name__ == "__main__":
	sys.exit(main())

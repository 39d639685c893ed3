"""One run of the SLA watch (warnings, escalation, stored status) over N open tickets.

	python tests/benchmarks/bench_sla_job.py [--tickets 10000] [--days 7] [--site ts-test.localhost]

Runs inside the bench's own Python (it re-launches itself there, TS_BENCH names the bench), on
the test site, in one transaction that is rolled back at the end: nothing is left behind.

The open tickets are copies of one real ticket, created over the `--days` before Wednesday
9 December 2026, 11:00 (Berlin), over the three pilot tiers and the four priorities; every tenth
waits on a carrier. The fewer the days, the younger the tickets and the more alerts fall due in
one run: 10,000 tickets all opened within a week and none resolved is a worst case. Their alerts and stored status are those of a watch that ran five minutes
earlier, so the measured run does what a run every five minutes does: evaluates every ticket,
saves those that crossed a warning share or an escalation delay in those five minutes (a real
save, with all document events), and writes changed status and deadlines of the others.
A second run at the same instant shows the cost when nothing is due. The watch runs with
commit=False here; the real job also commits every 500 writes and after each alert.
Prints numbers only; asserts nothing about speed (the issue's target: under 10 s for 10,000).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

NOW = "2026-12-09 11:00:00"
WATCH_INTERVAL = timedelta(minutes=5)
TIERS = ("Standard", "Business", "Premium")
PRIORITIES = ("Urgent", "High", "Medium", "Low")
# Columns a copy gets from the template ticket unchanged.
SKIPPED_COLUMNS = {"_user_tags", "_comments", "_assign", "_liked_by", "_seen", "key"}


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--tickets", type=int, default=10_000, help="open tickets to watch")
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--days", type=int, default=7, help="tickets were opened over this many days")
	parser.add_argument("--seed", type=int, default=4)
	parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.inside:
		return measure(args.site, args.tickets, args.days, args.seed)

	bench = Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser()
	python = bench / "env" / "bin" / "python"
	if not python.exists():
		print(f"no bench at {bench}: build one with ./dev setup")
		return 1
	command = [str(python), str(Path(__file__).resolve()), "--inside"]
	command += ["--site", args.site, "--tickets", str(args.tickets), "--days", str(args.days)]
	command += ["--seed", str(args.seed)]
	return subprocess.call(command, cwd=bench / "sites")


def measure(site: str, tickets: int, days: int, seed: int) -> int:
	from freezegun import freeze_time

	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		now = frappe.utils.get_datetime(NOW)
		utc_now = now.replace(tzinfo=ZoneInfo(frappe.utils.get_system_timezone())).astimezone(UTC)

		began = time.perf_counter()
		with freeze_time(utc_now - timedelta(days=days + 1)):
			template = make_template()
		names = insert_copies(template, tickets, now, days, random.Random(seed))
		settle_as_of(names, now - WATCH_INTERVAL)
		prepared = time.perf_counter() - began
		print(
			f"{tickets:,} open tickets opened over {days} days, prepared in {prepared:.1f} s (not measured)"
		)

		from techsolutions_support.sla.watch import run_watch

		for label in ("run (alerts of the last 5 minutes due)", "run again (nothing new due)"):
			# tick: the clock runs on from the frozen instant, so the timer measures real time.
			with freeze_time(utc_now, tick=True):
				started = time.perf_counter()
				result = run_watch(commit=False)
				elapsed = time.perf_counter() - started
			print(
				f"{label:<40} {elapsed:>7.2f} s   checked {result.checked:,}, warned {result.warned}, "
				f"escalated {result.escalated}, status updated {result.updated}, failed {len(result.failed)}"
			)
	finally:
		frappe.db.rollback()
		frappe.destroy()
	return 0


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

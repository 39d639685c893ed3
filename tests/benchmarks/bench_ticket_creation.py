"""Ticket creation through the portal method, with the priority rules enabled versus disabled.

	python tests/benchmarks/bench_ticket_creation.py [--tickets 200] [--site ts-test.localhost]

Runs inside the bench's own Python (it re-launches itself there), on the test site, as a
contact of a Premium customer, in one transaction that is rolled back at the end: nothing is
left behind. Batches with and without rules alternate, so drift of the machine hits both.
Prints the median time per ticket of each and their ratio (the issue's target: at most 1.10).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BATCH = 10


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--tickets", type=int, default=200, help="tickets per variant")
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.inside:
		return measure(args.site, args.tickets)

	bench = Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser()
	python = bench / "env" / "bin" / "python"
	if not python.exists():
		print(f"no bench at {bench}: build one with ./dev setup")
		return 1
	command = [
		str(python),
		str(Path(__file__).resolve()),
		"--inside",
		"--site",
		args.site,
		"--tickets",
		str(args.tickets),
	]
	return subprocess.call(command, cwd=bench / "sites")


def measure(site: str, tickets: int) -> int:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		from helpdesk.helpdesk.doctype.hd_ticket.api import new as portal_new_ticket

		from techsolutions_support.priority import clear_ruleset_cache
		from techsolutions_support.tests.factories import make_contact, make_customer

		contact = make_contact(make_customer("Premium"))
		enabled_rules = frappe.get_all("TS Priority Rule", filters={"enabled": 1}, pluck="name")
		timings: dict[str, list[float]] = {"rules enabled": [], "rules disabled": []}

		def file_batch(label: str) -> None:
			frappe.set_user(contact)
			for number in range(BATCH):
				started = time.perf_counter()
				portal_new_ticket(
					{
						"subject": f"LKW B-TS 1004 liegengeblieben ({label} {number})",
						"description": "<p>Unser LKW steht mit einer Panne auf der A2, Kühlkette gefährdet.</p>",
						"ticket_type": "Panne",
					}
				)
				timings[label].append(time.perf_counter() - started)
			frappe.set_user("Administrator")

		def set_rules(enabled: bool) -> None:
			for name in enabled_rules:
				frappe.db.set_value("TS Priority Rule", name, "enabled", int(enabled))
			clear_ruleset_cache()

		# Warm caches and code paths once in each state before measuring.
		file_batch("rules enabled")
		set_rules(False)
		file_batch("rules disabled")
		set_rules(True)
		timings = {label: [] for label in timings}

		for _ in range(max(1, tickets // BATCH)):
			file_batch("rules enabled")
			set_rules(False)
			file_batch("rules disabled")
			set_rules(True)

		with_rules = statistics.median(timings["rules enabled"])
		without_rules = statistics.median(timings["rules disabled"])
		result = {
			"tickets_per_variant": len(timings["rules enabled"]),
			"rules": len(enabled_rules),
			"median_ms_rules_enabled": round(with_rules * 1000, 2),
			"median_ms_rules_disabled": round(without_rules * 1000, 2),
			"ratio_enabled_to_disabled": round(with_rules / without_rules, 3),
		}
		print(json.dumps(result, indent=1))
	finally:
		frappe.db.rollback()
		from techsolutions_support.priority import clear_ruleset_cache

		clear_ruleset_cache()
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())

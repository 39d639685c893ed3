"""The customer portal over HTTP under load: its ticket list and ticket page against Helpdesk's own
portal list call for the same contact, on a served site.

	.venv/bin/python tests/benchmarks/bench_portal.py [--site ts-test.localhost] [--tickets 200]
	    [--load 1,20,20@2] [--samples 200] [--workers N] [--threads N]

Run from the checkout with the workspace's Python (`./dev` creates .venv); TS_BENCH names the
bench. It
  1. creates, inside the bench's own Python, one customer with one contact that has `--tickets`
     tickets (filed through Helpdesk's portal method, so rules and SLA run; every fourth linked
     to a delivery, every second answered by an agent), committed, since the served site must
     see them;
  2. serves the site on a free port on 127.0.0.1 with gunicorn as Frappe's bench sets it up for
     production: 2 x cores + 1 workers, one request at a time each (`--workers`, `--threads`);
  3. for each load in `--load`, logs that many users in as that contact, all at once; each
     does rounds (`--samples` / users) of: the portal's list (GET /support), one ticket page
     (GET /support/ticket/<name>), the portal's list method
     (techsolutions_support.api.customer.list_tickets) and, as the baseline, Helpdesk's own
     portal list call (helpdesk.api.doc.get_list_data, 20 rows, customer portal fields), the
     order of the four shuffled per round so drift hits each alike. A load is USERS or
     USERS@SECONDS: without seconds each user sends the next request as soon as the last one is
     answered (every user always has a request in flight: the server's worst case); with
     seconds each user pauses between requests for a random time of that mean (exponential),
     as a person does who reads the page before the next click;
  4. prints the median and p95 of each in ms and the ratio of each p95 to the baseline's p95,
     then deletes everything it created.
Every request has a timeout; the run is bounded by users x rounds x 4 requests per run. The issue's
target: under 300 ms p95 for the list and the ticket page.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
PASSWORD = "Bench-Portal-2026!"
BASELINE = "Helpdesk portal list (get_list_data)"


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--tickets", type=int, default=200)
	parser.add_argument(
		"--load",
		default="1,20,20@2",
		help="runs: USERS (no pause between requests) or USERS@SECONDS (mean pause), comma-separated",
	)
	parser.add_argument("--samples", type=int, default=200, help="requests of each kind per run")
	parser.add_argument(
		"--workers",
		type=int,
		default=2 * (os.cpu_count() or 1) + 1,
		help="gunicorn workers (default as bench's production set-up: 2 x cores + 1)",
	)
	parser.add_argument(
		"--threads",
		type=int,
		default=1,
		help="threads per gunicorn worker (./dev demo: 2 workers, 4 threads)",
	)
	parser.add_argument("--inside", choices=("prepare", "cleanup"), help=argparse.SUPPRESS)
	parser.add_argument("--customer", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.inside == "prepare":
		return prepare(args.site, args.tickets)
	if args.inside == "cleanup":
		return cleanup(args.site, args.customer)

	sys.path.insert(0, str(ROOT / "tools"))
	from tstools.bench import Bench
	from tstools.server import serving

	bench = Bench()
	if not bench.exists() or not bench.site_exists(args.site):
		print(f"no bench with the site {args.site} at {bench.path}: build one with ./dev setup")
		return 1
	started = time.perf_counter()
	data = inside(bench, "prepare", "--site", args.site, "--tickets", str(args.tickets))
	print(
		f"prepared {len(data['tickets'])} tickets in {time.perf_counter() - started:.0f} s", file=sys.stderr
	)
	try:
		log = Path(os.environ.get("TS_ARTIFACTS") or ROOT / "artifacts") / "bench-portal-server.log"
		log.parent.mkdir(parents=True, exist_ok=True)
		loads = [parse_load(text) for text in args.load.split(",")]
		with serving(bench, args.site, log=log, workers=args.workers, threads=args.threads) as server:
			results = [
				(users, pause, measure(server.url, args.site, data, users, -(-args.samples // users), pause))
				for users, pause in loads
			]
	finally:
		inside(bench, "cleanup", "--site", args.site, "--customer", data["customer"])
	print(f"gunicorn: {args.workers} workers, {args.threads} thread(s) each; {os.cpu_count()} cores")
	for users, pause, timings in results:
		report(timings, args, users, pause)
	return 0


def parse_load(text: str) -> tuple[int, float]:
	""" "20" -> (20, 0.0); "20@2" -> (20, 2.0)."""
	users, _, pause = text.strip().partition("@")
	return int(users), float(pause or 0)


def inside(bench, step: str, *arguments: str) -> dict:
	"""Runs a step of this script in the bench's Python, in the bench's sites folder."""
	command = [str(bench.env_python), str(Path(__file__).resolve()), "--inside", step, *arguments]
	output = subprocess.run(command, cwd=bench.path / "sites", check=True, capture_output=True, text=True)
	return json.loads(output.stdout.strip().splitlines()[-1])


# Over HTTP


def measure(url: str, site: str, data: dict, users: int, rounds: int, pause: float) -> dict[str, list[float]]:
	import requests

	def login() -> requests.Session:
		http = requests.Session()
		# A fresh connection per request: gunicorn closes idle keep-alive connections after 2 s,
		# and a request sent on one of those would fail; the cost is the same for every call.
		http.headers.update({"Host": site, "Connection": "close"})
		response = http.post(
			f"{url}/api/method/login", json={"usr": data["user"], "pwd": PASSWORD}, timeout=TIMEOUT_S
		)
		response.raise_for_status()
		# As the portal's script does: the page gives the session its CSRF token, which every
		# POST then sends.
		page = http.get(f"{url}/support", timeout=TIMEOUT_S)
		page.raise_for_status()
		token = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
		if token and token.group(1):
			http.headers["X-Frappe-CSRF-Token"] = token.group(1)
		return http

	calls = {
		"/support (list page)": lambda http, name: http.get(f"{url}/support", timeout=TIMEOUT_S),
		"/support/ticket/<name> (ticket page)": lambda http, name: http.get(
			f"{url}/support/ticket/{name}", timeout=TIMEOUT_S
		),
		"api.customer.list_tickets": lambda http, name: http.post(
			f"{url}/api/method/techsolutions_support.api.customer.list_tickets", json={}, timeout=TIMEOUT_S
		),
		BASELINE: lambda http, name: http.post(
			f"{url}/api/method/helpdesk.api.doc.get_list_data",
			json={
				"doctype": "HD Ticket",
				"rows": ["name", "subject", "status", "priority", "response_by", "resolution_by", "modified"],
				"page_length": 20,
				"show_customer_portal_fields": 1,
			},
			timeout=TIMEOUT_S,
		),
	}
	sessions = [login() for _ in range(users)]
	timings: dict[str, list[float]] = {label: [] for label in calls}

	def one_round(index: int, round_number: int) -> list[tuple[str, float]]:
		http = sessions[index]
		chooser = random.Random(index * 1000 + round_number)
		order = list(calls)
		chooser.shuffle(order)
		measured = []
		for label in order:
			if pause:
				time.sleep(chooser.expovariate(1 / pause))
			started = time.perf_counter()
			response = calls[label](http, chooser.choice(data["tickets"]))
			elapsed = time.perf_counter() - started
			if response.status_code != 200:
				raise RuntimeError(f"{label}: HTTP {response.status_code} {response.text[:200]}")
			measured.append((label, elapsed))
		return measured

	def one_user(index: int) -> list[tuple[str, float]]:
		return [result for number in range(1, rounds + 1) for result in one_round(index, number)]

	with ThreadPoolExecutor(max_workers=users) as pool:
		# One warm-up round, all users at once: workers import and cache on first use.
		list(pool.map(one_round, range(users), [0] * users))
		# Then each user on its own, as people do: nobody waits for the others' round.
		for results in pool.map(one_user, range(users)):
			for label, elapsed in results:
				timings[label].append(elapsed)
	return timings


def percentile(values: list[float], share: float) -> float:
	ordered = sorted(values)
	index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
	return ordered[index]


def report(timings: dict[str, list[float]], args: argparse.Namespace, users: int, pause: float) -> None:
	base = percentile(timings[BASELINE], 0.95)
	manner = f"pausing {pause:g} s on average between requests" if pause else "no pause between requests"
	print(f"site {args.site}: one contact with {args.tickets} tickets, {users} concurrent users, {manner}")
	print(f"{'request':44} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'p95 / baseline':>15}")
	for label, values in timings.items():
		p95 = percentile(values, 0.95)
		print(
			f"{label:44} {len(values):5d} {statistics.median(values) * 1000:10.1f} {p95 * 1000:8.1f} {p95 / base:15.2f}"
		)


# Inside the bench


def connect(site: str) -> None:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()


def prepare(site: str, tickets: int) -> int:
	import frappe

	connect(site)
	try:
		from helpdesk.helpdesk.doctype.hd_ticket.api import new as portal_new_ticket

		suffix = frappe.generate_hash(length=8)
		customer = frappe.get_doc(
			{"doctype": "HD Customer", "customer_name": f"Benchmark Portal {suffix}", "ts_tier": "Premium"}
		).insert(ignore_permissions=True)
		user = f"bench-portal-{suffix}@benchmark.example"
		frappe.get_doc(
			{
				"doctype": "User",
				"email": user,
				"first_name": "Bench",
				"last_name": "Portal",
				"user_type": "Website User",
				"send_welcome_email": 0,
				"new_password": PASSWORD,
				"roles": [{"role": "HD Customer"}],
			}
		).insert(ignore_permissions=True)
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Bench",
				"user": user,
				"email_ids": [{"email_id": user, "is_primary": 1}],
			}
		).insert(ignore_permissions=True)
		customer.append("contacts", {"contact_name": contact.name})
		customer.save(ignore_permissions=True)
		frappe.db.commit()

		names = []
		for number in range(tickets):
			frappe.set_user(user)
			ticket = portal_new_ticket(
				{
					"subject": f"Benchmark-Anfrage {number}",
					"description": "<p>Sendung verspätet, bitte prüfen.</p>",
					"ticket_type": "Lieferverzug",
				}
			)
			frappe.set_user("Administrator")
			names.append(str(ticket.name))
			if number % 4 == 0:
				delivery = frappe.get_doc(
					{
						"doctype": "TS Delivery",
						"tracking_number": f"BENCH{suffix.upper()}{number:04d}",
						"customer": customer.name,
						"status": "In Transit",
						"planned_eta": frappe.utils.add_to_date(None, hours=4),
						"current_eta": frappe.utils.add_to_date(None, hours=5),
						"delay_minutes": 60,
						"last_synced_at": frappe.utils.now_datetime(),
					}
				).insert(ignore_permissions=True)
				frappe.db.set_value("HD Ticket", ticket.name, "ts_delivery", delivery.name)
			if number % 2 == 0:
				frappe.get_doc(
					{
						"doctype": "Communication",
						"communication_type": "Communication",
						"communication_medium": "Email",
						"sent_or_received": "Sent",
						"reference_doctype": "HD Ticket",
						"reference_name": ticket.name,
						"subject": "Re",
						"sender": "Administrator",
						"user": "Administrator",
						"content": "<p>Wir prüfen das und melden uns.</p>",
					}
				).insert(ignore_permissions=True)
			if number % 20 == 19:
				frappe.db.commit()
		frappe.db.commit()
		print(json.dumps({"customer": customer.name, "user": user, "tickets": names}))
	finally:
		frappe.destroy()
	return 0


def cleanup(site: str, customer: str) -> int:
	import frappe

	connect(site)
	try:
		tickets = frappe.get_all("HD Ticket", filters={"customer": customer}, pluck="name")
		deliveries = frappe.get_all("TS Delivery", filters={"customer": customer}, pluck="name")
		members = frappe.get_all("HD Customer Member", filters={"parent": customer}, pluck="contact_name")
		users = [frappe.db.get_value("Contact", name, "user") for name in members]
		for name in tickets:
			frappe.delete_doc("HD Ticket", name, force=True, ignore_permissions=True)
		# Deleting the newest tickets hands their numbers back to the naming series: whatever
		# still points at them would turn up on the next tickets with the same numbers.
		purge_ticket_records(tickets)
		for name in deliveries:
			frappe.delete_doc("TS Delivery", name, force=True, ignore_permissions=True)
		frappe.delete_doc("HD Customer", customer, force=True, ignore_permissions=True)
		for name in members:
			frappe.delete_doc("Contact", name, force=True, ignore_permissions=True)
		for user in filter(None, users):
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		frappe.db.commit()
		print(json.dumps({"deleted_tickets": len(tickets)}))
	finally:
		frappe.destroy()
	return 0


# Records that name a ticket by a dynamic link: (doctype, doctype field, name field).
DYNAMIC_LINKS = (
	("Version", "ref_doctype", "docname"),
	("Comment", "reference_doctype", "reference_name"),
	("View Log", "reference_doctype", "reference_name"),
	("ToDo", "reference_type", "reference_name"),
	("File", "attached_to_doctype", "attached_to_name"),
	("Email Queue", "reference_doctype", "reference_name"),
)


def purge_ticket_records(tickets: list[str]) -> None:
	"""Deletes every record that links to one of the (deleted) tickets."""
	import frappe

	if not tickets:
		return
	linked = {
		(row.parent, row.fieldname)
		for doctype in ("DocField", "Custom Field")
		for row in frappe.get_all(
			doctype,
			filters={"fieldtype": "Link", "options": "HD Ticket"},
			fields=["dt as parent" if doctype == "Custom Field" else "parent", "fieldname"],
		)
	}
	for doctype, field in sorted(linked):
		if (
			doctype != "HD Ticket"
			and frappe.db.table_exists(doctype)
			and not frappe.get_meta(doctype).issingle
		):
			frappe.db.delete(doctype, {field: ("in", tickets)})
	communications = frappe.get_all(
		"Communication",
		filters={"reference_doctype": "HD Ticket", "reference_name": ("in", tickets)},
		pluck="name",
	)
	if communications:
		frappe.db.delete("Communication Link", {"parent": ("in", communications)})
		frappe.db.delete("Communication", {"name": ("in", communications)})
	for doctype, type_field, name_field in DYNAMIC_LINKS:
		frappe.db.delete(doctype, {type_field: "HD Ticket", name_field: ("in", tickets)})


if __name__ == "__main__":
	sys.exit(main())

"""Fleet sync of 10,000 vehicles from the rFMS simulator: first sync, repeat sync, peak memory.

	python tests/benchmarks/bench_sync.py [--vehicles 10000] [--page-size 1000] [--site ts-test.localhost]

Runs inside the bench's own Python (it re-launches itself there) against the test site, with
the simulator in its own process on 127.0.0.1 serving generated vehicles (one position and one
status each). The sync commits page by page as in production; every record it wrote is deleted
at the end. Prints:

- the first sync: vehicles created, positions and statuses applied, seconds (target: under 60 s);
- a repeat sync with nothing changed at the source (target: under 5 s);
- peak Python memory (tracemalloc) of a first sync at a fifth of the fleet and at the full fleet,
  same page size: flat in the number of pages if the two are close.

Measured on 2 cores shared with other test runs (load average 6 to 10): first sync 17.1 s,
repeat 1.7 s, peak memory 4.5 and 4.6 MiB; with one UPDATE statement per vehicle report, as
before connectors/store.update_vehicles, the first sync took 95.3 s in the same conditions.
"""

import argparse
import os
import select
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

CONNECTOR = "Benchmark Fleet (rFMS simulator)"


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--vehicles", type=int, default=10_000)
	parser.add_argument("--page-size", type=int, default=1_000)
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.inside:
		return measure(args.site, args.vehicles, args.page_size)

	bench = Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser()
	python = bench / "env" / "bin" / "python"
	if not python.exists():
		print(f"no bench at {bench}: build one with ./dev setup")
		return 1
	command = [str(python), str(Path(__file__).resolve()), "--inside", "--site", args.site]
	command += ["--vehicles", str(args.vehicles), "--page-size", str(args.page_size)]
	return subprocess.call(command, cwd=bench / "sites")


def start_simulator(vehicles: int, page_size: int) -> tuple[subprocess.Popen, str]:
	import techsolutions_support

	app_root = Path(techsolutions_support.__file__).resolve().parents[1]
	process = subprocess.Popen(
		[
			*(sys.executable, "-m", "techsolutions_support.simulator", "--port", "0"),
			*("--generate", str(vehicles), "--page-size", str(page_size)),
		],
		stdout=subprocess.PIPE,
		text=True,
		env={**os.environ, "PYTHONPATH": str(app_root)},
	)
	assert process.stdout is not None
	ready, _, _ = select.select([process.stdout], [], [], 30)
	if not ready:
		process.kill()
		raise RuntimeError("the simulator did not start within 30 s")
	return process, process.stdout.readline().strip()


def measure(site: str, vehicles: int, page_size: int) -> int:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		print(f"Fleet sync benchmark: {vehicles:,} vehicles, pages of {page_size:,}, site {site}")
		first, repeat = timed_runs(vehicles, page_size)
		print(line("first sync", first))
		print(line("repeat sync, nothing changed", repeat))
		small = max(page_size, vehicles // 5)
		for count in (small, vehicles):
			peak, log = traced_run(count, page_size)
			print(
				f"  peak memory, first sync of {count:>6,} vehicles ({log['pages']} pages): {peak / 2**20:6.1f} MiB"
			)
	finally:
		clean_up()
		frappe.destroy()
	return 0


def timed_runs(vehicles: int, page_size: int) -> tuple[dict, dict]:
	process, url = start_simulator(vehicles, page_size)
	try:
		clean_up()
		connector = make_connector(url)
		first = run(connector)
		repeat = run(connector)
	finally:
		process.terminate()
		process.wait(timeout=10)
	return first, repeat


def traced_run(vehicles: int, page_size: int) -> tuple[int, dict]:
	process, url = start_simulator(vehicles, page_size)
	try:
		clean_up()
		connector = make_connector(url)
		tracemalloc.start()
		tracemalloc.reset_peak()
		log = run(connector)
		_, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
	finally:
		process.terminate()
		process.wait(timeout=10)
	return peak, log


def make_connector(url: str) -> str:
	import frappe

	frappe.get_doc(
		{
			"doctype": "TS Connector",
			"connector_name": CONNECTOR,
			"connector_type": "rFMS",
			"enabled": 0,
			"base_url": f"{url}/rfms",
			"source_time_zone": "UTC",
			"auth_type": "None",
			"interval_minutes": 15,
			"page_size": 1000,
			"timeout_seconds": 30,
			"max_attempts": 3,
			"max_wait_seconds": 10,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return CONNECTOR


def run(connector: str) -> dict:
	import frappe

	from techsolutions_support.connectors.engine import run_connector

	started = time.perf_counter()
	name = run_connector(connector, "Manual")
	seconds = time.perf_counter() - started
	log = frappe.get_doc("TS Sync Log", name).as_dict()
	if log["status"] != "Success":
		raise RuntimeError(f"the sync did not succeed: {log['status']} {log['error']}")
	return {**log, "seconds": seconds}


def line(label: str, log: dict) -> str:
	counts = f"fetched {log['fetched']:,}, created {log['created_count']:,}, updated {log['updated']:,}, "
	counts += f"unchanged {log['unchanged']:,}, failed {log['failed']}, {log['pages']} pages, {log['requests']} requests"
	return f"  {label:<30} {log['seconds']:7.2f} s  ({counts})"


def clean_up() -> None:
	"""Remove what the benchmark wrote: its vehicles, logs and connector."""
	import frappe

	frappe.db.delete("TS Vehicle", {"connector": CONNECTOR})
	frappe.db.delete("TS Sync Log", {"connector": CONNECTOR})
	frappe.db.delete("TS Connector", {"name": CONNECTOR})
	frappe.db.commit()


if __name__ == "__main__":
	sys.exit(main())

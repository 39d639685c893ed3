"""Deadline computations per second in the business-time core, on one core.

Run: python tests/benchmarks/bench_business_time.py [--count N] [--seed S]

Random starts (to the microsecond, over 2026 and 2027) and random targets from one hour to five
business days, on a Mon-Fri 08:00-17:00 calendar with the public holidays of Berlin, and on a
24/7 calendar; both in Europe/Berlin, so the DST changes are crossed. The throughput includes
building each calendar's precomputed pages on first use; the latency of a first deadline on a
fresh calendar is printed on its own. Prints numbers only; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "apps" / "techsolutions_support"))

from techsolutions_support.core.business_time import (
	BusinessCalendar,
	Pause,
	Window,
	add_business_time,
	business_time_between,
)
from techsolutions_support.core.holidays_de import closed_days

BERLIN = ZoneInfo("Europe/Berlin")
SPAN_START = datetime(2026, 1, 1, tzinfo=BERLIN)
SPAN_US = 2 * 365 * 24 * 3600 * 10**6
# One hour to five business days of nine hours.
TARGET_MIN_US = 3600 * 10**6
TARGET_MAX_US = 5 * 9 * 3600 * 10**6


def office_calendar(name: str) -> BusinessCalendar:
	week = {weekday: [Window(time(8), time(17))] for weekday in range(5)}
	return BusinessCalendar("Europe/Berlin", week, closed_days("BE", range(2025, 2030)), name)


def measure_first_call(label: str, calendar: BusinessCalendar) -> None:
	began = clock.perf_counter()
	add_business_time(SPAN_START, timedelta(hours=4), calendar)
	elapsed = clock.perf_counter() - began
	print(f"{label:<52} {elapsed * 1000:>12.3f} ms")


def measure(label: str, run: Callable[[], int]) -> None:
	began = clock.perf_counter()
	count = run()
	elapsed = clock.perf_counter() - began
	print(f"{label:<52} {count / elapsed:>12,.0f} /s   ({count:,} in {elapsed:.3f} s)")


def main() -> None:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--count", type=int, default=200_000, help="computations per case")
	parser.add_argument("--seed", type=int, default=20260329)
	args = parser.parse_args()

	rng = random.Random(args.seed)
	starts = [SPAN_START + timedelta(microseconds=rng.randrange(SPAN_US)) for _ in range(args.count)]
	targets = [timedelta(microseconds=rng.randint(TARGET_MIN_US, TARGET_MAX_US)) for _ in range(args.count)]
	ends = [start + timedelta(microseconds=rng.randrange(14 * 24 * 3600 * 10**6)) for start in starts]
	pauses = [
		(
			Pause(start + timedelta(hours=2), start + timedelta(hours=20)),
			Pause(start + timedelta(days=3), None),
		)
		for start in starts
	]
	jobs = list(zip(starts, targets, strict=True))

	def adds(calendar: BusinessCalendar) -> Callable[[], int]:
		def run() -> int:
			for start, target in jobs:
				add_business_time(start, target, calendar)
			return len(jobs)

		return run

	def adds_with_pauses(calendar: BusinessCalendar) -> Callable[[], int]:
		def run() -> int:
			for (start, target), paused in zip(jobs, pauses, strict=True):
				add_business_time(start, target, calendar, paused)
			return len(jobs)

		return run

	def betweens(calendar: BusinessCalendar) -> Callable[[], int]:
		def run() -> int:
			for start, end in zip(starts, ends, strict=True):
				business_time_between(start, end, calendar)
			return len(starts)

		return run

	print(f"Python {sys.version.split()[0]}, {args.count:,} random computations per case, seed {args.seed}")
	office = office_calendar("bench office")
	always = BusinessCalendar.always_open("Europe/Berlin", name="bench 24/7")
	measure_first_call("first deadline, fresh Mon-Fri calendar", office)
	measure_first_call("first deadline, fresh 24/7 calendar", always)
	measure("add_business_time, Mon-Fri + Berlin holidays", adds(office))
	measure("add_business_time, 24/7", adds(always))
	measure("add_business_time with 2 pauses, Mon-Fri", adds_with_pauses(office))
	measure("business_time_between, Mon-Fri, up to 14 days", betweens(office))


if __name__ == "__main__":
	main()

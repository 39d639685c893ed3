"""Run every suite that can run on this machine and print one closing count.

	unit          tests/unit with pytest; needs nothing but this venv
	integration   the app's FrappeTestCase tests, `bench run-tests` on the test site
	e2e           tests/e2e with pytest, over HTTP against the test site served on 127.0.0.1

Without a bench at TS_BENCH the integration and e2e suites are reported as skipped with the
reason; everything else still runs. The closing line reads "N passed, N failed, N skipped".
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from tstools import config
from tstools.bench import Bench
from tstools.log import step
from tstools.server import serving

SUITES = ("unit", "integration", "e2e")


@dataclass
class SuiteResult:
	name: str
	passed: int = 0
	failed: int = 0
	skipped: int = 0
	note: str = ""
	crashed: bool = False
	details: list[str] = field(default_factory=list)

	@property
	def ok(self) -> bool:
		return not self.failed and not self.crashed


def run_all(suites: list[str], keyword: str | None = None) -> int:
	config.ARTIFACTS.mkdir(exist_ok=True)
	results: list[SuiteResult] = []
	bench = Bench()
	bench_ready = bench.exists()
	skip_reason = (
		f"no bench at {bench.path} (build one with ./dev setup, or point TS_BENCH at one)"
		if not bench_ready
		else ""
	)

	if "unit" in suites:
		results.append(run_unit(keyword))

	needs_site = [name for name in ("integration", "e2e") if name in suites]
	if needs_site and not bench_ready:
		results.extend(SuiteResult(name, note=f"skipped: {skip_reason}") for name in needs_site)
	elif needs_site:
		template = config.SiteTemplate.load("test")
		step(f"Preparing the test site {template.name} in {bench.path}")
		bench.ensure()
		bench.ensure_site(template)
		if "integration" in suites:
			results.append(run_integration(bench, template.name))
		if "e2e" in suites:
			results.append(run_e2e(bench, template, keyword))

	return report(results)


def run_unit(keyword: str | None) -> SuiteResult:
	step("Unit tests (no Frappe)")
	xml = config.ARTIFACTS / "unit.xml"
	command = [sys.executable, "-m", "pytest", "tests/unit", f"--junitxml={xml}", "-p", "no:cacheprovider"]
	if keyword:
		command += ["-k", keyword]
	result = subprocess.run(command, cwd=config.ROOT)
	return from_junit("unit", xml, exit_code=result.returncode, allowed_exit_codes=(0, 1, 5))


def run_integration(bench: Bench, site: str) -> SuiteResult:
	step(f"Integration tests on {site}")
	xml = config.ARTIFACTS / "integration.xml"
	xml.unlink(missing_ok=True)
	result = bench.bench(
		"--site",
		site,
		"run-tests",
		"--app",
		config.APP_NAME,
		"--junit-xml-output",
		str(xml),
		# Frappe v15 exits 0 on failures unless CI is set.
		env={"CI": "true"},
		check=False,
		show_output=True,
	)
	return from_junit("integration", xml, exit_code=result.returncode, allowed_exit_codes=(0, 1))


def run_e2e(bench: Bench, template: config.SiteTemplate, keyword: str | None) -> SuiteResult:
	step(f"End-to-end tests over HTTP on {template.name}")
	xml = config.ARTIFACTS / "e2e.xml"
	log = config.ARTIFACTS / "e2e-server.log"
	with serving(bench, template.name, log=log) as server:
		env = dict(
			os.environ,
			TS_E2E_URL=server.url,
			TS_E2E_SITE=template.name,
			TS_E2E_ADMIN_PASSWORD=template.admin_password,
			TS_E2E_PASSWORD=template.demo_password,
		)
		command = [sys.executable, "-m", "pytest", "tests/e2e", f"--junitxml={xml}", "-p", "no:cacheprovider"]
		if keyword:
			command += ["-k", keyword]
		result = subprocess.run(command, cwd=config.ROOT, env=env)
	return from_junit("e2e", xml, exit_code=result.returncode, allowed_exit_codes=(0, 1, 5))


def from_junit(name: str, xml: Path, exit_code: int, allowed_exit_codes: tuple[int, ...]) -> SuiteResult:
	result = SuiteResult(name)
	if not xml.exists():
		result.crashed = True
		result.note = f"no results written (exit {exit_code})"
		return result
	try:
		root = ET.parse(xml).getroot()
	except ET.ParseError as error:
		result.crashed = True
		result.note = f"unreadable results in {xml.name} ({error}; exit {exit_code})"
		return result
	for case in root.iter("testcase"):
		outcome = {child.tag for child in case}
		label = f"{case.get('classname')}.{case.get('name')}"
		if outcome & {"failure", "error"}:
			result.failed += 1
			result.details.append(f"FAILED {label}")
		elif "skipped" in outcome:
			result.skipped += 1
		else:
			result.passed += 1
	if exit_code not in allowed_exit_codes or (exit_code != 0 and not result.failed and exit_code != 5):
		result.crashed = True
		result.note = f"the runner exited {exit_code}"
	return result


def report(results: list[SuiteResult]) -> int:
	print("\n" + "=" * 72)
	for result in results:
		line = f"{result.name:<12} {result.passed} passed, {result.failed} failed, {result.skipped} skipped"
		print(f"{line}{'  (' + result.note + ')' if result.note else ''}")
		for detail in result.details:
			print(f"    {detail}")
	passed = sum(r.passed for r in results)
	failed = sum(r.failed for r in results) + sum(1 for r in results if r.crashed)
	skipped = sum(r.skipped for r in results)
	skipped_suites = [r.name for r in results if r.note.startswith("skipped")]
	print("=" * 72)
	if skipped_suites:
		print(f"suites skipped: {', '.join(skipped_suites)}")
	print(f"{passed} passed, {failed} failed, {skipped} skipped")
	return 0 if all(r.ok for r in results) else 1

"""The site's web server (gunicorn, static files included) and a background worker, on 127.0.0.1."""

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tstools.bench import Bench
from tstools.log import fail

# A fresh worker imports Frappe and Helpdesk before it answers; give it this long.
STARTUP_TIMEOUT_S = 120
HTTP_TIMEOUT_S = 10


def port_is_free(port: int) -> bool:
	with socket.socket() as probe:
		try:
			probe.bind(("127.0.0.1", port))
		except OSError:
			return False
		return True


def free_port() -> int:
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


class SiteServer:
	"""Web server and worker; for the demo also the scheduler and the fleet/route simulator."""

	def __init__(
		self,
		bench: Bench,
		site: str,
		port: int,
		workers: int = 2,
		threads: int = 4,
		log: Path | None = None,
		simulator_port: int | None = None,
		with_scheduler: bool = False,
	):
		self.bench = bench
		self.site = site
		self.port = port
		self.workers = workers
		self.threads = threads
		self.log = log
		self.simulator_port = simulator_port
		self.with_scheduler = with_scheduler
		self.processes: list[subprocess.Popen] = []

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def start(self, with_worker: bool = True) -> None:
		if not port_is_free(self.port):
			fail(
				f"Port {self.port} on 127.0.0.1 is in use (an earlier server still running?). Stop it or choose --port."
			)
		env = self.bench.env({"FRAPPE_SITE": self.site})
		output = self.log.open("ab") if self.log else None
		gunicorn = str(self.bench.path / "env" / "bin" / "gunicorn")
		self.processes.append(
			subprocess.Popen(
				[
					gunicorn,
					"--bind",
					f"127.0.0.1:{self.port}",
					"--workers",
					str(self.workers),
					"--threads",
					str(self.threads),
					"--worker-class",
					"gthread",
					"--timeout",
					"120",
					"frappe.app:application_with_statics()",
				],
				cwd=self.bench.path / "sites",
				env=env,
				stdout=output,
				stderr=output,
				start_new_session=True,
			)
		)
		frappe_command = [
			str(self.bench.env_python),
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			self.site,
		]
		background = []
		if with_worker:
			# As in production: long jobs (connector syncs, the SLA watch) get their own worker,
			# so a backlog of short jobs never holds them up.
			background.append([*frappe_command, "worker", "--queue", "short,default"])
			background.append([*frappe_command, "worker", "--queue", "long"])
		if self.with_scheduler:
			background.append([*frappe_command, "schedule"])
		if self.simulator_port:
			if not port_is_free(self.simulator_port):
				self.stop()
				fail(
					f"Port {self.simulator_port} for the simulator is in use; set TS_SIM_PORT to another one."
				)
			background.append(
				[
					str(self.bench.env_python),
					"-m",
					"techsolutions_support.simulator",
					"--port",
					str(self.simulator_port),
				]
			)
		for command in background:
			self.processes.append(
				subprocess.Popen(
					command,
					cwd=self.bench.path / "sites",
					env=env,
					stdout=output,
					stderr=output,
					start_new_session=True,
				)
			)
		self.wait_until_up()

	def check_alive(self) -> None:
		"""Every process started must still run once the web server answers."""
		for process in self.processes:
			if process.poll() is not None:
				command = " ".join(str(part) for part in process.args[-3:])
				self.stop()
				fail(
					f"{command} exited at start (code {process.returncode}); see {self.log or 'its output'}."
				)

	def wait_until_up(self) -> None:
		deadline = time.monotonic() + STARTUP_TIMEOUT_S
		while time.monotonic() < deadline:
			if self.processes[0].poll() is not None:
				fail(f"The web server for {self.site} exited at start (see {self.log or 'its output'}).")
			try:
				response = requests.get(
					f"{self.url}/api/method/ping", headers={"Host": self.site}, timeout=HTTP_TIMEOUT_S
				)
				if response.ok:
					self.check_alive()
					return
			except requests.RequestException:
				pass
			time.sleep(1)
		self.stop()
		fail(f"The web server for {self.site} did not answer within {STARTUP_TIMEOUT_S} s.")

	def stop(self) -> None:
		for process in self.processes:
			if process.poll() is None:
				os.killpg(process.pid, signal.SIGTERM)
		for process in self.processes:
			try:
				process.wait(timeout=20)
			except subprocess.TimeoutExpired:
				os.killpg(process.pid, signal.SIGKILL)
		self.processes.clear()

	def wait(self) -> None:
		self.processes[0].wait()


@contextmanager
def serving(
	bench: Bench,
	site: str,
	port: int | None = None,
	log: Path | None = None,
	workers: int = 2,
	threads: int = 4,
):
	server = SiteServer(bench, site, port or free_port(), workers=workers, threads=threads, log=log)
	server.start()
	try:
		yield server
	finally:
		server.stop()

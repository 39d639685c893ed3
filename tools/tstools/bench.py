"""Build and keep a Frappe bench with telephony, Helpdesk and this app, outside the checkout.

Every step checks what is already there and does only what is missing, so running the set-up
again is safe and fast:

	sources    clone each upstream app at its pinned ref (from upstream, or a local clone)
	bench      `bench init` with Frappe; telephony and Helpdesk with `bench get-app`
	app        link apps/techsolutions_support into the bench, install it editable
	site       create the site from its template, or migrate it when the app's schema changed
	pilot      load the pilot data set (idempotent)
"""

import getpass
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tstools import config
from tstools.log import fail, step

# Branch name given to the pinned ref in the source clones, so bench can clone it by name.
PIN_BRANCH = "ts-pinned"

# Long steps (pip and yarn installs, asset builds, site creation) get this much time.
LONG_STEP_TIMEOUT_S = 45 * 60


class Bench:
	def __init__(self, path: Path | None = None):
		self.path = path or config.bench_path()
		self.sources = self.path / ".sources"
		self.env_python = self.path / "env" / "bin" / "python"

	# State

	def exists(self) -> bool:
		"""A bench with Frappe and Helpdesk, usable for tests."""
		return all((self.path / "apps" / app).is_dir() for app in ("frappe", "telephony", "helpdesk")) and (
			self.env_python.exists()
		)

	def site_exists(self, site: str) -> bool:
		return (self.path / "sites" / site / "site_config.json").exists()

	# Set-up

	def ensure(self) -> None:
		self.path.mkdir(parents=True, exist_ok=True)
		self.write_bench_config()
		if not (self.path / "apps" / "frappe").is_dir():
			self.init_frappe()
		self.check_version(config.FRAPPE)
		for upstream in config.UPSTREAM_APPS:
			if not (self.path / "apps" / upstream.app).is_dir():
				self.get_app(upstream)
			self.check_version(upstream)
		self.write_bench_config()
		self.install_test_requirements()
		self.link_app()

	def write_bench_config(self) -> None:
		"""Database and Redis of this machine; bench itself refuses to run as root without frappe_user."""
		sites = self.path / "sites"
		sites.mkdir(exist_ok=True)
		file = sites / "common_site_config.json"
		current = json.loads(file.read_text()) if file.exists() else {}
		wanted = {
			"frappe_user": getpass.getuser(),
			"db_host": config.db_host(),
			"db_port": config.db_port(),
			"redis_cache": config.redis_url(),
			"redis_queue": config.redis_url(),
			"redis_socketio": config.redis_url(),
		}
		if {key: current.get(key) for key in wanted} != wanted:
			file.write_text(json.dumps({**current, **wanted}, indent=1, sort_keys=True))

	def init_frappe(self) -> None:
		source = self.clone_source(config.FRAPPE)
		step(f"Creating the bench in {self.path} (Frappe {config.FRAPPE.ref}; takes a few minutes)")
		self.bench(
			"init",
			".",
			"--ignore-exist",
			"--frappe-path",
			str(source),
			"--frappe-branch",
			PIN_BRANCH,
			"--python",
			python_for_bench(),
			"--skip-redis-config-generation",
			"--no-backups",
			"--no-procfile",
		)

	def get_app(self, upstream: config.Upstream) -> None:
		source = self.clone_source(upstream)
		step(f"Installing {upstream.app} {upstream.ref} into the bench")
		self.bench("get-app", str(source), "--branch", PIN_BRANCH)

	def clone_source(self, upstream: config.Upstream) -> Path:
		"""A clone of the app at its pinned ref, on branch PIN_BRANCH, for bench to clone from."""
		target = self.sources / upstream.app
		if target.exists():
			shutil.rmtree(target)
		target.mkdir(parents=True)
		step(f"Fetching {upstream.app} {upstream.ref} from {upstream.source}")
		run(["git", "init", "--quiet", str(target)])
		run(["git", "-C", str(target), "fetch", "--quiet", "--depth", "1", upstream.source, upstream.ref])
		run(["git", "-C", str(target), "checkout", "--quiet", "-B", PIN_BRANCH, "FETCH_HEAD"])
		return target

	def check_version(self, upstream: config.Upstream) -> None:
		if not upstream.version:
			return
		init = self.path / "apps" / upstream.app / upstream.app / "__init__.py"
		match = re.search(r'__version__\s*=\s*"([^"]+)"', init.read_text())
		found = match.group(1) if match else "unknown"
		if found != upstream.version:
			fail(
				f"The bench at {self.path} has {upstream.app} {found}, this workspace is pinned to "
				f"{upstream.version}. Use another TS_BENCH, or remove apps/{upstream.app} from that bench."
			)

	def install_test_requirements(self) -> None:
		"""Frappe's test runner needs its development dependencies (freezegun, xmlrunner, ...)."""
		marker = self.path / "env" / ".ts-dev-requirements"
		if marker.exists():
			return
		step("Installing Frappe's test dependencies into the bench")
		self.bench("setup", "requirements", "--dev")
		marker.touch()

	def link_app(self) -> None:
		"""Point the bench's copy of this app at this checkout and install it there."""
		link = self.path / "apps" / config.APP_NAME
		self.link_assets()
		if link.is_symlink() and link.resolve() == config.APP_DIR.resolve() and self.app_installed_here():
			return
		step(f"Linking {config.APP_DIR} into the bench")
		if link.is_symlink() or link.is_file():
			link.unlink()
		elif link.is_dir():
			fail(f"{link} is a folder, not a link to this checkout; move it away and run again.")
		link.symlink_to(config.APP_DIR, target_is_directory=True)
		run(
			[str(self.env_python), "-m", "pip", "install", "--quiet", "-e", str(link)],
			env=self.env(),
			log=self.path / "logs" / "ts-setup.log",
		)
		apps_txt = self.path / "sites" / "apps.txt"
		apps = apps_txt.read_text().split() if apps_txt.exists() else []
		if config.APP_NAME not in apps:
			apps_txt.write_text("\n".join([*apps, config.APP_NAME]) + "\n")
		if not self.app_installed_here():
			fail(f"The bench imports {config.APP_NAME} from somewhere else than {config.APP_DIR}.")

	def link_assets(self) -> None:
		"""Serve the app's public/ folder at /assets/techsolutions_support, as `bench build` would.

		The link goes through apps/, so it follows the app link to whichever checkout it points at.
		"""
		assets = self.path / "sites" / "assets"
		target = Path("..") / ".." / "apps" / config.APP_NAME / config.APP_NAME / "public"
		link = assets / config.APP_NAME
		if not assets.is_dir() or (link.is_symlink() and Path(os.readlink(link)) == target):
			return
		if link.is_symlink() or link.is_file():
			link.unlink()
		elif link.is_dir():
			fail(f"{link} is a folder, not a link to the app's public files; move it away and run again.")
		link.symlink_to(target, target_is_directory=True)

	def app_installed_here(self) -> bool:
		probe = "import os, techsolutions_support as m; print(os.path.realpath(os.path.dirname(m.__file__)))"
		result = subprocess.run(
			[str(self.env_python), "-c", probe], capture_output=True, text=True, timeout=60
		)
		return (
			result.returncode == 0
			and Path(result.stdout.strip()) == (config.APP_DIR / config.APP_NAME).resolve()
		)

	# Sites

	def ensure_site(self, template: config.SiteTemplate) -> None:
		if not self.site_exists(template.name):
			self.new_site(template)
		elif self.site_fingerprint(template.name) != app_fingerprint():
			step(f"Migrating {template.name} (the app's schema changed)")
			self.bench("--site", template.name, "migrate")
		self.configure_site(template)
		(self.path / "sites" / template.name / "ts_fingerprint").write_text(app_fingerprint())
		if template.load_pilot:
			step(f"Loading the pilot data into {template.name}")
			self.bench(
				"--site",
				template.name,
				"ts-load-pilot",
				"--path",
				str(config.PILOT_DATA),
				env={
					"TS_DEMO_PASSWORD": template.demo_password,
					"TS_SIM_URL": config.simulator_url(),
					"TS_DEMO_MAIL": f"127.0.0.1:{config.mail_port()}" if template.mail_sink else "",
				},
			)

	def new_site(self, template: config.SiteTemplate) -> None:
		"""An empty site first, its time zone set, then the apps: what the apps create on install
		(Helpdesk's welcome ticket, timestamps) is then stamped in the site's own time zone."""
		step(f"Creating the site {template.name} (about two minutes)")
		password = config.db_root_password()
		self.bench(
			"new-site",
			template.name,
			"--db-root-username",
			"root",
			"--admin-password",
			template.admin_password,
			*(["--db-root-password", password] if password else []),
			# Frappe asks for an empty root password on the terminal; answer it from stdin instead.
			stdin_text="\n",
			detach_terminal=True,
		)
		self.configure_site(template)
		self.bench("--site", template.name, "install-app", *template.apps)

	def configure_site(self, template: config.SiteTemplate) -> None:
		for key, value in template.site_config.items():
			self.bench("--site", template.name, "set-config", "--parse", key, repr(value), quiet=True)
		self.bench(
			"--site",
			template.name,
			"ts-configure-site",
			"--time-zone",
			template.time_zone,
			"--language",
			template.language,
			quiet=True,
		)

	def site_fingerprint(self, site: str) -> str | None:
		file = self.path / "sites" / site / "ts_fingerprint"
		return file.read_text() if file.exists() else None

	# Running things in the bench

	def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
		env = dict(os.environ)
		env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
		env.update(git_dependency_overrides(self.path))
		env.update(extra or {})
		return env

	def bench(
		self,
		*args: str,
		env: dict[str, str] | None = None,
		stdin_text: str | None = None,
		detach_terminal: bool = False,
		quiet: bool = False,
		check: bool = True,
		show_output: bool = False,
	) -> subprocess.CompletedProcess:
		"""Run bench in the bench folder; its output goes to logs/ts-setup.log unless shown."""
		command = [str(Path(sys.executable).parent / "bench"), *args]
		return run(
			command,
			cwd=self.path,
			env=self.env(env),
			stdin_text=stdin_text,
			detach_terminal=detach_terminal,
			quiet=quiet,
			check=check,
			log=None if show_output else self.path / "logs" / "ts-setup.log",
		)


def app_fingerprint() -> str:
	"""Changes whenever something a migrate applies changes: doctypes, hooks, patches, install code."""
	digest = hashlib.sha256()
	package = config.APP_DIR / config.APP_NAME
	files = sorted(
		[
			*package.rglob("doctype/*/*.json"),
			# Standard reports are synced by a migrate too.
			*package.rglob("report/*/*.json"),
			package / "hooks.py",
			package / "patches.txt",
			package / "setup" / "install.py",
		]
	)
	for file in files:
		digest.update(str(file.relative_to(package)).encode())
		digest.update(file.read_bytes())
	return digest.hexdigest()


def python_for_bench() -> str:
	"""The base interpreter behind this venv: the bench gets its own venv from it."""
	return getattr(sys, "_base_executable", None) or sys.executable


def git_dependency_overrides(bench: Path) -> dict[str, str]:
	"""Environment that sends Frappe's git dependencies to local clones, when those are given."""
	env: dict[str, str] = {}
	if config.GUNICORN.local:
		# git reads url.<local>.insteadOf from the environment: pip's clone of the upstream
		# URL then reads the local clone instead.
		env.update(
			GIT_CONFIG_COUNT="1",
			GIT_CONFIG_KEY_0=f"url.{config.GUNICORN.local}.insteadOf",
			GIT_CONFIG_VALUE_0=config.GUNICORN.url,
		)
	if config.AIR_DATEPICKER.local:
		env["YARN_YARN_OFFLINE_MIRROR"] = str(yarn_mirror_from_clone(bench, config.AIR_DATEPICKER.local))
	return env


def yarn_mirror_from_clone(bench: Path, clone: str) -> Path:
	"""An offline mirror holding the tarball yarn would download for air-datepicker.

	Frappe's yarn.lock resolves it to a tarball of one commit; yarn looks for that file, named
	after the commit, in its offline mirror before it goes to the network.
	"""
	mirror = bench / ".sources" / "yarn-mirror"
	mirror.mkdir(parents=True, exist_ok=True)
	lock = bench / "apps" / "frappe" / "yarn.lock"
	wanted = (
		set(re.findall(r"air-datepicker/tar\.gz/([0-9a-f]{40})", lock.read_text()))
		if lock.exists()
		else set()
	)
	head = subprocess.run(
		["git", "-C", clone, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=60, check=True
	).stdout.strip()
	for commit in wanted | {head}:
		tarball = mirror / commit
		if tarball.exists():
			continue
		subprocess.run(
			[
				"git",
				"-C",
				clone,
				"archive",
				"--format=tar.gz",
				f"--prefix=air-datepicker-{commit}/",
				"-o",
				str(tarball),
				commit,
			],
			capture_output=True,
			timeout=120,
			check=True,
		)
	return mirror


def run(
	command: list[str],
	*,
	cwd: Path | None = None,
	env: dict[str, str] | None = None,
	stdin_text: str | None = None,
	detach_terminal: bool = False,
	quiet: bool = False,
	check: bool = True,
	log: Path | None = None,
	timeout: float = LONG_STEP_TIMEOUT_S,
) -> subprocess.CompletedProcess:
	"""Run a step; with `log`, its output goes to that file and only a failure shows its tail."""
	if log:
		log.parent.mkdir(parents=True, exist_ok=True)
		with log.open("a") as output:
			output.write(f"\n$ {' '.join(command)}\n")
			output.flush()
			result = subprocess.run(
				command,
				cwd=cwd,
				env=env,
				input=stdin_text,
				text=True,
				stdout=output,
				stderr=subprocess.STDOUT,
				start_new_session=detach_terminal,
				timeout=timeout,
			)
	else:
		result = subprocess.run(
			command,
			cwd=cwd,
			env=env,
			input=stdin_text,
			text=True,
			capture_output=quiet,
			start_new_session=detach_terminal,
			timeout=timeout,
		)
	if check and result.returncode != 0:
		if log:
			sys.stderr.write("".join(log.read_text(errors="replace").splitlines(keepends=True)[-60:]))
			sys.stderr.write(f"\n(full output: {log})\n")
		elif quiet:
			sys.stderr.write((result.stdout or "") + (result.stderr or ""))
		fail(f"This step failed (exit {result.returncode}): {' '.join(command)}")
	return result

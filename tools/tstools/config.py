"""Where things are and which upstream versions the workspace builds on.

Every setting can be changed by an environment variable, named where it is read:

	TS_BENCH                  the bench folder (default ~/ts-bench, outside the checkout)
	TS_FRAPPE_SOURCE          a local clone of Frappe to use instead of its upstream repository
	TS_TELEPHONY_SOURCE       likewise for telephony
	TS_HELPDESK_SOURCE        likewise for Helpdesk
	TS_GUNICORN_SOURCE        a local clone of Frappe's gunicorn fork (a git dependency of Frappe)
	TS_AIR_DATEPICKER_SOURCE  a local clone of Frappe's air-datepicker fork (an npm git dependency)
	TS_DB_HOST, TS_DB_PORT    MariaDB (default 127.0.0.1:3306, user root)
	TS_DB_ROOT_PASSWORD       MariaDB root password (default empty)
	TS_REDIS_URL              Redis (default redis://127.0.0.1:6379)
	TS_DEMO_PORT              port of the demo web server (default 8000)
	TS_SIM_PORT               port of the fleet/route simulator the demo's connectors read (8090)
	TS_MAIL_PORT              port of the demo's mail sink, which keeps the demo's mails as files (2525)
	TS_ARTIFACTS              where test results go (default artifacts/ in the checkout)
	TS_TEST_SITE              name of the test site (default from sites/test.json)
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "techsolutions_support"
APP_DIR = ROOT / "apps" / APP_NAME
SITE_TEMPLATES = ROOT / "sites"
PILOT_DATA = ROOT / "fixtures" / "pilot"
ARTIFACTS = Path(os.environ.get("TS_ARTIFACTS") or ROOT / "artifacts")


@dataclass(frozen=True)
class Upstream:
	"""A Frappe app installed from its repository at a pinned ref (tag or full commit)."""

	app: str
	url: str
	ref: str
	env: str
	version: str | None = None

	@property
	def source(self) -> str:
		return os.environ.get(self.env) or self.url


@dataclass(frozen=True)
class GitDependency:
	"""A git URL that an upstream app's own requirements point at."""

	name: str
	url: str
	env: str

	@property
	def local(self) -> str | None:
		return os.environ.get(self.env) or None


# The pinned runtime (see DESIGN.md). Helpdesk 1.28 declares Frappe 15.109 or newer; the app is
# built and tested on Frappe 15.101.1, which bench accepts with a warning.
FRAPPE = Upstream("frappe", "https://github.com/frappe/frappe", "v15.101.1", "TS_FRAPPE_SOURCE", "15.101.1")
TELEPHONY = Upstream(
	"telephony",
	"https://github.com/frappe/telephony",
	"58d32184e44b193e27498d3dd156085c793b7528",
	"TS_TELEPHONY_SOURCE",
)
HELPDESK = Upstream(
	"helpdesk", "https://github.com/frappe/helpdesk", "v1.28.1", "TS_HELPDESK_SOURCE", "1.28.1"
)
UPSTREAM_APPS = (TELEPHONY, HELPDESK)

GUNICORN = GitDependency("gunicorn", "https://github.com/frappe/gunicorn", "TS_GUNICORN_SOURCE")
AIR_DATEPICKER = GitDependency(
	"air-datepicker", "https://github.com/frappe/air-datepicker", "TS_AIR_DATEPICKER_SOURCE"
)


def bench_path() -> Path:
	return Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser().resolve()


def db_host() -> str:
	return os.environ.get("TS_DB_HOST", "127.0.0.1")


def db_port() -> int:
	return int(os.environ.get("TS_DB_PORT", "3306"))


def db_root_password() -> str:
	return os.environ.get("TS_DB_ROOT_PASSWORD", "")


def redis_url() -> str:
	return os.environ.get("TS_REDIS_URL", "redis://127.0.0.1:6379")


def demo_port() -> int:
	return int(os.environ.get("TS_DEMO_PORT", "8000"))


def simulator_port() -> int:
	return int(os.environ.get("TS_SIM_PORT", "8090"))


def mail_port() -> int:
	return int(os.environ.get("TS_MAIL_PORT", "2525"))


def simulator_url() -> str:
	return f"http://127.0.0.1:{simulator_port()}"


@dataclass(frozen=True)
class SiteTemplate:
	"""A committed site template (sites/<name>.json); the site itself lives in the bench."""

	name: str
	admin_password: str
	time_zone: str
	language: str
	apps: tuple[str, ...]
	load_pilot: bool
	demo_password: str
	mail_sink: bool
	site_config: dict

	@classmethod
	def load(cls, template: str) -> "SiteTemplate":
		data = json.loads((SITE_TEMPLATES / f"{template}.json").read_text(encoding="utf-8"))
		# Several people (or agents) can share one bench, each testing on a site of their own.
		override = os.environ.get("TS_TEST_SITE") if template == "test" else None
		return cls(
			name=override or data["site"],
			admin_password=data["admin_password"],
			time_zone=data["time_zone"],
			language=data["language"],
			apps=tuple(data["apps"]),
			load_pilot=data.get("load_pilot", False),
			demo_password=data.get("demo_password", ""),
			mail_sink=data.get("mail_sink", False),
			site_config=data.get("site_config", {}),
		)

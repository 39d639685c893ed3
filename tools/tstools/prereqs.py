"""Prerequisites of a bench: each missing one gives one message naming it and how to get it."""

import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import urlparse

from tstools import config

# How long a service may take to answer before it counts as not running.
CONNECT_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Missing:
	what: str
	how: str

	def __str__(self) -> str:
		return f"- {self.what}\n    {self.how}"


def check() -> list[Missing]:
	problems = [
		check_python(),
		check_command("git", "git", "apt-get install git"),
		check_node(),
		check_command("yarn", "yarn (Frappe builds its assets with yarn 1)", "npm install -g yarn@1"),
		check_mariadb(),
		check_redis(),
	]
	return [problem for problem in problems if problem]


def check_python() -> Missing | None:
	if sys.version_info[:2] == (3, 11):
		return None
	return Missing("Python 3.11", "apt-get install python3.11 python3.11-venv, then run ./dev again")


def check_command(name: str, what: str, how: str) -> Missing | None:
	return None if shutil.which(name) else Missing(what, how)


def check_node() -> Missing | None:
	how = "Node.js 18 or newer (20 recommended): apt-get install nodejs npm"
	if not shutil.which("node"):
		return Missing("Node.js", how)
	version = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10).stdout
	match = re.match(r"v(\d+)", version.strip())
	if not match or int(match.group(1)) < 18:
		return Missing(f"Node.js 18 or newer (found {version.strip() or 'unknown'})", how)
	return None


def check_mariadb() -> Missing | None:
	host, port = config.db_host(), config.db_port()
	how = (
		f"MariaDB 10.6 or newer listening on {host}:{port} with utf8mb4 (apt-get install mariadb-server), "
		"or set TS_DB_HOST / TS_DB_PORT / TS_DB_ROOT_PASSWORD"
	)
	try:
		with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as conn:
			greeting = conn.recv(128)
	except OSError as error:
		return Missing(f"MariaDB at {host}:{port} ({error.strerror or error})", how)
	if b"MariaDB" not in greeting and b"mysql" not in greeting.lower():
		return Missing(f"MariaDB at {host}:{port} (something else answers there)", how)
	return None


def check_redis() -> Missing | None:
	url = urlparse(config.redis_url())
	host, port = url.hostname or "127.0.0.1", url.port or 6379
	how = f"Redis 6 or newer on {host}:{port} (apt-get install redis-server), or set TS_REDIS_URL"
	try:
		with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as conn:
			conn.sendall(b"PING\r\n")
			reply = conn.recv(64)
	except OSError as error:
		return Missing(f"Redis at {host}:{port} ({error.strerror or error})", how)
	if not reply.startswith((b"+PONG", b"-NOAUTH")):
		return Missing(f"Redis at {host}:{port} (unexpected answer {reply[:20]!r})", how)
	return None

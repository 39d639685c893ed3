"""Renders the portal's templates (templates/ts_portal/) from one Jinja environment per process.

Frappe's own rendering makes a new environment, with an empty template cache and a few hundred
globals, for every request. The portal's templates need three names: `_` (Frappe's translation,
which reads the request's language itself), `user` and `csrf_token`; they are passed in at each
render, so nothing of one request is kept for the next. Compiled templates are kept, and compiled
again when their file changes.

HTML templates are escaped automatically; `| e` in them is harmless. The service worker's script
(sw.js) is not escaped: it embeds JSON that is made safe for a script where it is built.
"""

import threading
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

import frappe

# The app's package folder: template names are paths under it ("templates/ts_portal/...").
APP_FOLDER = Path(__file__).resolve().parent.parent

_lock = threading.Lock()
_environment: Environment | None = None


def render(template: str, context: dict[str, Any]) -> str:
	"""The template rendered for the current request: `context` plus `_`, `user`, `csrf_token`."""
	values = {"_": frappe._, "user": frappe.session.user, "csrf_token": csrf_token(), **context}
	return environment().get_template(template).render(values)


def environment() -> Environment:
	global _environment
	with _lock:
		if _environment is None:
			_environment = Environment(
				loader=FileSystemLoader(str(APP_FOLDER)),
				autoescape=select_autoescape(["html"]),
				auto_reload=True,
			)
		return _environment


def csrf_token() -> str:
	"""The session's CSRF token for the portal's scripts.

	A portal user who logged in through /login has none until something asks for it, and every
	POST from the portal would be refused without it. Guests post nothing that needs one.
	"""
	if frappe.session.user == "Guest":
		return ""
	from frappe.sessions import get_csrf_token

	return get_csrf_token()

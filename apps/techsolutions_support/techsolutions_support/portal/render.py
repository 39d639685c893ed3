"""Renders the portal's own pages (templates/ts_portal/) with templates compiled once per process.

Frappe makes a new Jinja environment, and with it an empty template cache, for every request: a
page that extends base.html and includes a partial compiles all of them each time (about 40 ms of
CPU per /support request on this machine, measured with cProfile). Here the compiled templates
live as long as the process. What belongs to one request (Frappe's Jinja globals: frappe, _, the
session; the page's context) is passed in at each render and never kept.

Autoescaping stays off, as in Frappe's own environment: the templates escape every value
themselves (`| e`), so they are safe wherever they are rendered (the tracking page renders
ticket_view.html through frappe.render_template).
"""

import threading
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

import frappe

# The app's package folder: template names are paths under it ("templates/ts_portal/...").
APP_FOLDER = Path(__file__).resolve().parent.parent

_lock = threading.Lock()
_environment: Environment | None = None


def render_portal_page(template: str, context: dict[str, Any]) -> str:
	request_environment = frappe.get_jenv()
	environment = cached_environment(request_environment)
	return environment.get_template(template).render({**request_environment.globals, **context})


def cached_environment(request_environment: Environment) -> Environment:
	"""An environment like Frappe's (same sandbox, undefined and filters), kept for the process.

	Filters are plain functions and are shared; globals are not copied (they hold the request).
	"""
	global _environment
	with _lock:
		if _environment is None:
			environment = type(request_environment)(
				loader=FileSystemLoader(str(APP_FOLDER)),
				undefined=request_environment.undefined,
				# A changed template file is compiled again (development, deployments).
				auto_reload=True,
			)
			environment.filters.update(request_environment.filters)
			_environment = environment
		return _environment


def ts_portal_csrf_token() -> str:
	"""The session's CSRF token for the portal's forms (a Jinja method, see hooks.py).

	A portal user who logged in through /login has none until something asks for it, and every
	POST from the portal would be refused without it. Guests post nothing that needs one.
	"""
	if frappe.session.user == "Guest":
		return ""
	from frappe.sessions import get_csrf_token

	return get_csrf_token()

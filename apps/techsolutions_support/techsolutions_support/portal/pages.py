"""The customer portal's pages under /support, served by one page renderer (hooks: page_renderer).

	/support                        the user's tickets, open ones first (portal/view.py)
	/support/ticket/<name>          one ticket; the same 404 page for a missing and a foreign one
	/support/new                    the new-request form (portal/filing_form.py, api/filing.py)
	/support/notices                what the user was told about their tickets
	/support/settings               which news the user gets, and how
	/support/track                  following a ticket without an account (portal/tracking.py)
	/support/sw.js                  the service worker (portal/pwa.py)
	/support/manifest.webmanifest   the web app's manifest (portal/pwa.py)

Why not Frappe's www/ pages: a template page there builds the whole website context on every
request (website settings, navbar, the desk's app list, route maps of every web form and web
page) and a new Jinja environment, and these pages use none of it. Frappe still does all that
surrounds a page: session, language, redirects (a guest is sent to the login by raising
frappe.Redirect), error pages; the pages render from portal/render.py.

Every page but the tracking page, the worker and the manifest asks for a login.

A second renderer sends customers who open Helpdesk's own portal (/helpdesk, its ticket list and
ticket pages) to the matching page here, unless TS Portal Settings say otherwise; agents and
Helpdesk's knowledge base are left alone. Only whole page loads reach the server: a customer who
moves from Helpdesk's knowledge base to its ticket list inside its app stays there.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import cint
from frappe.website.page_renderers.base_renderer import BaseRenderer
from frappe.website.page_renderers.redirect_page import RedirectPage

from techsolutions_support.core.portal_view import language_of
from techsolutions_support.portal import pwa
from techsolutions_support.portal.render import render
from techsolutions_support.portal.view import STATUS_FILTERS, list_tickets_for, ticket_view
from techsolutions_support.techsolutions_support.doctype.ts_portal_settings.ts_portal_settings import (
	get_portal_settings,
)

ROOT = "support"
TEMPLATES = "templates/ts_portal"
# Pages with a user's data: never kept by a shared cache; the browser asks again each time.
PRIVATE = {"Cache-Control": "private, no-cache"}
# Every answer depends on the session and the language; its type is the one it says.
COMMON_HEADERS = {"Vary": "Cookie, Accept-Language", "X-Content-Type-Options": "nosniff"}
NOTICES_SHOWN = 50


@dataclass
class Reply:
	body: str
	status: int = 200
	headers: dict[str, str] = field(default_factory=dict)
	mimetype: str = "text/html"


class PortalPage(BaseRenderer):
	"""Frappe's page renderer for the paths under /support that `route` knows."""

	def can_render(self) -> bool:
		return route(self.path) is not None

	def render(self):
		try:
			reply = respond(self.path)
		except frappe.Redirect as redirect:
			response = RedirectPage(self.path, redirect.http_status_code).render()
			reply = Reply("", redirect.http_status_code)
		else:
			response = self.build_response(reply.body, reply.status, reply.headers)
		response.headers.extend(COMMON_HEADERS)
		# Frappe guesses the type from the path: /support/ticket/12.js would be "JavaScript".
		response.mimetype = reply.mimetype
		return response


class HelpdeskCustomerRedirect(BaseRenderer):
	"""Helpdesk's portal pages, for a customer, answered with a redirect to the portal here."""

	def can_render(self) -> bool:
		if self.path != "helpdesk" or frappe.session.user == "Guest":
			return False
		self.target = portal_path_for(frappe.request.path)
		return bool(
			self.target
			and frappe.get_cached_value("User", frappe.session.user, "user_type") != "System User"
			and get_portal_settings().send_customers_here
		)

	def render(self):
		frappe.flags.redirect_location = self.target
		return RedirectPage(self.target, 302).render()


def portal_path_for(helpdesk_path: str) -> str | None:
	"""The page here for a page of Helpdesk's app ("/helpdesk/my-tickets/12" -> "/support/ticket/12");
	None for its knowledge base, which has no page here."""
	parts = [part for part in helpdesk_path.split("/") if part][1:]
	if parts[:1] and parts[0].lower() == "kb-public":
		return None
	if parts[:1] in (["my-tickets"], ["tickets"]) and len(parts) == 2:
		return "/support/new" if parts[1] == "new" else f"/support/ticket/{quote(parts[1])}"
	return "/support"


def route(path: str) -> tuple[Callable[[str], Reply], str] | None:
	"""The page for a path under /support (without slashes at its ends) and its argument; None
	for a path elsewhere."""
	parts = path.split("/")
	if parts[0] != ROOT:
		return None
	rest = parts[1:]
	if len(rest) == 2 and rest[0] == "ticket" and rest[1]:
		return ticket_page, rest[1]
	# Any other address under /support gets the portal's own "not found" page.
	return PAGES.get("/".join(rest), missing_page), ""


def respond(path: str) -> Reply:
	"""The page at `path` for the current session; a guest on a page that asks for a login gets
	frappe.Redirect raised."""
	# The portal is written in German and English: Frappe's own words on it (its translations of
	# "Settings", "Send", ...) must not come in a third language beside them.
	frappe.local.lang = language_of(frappe.local.lang)
	page, argument = route(path.strip("/"))
	return page(argument)


def require_login(path: str) -> None:
	"""Sends a guest to the login, and back to `path` (with the request's query) after it."""
	if frappe.session.user == "Guest":
		query = frappe.request.query_string.decode() if frappe.request else ""
		back = f"{path}?{query}" if query else path
		frappe.flags.redirect_location = "/login?redirect-to=" + quote(back, safe="/")
		# Not permanent: the same address answers with the page once logged in.
		raise frappe.Redirect(302)


def html(template: str, context: dict, http_status: int = 200) -> Reply:
	# The language the page is written in: the portal speaks German and English only.
	context.setdefault("lang", language_of(frappe.local.lang))
	headers = PRIVATE if frappe.session.user != "Guest" else {}
	return Reply(render(f"{TEMPLATES}/{template}", context), http_status, dict(headers))


# The pages


def list_page(_argument: str) -> Reply:
	require_login("/support")
	status = frappe.form_dict.get("status") or "open"
	status = status if status in STATUS_FILTERS else None
	result = list_tickets_for(frappe.session.user, cint(frappe.form_dict.get("page")) or 1, status)
	return html(
		"support_list.html",
		{
			"status": status or "all",
			"tickets": result["tickets"],
			"page": result["page"],
			"has_more": result["has_more"],
			"filters": [
				("open", _("Open", context="Portal filter")),
				("closed", _("Closed", context="Portal filter")),
				("all", _("All", context="Portal filter")),
			],
		},
	)


def ticket_page(name: str) -> Reply:
	require_login(f"/support/ticket/{name}")
	if not frappe.db.exists("HD Ticket", name) or not frappe.has_permission("HD Ticket", "read", name):
		return missing_page(name)
	view = ticket_view(name)
	# A ticket solved or closed can still get an answer: Helpdesk reopens it.
	return html("support_ticket.html", {"view": view, "lang": view["lang"], "can_reply": True})


def missing_page(_argument: str) -> Reply:
	return html("not_found.html", {}, http_status=404)


def new_page(_argument: str) -> Reply:
	from techsolutions_support.portal.filing_form import form_context

	require_login("/support/new")
	context = form_context()
	# Read by the page's script from an attribute (escaped there).
	config = {"policy": context["policy"], "messages": context["messages"], "user": frappe.session.user}
	return html("new.html", {**context, "config_json": json.dumps(config, ensure_ascii=False)})


def notices_page(_argument: str) -> Reply:
	from techsolutions_support.portal.notify import format_moment

	require_login("/support/notices")
	# The user's own notices, whatever their roles (an agent has no permission on the doctype).
	notices = frappe.get_all(
		"TS Portal Notice",
		filters={"user": frappe.session.user, "in_portal": 1},
		fields=["name", "ticket", "kind", "message", "read", "creation"],
		order_by="creation desc",
		limit_page_length=NOTICES_SHOWN,
	)
	for notice in notices:
		notice.when = format_moment(notice.creation, frappe.local.lang)
	unread = sum(1 for notice in notices if not notice.read)
	return html("notices.html", {"notices": notices, "unread": unread})


def settings_page(_argument: str) -> Reply:
	from techsolutions_support.api.notices import get_preferences
	from techsolutions_support.core.portal_notices import CHANNELS, KINDS, preference_field

	require_login("/support/settings")
	labels = {
		"status": _("A new status"),
		"reply": _("A reply from our support team"),
		"deadline": _("A new or moved deadline"),
	}
	values = get_preferences()
	rows = [
		{
			"kind": kind,
			"label": labels[kind],
			"fields": [
				{
					"channel": channel,
					"name": preference_field(kind, channel),
					"on": values[preference_field(kind, channel)],
				}
				for channel in CHANNELS
			],
		}
		for kind in KINDS
	]
	return html("settings.html", {"rows": rows})


def track_page(_argument: str) -> Reply:
	"""Asking for a link, or opening one. Opening the page only looks at the link: the ticket is
	shown when the guest presses the button, so an e-mail scanner that fetches it leaves it usable."""
	from techsolutions_support.core.tracking import LinkState
	from techsolutions_support.portal.tracking import link_minutes, peek_link, state_message

	link = frappe.form_dict.get("link")
	state = peek_link(link) if link else None
	reply = html(
		"track.html",
		{
			"minutes": link_minutes(),
			"link": link if state is LinkState.VALID else None,
			"link_state": state.value if state else "",
			"link_message": state_message(state) if state and state is not LinkState.VALID else "",
		},
	)
	# The link's secret is in the address: no cache keeps the page.
	reply.headers["Cache-Control"] = "no-store"
	return reply


def worker(_argument: str) -> Reply:
	# Embedded in the script as an object literal: "</" cannot end a script element early.
	config = json.dumps(pwa.worker_context()).replace("</", "<\\/")
	body = render(f"{TEMPLATES}/sw.js", {"worker_config": config})
	# The worker may control all of /support (its own folder is /support/), and is never stale.
	return Reply(
		body,
		headers={"Service-Worker-Allowed": pwa.SCOPE, "Cache-Control": "no-cache"},
		mimetype="text/javascript",
	)


def manifest(_argument: str) -> Reply:
	return Reply(
		json.dumps(pwa.manifest(), ensure_ascii=False, indent=1),
		headers={"Cache-Control": "no-cache"},
		mimetype="application/manifest+json",
	)


PAGES: dict[str, Callable[[str], Reply]] = {
	"": list_page,
	"new": new_page,
	"notices": notices_page,
	"settings": settings_page,
	"track": track_page,
	"sw.js": worker,
	"manifest.webmanifest": manifest,
}

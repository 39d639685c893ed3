"""/support/ticket/<name>: one ticket as its customer sees it, with the history and a reply box.

A ticket the user may not read gets the same "not found" page as one that does not exist.
"""

from urllib.parse import quote

import frappe
from frappe import _

from techsolutions_support.portal.render import render_portal_page
from techsolutions_support.portal.view import ticket_view

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=" + quote(
			f"/support/ticket/{frappe.form_dict.get('name') or ''}", safe=""
		)
		raise frappe.Redirect

	name = str(frappe.form_dict.get("name") or "")
	if (
		not name
		or not frappe.db.exists("HD Ticket", name)
		or not frappe.has_permission("HD Ticket", "read", name)
	):
		return not_found(context)

	view = ticket_view(name)
	context.no_cache = 1
	context.show_sidebar = False
	context.view = view
	context.title = view["subject"]
	context.lang = view["lang"]
	# A ticket solved or closed can still get an answer: Helpdesk reopens it.
	context.can_reply = True
	# The page itself is rendered from templates compiled once per process (portal/render.py).
	context.base_template = None
	context.page_html = render_portal_page("templates/ts_portal/support_ticket.html", context)
	return context


def not_found(context):
	"""The portal's own page, with the way back to the list; still answered 404."""
	context.no_cache = 1
	context.show_sidebar = False
	context.http_status_code = 404
	context.title = _("Request not found")
	context.lang = frappe.local.lang
	context.base_template = None
	context.page_html = render_portal_page("templates/ts_portal/not_found.html", context)
	return context

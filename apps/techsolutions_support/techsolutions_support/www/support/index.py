"""/support: the customer's tickets, open ones first, on a phone first.

Guests are sent to the login, and come back here after it.
"""

import frappe
from frappe import _

from techsolutions_support.portal.render import render_portal_page
from techsolutions_support.portal.view import STATUS_FILTERS, list_tickets_for

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/support"
		raise frappe.Redirect

	status = frappe.form_dict.get("status") or "open"
	page = frappe.utils.cint(frappe.form_dict.get("page")) or 1
	result = list_tickets_for(frappe.session.user, page, status if status in STATUS_FILTERS else None)

	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("My requests")
	context.lang = frappe.local.lang
	context.status = status if status in STATUS_FILTERS else "all"
	context.tickets = result["tickets"]
	context.page = result["page"]
	context.has_more = result["has_more"]
	context.filters = [
		("open", _("Open", context="Portal filter")),
		("closed", _("Closed", context="Portal filter")),
		("all", _("All", context="Portal filter")),
	]
	# The page itself is rendered from templates compiled once per process (portal/render.py).
	context.base_template = None
	context.page_html = render_portal_page("templates/ts_portal/support_list.html", context)
	return context

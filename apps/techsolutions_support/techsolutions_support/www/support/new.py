"""The new-request form of the customer portal (/support/new, portal/filing_form.py); filed through
api/filing.py."""

import json

import frappe
from frappe import _

from techsolutions_support.portal.filing_form import form_context

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/support/new"
		raise frappe.Redirect

	context.update(form_context())
	context.title = _("New request")
	context.user = frappe.session.user
	# Read by the page's script; json.dumps escapes nothing for HTML, the template does.
	context.config_json = json.dumps(
		{"policy": context.policy, "messages": context.messages, "user": frappe.session.user},
		ensure_ascii=False,
	)

"""/support/settings: which news of their tickets the signed-in customer gets, and how."""

import frappe
from frappe import _

from techsolutions_support.api.notices import get_preferences
from techsolutions_support.core.portal_notices import CHANNELS, KINDS, preference_field

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/support/settings"
		raise frappe.Redirect

	labels = {
		"status": _("A new status"),
		"reply": _("A reply from our support team"),
		"deadline": _("A new or moved deadline"),
	}
	values = get_preferences()
	context.lang = frappe.local.lang
	context.rows = [
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
	return context

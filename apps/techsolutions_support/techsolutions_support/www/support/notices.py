"""/support/notices: what the signed-in customer was told about their tickets, newest first."""

import frappe

from techsolutions_support.portal.notify import format_moment

no_cache = 1
PAGE_LENGTH = 50


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/support/notices"
		raise frappe.Redirect

	# Frappe's list with the doctype's query hook: the user's own notices only.
	notices = frappe.get_list(
		"TS Portal Notice",
		filters={"user": frappe.session.user, "in_portal": 1},
		fields=["name", "ticket", "kind", "message", "read", "creation"],
		order_by="creation desc",
		limit_page_length=PAGE_LENGTH,
	)
	for notice in notices:
		notice.when = format_moment(notice.creation, frappe.local.lang)

	context.lang = frappe.local.lang
	context.notices = notices
	context.unread = sum(1 for notice in notices if not notice.read)
	return context

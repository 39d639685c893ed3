"""/support/track: ask for a tracking link by number and address; open one (portal/tracking.py).

Opening the page with a link only looks at it. The ticket is shown when the guest presses the
button, which uses the link up: an e-mail scanner that fetches the link leaves it usable.
"""

import frappe

from techsolutions_support.core.tracking import LinkState
from techsolutions_support.portal.tracking import link_minutes, peek_link, state_message

no_cache = 1


def get_context(context):
	link = frappe.form_dict.get("link")
	state = peek_link(link) if link else None

	context.lang = frappe.local.lang
	context.minutes = link_minutes()
	context.link = link if state is LinkState.VALID else None
	context.link_state = state.value if state else ""
	context.link_message = state_message(state) if state and state is not LinkState.VALID else ""
	return context

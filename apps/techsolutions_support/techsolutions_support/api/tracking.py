"""Guest methods of /support/track: ask for a tracking link, open it once (portal/tracking.py).

Guests are allowed here because nothing is revealed without the e-mailed secret: asking answers
the same for every number and address, and opening needs the link's token.
"""

import frappe
from frappe import _

from techsolutions_support.core.tracking import LinkState
from techsolutions_support.portal import tracking


@frappe.whitelist(allow_guest=True, methods=["POST"])
def request_link(ticket: str, email: str) -> dict[str, str]:
	tracking.request_link(ticket, email, ip=tracking.request_address())
	# The same words whether or not anything matched: they must not tell which.
	message = _(
		"If the number and the address match a request, we have sent a link to that address. It works once, within {0} minutes."
	)
	return {"message": message.format(tracking.link_minutes())}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def open_link(link: str) -> dict[str, str]:
	"""The ticket's customer view, once; afterwards only why it no longer opens."""
	opened = tracking.open_link(link)
	if opened.state is not LinkState.VALID:
		return {"state": opened.state.value, "message": tracking.state_message(opened.state)}
	return {"state": opened.state.value, "html": tracking.render_ticket(opened.ticket)}

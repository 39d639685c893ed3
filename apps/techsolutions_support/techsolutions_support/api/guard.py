"""A request guard: customers cannot query by the agents-only ticket fields.

Frappe hides a field a user may not read from the values it returns, but still lets that user
filter and sort by it, which reveals a hidden text one guess at a time (``like '%Unfall%'``).
This guard refuses such a request outright for anyone who is not an agent.
"""

import frappe
from frappe import _

from helpdesk.utils import is_agent

from techsolutions_support.setup.install import INTERNAL_TICKET_FIELDS

# Request arguments that name fields to select, filter, group or sort by, in Frappe's list
# methods and Helpdesk's list method.
QUERY_ARGUMENTS = (
	"fields",
	"filters",
	"or_filters",
	"order_by",
	"group_by",
	"rows",
	"columns",
	"default_filters",
)


def refuse_internal_fields() -> None:
	if not frappe.request or not frappe.request.path.startswith("/api/"):
		return
	asked = " ".join(str(frappe.form_dict.get(argument) or "") for argument in QUERY_ARGUMENTS)
	if not any(field in asked for field in INTERNAL_TICKET_FIELDS):
		return
	if frappe.session.user == "Guest" and frappe.get_request_header("Authorization"):
		# Token and key logins are resolved after this hook; resolve it now to know who asks.
		frappe.auth.validate_auth()
	if is_agent():
		return
	frappe.throw(
		_("These ticket fields are for agents only."), frappe.PermissionError, title=_("Not Permitted")
	)

"""Role checks for this app's whitelisted methods.

Frappe's `only_for` does nothing while tests run, so a check written with it can never be
tested; this one behaves the same in tests as in production.
"""

import frappe
from frappe import _

RULE_ADMINS = ("System Manager", "Agent Manager")


def require_role(roles: tuple[str, ...]) -> None:
	if frappe.session.user == "Administrator":
		return
	if set(roles).isdisjoint(frappe.get_roles()):
		frappe.throw(
			_("Only {0} may do this.").format(", ".join(_(role) for role in roles)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)

"""Portal methods of /support/notices and /support/settings: the signed-in user's own records only."""

import frappe
from frappe import _

from techsolutions_support.portal.notify import PREFERENCE_FIELDS


def require_portal_user() -> str:
	if frappe.session.user == "Guest":
		frappe.throw(_("Please log in first."), frappe.PermissionError, title=_("Not Permitted"))
	return frappe.session.user


@frappe.whitelist(methods=["POST"])
def mark_read(name: str) -> None:
	require_portal_user()
	notice = frappe.get_doc("TS Portal Notice", name)
	# Frappe's check with the app's has_permission hook: only the notice's own user.
	notice.check_permission("read")
	notice.db_set("read", 1, update_modified=False)


@frappe.whitelist(methods=["POST"])
def mark_all_read() -> int:
	user = require_portal_user()
	names = frappe.get_list(
		"TS Portal Notice", filters={"user": user, "read": 0, "in_portal": 1}, pluck="name"
	)
	for name in names:
		frappe.db.set_value("TS Portal Notice", name, "read", 1, update_modified=False)
	return len(names)


@frappe.whitelist()
def get_preferences() -> dict[str, int]:
	user = require_portal_user()
	stored = frappe.db.get_value(
		"TS Notification Preference", {"user": user}, PREFERENCE_FIELDS, as_dict=True
	)
	return {field: int(stored[field]) if stored else 1 for field in PREFERENCE_FIELDS}


@frappe.whitelist(methods=["POST"])
def save_preferences(
	status_email: str | None = None,
	status_portal: str | None = None,
	reply_email: str | None = None,
	reply_portal: str | None = None,
	deadline_email: str | None = None,
	deadline_portal: str | None = None,
) -> dict[str, int]:
	"""Each kind and channel on ("1") or off ("0"); one left out stays as it was."""
	user = require_portal_user()
	given = {
		"status_email": status_email,
		"status_portal": status_portal,
		"reply_email": reply_email,
		"reply_portal": reply_portal,
		"deadline_email": deadline_email,
		"deadline_portal": deadline_portal,
	}
	current = get_preferences()
	for field, value in given.items():
		if value is None:
			continue
		if str(value) not in ("0", "1"):
			frappe.throw(
				_("Each setting must be on or off."), frappe.ValidationError, title=_("Check Your Entry")
			)
		current[field] = int(value)

	# The user's own record, named after them: nobody else's is reachable from here.
	if frappe.db.exists("TS Notification Preference", user):
		doc = frappe.get_doc("TS Notification Preference", user)
	else:
		doc = frappe.get_doc({"doctype": "TS Notification Preference", "user": user})
	doc.update(current)
	doc.save(ignore_permissions=True)
	return current

"""Install and migrate steps of the customer portal (/support).

Run from setup/install.py on install and on every migrate; each step only fills what is empty,
so an admin's own settings and wording are kept.
"""

import frappe

from techsolutions_support.setup.sla import PAUSE_STATUSES

# What Helpdesk's own portal shows for the app's pause statuses (Helpdesk's "Replied" already
# reads "Awaiting Response" there). English, as Helpdesk's own labels are.
CUSTOMER_LABELS = {
	"Waiting on Carrier": "Waiting for the carrier",
	"Waiting on Parts": "Waiting for spare parts",
}


def ensure_portal_setup() -> None:
	ensure_portal_settings()
	ensure_customer_labels()
	# The folder uploads wait in for their request.
	from techsolutions_support.portal.filing import upload_folder

	upload_folder()


def ensure_portal_settings() -> None:
	"""Stores the default of each TS Portal Settings field never saved: a single that was never
	saved reads 0 for every field, which would show agent names and allow no upload at all."""
	doctype = "TS Portal Settings"
	stored = frappe.db.get_singles_dict(doctype)
	missing = {
		field.fieldname: field.default
		for field in frappe.get_meta(doctype).fields
		if field.default is not None and field.fieldname not in stored
	}
	if not missing:
		return
	frappe.db.set_single_value(doctype, missing)
	frappe.clear_document_cache(doctype, doctype)


def ensure_customer_labels() -> None:
	for status, _reason, _color in PAUSE_STATUSES:
		label = CUSTOMER_LABELS.get(status)
		if not label or not frappe.db.exists("HD Ticket Status", status):
			continue
		if frappe.db.get_value("HD Ticket Status", status, "label_customer"):
			continue
		frappe.db.set_value(
			"HD Ticket Status", status, {"label_customer": label, "different_view": 1}, update_modified=False
		)

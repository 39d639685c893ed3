import frappe
from frappe.model.document import Document


class TSPortalSettings(Document):
	pass


def get_portal_settings() -> "TSPortalSettings":
	"""The settings, with their defaults where a site never saved them."""
	return frappe.get_cached_doc("TS Portal Settings")

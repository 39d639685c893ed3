import frappe
from frappe.model.document import Document


class TSPortalNotice(Document):
	pass


def has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	"""A customer reads only notices addressed to them; admins read all."""
	user = user or frappe.session.user
	if "System Manager" in frappe.get_roles(user):
		return True
	return bool(doc.user) and doc.user == user


def query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if "System Manager" in frappe.get_roles(user):
		return ""
	return f"`tabTS Portal Notice`.`user` = {frappe.db.escape(user)}"

"""Install and migrate steps of the knowledge base: HD Article's fields and the search index."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from techsolutions_support.kb.index import ENTRY, rebuild

HD_ARTICLE_FIELDS = [
	{
		"fieldname": "ts_internal",
		"fieldtype": "Check",
		"label": "Internal (Agents Only)",
		"insert_after": "status",
		"default": "0",
		"in_list_view": 1,
		"in_standard_filter": 1,
		"description": "Only agents find and read this article; customers never see it.",
	},
	{
		"fieldname": "ts_language",
		"fieldtype": "Select",
		"label": "Language",
		"options": "de\nen",
		"default": "de",
		"insert_after": "ts_internal",
		"description": "The article is searched with the rules of this language.",
	},
]

KB_CUSTOM_FIELDS = {"HD Article": HD_ARTICLE_FIELDS}


def ensure_kb_setup() -> None:
	create_custom_fields(KB_CUSTOM_FIELDS, ignore_validate=True, update=True)
	ensure_search_index()


def ensure_search_index() -> None:
	"""Fill the index where articles have no entry (a new install, or one from before it existed)."""
	if frappe.db.count(ENTRY) != frappe.db.count("HD Article"):
		rebuild()

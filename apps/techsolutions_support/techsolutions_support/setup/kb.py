"""Install and migrate steps of the knowledge base: HD Article's fields, the search index, and the
agent UI's "Draft Article" action on resolved tickets."""

from pathlib import Path

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

# The article that solved a ticket: agents set it (or the draft button does), the deflection
# report counts it per article. Created with the app's other HD Ticket fields (setup.install).
KB_TICKET_FIELDS = [
	{
		"fieldname": "ts_kb_section",
		"fieldtype": "Section Break",
		"label": "Knowledge Base",
		"insert_after": "ts_related_ticket",
	},
	{
		"fieldname": "ts_solved_by_article",
		"fieldtype": "Link",
		"label": "Solved by Article",
		"options": "HD Article",
		"insert_after": "ts_kb_section",
		"search_index": 1,
		"description": "The knowledge-base article that solved this ticket.",
	},
]
# Shown in the Helpdesk agent UI's "Ticket Info" (never to customers).
AGENT_TEMPLATE_KB_FIELDS = ("ts_solved_by_article",)

KB_CUSTOM_FIELDS = {"HD Article": HD_ARTICLE_FIELDS}


# Helpdesk's agent UI runs the HD Form Scripts of HD Ticket on the ticket page (actions in its header).
AGENT_UI_SCRIPT = "TS Draft Article"
AGENT_UI_SCRIPT_FILE = Path(__file__).resolve().parents[1] / "public" / "js" / "hd_ticket_kb_agent.js"


def ensure_kb_setup() -> None:
	create_custom_fields(KB_CUSTOM_FIELDS, ignore_validate=True, update=True)
	ensure_search_index()
	ensure_agent_ui_action()


def ensure_agent_ui_action() -> None:
	"""The agent UI's "Draft Article" button, written again only when the app's script changed."""
	script = AGENT_UI_SCRIPT_FILE.read_text(encoding="utf-8")
	if not frappe.db.exists("HD Form Script", AGENT_UI_SCRIPT):
		frappe.get_doc(
			{
				"doctype": "HD Form Script",
				"__newname": AGENT_UI_SCRIPT,
				"dt": "HD Ticket",
				"apply_to": "Form",
				"enabled": 1,
				"script": script,
			}
		).insert(ignore_permissions=True)
	elif frappe.db.get_value("HD Form Script", AGENT_UI_SCRIPT, "script") != script:
		# An admin may switch it off (enabled); the script itself belongs to the app.
		frappe.db.set_value("HD Form Script", AGENT_UI_SCRIPT, "script", script)


def ensure_search_index() -> None:
	"""Fill the index where articles have no entry (a new install, or one from before it existed)."""
	if frappe.db.count(ENTRY) != frappe.db.count("HD Article"):
		rebuild()

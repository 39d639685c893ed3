app_name = "techsolutions_support"
app_title = "TechSolutions Support"
app_publisher = "TechSolutions GmbH"
app_description = "Logistics customer support on Frappe Helpdesk"
app_email = "support-dev@techsolutions.example"
app_license = "agpl-3.0"
required_apps = ["helpdesk"]

# Installation
# ------------
# Custom fields on Helpdesk doctypes are created from code (setup/install.py) so that a
# migrate brings every site to the same shape.

after_install = "techsolutions_support.setup.install.after_install"
after_migrate = "techsolutions_support.setup.install.after_migrate"

# Desk forms
# ----------
# HD Ticket: "Draft Article" on a resolved ticket (knowledge base, api/kb.py).

doctype_js = {"HD Ticket": "public/js/hd_ticket_kb.js"}

# Document events
# ---------------
# Helpdesk's own HD Ticket controller runs first (it sets contact and customer in its
# before_validate); these handlers run after it, so they see the customer already resolved.

doc_events = {
	"HD Ticket": {
		"before_insert": "techsolutions_support.events.hd_ticket.before_insert",
		"before_validate": [
			"techsolutions_support.events.hd_ticket.before_validate",
			# After the rules: the context snapshot, and the context again when links change.
			"techsolutions_support.events.hd_ticket_context.before_validate",
		],
		# After Helpdesk's apply_sla: the app's clock replaces its deadlines (events/hd_ticket_sla.py).
		"before_save": "techsolutions_support.events.hd_ticket_sla.before_save",
		"on_update": [
			"techsolutions_support.events.hd_ticket.on_update",
			"techsolutions_support.events.hd_ticket_sla.on_update",
			# Last: the customer hears of a new status or deadline once the ticket is final.
			"techsolutions_support.portal.notify.on_ticket_update",
		],
		"on_trash": "techsolutions_support.events.hd_ticket_sla.on_trash",
	},
	# An agent's reply reaches the ticket's contact (portal/notify.py).
	"Communication": {
		"after_insert": "techsolutions_support.portal.notify.on_communication_insert",
	},
	"HD Ticket Priority": {
		"on_update": "techsolutions_support.priority.clear_ruleset_cache",
		"on_trash": "techsolutions_support.priority.clear_ruleset_cache",
	},
	"TS Priority Rule": {
		"on_update": "techsolutions_support.priority.clear_ruleset_cache",
		"on_trash": "techsolutions_support.priority.clear_ruleset_cache",
	},
	# Knowledge base: the search index follows each article at once (events/hd_article.py).
	"HD Article": {
		"on_update": "techsolutions_support.events.hd_article.on_update",
		"on_trash": "techsolutions_support.events.hd_article.on_trash",
	},
	"HD Article Feedback": {
		"after_insert": "techsolutions_support.events.hd_article.on_feedback_change",
		"on_update": "techsolutions_support.events.hd_article.on_feedback_change",
		"on_trash": "techsolutions_support.events.hd_article.on_feedback_change",
	},
	"HD Synonyms": {
		"on_update": "techsolutions_support.events.hd_article.on_synonyms_change",
		"on_trash": "techsolutions_support.events.hd_article.on_synonyms_change",
	},
}

# Scheduled jobs
# --------------
# Every minute the connectors that are due are queued on the long queue (connectors/engine.py).
# Every 5 minutes the SLA watch (sla/watch.py): deadlines and status of open tickets, warnings
# and escalation; it locks against overlapping runs. Daily, the portal's uploads of drafts never
# sent are removed after a week (portal/filing.py).

scheduler_events = {
	"cron": {
		"* * * * *": ["techsolutions_support.tasks.enqueue_due_connectors"],
		"*/5 * * * *": ["techsolutions_support.tasks.watch_sla"],
	},
	"daily": ["techsolutions_support.portal.filing.remove_abandoned_uploads"],
}

# Connector sync logs are cleared by Log Settings after this many days (an admin may change it).
default_log_clearing_doctypes = {"TS Sync Log": 90, "TS Tracking Link": 30}

# Whitelisted methods
# -------------------
# Helpdesk's portal page and its new-ticket method return every ticket column; the wrappers
# drop the agents-only fields for customers.

override_whitelisted_methods = {
	"helpdesk.helpdesk.doctype.hd_ticket.api.get_one": "techsolutions_support.api.portal.get_ticket",
	"helpdesk.helpdesk.doctype.hd_ticket.api.new": "techsolutions_support.api.portal.new_ticket",
	# Knowledge base: the app's German search on plain Redis; customers never reach drafts,
	# archived or internal articles (api/kb.py).
	"helpdesk.api.article.search": "techsolutions_support.api.kb.search",
	"helpdesk.api.article.get_article_stats": "techsolutions_support.api.kb.get_article_stats",
	"helpdesk.api.knowledge_base.get_article": "techsolutions_support.api.kb.get_article",
	"helpdesk.api.knowledge_base.get_categories": "techsolutions_support.api.kb.get_categories",
	"helpdesk.api.knowledge_base.get_category_articles": "techsolutions_support.api.kb.get_category_articles",
	"helpdesk.api.knowledge_base.increment_views": "techsolutions_support.api.kb.increment_views",
	"helpdesk.api.knowledge_base.move_to_category": "techsolutions_support.api.kb.move_to_category",
	"helpdesk.api.knowledge_base.merge_category": "techsolutions_support.api.kb.merge_category",
}

# Website
# -------
# The app's customer portal under /support: its pages are served by one renderer (portal/pages.py),
# without Frappe's website context, which they do not use. Customers who open Helpdesk's own
# portal are sent there (TS Portal Settings).

page_renderer = [
	"techsolutions_support.portal.pages.PortalPage",
	"techsolutions_support.portal.pages.HelpdeskCustomerRedirect",
]

# Permissions
# -----------
# Customers and guests read published, non-internal articles only, also through Frappe's own
# document and list methods (kb/access.py).

has_permission = {
	# A customer's portal notices are theirs alone.
	"TS Portal Notice": "techsolutions_support.techsolutions_support.doctype.ts_portal_notice.ts_portal_notice.has_permission",
	"HD Article": "techsolutions_support.kb.access.has_article_permission",
}

permission_query_conditions = {
	"TS Portal Notice": "techsolutions_support.techsolutions_support.doctype.ts_portal_notice.ts_portal_notice.query_conditions",
	"HD Article": "techsolutions_support.kb.access.article_query_conditions",
}

# Requests
# --------
# Customers may not filter, sort or select by the agents-only ticket fields: that would reveal
# them one guess at a time even where the values themselves are hidden.

before_request = ["techsolutions_support.api.guard.refuse_internal_fields"]

# Personal data
# -------------
# The self-help log holds who searched what (kb/deflection.py): in Frappe's personal data
# download, and its search texts redacted when the user's data is erased.

user_data_fields = [
	{"doctype": "TS KB Event", "filter_by": "user", "redact_fields": ["search_text"]},
	# Portal notices and tracking links name the customer and their address.
	{"doctype": "TS Portal Notice", "filter_by": "user", "redact_fields": ["email", "message"]},
	{"doctype": "TS Notification Preference", "filter_by": "user"},
	{"doctype": "TS Tracking Link", "filter_by": "email", "redact_fields": ["email"]},
]

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

# Document events
# ---------------
# Helpdesk's own HD Ticket controller runs first (it sets contact and customer in its
# before_validate); these handlers run after it, so they see the customer already resolved.

doc_events = {
	"HD Ticket": {
		"before_insert": "techsolutions_support.events.hd_ticket.before_insert",
		"before_validate": "techsolutions_support.events.hd_ticket.before_validate",
		"on_update": "techsolutions_support.events.hd_ticket.on_update",
	},
	"HD Ticket Priority": {
		"on_update": "techsolutions_support.priority.clear_ruleset_cache",
		"on_trash": "techsolutions_support.priority.clear_ruleset_cache",
	},
	"TS Priority Rule": {
		"on_update": "techsolutions_support.priority.clear_ruleset_cache",
		"on_trash": "techsolutions_support.priority.clear_ruleset_cache",
	},
}

# Whitelisted methods
# -------------------
# Helpdesk's portal page and its new-ticket method return every ticket column; the wrappers
# drop the agents-only fields for customers.

override_whitelisted_methods = {
	"helpdesk.helpdesk.doctype.hd_ticket.api.get_one": "techsolutions_support.api.portal.get_ticket",
	"helpdesk.helpdesk.doctype.hd_ticket.api.new": "techsolutions_support.api.portal.new_ticket",
}

# Requests
# --------
# Customers may not filter, sort or select by the agents-only ticket fields: that would reveal
# them one guess at a time even where the values themselves are hidden.

before_request = ["techsolutions_support.api.guard.refuse_internal_fields"]

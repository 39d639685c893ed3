"""/support/sw.js: the portal's service worker (portal/pwa.py), rendered with its shell list."""

import json

from techsolutions_support.portal.pwa import worker_context

no_cache = 1


def get_context(context):
	config = worker_context()
	# Read by the worker as a JS object literal.
	context.worker_config = json.dumps(config).replace("</", "<\\/")

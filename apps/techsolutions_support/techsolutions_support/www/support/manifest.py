"""/support/manifest.webmanifest: the portal as an installable web app (portal/pwa.py)."""

import json

from techsolutions_support.portal.pwa import manifest

no_cache = 1


def get_context(context):
	context.manifest_json = json.dumps(manifest(), ensure_ascii=False, indent=1)

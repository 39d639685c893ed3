"""The customer portal as an installable web app: its manifest and its service worker.

	/support/manifest.webmanifest   `manifest`: name, icons, scope
	/support/sw.js                  templates/ts_portal/sw.js with `worker_context`: keeps the
	                                portal's shell for offline use; its cache is named after the
	                                shell's content, so a new release replaces it
	(both served by portal/pages.py)

The scope is ``/support`` without the trailing slash: the list page itself is ``/support``,
which a scope of ``/support/`` would leave outside (not installable as start page, not served
offline). A worker at /support/sw.js may take that wider scope only with the
``Service-Worker-Allowed`` header, which portal/pages.py sends with it.
"""

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

import frappe
from frappe import _

SCOPE = "/support"
START_URL = "/support"
WORKER_PATH = "/support/sw.js"
MANIFEST_PATH = "/support/manifest.webmanifest"
THEME_COLOUR = "#1f4e79"
BACKGROUND_COLOUR = "#f6f7f9"
ASSETS = "/assets/techsolutions_support"
ICON_SIZES = (192, 512)

# What a phone needs to open the portal with no connection: styles, scripts, icons, manifest.
SHELL_ASSETS = (
	f"{ASSETS}/css/ts_portal.css",
	f"{ASSETS}/css/ts_portal_new.css",
	f"{ASSETS}/js/ts_portal.js",
	f"{ASSETS}/js/ts_portal_outbox.js",
	f"{ASSETS}/js/ts_portal_new.js",
	*(f"{ASSETS}/icons/icon-{size}.png" for size in ICON_SIZES),
	MANIFEST_PATH,
)
# Pages kept for offline use: the list and the form (the pages of single tickets are not:
# they may change while the phone is offline, and the list links to them).
SHELL_PAGES = (SCOPE, "/support/new")

# Some systems' MIME tables lack the manifest's type; Frappe picks the type from the path.
mimetypes.add_type("application/manifest+json", ".webmanifest")


def manifest() -> dict[str, Any]:
	return {
		"name": _("TechSolutions Support"),
		"short_name": _("Support"),
		"description": _("Report problems with shipments and vehicles, and follow your requests."),
		"lang": frappe.local.lang or "de",
		"id": START_URL,
		"start_url": START_URL,
		"scope": SCOPE,
		"display": "standalone",
		"orientation": "portrait",
		"theme_color": THEME_COLOUR,
		"background_color": BACKGROUND_COLOUR,
		"icons": [
			{
				"src": f"{ASSETS}/icons/icon-{size}.png",
				"sizes": f"{size}x{size}",
				"type": "image/png",
				"purpose": purpose,
			}
			for size in ICON_SIZES
			# The icons keep their picture inside the middle 80 %, so launchers may crop them.
			for purpose in ("any", "maskable")
		],
	}


def worker_context() -> dict[str, Any]:
	return {
		"cache_name": f"ts-portal-{shell_version()}",
		"shell_assets": list(SHELL_ASSETS),
		"shell_pages": list(SHELL_PAGES),
		"scope": SCOPE,
		# The page a session gets offline when nothing was kept for it (sw.js).
		"lang": frappe.local.lang or "de",
		"offline": {
			"title": _("You are offline"),
			"text": _("This page can be shown once you are online again and logged in."),
			"retry": _("Try again"),
		},
	}


def shell_version() -> str:
	"""A digest of the shell's files and the worker itself: changes whenever one of them does."""
	app = Path(frappe.get_app_path("techsolutions_support"))
	files = [
		app / "public" / path.removeprefix(f"{ASSETS}/") for path in SHELL_ASSETS if path.startswith(ASSETS)
	]
	files += [app / "templates" / "ts_portal" / name for name in ("sw.js", "base.html")]
	digest = hashlib.sha256()
	for path in files:
		digest.update(path.read_bytes() if path.exists() else path.name.encode())
	return digest.hexdigest()[:12]

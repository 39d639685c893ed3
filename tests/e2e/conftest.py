"""Fixtures for the portal tests: the system's headless Chromium driven by Playwright, and the
HTTP sessions (client.py) of Administrator and the pilot's agent.

Playwright downloads no browser here; it drives Debian's `chromium` (or the one TS_CHROMIUM names).
The served site is reached by its own name (`<site>:<port>`, which Chromium resolves to
127.0.0.1 like every *.localhost name), so Frappe finds the site from the Host header.
Screenshots land in $TS_ARTIFACTS/screenshots (default artifacts/screenshots).
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from client import PASSWORD, SITE, URL, SiteClient

AGENT = "agent@techsolutions.example"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("TS_ARTIFACTS") or ROOT / "artifacts") / "screenshots"

# A small phone (the 360 px) and an ordinary laptop screen.
VIEWPORTS = {
	"phone": {
		"viewport": {"width": 360, "height": 740},
		"is_mobile": True,
		"has_touch": True,
		"device_scale_factor": 2,
	},
	"desktop": {"viewport": {"width": 1280, "height": 800}},
}


def chromium_path() -> str | None:
	return os.environ.get("TS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def site_url() -> str:
	"""The served site under its own name, e.g. http://ts-test.localhost:41234."""
	port = urlsplit(URL).port
	return f"http://{SITE}:{port}"


@pytest.fixture(scope="session")
def browser():
	if not URL:
		pytest.skip("no test site served (run through ./dev test)")
	executable = chromium_path()
	if not executable:
		pytest.skip("no Chromium for the browser tests (apt-get install chromium, or set TS_CHROMIUM)")
	try:
		from playwright.sync_api import sync_playwright
	except ImportError:
		pytest.skip("Playwright is not installed (it comes with ./dev; setup.py lists it)")
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(
			executable_path=executable,
			headless=True,
			args=[
				"--no-sandbox",
				"--disable-background-networking",
				f"--host-resolver-rules=MAP {SITE} 127.0.0.1",
			],
		)
		yield browser
		browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def screen(request) -> str:
	"""Runs a browser test once on a phone and once on a desktop screen."""
	return request.param


@pytest.fixture
def open_page(browser):
	"""open_page(screen, user=None) -> a page logged in as `user` (a guest when None)."""
	contexts = []

	def open_(screen: str, user: str | None = None, **options):
		context = browser.new_context(
			base_url=site_url(), locale="de-DE", timezone_id="Europe/Berlin", **VIEWPORTS[screen], **options
		)
		contexts.append(context)
		page = context.new_page()
		page.set_default_timeout(20_000)
		if user:
			# Logged in from the page itself: only the browser resolves the site's name (its
			# host-resolver rule); Playwright's own request client would look it up in DNS.
			page.goto("/api/method/ping")
			status = page.evaluate(
				"""async ([usr, pwd]) => (await fetch("/api/method/login", {
					method: "POST",
					headers: { "Content-Type": "application/json" },
					body: JSON.stringify({ usr, pwd }),
				})).status""",
				[user, PASSWORD],
			)
			assert status == 200, f"login of {user} failed: {status}"
		return page

	yield open_
	for context in contexts:
		context.close()


def kept_pages(page) -> list[str]:
	"""Which of the portal's offline pages (the list, the form) the page's service worker keeps."""
	return page.evaluate(
		"""async () => {
			const kept = [];
			for (const name of await caches.keys()) {
				const cache = await caches.open(name);
				for (const page of ["/support", "/support/new"]) if (await cache.match(page)) kept.push(page);
			}
			return kept.sort();
		}"""
	)


def screenshot(page, name: str) -> Path:
	"""Keeps a full-page screenshot as a test artefact and returns its path."""
	SCREENSHOTS.mkdir(parents=True, exist_ok=True)
	path = SCREENSHOTS / f"{name}.png"
	page.screenshot(path=str(path), full_page=True)
	return path


@pytest.fixture(scope="session")
def admin() -> SiteClient:
	"""Administrator over HTTP, for what a test prepares or checks behind the portal."""
	return SiteClient("Administrator")


@pytest.fixture(scope="session")
def agent() -> SiteClient:
	"""The pilot's support agent over HTTP."""
	return SiteClient(AGENT)


@pytest.fixture(scope="session")
def outgoing_mail_account(admin: SiteClient) -> str:
	"""An outgoing e-mail account on the served site, so that mails are queued (Email Queue).

	Nothing is sent: it points at 127.0.0.1, waits for a password, and the test site's scheduler
	(which would flush the queue) is off. Created once per site; returns its name.
	"""
	found = admin.get_list(
		"Email Account", filters=[["enable_outgoing", "=", 1], ["default_outgoing", "=", 1]]
	)
	if found:
		return found[0]["name"]
	account = {
		"email_account_name": "Test Outgoing",
		"email_id": "support@test-outgoing.example",
		"enable_outgoing": 1,
		"default_outgoing": 1,
		"smtp_server": "127.0.0.1",
		"smtp_port": 2525,
		"no_smtp_authentication": 1,
		"awaiting_password": 1,
	}
	return admin.insert("Email Account", account)["name"]

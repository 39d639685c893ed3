"""What a new user of the portal ran into, in a real browser: logging out leaves no requests on
the device, a phone's touch targets and texts keep their size, a sent request is confirmed above
an empty form, the tracking page speaks the browser's language, and the app's icon is linked.
Screenshots: polish-*.png. Needs a served test site: `./dev test e2e`.
"""

from uuid import uuid4

import pytest
from client import URL, SiteClient
from conftest import kept_pages, screenshot

NEW_TICKET = "helpdesk.helpdesk.doctype.hd_ticket.api.new"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

# A manager contact, who sees the requests of a colleague, and that colleague; no other e2e
# test files requests for this customer.
MANAGER = "u.kretzschmar@baustoffe-elbtal.example"
COLLEAGUE = "s.pietsch@baustoffe-elbtal.example"


@pytest.fixture(scope="module")
def colleague_ticket() -> dict:
	"""A request of the manager's colleague, which the manager's list shows."""
	subject = f"Palettenschaden Lager Riesa {uuid4().hex[:6]}"
	created = SiteClient(COLLEAGUE).call(
		NEW_TICKET, doc={"subject": subject, "description": f"<p>{subject}</p>"}
	)
	return {"name": str(created["name"]), "subject": subject}


def keep_the_list(page) -> None:
	"""Opens /support and waits until the service worker keeps it for offline use."""
	page.goto("/support")
	page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
	for _ in range(40):
		if "/support" in kept_pages(page):
			return
		page.wait_for_timeout(250)
	raise AssertionError("the service worker kept no /support page")


def open_list_offline(page) -> str:
	page.context.set_offline(True)
	try:
		page.goto("/support")
		return page.content()
	finally:
		page.context.set_offline(False)


def test_logging_out_leaves_no_request_on_the_device(open_page, colleague_ticket):
	page = open_page("phone", MANAGER)
	keep_the_list(page)
	assert colleague_ticket["subject"] in page.content()

	page.click("a[data-ts-logout]")
	page.wait_for_url(lambda url: "/support" not in url)
	assert kept_pages(page) == []
	html = open_list_offline(page)
	screenshot(page, "polish-phone-1-offline-after-logout")

	assert colleague_ticket["subject"] not in html
	assert COLLEAGUE not in html and "ts-row-subject" not in html
	assert page.locator("#ts-offline").is_visible()


def test_the_worker_serves_no_kept_list_to_a_session_that_ended(open_page, colleague_ticket):
	# Logged out elsewhere (not through the portal's link): the kept copies are still there,
	# and the worker itself must refuse them to the session that has no user.
	page = open_page("phone", MANAGER)
	keep_the_list(page)
	status = page.evaluate("async () => (await fetch('/api/method/logout')).status")
	assert status == 200
	assert "/support" in kept_pages(page)

	html = open_list_offline(page)

	assert colleague_ticket["subject"] not in html
	assert page.locator("#ts-offline").is_visible()


def heights(page, selector: str) -> list[float]:
	return page.evaluate(
		"(selector) => [...document.querySelectorAll(selector)].map((e) => e.getBoundingClientRect().height)",
		selector,
	)


def test_touch_targets_and_texts_keep_their_size_on_a_phone(open_page, admin, colleague_ticket):
	admin.set_value("HD Ticket", colleague_ticket["name"], status="Replied")
	page = open_page("phone", COLLEAGUE)

	page.goto("/support")
	header = heights(page, ".ts-bar a")
	assert len(header) == 5 and min(header) >= 44, header
	assert min(heights(page, ".ts-tab")) >= 44

	page.goto("/support/notices")
	item = page.locator(".ts-notice.is-unread", has_text=f"#{colleague_ticket['name']}").first
	item.wait_for(state="visible")
	screenshot(page, "polish-phone-2-notices")
	text_width = item.locator(".ts-notice-text").evaluate(
		"(e) => e.parentElement.getBoundingClientRect().width"
	)
	assert text_width >= 200, text_width
	assert item.locator(".ts-notice-read").bounding_box()["height"] >= 44
	assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

	page.goto("/support/settings")
	screenshot(page, "polish-phone-3-settings")
	boxes = page.evaluate(
		"""() => [...document.querySelectorAll('#ts-settings-form input[type=checkbox]')].map((box) => {
			const target = (box.closest('label') || box).getBoundingClientRect();
			return [target.width, target.height];
		})"""
	)
	assert len(boxes) == 6 and min(min(size) for size in boxes) >= 44, boxes
	# A column header on one line: "Per E-Mail", not "Per E-" over "Mail".
	lines = page.evaluate(
		"""() => [...document.querySelectorAll('.ts-prefs thead th')].filter((th) => th.textContent.trim())
			.map((th) => {
				const range = document.createRange();
				range.selectNodeContents(th);
				return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
			})"""
	)
	assert lines and max(lines) <= 1, lines
	assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_sent_request_is_confirmed_above_an_empty_form(open_page):
	page = open_page("phone", COLLEAGUE)
	page.goto("/support/new")
	subject = f"Ladung verrutscht {uuid4().hex[:6]}"
	page.fill("#ts-subject", subject)
	page.fill("#ts-description", "Die Ladung auf Tour 7 ist verrutscht.")

	page.click("#ts-submit")
	page.wait_for_selector("#ts-new-done", state="visible")
	screenshot(page, "polish-phone-4-sent")

	ticket = page.inner_text("#ts-new-done [data-ticket]").strip()
	assert ticket.isdigit()
	assert page.get_attribute("#ts-new-done [data-ticket-link]", "href") == f"/support/ticket/{ticket}"
	assert page.is_visible("#ts-new-form")
	assert (page.input_value("#ts-subject"), page.input_value("#ts-description")) == ("", "")
	assert page.locator("#ts-file-list li").count() == 0
	assert page.is_enabled("#ts-submit")


def test_the_tracking_page_speaks_the_browsers_language(open_page):
	german = open_page("phone")
	german.goto("/support/track")
	assert german.get_attribute("html", "lang") == "de"
	assert german.locator(".ts-nav a", has_text="Anmelden").count() == 1
	assert "Log in" not in german.inner_text(".ts-nav")

	# The guest's language follows Accept-Language, a regional variant included.
	for accepted, lang, log_in in (("en-US,en;q=0.9", "en", "Log in"), ("de-AT,de;q=0.8", "de", "Anmelden")):
		answer = SiteClient().get("/support/track", headers={"Accept-Language": accepted})
		assert answer.ok
		assert f'<html lang="{lang}' in answer.text and f">{log_in}</a>" in answer.text, accepted


def test_the_portal_links_the_apps_icon(open_page):
	page = open_page("phone")
	page.goto("/support/track")
	icon = page.get_attribute("link[rel=icon]", "href")
	assert icon and icon.endswith(".png")
	status = page.evaluate("async (href) => (await fetch(href)).status", icon)
	assert status == 200


def test_answers_say_their_type_and_a_login_keeps_the_address(colleague_ticket):
	guest = SiteClient()
	sent = guest.get("/support?status=closed", allow_redirects=False)
	# Not permanent (the address works once logged in), and back to the same filter after it.
	assert sent.status_code == 302
	assert sent.headers["Location"] == "/login?redirect-to=/support%3Fstatus%3Dclosed"

	member = SiteClient(COLLEAGUE)
	for path in (f"/support/ticket/{colleague_ticket['name']}.js", "/support/ticket/99999999.json"):
		missing = member.get(path)
		assert missing.status_code == 404, path
		assert missing.headers["Content-Type"].startswith("text/html"), path
		assert missing.headers["X-Content-Type-Options"] == "nosniff"
	assert "Accept-Language" in member.get("/support").headers["Vary"]
	# An address under /support that is no page: the portal's own page, the way back included.
	for client in (member, guest):
		nowhere = client.get("/support/nowhere/at-all")
		assert nowhere.status_code == 404
		assert 'id="ts-not-found"' in nowhere.text
		assert nowhere.headers["X-Content-Type-Options"] == "nosniff"

	manifest = guest.get("/support/manifest.webmanifest")
	assert manifest.headers["Content-Type"].startswith("application/manifest+json")
	# A language the portal does not speak: English text, and the page says so.
	french = guest.get("/support/track", headers={"Accept-Language": "fr-FR"})
	assert '<html lang="en">' in french.text
	assert "Track a request" in french.text


def test_an_agent_opens_the_notices_page():
	agent_notices = SiteClient("agent@techsolutions.example").get("/support/notices")
	assert agent_notices.status_code == 200


def test_a_guest_sent_to_the_login_gets_no_guessed_type():
	sent = SiteClient().get("/support/ticket/12.js", allow_redirects=False)
	assert sent.status_code == 302
	assert sent.headers["Content-Type"].startswith("text/html")
	assert sent.headers["X-Content-Type-Options"] == "nosniff"

"""Filing a request in the portal's own form (/support/new) in a real browser, phone and desktop:
a photo from the device, knowledge-base suggestions while typing, the installable web app
(manifest, service worker), a draft written offline that is sent once when the connection
returns, and refused files with their message. Needs a served test site: `./dev test e2e`.
"""

import base64
import json
import struct
import threading
import uuid
from pathlib import Path

import pytest
from client import URL, SiteClient
from conftest import kept_pages, screenshot

PILOT = Path(__file__).resolve().parents[2] / "fixtures" / "pilot"
FILE_REQUEST = "/api/method/techsolutions_support.api.filing.file_request"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")


def pilot_contact(tier: str = "Premium") -> str:
	customers = json.loads((PILOT / "customers.json").read_text(encoding="utf-8"))
	return next(customer for customer in customers if customer["tier"] == tier)["contacts"][0]["email"]


def tickets_with_subject(admin: SiteClient, subject: str) -> list[dict]:
	return admin.get_list(
		"HD Ticket",
		filters=[["subject", "=", subject]],
		fields=["name", "priority", "ts_tier", "ts_channel", "sla", "raised_by"],
	)


def files_of(admin: SiteClient, ticket: str) -> list[dict]:
	return admin.get_list(
		"File",
		filters=[["attached_to_doctype", "=", "HD Ticket"], ["attached_to_name", "=", ticket]],
		fields=["file_name", "is_private"],
	)


def kb_events(admin: SiteClient, user: str, event_type: str) -> list[dict]:
	return admin.get_list(
		"TS KB Event",
		filters=[["user", "=", user], ["event_type", "=", event_type]],
		fields=["source", "article", "search_text"],
		limit_page_length=1000,
	)


def make_jpeg(page, path: Path) -> Path:
	"""A small photo drawn by the browser's own canvas: a real JPEG, different each time (Frappe
	stores identical content once, under the name it got first)."""
	data = page.evaluate(
		"""(label) => {
			const canvas = document.createElement("canvas");
			canvas.width = 320; canvas.height = 240;
			const g = canvas.getContext("2d");
			g.fillStyle = "#1f4e79"; g.fillRect(0, 0, 320, 240);
			g.fillStyle = "#ffffff"; g.fillRect(40, 60, 180, 90);
			g.fillStyle = "#c0392b"; g.beginPath(); g.arc(250, 170, 40, 0, 7); g.fill();
			g.fillStyle = "#000000"; g.font = "20px sans-serif"; g.fillText(label, 50, 110);
			return canvas.toDataURL("image/jpeg", 0.85).split(",")[1];
		}""",
		uuid.uuid4().hex,
	)
	path.write_bytes(base64.b64decode(data))
	assert path.read_bytes()[:3] == b"\xff\xd8\xff"
	return path


def fill_request(page, subject: str, description: str) -> None:
	page.fill("#ts-subject", subject)
	page.fill("#ts-description", description)
	page.select_option("#ts-type", "Schaden")
	page.locator(
		"label.ts-choice", has=page.locator('input[value="Operations stopped or safety at risk"]')
	).click()
	page.locator("label.ts-choice", has=page.locator('input[value="Needed within hours"]')).click()


def has_no_horizontal_scroll(page) -> bool:
	return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def wait_for_worker(page) -> None:
	page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_guests_are_sent_to_the_login(open_page):
	page = open_page("phone")

	page.goto("/support/new")

	assert "/login" in page.url and "redirect-to=/support/new" in page.url


def test_file_a_request_with_a_photo(screen, open_page, admin, tmp_path):
	user = pilot_contact()
	page = open_page(screen, user)
	page.goto("/support/new")
	subject = f"Kühlkette unterbrochen, Foto {uuid.uuid4().hex[:8]}"

	fill_request(page, subject, "Der Auflieger zeigt 12 °C statt 4 °C. Foto vom Display anbei.")
	page.set_input_files("#ts-files", str(make_jpeg(page, tmp_path / "display.jpg")))
	assert page.locator("#ts-file-list li").count() == 1
	assert "display.jpg" in page.inner_text("#ts-file-list")
	assert has_no_horizontal_scroll(page)
	screenshot(page, f"filing-{screen}-1-form-with-photo")

	page.click("#ts-submit")
	page.wait_for_selector("#ts-new-done", state="visible")
	ticket = page.inner_text("#ts-new-done [data-ticket]").strip()
	screenshot(page, f"filing-{screen}-2-filed")

	filed = tickets_with_subject(admin, subject)
	assert [row["name"] for row in filed] == [ticket]
	assert (filed[0]["priority"], filed[0]["ts_tier"], filed[0]["ts_channel"], filed[0]["sla"]) == (
		"Urgent",
		"Premium",
		"portal",
		"SLA Premium",
	)
	assert filed[0]["raised_by"] == user
	# Frappe adds a suffix when a file of that name (other content) is already stored.
	attached = files_of(admin, ticket)
	assert [(f["file_name"][:7], f["file_name"][-4:], f["is_private"]) for f in attached] == [
		("display", ".jpg", 1)
	]
	assert page.get_attribute("#ts-new-done [data-ticket-link]", "href") == f"/support/ticket/{ticket}"


def test_touch_targets_are_large_on_a_phone(open_page):
	page = open_page("phone", pilot_contact())
	page.goto("/support/new")

	heights = page.evaluate(
		"""() => [...document.querySelectorAll(
			'#ts-subject, #ts-type, label.ts-choice, label.ts-file-button, #ts-submit'
		)].map((element) => element.getBoundingClientRect().height)"""
	)

	assert heights and min(heights) >= 44, heights
	assert has_no_horizontal_scroll(page)


def test_suggestions_appear_while_typing_a_german_problem(screen, open_page, admin):
	user = pilot_contact("Business")
	page = open_page(screen, user)
	page.goto("/support/new")
	shown_before = len(kb_events(admin, user, "Suggestion Shown"))

	page.locator("#ts-subject").press_sequentially("Kühlkette unterbrochen", delay=40)
	page.wait_for_selector("#ts-suggestions li")
	titles = page.locator("#ts-suggestions li a").all_inner_texts()
	screenshot(page, f"filing-{screen}-3-suggestions")

	assert 1 <= len(titles) <= 5
	assert "Kühlkette unterbrochen: Sofortmaßnahmen" in titles
	assert "(intern)" not in " ".join(titles)
	shown = kb_events(admin, user, "Suggestion Shown")
	assert len(shown) > shown_before
	assert {event["source"] for event in shown} == {"ticket form"}

	# The description counts too: a breakdown described in it brings the breakdown article.
	page.locator("#ts-description").press_sequentially(" Unser LKW hat eine Panne auf der A2.", delay=10)
	page.wait_for_function(
		"[...document.querySelectorAll('#ts-suggestions li a')].some(a => a.textContent.includes('Panne'))"
	)

	with page.context.expect_page() as opened:
		page.locator("#ts-suggestions li a", has_text="Kühlkette unterbrochen").click()
	opened.value.close()
	page.wait_for_timeout(1000)
	assert any(event["article"] for event in kb_events(admin, user, "Article Opened"))


def fetch_in_page(page, path: str) -> dict:
	"""GET `path` from the page (only the browser resolves the site's name): status, headers, body."""
	return page.evaluate(
		"""async (path) => {
			const response = await fetch(path, { cache: "no-store" });
			const bytes = new Uint8Array(await response.arrayBuffer());
			let binary = "";
			bytes.forEach((b) => { binary += String.fromCharCode(b); });
			return { status: response.status, headers: Object.fromEntries(response.headers), body: btoa(binary) };
		}""",
		path,
	)


def test_the_web_app_is_installable(open_page):
	page = open_page("phone", pilot_contact())
	page.goto("/support/new")

	manifest = fetch_in_page(page, "/support/manifest.webmanifest")
	assert manifest["status"] == 200
	assert manifest["headers"]["content-type"].startswith("application/manifest+json")
	data = json.loads(base64.b64decode(manifest["body"]))
	assert (data["start_url"], data["scope"], data["display"]) == ("/support", "/support", "standalone")
	assert data["name"] and data["short_name"] and data["theme_color"].startswith("#")
	sizes = set()
	for icon in data["icons"]:
		image = fetch_in_page(page, icon["src"])
		assert image["status"] == 200 and image["headers"]["content-type"] == "image/png"
		body = base64.b64decode(image["body"])
		width, height = struct.unpack(">II", body[16:24])
		assert icon["sizes"] == f"{width}x{height}"
		sizes.add(width)
	assert sizes == {192, 512}

	worker = fetch_in_page(page, "/support/sw.js")
	assert worker["status"] == 200
	assert "javascript" in worker["headers"]["content-type"]
	assert worker["headers"]["service-worker-allowed"] == "/support"

	scope = page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)")
	assert scope.endswith("/support")
	wait_for_worker(page)
	assert page.evaluate("document.querySelector('link[rel=manifest]').href").endswith(
		"/support/manifest.webmanifest"
	)
	screenshot(page, "filing-phone-4-worker-registered")


def test_the_kept_pages_are_forgotten_when_the_session_ends(open_page):
	page = open_page("phone", pilot_contact())
	page.goto("/support/new")
	wait_for_worker(page)
	for _ in range(20):
		if kept_pages(page) == ["/support", "/support/new"]:
			break
		page.wait_for_timeout(250)
	assert kept_pages(page) == ["/support", "/support/new"]

	page.goto("/api/method/logout")
	page.goto("/support/new")

	assert "/login" in page.url
	assert kept_pages(page) == []


def test_a_draft_written_offline_is_kept_and_sent_once(screen, open_page, admin, tmp_path):
	page = open_page(screen, pilot_contact())
	page.goto("/support/new")
	wait_for_worker(page)
	photo = make_jpeg(page, tmp_path / "offline.jpg")
	subject = f"Tor 3 blockiert, offline {uuid.uuid4().hex[:8]}"

	page.context.set_offline(True)
	fill_request(page, subject, "Wir haben gerade kein Netz in der Halle.")
	page.set_input_files("#ts-files", str(photo))
	page.click("#ts-submit")
	page.wait_for_function("document.querySelector('#ts-new-status').textContent.includes('offline')")
	screenshot(page, f"filing-{screen}-5-saved-offline")
	assert tickets_with_subject(admin, subject) == []

	# The phone reopens the portal without a connection: the page comes from the worker's cache
	# and the draft, with its photo, from the device.
	reopened = page.reload()
	assert reopened.from_service_worker
	page.wait_for_selector("#ts-outbox-status", state="visible")
	assert "1" in page.inner_text("#ts-outbox-status")
	screenshot(page, f"filing-{screen}-6-offline-reopened")
	assert tickets_with_subject(admin, subject) == []

	page.context.set_offline(False)
	page.wait_for_selector("#ts-outbox-status a")
	screenshot(page, f"filing-{screen}-7-sent-when-online")
	filed = tickets_with_subject(admin, subject)
	assert len(filed) == 1
	assert [f["file_name"][:7] for f in files_of(admin, filed[0]["name"])] == ["offline"]

	# Coming back online again, or the next visit, sends nothing twice.
	page.evaluate("window.dispatchEvent(new Event('online'))")
	page.goto("/support")
	page.goto("/support/new")
	page.wait_for_timeout(1500)
	assert len(tickets_with_subject(admin, subject)) == 1
	assert page.evaluate("tsOutbox.drafts('queued').then((drafts) => drafts.length)") == 0


def test_refused_files_get_a_message_naming_the_file(screen, open_page, tmp_path):
	page = open_page(screen, pilot_contact())
	page.goto("/support/new")

	# In the browser: a type that is not allowed, and a file over the limit.
	program = tmp_path / "setup.exe"
	program.write_bytes(b"MZ" + b"\x00" * 512)
	page.set_input_files("#ts-files", str(program))
	message = page.inner_text("#ts-file-error")
	assert "setup.exe" in message and "jpg" in message and "pdf" in message

	big = tmp_path / "riesig.jpg"
	big.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024))
	page.set_input_files("#ts-files", str(big))
	message = page.inner_text("#ts-file-error")
	assert "riesig.jpg" in message and "10 MB" in message
	assert page.locator("#ts-file-list li").count() == 0
	screenshot(page, f"filing-{screen}-8-refused-in-browser")

	# On the server: a name that looks right, content that is not a photo.
	fake = tmp_path / "foto.jpg"
	fake.write_text("<html><body>kein Foto</body></html>", encoding="utf-8")
	page.set_input_files("#ts-files", str(fake))
	fill_request(page, f"Falsches Foto {uuid.uuid4().hex[:8]}", "Test")
	page.click("#ts-submit")
	page.wait_for_selector("#ts-form-error", state="visible")
	message = page.inner_text("#ts-form-error")
	assert "foto.jpg" in message and "JPG" in message
	screenshot(page, f"filing-{screen}-9-refused-by-server")


def test_two_sends_of_one_draft_at_once_file_one_ticket(admin):
	user = pilot_contact()
	http = SiteClient(user)
	# The page gives the session its CSRF token, which the client sends with every POST.
	http.get("/support/new")
	subject = f"Doppelt gesendet {uuid.uuid4().hex[:8]}"
	form = {"client_request_id": str(uuid.uuid4()), "subject": subject, "description": "Zweimal getippt."}
	answers = []

	def send():
		answers.append(http.post(FILE_REQUEST, form=form))

	senders = [threading.Thread(target=send) for _ in range(3)]
	for sender in senders:
		sender.start()
	for sender in senders:
		sender.join()

	assert all(answer.ok for answer in answers), [answer.text[:200] for answer in answers]
	tickets = {answer.json()["message"]["ticket"] for answer in answers}
	created = [answer.json()["message"]["created"] for answer in answers]
	assert len(tickets) == 1 and created.count(True) == 1
	assert len(tickets_with_subject(admin, subject)) == 1

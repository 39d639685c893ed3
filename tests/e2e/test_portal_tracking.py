"""Tracking a request without an account, in a phone's browser.

Someone e-mailed a request and has no portal login. On /support/track they enter its number and
their address, read the link from the mail (here: the site's Email Queue, read by the admin over
the API), open it once and see the status; opening it again is refused and offers a new link.
A wrong address gets the same answer and no mail. Screenshots: tracking-phone-*.png.
Needs a served test site with its worker: `./dev test e2e`.
"""

import email
import json
import os
import re
import time
from pathlib import Path
from uuid import uuid4

import pytest
from client import URL, SiteClient
from conftest import screenshot

ARTIFACTS = Path(os.environ.get("TS_ARTIFACTS") or Path(__file__).resolve().parents[2] / "artifacts")
# The mail is queued by a background job; the worker picks it up within seconds.
MAIL_WAIT_S = 60
REQUEST_LINK = "/api/method/techsolutions_support.api.tracking.request_link"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

LINK = re.compile(r"/support/track\?link=([A-Za-z0-9._-]+)")


def mails_about(admin: SiteClient, ticket: str) -> list[dict]:
	rows = admin.get_list(
		"Email Queue", filters=[["reference_name", "=", ticket]], fields=["name"], limit_page_length=0
	)
	return [admin.get_doc("Email Queue", row["name"]) for row in rows]


def text_of(mail: dict) -> str:
	parsed = email.message_from_string(mail["message"])
	parts = [part.get_payload(decode=True) for part in parsed.walk() if not part.is_multipart()]
	return "\n".join(part.decode("utf-8", "replace") for part in parts if part)


@pytest.fixture
def emailed_ticket(admin: SiteClient, outgoing_mail_account: str) -> dict:
	"""A request that came in by e-mail from someone without a portal login."""
	address = f"dispo-{uuid4().hex[:10]}@kunde-ohne-konto.example"
	subject = f"Rampe 4 blockiert {uuid4().hex[:6]}"
	filed = admin.insert(
		"HD Ticket", {"subject": subject, "description": f"<p>{subject}</p>", "raised_by": address}
	)
	return {"name": str(filed["name"]), "subject": subject, "address": address}


def request_link(page, number: str, address: str) -> str:
	page.goto("/support/track")
	page.fill("#ts-track-ticket", number)
	page.fill("#ts-track-email", address)
	page.click("#ts-track-form button[type=submit]")
	answer = page.locator("#ts-track-answer")
	answer.wait_for(state="visible")
	return answer.inner_text()


def client_address() -> dict[str, str]:
	"""A client address of its own (Frappe reads X-Forwarded-For), so the per-IP limit of
	earlier runs from 127.0.0.1 does not count here."""
	number = uuid4().int
	return {"X-Forwarded-For": f"10.{number % 256}.{number // 256 % 256}.{number // 65536 % 254 + 1}"}


def test_guest_tracks_a_request_once_by_mailed_link(open_page, admin: SiteClient, emailed_ticket: dict):
	page = open_page("phone", extra_http_headers=client_address())
	ticket, address = emailed_ticket["name"], emailed_ticket["address"]

	page.goto("/support/track")
	screenshot(page, "tracking-phone-1-form")
	wrong = request_link(page, ticket, f"jemand-{uuid4().hex[:6]}@anders.example")
	# Typed without Helpdesk's leading zeros and with a #, as people do.
	right = request_link(page, f"#{int(ticket)}", address.upper())
	assert right == wrong
	assert page.locator("#ts-track-form").is_hidden()
	screenshot(page, "tracking-phone-2-requested")

	mails: list[dict] = []
	deadline = time.monotonic() + MAIL_WAIT_S
	while not mails and time.monotonic() < deadline:
		mails = [mail for mail in mails_about(admin, ticket) if LINK.search(text_of(mail))]
		time.sleep(0.5)
	assert len(mails) == 1, f"one tracking mail expected, found {len(mails)}"
	assert [row["recipient"] for row in mails[0]["recipients"]] == [address]
	link = LINK.search(text_of(mails[0])).group(1)

	page.goto(f"/support/track?link={link}")
	# Only the button so far: nothing about the request before it is pressed.
	assert emailed_ticket["subject"] not in page.content()
	screenshot(page, "tracking-phone-3-link")
	page.click("#ts-track-show")
	view = page.locator("#ts-track-view .ts-ticket")
	view.wait_for(state="visible")
	assert emailed_ticket["subject"] in view.inner_text()
	assert page.locator("#ts-track-view [data-status]").is_visible()
	screenshot(page, "tracking-phone-4-status")

	page.goto(f"/support/track?link={link}")
	refused = page.locator("#ts-track-refused")
	refused.wait_for(state="visible")
	assert refused.get_attribute("data-state") == "used"
	assert page.locator("#ts-track-form").is_visible()
	assert emailed_ticket["subject"] not in page.content()
	screenshot(page, "tracking-phone-5-refused")

	# Pressing an old button (a second tab opened before) is refused by the server as well.
	answer = page.evaluate(
		"(link) => tsPortal.call('techsolutions_support.api.tracking.open_link', { link })", link
	)
	assert answer["state"] == "used" and "html" not in answer
	assert emailed_ticket["subject"] not in json.dumps(answer)


def test_same_answer_for_right_and_wrong_requests_and_their_times(admin: SiteClient, emailed_ticket: dict):
	"""The answers are equal; the answer times are printed side by side (the request does the same
	work either way, the lookup and the mail happen in a background job)."""
	guest = SiteClient(headers=client_address())
	name, address = emailed_ticket["name"], emailed_ticket["address"]
	# Three requests per address and hour are allowed: two right ones and one with a wrong number.
	cases = [
		("right", name, address),
		("wrong address", name, f"x-{uuid4().hex[:6]}@anders.example"),
		("wrong number", "99999999", address),
		("wrong address", name, f"y-{uuid4().hex[:6]}@anders.example"),
		("right", name, address),
		("wrong address", "99999999", f"z-{uuid4().hex[:6]}@anders.example"),
	]
	answers: dict[str, set[str]] = {}
	times: dict[str, list[float]] = {}
	for case, number, to in cases:
		started = time.perf_counter()
		response = guest.post(REQUEST_LINK, form={"ticket": number, "email": to})
		times.setdefault(case, []).append(time.perf_counter() - started)
		assert response.ok, response.text[:300]
		answers.setdefault(case, set()).add(response.json()["message"]["message"])
	assert len(set().union(*answers.values())) == 1, answers
	measured = {case: [round(t * 1000, 1) for t in values] for case, values in times.items()}
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	(ARTIFACTS / "tracking-answer-times.json").write_text(json.dumps(measured, indent=1))

	# A fourth request for the same address within the hour is refused, whatever the number.
	refused = guest.post(REQUEST_LINK, form={"ticket": "99999998", "email": address})
	assert refused.status_code == 429, refused.status_code

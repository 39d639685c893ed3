"""Notices and notification settings in a phone's browser, for a pilot contact.

An agent's status change appears under /support/notices, where the contact marks it read; on
/support/settings the contact turns the e-mail for status changes off, and the next change is
shown in the portal but not e-mailed. Screenshots: notices-phone-*.png.
Needs a served test site: `./dev test e2e`.
"""

import os
from uuid import uuid4

import pytest
import requests
from conftest import screenshot

URL = os.environ.get("TS_E2E_URL")
SITE = os.environ.get("TS_E2E_SITE", "")
PASSWORD = os.environ.get("TS_E2E_PASSWORD", "")
ADMIN_PASSWORD = os.environ.get("TS_E2E_ADMIN_PASSWORD", "")
TIMEOUT_S = 30

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

# A contact no other e2e test files tickets for, so its notices are this test's alone.
CONTACT = "p.vandalen@chemiehandel-rheinauen.example"


class Session:
	def __init__(self, user: str, password: str):
		self.session = requests.Session()
		self.session.headers.update({"Host": SITE, "Accept": "application/json"})
		response = self.session.post(
			f"{URL}/api/method/login", json={"usr": user, "pwd": password}, timeout=TIMEOUT_S
		)
		assert response.ok, f"login of {user} failed: {response.status_code}"

	def call(self, method: str, **data):
		response = self.session.post(f"{URL}/api/method/{method}", json=data, timeout=TIMEOUT_S)
		assert response.ok, response.text[:300]
		return response.json().get("message")

	def get(self, path: str, params: dict | None = None):
		response = self.session.get(f"{URL}{path}", params=params, timeout=TIMEOUT_S)
		assert response.ok, response.text[:300]
		return response.json()["data"]

	def set_status(self, ticket: str, status: str) -> None:
		response = self.session.put(
			f"{URL}/api/resource/HD Ticket/{ticket}", json={"status": status}, timeout=TIMEOUT_S
		)
		assert response.ok, response.text[:300]

	def status_notices(self, ticket: str) -> list[tuple[int, int]]:
		"""(in portal, e-mailed) of the ticket's status notices, oldest first."""
		rows = self.get(
			"/api/resource/TS Portal Notice",
			{
				"filters": f'[["ticket", "=", "{ticket}"], ["kind", "=", "status"]]',
				"fields": '["in_portal", "emailed"]',
				"order_by": "creation asc",
			},
		)
		return [(row["in_portal"], row["emailed"]) for row in rows]


@pytest.fixture
def contact() -> Session:
	session = Session(CONTACT, PASSWORD)
	yield session
	# Everything back on, as the pilot data has it.
	session.call(
		"techsolutions_support.api.notices.save_preferences",
		**{
			f"{kind}_{channel}": "1"
			for kind in ("status", "reply", "deadline")
			for channel in ("email", "portal")
		},
	)


def test_notices_and_settings(open_page, outgoing_mail_account, contact: Session):
	admin = Session("Administrator", ADMIN_PASSWORD)
	subject = f"Gefahrgutpapiere fehlen {uuid4().hex[:6]}"
	ticket = str(
		contact.call(
			"helpdesk.helpdesk.doctype.hd_ticket.api.new",
			doc={"subject": subject, "description": f"<p>{subject}</p>"},
		)["name"]
	)
	admin.set_status(ticket, "Replied")
	assert admin.status_notices(ticket) == [(1, 1)]

	page = open_page("phone", CONTACT)
	page.goto("/support/notices")
	item = page.locator(".ts-notice", has_text=f"#{ticket}")
	item.first.wait_for(state="visible")
	assert "is-unread" in item.first.get_attribute("class")
	screenshot(page, "notices-phone-1-unread")
	item.first.locator(".ts-notice-read").click()
	page.wait_for_function(
		"(ticket) => ![...document.querySelectorAll('.ts-notice.is-unread')]"
		".some((item) => item.textContent.includes('#' + ticket))",
		arg=ticket,
	)
	page.reload()
	assert "is-unread" not in page.locator(".ts-notice", has_text=f"#{ticket}").first.get_attribute("class")
	screenshot(page, "notices-phone-2-read")

	page.goto("/support/settings")
	page.uncheck("input[name=status_email]")
	page.click("#ts-settings-form button[type=submit]")
	page.locator("#ts-settings-saved").wait_for(state="visible")
	screenshot(page, "notices-phone-3-settings")
	page.reload()
	assert not page.is_checked("input[name=status_email]")
	assert page.is_checked("input[name=status_portal]")

	admin.set_status(ticket, "Open")
	# The second change: shown in the portal, not e-mailed.
	assert admin.status_notices(ticket) == [(1, 1), (1, 0)]
	page.goto("/support/notices")
	# The reopening also set a new deadline: that is a notice of its own.
	assert page.locator(".ts-notice.is-unread", has_text=f"#{ticket}").count() >= 1


def test_guests_are_sent_to_the_login_for_notices_and_settings():
	guest = requests.Session()
	guest.headers.update({"Host": SITE})
	for path in ("/support/notices", "/support/settings"):
		response = guest.get(f"{URL}{path}", allow_redirects=False, timeout=TIMEOUT_S)
		assert response.status_code in (301, 302, 303, 307), (path, response.status_code)
		assert "/login" in response.headers["Location"]

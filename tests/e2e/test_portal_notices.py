"""Notices and notification settings in a phone's browser, for a pilot contact.

An agent's status change appears under /support/notices, where the contact marks it read; on
/support/settings the contact turns the e-mail for status changes off, and the next change is
shown in the portal but not e-mailed. Screenshots: notices-phone-*.png.
Needs a served test site: `./dev test e2e`.
"""

from uuid import uuid4

import pytest
from client import URL, SiteClient
from conftest import screenshot

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

# A contact no other e2e test files tickets for, so its notices are this test's alone.
CONTACT = "p.vandalen@chemiehandel-rheinauen.example"


def status_notices(admin: SiteClient, ticket: str) -> list[tuple[int, int]]:
	"""(in portal, e-mailed) of the ticket's status notices, oldest first."""
	rows = admin.get_list(
		"TS Portal Notice",
		filters=[["ticket", "=", ticket], ["kind", "=", "status"]],
		fields=["in_portal", "emailed"],
		order_by="creation asc",
	)
	return [(row["in_portal"], row["emailed"]) for row in rows]


@pytest.fixture
def contact() -> SiteClient:
	client = SiteClient(CONTACT)
	yield client
	# Everything back on, as the pilot data has it.
	client.call(
		"techsolutions_support.api.notices.save_preferences",
		**{
			f"{kind}_{channel}": "1"
			for kind in ("status", "reply", "deadline")
			for channel in ("email", "portal")
		},
	)


def test_notices_and_settings(open_page, outgoing_mail_account, admin: SiteClient, contact: SiteClient):
	subject = f"Gefahrgutpapiere fehlen {uuid4().hex[:6]}"
	ticket = str(
		contact.call(
			"helpdesk.helpdesk.doctype.hd_ticket.api.new",
			doc={"subject": subject, "description": f"<p>{subject}</p>"},
		)["name"]
	)
	admin.set_value("HD Ticket", ticket, status="Replied")
	assert status_notices(admin, ticket) == [(1, 1)]

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

	admin.set_value("HD Ticket", ticket, status="Open")
	# The second change: shown in the portal, not e-mailed.
	assert status_notices(admin, ticket) == [(1, 1), (1, 0)]
	page.goto("/support/notices")
	# The reopening also set a new deadline: that is a notice of its own.
	assert page.locator(".ts-notice.is-unread", has_text=f"#{ticket}").count() >= 1


def test_guests_are_sent_to_the_login_for_notices_and_settings():
	guest = SiteClient()
	for path in ("/support/notices", "/support/settings"):
		response = guest.get(path, allow_redirects=False)
		assert response.status_code in (301, 302, 303, 307), (path, response.status_code)
		assert "/login" in response.headers["Location"]

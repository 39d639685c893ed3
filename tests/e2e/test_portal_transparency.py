"""The customer portal (/support) in a browser, on a phone (360 px) and on a desktop screen.

A customer contact (German) sees the next deadline and the state of the shipment its ticket is
about; an agent puts the ticket on waiting for a carrier over HTTP, and after a reload the
customer reads that in plain words, with the clock stopped. Every step is kept as a screenshot
(artifacts/screenshots/transparency-*.png). Needs a served test site: `./dev test e2e`.
"""

from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from client import PASSWORD, URL, SiteClient
from conftest import screenshot

BERLIN = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")


def stamp(moment: datetime) -> str:
	"""A Berlin wall-clock time as the site (Europe/Berlin) stores it."""
	return moment.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="module")
def contact(admin: SiteClient) -> str:
	"""A German-speaking contact of a new Premium customer (the pilot's contacts stay untouched)."""
	suffix = uuid4().hex[:8]
	email = f"portal-{suffix}@kunde-transparenz.example"
	admin.insert(
		"User",
		{
			"email": email,
			"first_name": "Paula",
			"last_name": "Portal",
			"user_type": "Website User",
			"language": "de",
			"send_welcome_email": 0,
			"new_password": PASSWORD,
			"roles": [{"role": "HD Customer"}],
		},
	)
	person = admin.insert(
		"Contact",
		{
			"first_name": "Paula",
			"last_name": "Portal",
			"user": email,
			"email_ids": [{"email_id": email, "is_primary": 1}],
		},
	)
	admin.insert(
		"HD Customer",
		{
			"customer_name": f"Transparenz Logistik {suffix}",
			"ts_tier": "Premium",
			"contacts": [{"contact_name": person["name"]}],
		},
	)
	return email


@pytest.fixture
def ticket(admin: SiteClient, contact: str) -> dict:
	"""A ticket the contact filed, linked to a delivery of its customer that runs 45 minutes late."""
	filed = SiteClient(contact).call(
		"helpdesk.helpdesk.doctype.hd_ticket.api.new",
		doc={
			"subject": "Sendung kommt später?",
			"description": "<p>Wann kommt unsere Lieferung?</p>",
			"ticket_type": "Lieferverzug",
		},
		attachments=[],
	)
	now = datetime.now(BERLIN)
	planned = now + timedelta(hours=3)
	tracking = f"TSE2E{uuid4().hex[:8].upper()}"
	admin.insert(
		"TS Delivery",
		{
			"tracking_number": tracking,
			"customer": filed["customer"],
			"status": "Delayed",
			"planned_eta": stamp(planned),
			"current_eta": stamp(planned + timedelta(minutes=45)),
			"delay_minutes": 45,
			"last_synced_at": stamp(now),
		},
	)
	admin.set_value("HD Ticket", filed["name"], ts_delivery=tracking)
	return {"name": str(filed["name"]), "tracking": tracking}


def page_width_fits(page) -> bool:
	return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_follows_deadline_shipment_and_status(
	open_page, screen, agent: SiteClient, contact: str, ticket: dict
):
	page = open_page(screen, contact)
	name = ticket["name"]

	# The list: the ticket with its deadline and its shipment line.
	page.goto("/support")
	row = page.locator(f'li[data-ticket="{name}"]')
	row.wait_for()
	assert row.locator("[data-deadline]").get_attribute("data-deadline") == "response"
	assert "Antwort" in row.locator("[data-deadline]").inner_text()
	assert ticket["tracking"] in row.locator("[data-shipment]").inner_text()
	assert "45 Min. Verspätung" in row.locator("[data-shipment]").inner_text()
	assert page_width_fits(page), "the list is wider than the screen"
	screenshot(page, f"transparency-{screen}-1-list")

	# The ticket: deadline, waiting on support, shipment with ETA and delay.
	row.locator("a.ts-row-link").click()
	page.wait_for_url(f"**/support/ticket/{name}")
	assert page.locator("html").get_attribute("lang") == "de"
	assert page.locator(".ts-ticket-head .ts-chip").inner_text() == "Eingegangen"
	deadline = page.locator(".ts-facts [data-deadline]")
	assert deadline.get_attribute("data-deadline") == "response"
	assert deadline.inner_text().startswith("Antwort")
	assert page.locator("p.ts-waiting").inner_text() == "Unser Support-Team ist am Zug."
	shipment = page.locator("section[data-shipment]")
	assert shipment.get_attribute("data-shipment") == "Delayed"
	assert "Verspätet" in shipment.inner_text()
	assert "Erwartet " in shipment.inner_text()
	assert page.locator(".ts-delay").inner_text() == "45 Min. Verspätung"
	assert page.locator(".ts-event-created").count() == 1
	assert page_width_fits(page), "the ticket page is wider than the screen"
	screenshot(page, f"transparency-{screen}-2-ticket")

	# An agent puts the ticket on waiting for a carrier; the customer reloads.
	agent.set_value("HD Ticket", name, status="Waiting on Carrier", ts_carrier="Spedition Krause")
	page.reload()
	assert page.locator(".ts-ticket-head .ts-chip").inner_text() == "Wartet auf den Spediteur"
	assert page.locator("p.ts-waiting").inner_text() == "Wir warten auf den Spediteur Spedition Krause."
	assert page.locator(".ts-facts [data-deadline]").inner_text() == (
		"Frist angehalten, solange wir auf den Spediteur Spedition Krause warten"
	)
	assert "Status: Wartet auf den Spediteur" in page.locator(".ts-timeline").inner_text()
	assert page_width_fits(page), "the ticket page is wider than the screen"
	screenshot(page, f"transparency-{screen}-3-waiting-on-carrier")

	# The customer answers from the reply box; Helpdesk's own path puts the ticket back to support.
	page.fill("#ts-reply-text", "Die Lieferung wird dringend erwartet.\nBitte Rückruf.")
	with page.expect_navigation():
		page.click("#ts-reply button[type=submit]")
	mine = page.locator(".ts-event-customer_message .ts-event-text")
	assert mine.last.inner_text() == "Die Lieferung wird dringend erwartet.\nBitte Rückruf."
	assert page.locator("p.ts-waiting").inner_text() == "Unser Support-Team ist am Zug."
	assert page_width_fits(page), "the ticket page is wider than the screen"
	screenshot(page, f"transparency-{screen}-4-replied")


def test_foreign_ticket_reads_like_a_missing_one(open_page, admin: SiteClient, ticket: dict):
	"""A contact of another customer gets the same "not found" as for a ticket that does not exist."""
	stranger = SiteClient("r.lindenhof@getraenke-lindenhof.example")
	api = stranger.post("/api/method/techsolutions_support.api.customer.get_ticket", {"name": ticket["name"]})
	assert api.status_code == 404
	foreign = stranger.get(f"/support/ticket/{ticket['name']}")
	missing = stranger.get("/support/ticket/999999999")
	assert foreign.status_code == missing.status_code == 404
	assert "Sendung kommt später?" not in foreign.text
	# The portal's own page (not Frappe's generic one), the same for both, with a way back.
	assert foreign.text == missing.text
	assert 'id="ts-not-found"' in foreign.text and 'href="/support"' in foreign.text
	assert "Anfrage nicht gefunden" in foreign.text


def test_guests_are_sent_to_the_login(open_page):
	page = open_page("phone")
	page.goto("/support")
	assert "/login" in page.url
	assert "redirect-to=/support" in page.url or "redirect-to=%2Fsupport" in page.url

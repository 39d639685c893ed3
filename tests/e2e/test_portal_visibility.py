"""Who sees which ticket, over HTTP with real logins of the pilot contacts.

Spedition Nordlicht has a manager (Henrike Tamsen) and two other contacts (Ole Brodersen, Merve
Aksoy); Frischdienst Havelland is another customer (Lea Hoffmeister). A contact sees their own
tickets, a manager all of their customer's, and nobody ever a ticket of another customer: not
in a list, not by URL or name, not by search, not through an attachment, not by a notice.
Every refusal is checked beside a positive case, so a broken login cannot pass for a refusal.
Needs a served test site: `./dev test e2e`.
"""

import time
from uuid import uuid4

import pytest
from client import URL, SiteClient

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

MANAGER = "h.tamsen@spedition-nordlicht.example"
MEMBER = "o.brodersen@spedition-nordlicht.example"
COLLEAGUE = "m.aksoy@spedition-nordlicht.example"
OTHER = "l.hoffmeister@frischdienst-havelland.example"

NEW_TICKET = "helpdesk.helpdesk.doctype.hd_ticket.api.new"
GET_ONE = "/api/method/helpdesk.helpdesk.doctype.hd_ticket.api.get_one"
LIST_DATA = "helpdesk.api.doc.get_list_data"


@pytest.fixture(scope="module")
def clients(admin: SiteClient) -> dict[str, SiteClient]:
	return {user: SiteClient(user) for user in (MANAGER, MEMBER, COLLEAGUE, OTHER)} | {
		"admin": admin,
		"guest": SiteClient(),
	}


@pytest.fixture(scope="module")
def tickets(clients: dict[str, SiteClient]) -> dict[str, dict]:
	"""One ticket each of Brodersen, Aksoy (both Nordlicht) and Hoffmeister (Havelland), each
	with a word of its own for the searches, and a private file on Brodersen's and Hoffmeister's."""
	filed = {}
	for user in (MEMBER, COLLEAGUE, OTHER):
		marker = f"Sichtprobe{uuid4().hex[:10]}"
		doc = {"subject": f"Palettenschaden {marker}", "description": f"<p>Schaden an Palette {marker}</p>"}
		ticket = clients[user].call(NEW_TICKET, doc=doc)
		filed[user] = {"name": str(ticket["name"]), "marker": marker}
	admin = clients["admin"]
	for user in (MEMBER, OTHER):
		filed[user]["file"] = admin.attach_file(
			"HD Ticket",
			filed[user]["name"],
			f"lieferschein-{uuid4().hex[:8]}.txt",
			f"Lieferschein {filed[user]['marker']}".encode(),
		)
	# A file on the ticket's first message (its description), as replies with attachments have.
	message = admin.get_list(
		"Communication", filters=[["reference_name", "=", filed[OTHER]["name"]]], limit_page_length=1
	)[0]["name"]
	filed[OTHER]["message_file"] = admin.attach_file(
		"Communication", message, f"foto-{uuid4().hex[:8]}.txt", f"Foto {filed[OTHER]['marker']}".encode()
	)
	return filed


def names_in_rest_list(client: SiteClient) -> set[str]:
	listed = client.get_list("HD Ticket", fields=["name"], limit_page_length=0, order_by="creation desc")
	return {str(row["name"]) for row in listed}


def names_in_portal_list(client: SiteClient) -> set[str]:
	listed = client.call(
		LIST_DATA, doctype="HD Ticket", rows=["name"], page_length=1000, show_customer_portal_fields=1
	)
	return {str(row["name"]) for row in listed["data"]}


@pytest.mark.parametrize(
	"listing", [names_in_rest_list, names_in_portal_list], ids=["rest", "helpdesk-portal"]
)
def test_lists_show_own_tickets_and_a_managers_customer(clients, tickets, listing):
	member, colleague, other = (tickets[user]["name"] for user in (MEMBER, COLLEAGUE, OTHER))

	seen = {user: listing(clients[user]) for user in (MANAGER, MEMBER, COLLEAGUE, OTHER)}

	assert member in seen[MEMBER] and colleague not in seen[MEMBER] and other not in seen[MEMBER]
	assert colleague in seen[COLLEAGUE] and member not in seen[COLLEAGUE]
	assert {member, colleague} <= seen[MANAGER] and other not in seen[MANAGER]
	assert other in seen[OTHER] and not {member, colleague} & seen[OTHER]


def test_a_ticket_by_name_is_refused_to_other_customers_and_colleagues(clients, tickets):
	member, other = tickets[MEMBER]["name"], tickets[OTHER]["name"]

	for user, name, allowed in (
		(MEMBER, member, True),
		(MANAGER, member, True),
		(COLLEAGUE, member, False),
		(OTHER, member, False),
		(MANAGER, other, False),
		("guest", member, False),
	):
		client = clients[user]
		rest = client.get(f"/api/resource/HD Ticket/{name}")
		one = client.post(GET_ONE, {"name": name, "is_customer_portal": True})
		doc = client.get("/api/method/frappe.client.get", {"doctype": "HD Ticket", "name": name})
		for response in (rest, one, doc):
			assert response.ok is allowed, f"{user} {name} {response.request.url}: {response.status_code}"
			if not allowed:
				assert tickets[MEMBER]["marker"] not in response.text


def test_the_portal_page_of_another_customers_ticket_shows_nothing(clients, tickets):
	own = clients[OTHER].get(f"/support/ticket/{tickets[OTHER]['name']}")
	foreign = clients[MEMBER].get(f"/support/ticket/{tickets[OTHER]['name']}")

	if own.status_code == 404:
		pytest.skip("the portal's ticket page (/support/ticket/<name>) is not built yet")
	assert own.ok and tickets[OTHER]["marker"] in own.text
	assert tickets[OTHER]["marker"] not in foreign.text


def test_search_finds_only_what_the_user_may_read(clients, tickets):
	for user, ticket_of, visible in ((MEMBER, MEMBER, True), (MEMBER, OTHER, False), (MANAGER, OTHER, False)):
		client, ticket = clients[user], tickets[ticket_of]
		link = client.post(
			"/api/method/frappe.desk.search.search_link", {"doctype": "HD Ticket", "txt": ticket["marker"]}
		)
		widget = client.post(
			"/api/method/frappe.desk.search.search_widget",
			{"doctype": "HD Ticket", "txt": ticket["marker"], "searchfield": "subject"},
		)
		by_name = client.post(
			"/api/method/frappe.desk.search.search_link", {"doctype": "HD Ticket", "txt": ticket["name"]}
		)
		everywhere = client.post("/api/method/frappe.utils.global_search.search", {"text": ticket["marker"]})
		for response in (link, widget, by_name, everywhere):
			assert response.status_code in (200, 403), response.text[:200]
		found = ticket["marker"] in link.text or any(
			str(row.get("value")) == ticket["name"] for row in (by_name.json().get("message") or [])
		)
		assert found is visible, f"{user} searching {ticket_of}'s ticket"
		if not visible:
			for response in (link, widget, by_name, everywhere):
				assert ticket["marker"] not in response.text


def test_attachments_of_another_customers_ticket_are_refused(clients, tickets):
	own, foreign = tickets[MEMBER]["file"], tickets[OTHER]["file"]

	assert clients[MEMBER].get(own["file_url"]).ok
	assert tickets[MEMBER]["marker"] in clients[MEMBER].get(own["file_url"]).text
	assert clients[MANAGER].get(own["file_url"]).ok

	assert clients[OTHER].get(tickets[OTHER]["message_file"]["file_url"]).ok
	for user in (MEMBER, MANAGER, COLLEAGUE, "guest"):
		client = clients[user]
		on_message = client.get(tickets[OTHER]["message_file"]["file_url"])
		assert not on_message.ok and tickets[OTHER]["marker"] not in on_message.text, user
		download = client.get(foreign["file_url"])
		doc = client.get("/api/method/frappe.client.get", {"doctype": "File", "name": foreign["name"]})
		rest = client.get(f"/api/resource/File/{foreign['name']}")
		listed = client.get(
			"/api/resource/File",
			{"filters": f'[["attached_to_name", "=", "{tickets[OTHER]["name"]}"]]', "fields": '["name"]'},
		)
		for response in (download, doc, rest):
			assert not response.ok, f"{user}: {response.request.url} answered {response.status_code}"
			assert tickets[OTHER]["marker"] not in response.text
		assert not listed.ok or listed.json()["data"] == []


def test_a_status_change_notifies_only_the_tickets_contact(clients, tickets, outgoing_mail_account):
	admin = clients["admin"]
	name = tickets[OTHER]["name"]
	admin.set_value("HD Ticket", name, status="Replied")

	notices = admin.get_list("TS Portal Notice", filters=[["ticket", "=", name]], fields=["user", "kind"])
	assert {row["user"] for row in notices} == {OTHER}
	assert "status" in {row["kind"] for row in notices}

	recipients = set()
	deadline = time.monotonic() + 10
	while time.monotonic() < deadline and not recipients:
		queued = admin.get_list(
			"Email Queue", filters=[["reference_name", "=", name]], fields=["name"], limit_page_length=0
		)
		for mail in queued:
			doc = admin.get_doc("Email Queue", mail["name"])
			recipients |= {row["recipient"] for row in doc["recipients"]}
		time.sleep(0.5)
	assert recipients == {OTHER}

	for user in (MEMBER, MANAGER, COLLEAGUE):
		page = clients[user].get("/support/notices")
		assert page.ok, page.status_code
		assert f"#{name}" not in page.text
		listed = clients[user].get("/api/resource/TS Portal Notice", {"fields": '["ticket"]'})
		assert not listed.ok or name not in {str(row["ticket"]) for row in listed.json()["data"]}
	assert f"#{name}" in clients[OTHER].get("/support/notices").text

"""The main job over HTTP, as the portal and the agent UI do it.

A customer contact logs in and files a ticket through the method the Helpdesk portal calls; an
agent reads it back with its priority, the rule that decided it, its tier's SLA and deadlines;
a contact of another customer sees it nowhere. Needs a served test site: `./dev test e2e`.
"""

import json
from pathlib import Path

import pytest
from client import URL, SiteClient

PILOT = Path(__file__).resolve().parents[2] / "fixtures" / "pilot"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

NEW_TICKET = "helpdesk.helpdesk.doctype.hd_ticket.api.new"
GET_TICKET = "helpdesk.helpdesk.doctype.hd_ticket.api.get_one"
LIST_DATA = "helpdesk.api.doc.get_list_data"


def portal_ticket_names(client: SiteClient) -> set[str]:
	listed = client.call(
		LIST_DATA,
		doctype="HD Ticket",
		rows=["name", "subject"],
		page_length=500,
		show_customer_portal_fields=1,
	)
	return {str(row["name"]) for row in listed["data"]}


def pilot_contact(tier: str, index: int = 0) -> str:
	customers = json.loads((PILOT / "customers.json").read_text(encoding="utf-8"))
	matching = [customer for customer in customers if customer["tier"] == tier]
	return matching[index]["contacts"][0]["email"]


@pytest.fixture(scope="module")
def premium_contact() -> SiteClient:
	return SiteClient(pilot_contact("Premium"))


@pytest.fixture(scope="module")
def other_customer_contact() -> SiteClient:
	return SiteClient(pilot_contact("Standard"))


@pytest.fixture(scope="module")
def filed_ticket(premium_contact: SiteClient) -> str:
	filed = premium_contact.call(
		NEW_TICKET,
		doc={
			"subject": "E2E: LKW B-TS 1004 liegengeblieben",
			"description": "<p>Unser LKW steht mit einer Panne auf der A2 bei Helmstedt.</p>",
			"ticket_type": "Panne",
			# A customer asking for a priority is ignored: the rules decide.
			"priority": "Low",
		},
		attachments=[],
	)
	return str(filed["name"])


def test_agent_sees_priority_rule_and_tier_sla(agent: SiteClient, filed_ticket: str):
	ticket = agent.get_doc("HD Ticket", filed_ticket)

	assert ticket["priority"] == "Urgent"
	assert ticket["ts_tier"] == "Premium"
	assert ticket["sla"] == "SLA Premium"
	assert ticket["ts_channel"] == "portal"
	assert ticket["ts_priority_rule"] and ticket["ts_priority_rule"] != "default"
	assert "ignored" in ticket["ts_priority_reason"]
	assert ticket["response_by"] and ticket["resolution_by"]
	assert ticket["response_by"] < ticket["resolution_by"]
	assert ticket["agreement_status"] == "First Response Due"


def test_customer_follows_own_ticket(premium_contact: SiteClient, filed_ticket: str):
	assert filed_ticket in portal_ticket_names(premium_contact)
	ticket = premium_contact.call(GET_TICKET, name=filed_ticket, is_customer_portal=1)
	assert ticket["subject"].startswith("E2E:")


def test_other_customer_cannot_read_the_ticket(other_customer_contact: SiteClient, filed_ticket: str):
	assert filed_ticket not in portal_ticket_names(other_customer_contact)

	by_name = other_customer_contact.post(
		f"/api/method/{GET_TICKET}", {"name": filed_ticket, "is_customer_portal": 1}
	)
	assert by_name.status_code in (403, 404), by_name.text[:200]

	by_rest = other_customer_contact.get(f"/api/resource/HD Ticket/{filed_ticket}")
	assert by_rest.status_code in (403, 404), by_rest.text[:200]

	listed = other_customer_contact.get("/api/resource/HD Ticket", {"limit_page_length": 500})
	names = {row["name"] for row in listed.json().get("data", [])} if listed.ok else set()
	assert filed_ticket not in {str(name) for name in names}


def test_guest_cannot_read_the_ticket(filed_ticket: str):
	response = SiteClient().get(f"/api/resource/HD Ticket/{filed_ticket}")
	assert response.status_code in (401, 403, 404)


def test_customer_cannot_query_by_agents_only_fields(
	premium_contact: SiteClient, agent: SiteClient, filed_ticket: str
):
	"""Filtering by a hidden text would reveal it one guess at a time: refused for customers."""
	probe = {"filters": json.dumps([["ts_priority_reason", "like", "%Safety%"]]), "limit_page_length": 5}

	assert premium_contact.get("/api/resource/HD Ticket", probe).status_code == 403
	assert agent.get("/api/resource/HD Ticket", probe).ok
	listed = premium_contact.post(
		f"/api/method/{LIST_DATA}",
		{"doctype": "HD Ticket", "rows": ["name", "ts_priority_reason"], "show_customer_portal_fields": 1},
	)
	assert listed.status_code == 403


def test_filing_returns_no_agents_only_fields(premium_contact: SiteClient):
	returned = premium_contact.call(
		NEW_TICKET, doc={"subject": "E2E: Frage zur Abholung", "description": "<p>Wann?</p>"}, attachments=[]
	)
	assert "ts_priority_reason" not in returned and "ts_priority_rule" not in returned


def test_helpdesks_portal_sends_a_customer_here_and_keeps_an_agent(
	premium_contact: SiteClient, agent: SiteClient, filed_ticket: str
):
	# As a link in one of Helpdesk's own e-mails to the customer opens it.
	opened = premium_contact.get(f"/helpdesk/my-tickets/{filed_ticket}", allow_redirects=False)
	assert opened.status_code == 302
	assert opened.headers["Location"] == f"/support/ticket/{filed_ticket}"
	assert premium_contact.get("/helpdesk", allow_redirects=False).headers["Location"] == "/support"
	assert premium_contact.get("/helpdesk/kb-public", allow_redirects=False).status_code == 200

	assert agent.get(f"/helpdesk/tickets/{filed_ticket}", allow_redirects=False).status_code == 200

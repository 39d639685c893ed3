"""The main job over HTTP, as the portal and the agent UI do it.

A customer contact logs in and files a ticket through the method the Helpdesk portal calls; an
agent reads it back with its priority, the rule that decided it, its tier's SLA and deadlines;
a contact of another customer sees it nowhere. Needs a served test site: `./dev test e2e`.
"""

import json
import os
from pathlib import Path

import pytest
import requests

URL = os.environ.get("TS_E2E_URL")
SITE = os.environ.get("TS_E2E_SITE", "")
PASSWORD = os.environ.get("TS_E2E_PASSWORD", "")
PILOT = Path(__file__).resolve().parents[2] / "fixtures" / "pilot"
TIMEOUT_S = 30

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")

NEW_TICKET = "/api/method/helpdesk.helpdesk.doctype.hd_ticket.api.new"
GET_TICKET = "/api/method/helpdesk.helpdesk.doctype.hd_ticket.api.get_one"
LIST_DATA = "/api/method/helpdesk.api.doc.get_list_data"


class Client:
	"""A logged-in browser session: cookies, and the site name in the Host header."""

	def __init__(self, user: str, password: str):
		self.session = requests.Session()
		self.session.headers.update({"Host": SITE, "Accept": "application/json"})
		response = self.post("/api/method/login", {"usr": user, "pwd": password})
		assert response.ok, f"login of {user} failed: {response.status_code} {response.text[:200]}"

	def post(self, path: str, data: dict) -> requests.Response:
		"""A JSON body, as frappe-ui sends it from the portal."""
		return self.session.post(f"{URL}{path}", json=data, timeout=TIMEOUT_S)

	def get(self, path: str, params: dict | None = None) -> requests.Response:
		return self.session.get(f"{URL}{path}", params=params, timeout=TIMEOUT_S)

	def portal_ticket_names(self) -> set[str]:
		response = self.post(
			LIST_DATA,
			{
				"doctype": "HD Ticket",
				"rows": ["name", "subject"],
				"page_length": 500,
				"show_customer_portal_fields": 1,
			},
		)
		assert response.ok, response.text[:300]
		return {str(row["name"]) for row in response.json()["message"]["data"]}


def pilot_contact(tier: str, index: int = 0) -> str:
	customers = json.loads((PILOT / "customers.json").read_text(encoding="utf-8"))
	matching = [customer for customer in customers if customer["tier"] == tier]
	return matching[index]["contacts"][0]["email"]


@pytest.fixture(scope="module")
def premium_contact() -> Client:
	return Client(pilot_contact("Premium"), PASSWORD)


@pytest.fixture(scope="module")
def agent() -> Client:
	return Client("agent@techsolutions.example", PASSWORD)


@pytest.fixture(scope="module")
def other_customer_contact() -> Client:
	return Client(pilot_contact("Standard"), PASSWORD)


@pytest.fixture(scope="module")
def filed_ticket(premium_contact: Client) -> str:
	response = premium_contact.post(
		NEW_TICKET,
		{
			"doc": {
				"subject": "E2E: LKW B-TS 1004 liegengeblieben",
				"description": "<p>Unser LKW steht mit einer Panne auf der A2 bei Helmstedt.</p>",
				"ticket_type": "Panne",
				# A customer asking for a priority is ignored: the rules decide.
				"priority": "Low",
			},
			"attachments": [],
		},
	)
	assert response.ok, response.text[:500]
	return str(response.json()["message"]["name"])


def test_agent_sees_priority_rule_and_tier_sla(agent: Client, filed_ticket: str):
	response = agent.get(f"/api/resource/HD Ticket/{filed_ticket}")
	assert response.ok, response.text[:300]
	ticket = response.json()["data"]

	assert ticket["priority"] == "Urgent"
	assert ticket["ts_tier"] == "Premium"
	assert ticket["sla"] == "SLA Premium"
	assert ticket["ts_channel"] == "portal"
	assert ticket["ts_priority_rule"] and ticket["ts_priority_rule"] != "default"
	assert "ignored" in ticket["ts_priority_reason"]
	assert ticket["response_by"] and ticket["resolution_by"]
	assert ticket["response_by"] < ticket["resolution_by"]
	assert ticket["agreement_status"] == "First Response Due"


def test_customer_follows_own_ticket(premium_contact: Client, filed_ticket: str):
	assert filed_ticket in premium_contact.portal_ticket_names()
	response = premium_contact.post(GET_TICKET, {"name": filed_ticket, "is_customer_portal": 1})
	assert response.ok, response.text[:300]
	assert response.json()["message"]["subject"].startswith("E2E:")


def test_other_customer_cannot_read_the_ticket(other_customer_contact: Client, filed_ticket: str):
	assert filed_ticket not in other_customer_contact.portal_ticket_names()

	by_name = other_customer_contact.post(GET_TICKET, {"name": filed_ticket, "is_customer_portal": 1})
	assert by_name.status_code in (403, 404), by_name.text[:200]

	by_rest = other_customer_contact.get(f"/api/resource/HD Ticket/{filed_ticket}")
	assert by_rest.status_code in (403, 404), by_rest.text[:200]

	listed = other_customer_contact.get("/api/resource/HD Ticket", {"limit_page_length": 500})
	names = {row["name"] for row in listed.json().get("data", [])} if listed.ok else set()
	assert filed_ticket not in {str(name) for name in names}


def test_guest_cannot_read_the_ticket(filed_ticket: str):
	response = requests.get(
		f"{URL}/api/resource/HD Ticket/{filed_ticket}", headers={"Host": SITE}, timeout=TIMEOUT_S
	)
	assert response.status_code in (401, 403, 404)


def test_customer_cannot_query_by_agents_only_fields(
	premium_contact: Client, agent: Client, filed_ticket: str
):
	"""Filtering by a hidden text would reveal it one guess at a time: refused for customers."""
	probe = {"filters": json.dumps([["ts_priority_reason", "like", "%Safety%"]]), "limit_page_length": 5}

	assert premium_contact.get("/api/resource/HD Ticket", probe).status_code == 403
	assert agent.get("/api/resource/HD Ticket", probe).ok
	listed = premium_contact.post(
		LIST_DATA,
		{"doctype": "HD Ticket", "rows": ["name", "ts_priority_reason"], "show_customer_portal_fields": 1},
	)
	assert listed.status_code == 403


def test_filing_returns_no_agents_only_fields(premium_contact: Client):
	response = premium_contact.post(
		NEW_TICKET,
		{"doc": {"subject": "E2E: Frage zur Abholung", "description": "<p>Wann?</p>"}, "attachments": []},
	)
	assert response.ok, response.text[:300]
	returned = response.json()["message"]
	assert "ts_priority_reason" not in returned and "ts_priority_rule" not in returned

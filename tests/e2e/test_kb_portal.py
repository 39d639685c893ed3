"""Knowledge base over HTTP, as the portal calls it: Helpdesk's search method answers German
queries on plain Redis, and drafts and internal articles never reach a customer or a guest.
Needs a served test site with the pilot data: `./dev test e2e`.
"""

import json
from pathlib import Path

import pytest
from client import URL, SiteClient

PILOT = Path(__file__).resolve().parents[2] / "fixtures" / "pilot"

SEARCH = "helpdesk.api.article.search"
GET_ARTICLE = "/api/method/helpdesk.api.knowledge_base.get_article"
CATEGORIES = "helpdesk.api.knowledge_base.get_categories"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")


def pilot() -> dict:
	return json.loads((PILOT / "kb_articles.json").read_text(encoding="utf-8"))


def first_contact() -> str:
	customers = json.loads((PILOT / "customers.json").read_text(encoding="utf-8"))
	return customers[0]["contacts"][0]["email"]


def search(client: SiteClient, text: str) -> list[dict]:
	# frappe-ui posts JSON; GET must work the same (and still log the suggestion).
	found = client.call(SEARCH, query=text)
	assert client.get(f"/api/method/{SEARCH}", {"query": text}).ok
	return found


@pytest.fixture(scope="module")
def customer() -> SiteClient:
	return SiteClient(first_contact())


def test_german_queries_find_the_pilot_articles(customer: SiteClient) -> None:
	expected = {
		"Getriebeöl": "Warnleuchten für AdBlue und Getriebeöl richtig deuten",
		"Getriebeoel": "Warnleuchten für AdBlue und Getriebeöl richtig deuten",
		"Kühlkette": "Kühlkette unterbrochen: Sofortmaßnahmen",
		"Kuehlkettenunterbrechung": "Kühlkette unterbrochen: Sofortmaßnahmen",
		"Passwort vergessen": "Anmeldung im Kundenportal und Passwort zurücksetzen",
	}
	for text, title in expected.items():
		items = search(customer, text)
		assert [item["subject"] for item in items][:1] == [title], text
		assert set(items[0]) >= {"id", "name", "subject", "headings", "description"}
		assert items[0]["name"].split("#")[0] == items[0]["id"]


def test_drafts_and_internal_articles_never_reach_a_customer(customer: SiteClient, agent: SiteClient) -> None:
	hidden = {
		article["title"]
		for article in pilot()["articles"]
		if article["status"] != "Published" or article["internal"]
	}
	for text in ("Straßensperrung Umleitung", "Eskalations-Checkliste", "Eskalation intern"):
		assert not hidden & {item["subject"] for item in search(customer, text)}, text

	internal = next(item for item in search(agent, "Eskalations-Checkliste") if item["subject"] in hidden)
	response = customer.post(GET_ARTICLE, {"name": internal["id"]})
	assert response.status_code == 403
	response = agent.post(GET_ARTICLE, {"name": internal["id"]})
	assert response.ok

	response = customer.get(f"/api/resource/HD Article/{internal['id']}")
	assert response.status_code in (403, 404)


def test_category_counts_leave_hidden_articles_out(customer: SiteClient) -> None:
	articles = pilot()["articles"]
	counts = {row["category_name"]: row["article_count"] for row in customer.call(CATEGORIES)}
	for category, count in counts.items():
		visible = [
			article
			for article in articles
			if article.get("category") == category
			and article["status"] == "Published"
			and not article["internal"]
		]
		if visible:
			assert count == len(visible), category


def test_guests_are_refused_by_default() -> None:
	response = SiteClient().post(f"/api/method/{SEARCH}", {"query": "Kühlkette"})
	assert response.status_code == 403

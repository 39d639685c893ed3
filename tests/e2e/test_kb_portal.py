"""Knowledge base over HTTP, as the portal calls it: Helpdesk's search method answers German
queries on plain Redis, and drafts and internal articles never reach a customer or a guest.
Needs a served test site with the pilot data: `./dev test e2e`.
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

SEARCH = "/api/method/helpdesk.api.article.search"
GET_ARTICLE = "/api/method/helpdesk.api.knowledge_base.get_article"
CATEGORIES = "/api/method/helpdesk.api.knowledge_base.get_categories"

pytestmark = pytest.mark.skipif(not URL, reason="no test site served (run through ./dev test)")


def session(user: str | None = None) -> requests.Session:
	"""A browser session with the site in the Host header, logged in unless a guest."""
	http = requests.Session()
	http.headers.update({"Host": SITE, "Accept": "application/json"})
	if user:
		response = http.post(
			f"{URL}/api/method/login", json={"usr": user, "pwd": PASSWORD}, timeout=TIMEOUT_S
		)
		assert response.ok, f"login of {user} failed: {response.status_code}"
	return http


def pilot() -> dict:
	return json.loads((PILOT / "kb_articles.json").read_text(encoding="utf-8"))


def first_contact() -> str:
	customers = json.loads((PILOT / "customers.json").read_text(encoding="utf-8"))
	return customers[0]["contacts"][0]["email"]


def search(http: requests.Session, text: str) -> list[dict]:
	# frappe-ui posts JSON; GET must work the same (and still log the suggestion).
	response = http.post(f"{URL}{SEARCH}", json={"query": text}, timeout=TIMEOUT_S)
	assert response.ok, response.text[:300]
	assert http.get(f"{URL}{SEARCH}", params={"query": text}, timeout=TIMEOUT_S).ok
	return response.json()["message"]


@pytest.fixture(scope="module")
def customer() -> requests.Session:
	return session(first_contact())


@pytest.fixture(scope="module")
def agent() -> requests.Session:
	return session("agent@techsolutions.example")


def test_german_queries_find_the_pilot_articles(customer: requests.Session) -> None:
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


def test_drafts_and_internal_articles_never_reach_a_customer(
	customer: requests.Session, agent: requests.Session
) -> None:
	hidden = {
		article["title"]
		for article in pilot()["articles"]
		if article["status"] != "Published" or article["internal"]
	}
	for text in ("Straßensperrung Umleitung", "Eskalations-Checkliste", "Eskalation intern"):
		assert not hidden & {item["subject"] for item in search(customer, text)}, text

	internal = next(item for item in search(agent, "Eskalations-Checkliste") if item["subject"] in hidden)
	response = customer.post(f"{URL}{GET_ARTICLE}", json={"name": internal["id"]}, timeout=TIMEOUT_S)
	assert response.status_code == 403
	response = agent.post(f"{URL}{GET_ARTICLE}", json={"name": internal["id"]}, timeout=TIMEOUT_S)
	assert response.ok

	response = customer.get(f"{URL}/api/resource/HD Article/{internal['id']}", timeout=TIMEOUT_S)
	assert response.status_code in (403, 404)


def test_category_counts_leave_hidden_articles_out(customer: requests.Session) -> None:
	articles = pilot()["articles"]
	response = customer.post(f"{URL}{CATEGORIES}", json={}, timeout=TIMEOUT_S)
	assert response.ok, response.text[:300]
	counts = {row["category_name"]: row["article_count"] for row in response.json()["message"]}
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
	response = session().post(f"{URL}{SEARCH}", json={"query": "Kühlkette"}, timeout=TIMEOUT_S)
	assert response.status_code == 403

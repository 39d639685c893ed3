"""Deflection: suggestions shown, articles opened, "did this help?", and a ticket filed anyway,
as the portal records them and the reports read them."""

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.kb.deflection import EVENT, OPENED, SHOWN
from techsolutions_support.techsolutions_support.report.ts_kb_deflection import ts_kb_deflection
from techsolutions_support.techsolutions_support.report.ts_kb_searches_without_results import (
	ts_kb_searches_without_results,
)
from techsolutions_support.tests.factories import (
	call_portal,
	file_portal_ticket,
	make_agent,
	make_article,
	make_contact,
	make_customer,
)


class TestDeflection(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_contact(make_customer())
		cls.article = make_article(
			"Kühlaufliegerthermograph auslesen", "<p>So lesen Sie den Thermographen aus.</p>"
		).name

	def events(self, user: str, event_type: str) -> list[dict]:
		return frappe.get_all(
			EVENT,
			filters={"user": user, "event_type": event_type},
			fields=["article", "articles", "hit_count", "search_text", "source"],
			order_by="creation",
		)

	def test_customer_searches_and_opens_are_logged_agents_are_not(self):
		call_portal("helpdesk.api.article.search", self.customer, query="Thermograph")
		call_portal("helpdesk.api.article.search", self.customer, query="Zollplombenvordruck")
		agent = make_agent()
		call_portal("helpdesk.api.article.search", agent, query="Thermograph")

		shown = self.events(self.customer, SHOWN)
		self.assertEqual([row.search_text for row in shown], ["Thermograph", "Zollplombenvordruck"])
		self.assertEqual(shown[0].article, self.article)
		self.assertEqual(shown[1].hit_count, 0)
		self.assertEqual(self.events(agent, SHOWN), [])

		views = frappe.db.get_value("HD Article", self.article, "views") or 0
		call_portal("helpdesk.api.knowledge_base.increment_views", self.customer, article=self.article)
		call_portal("helpdesk.api.knowledge_base.increment_views", self.customer, article=self.article)
		self.assertEqual(len(self.events(self.customer, OPENED)), 1)
		self.assertEqual(frappe.db.get_value("HD Article", self.article, "views"), views + 1)

		without = ts_kb_searches_without_results.execute({})[1]
		self.assertIn("Zollplombenvordruck", [row.search_text for row in without])

	def test_report_counts_a_ticket_filed_after_opening_and_feedback(self):
		customer = make_contact(make_customer())
		call_portal("techsolutions_support.api.kb.suggest_articles", customer, subject="Thermograph auslesen")
		call_portal("helpdesk.api.knowledge_base.increment_views", customer, article=self.article)
		frappe.get_doc(
			{"doctype": "HD Article Feedback", "user": customer, "article": self.article, "feedback": "2"}
		).insert(ignore_permissions=True)
		file_portal_ticket(customer, "Thermograph lässt sich nicht auslesen")

		_, rows, _, _, summary = ts_kb_deflection.execute({})

		row = next(row for row in rows if row["article"] == self.article)
		self.assertGreaterEqual(row["opened"], 1)
		self.assertGreaterEqual(row["opened_then_ticket"], 1)
		self.assertGreaterEqual(row["not_helpful"], 1)
		self.assertGreaterEqual(row["shown"], 1)
		self.assertIn("Searches", [item["label"] for item in summary])

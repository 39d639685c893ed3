"""Agents link a ticket to the article that solved it, and start an article from a resolved ticket.

The method is called by the name the desk button calls (``factories.call_portal``: whitelist
check and session user as in a request).
"""

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.api.portal import get_ticket
from techsolutions_support.kb.drafts import TicketAlreadyHasArticle, TicketNotResolved
from techsolutions_support.setup.kb import AGENT_TEMPLATE_KB_FIELDS
from techsolutions_support.techsolutions_support.report.ts_kb_deflection import ts_kb_deflection
from techsolutions_support.tests.factories import (
	call_portal,
	file_portal_ticket,
	make_agent,
	make_article,
	make_contact,
	make_customer,
	update_ticket,
)

DRAFT = "techsolutions_support.api.kb.create_article_draft"
PROBLEM = (
	"<p>Guten Tag,</p><p>im Kundenportal fehlt der Lieferschein zur Sendung TS2503110013. "
	"Rückruf bitte unter 0171 2345678 oder an {email}.</p><p>Viele Grüße<br>Test Kontakt</p>"
)
SOLUTION = (
	"<p>Hallo,</p><p>Lieferscheine stehen im Portal unter Dokumente &gt; Belege, sobald der Fahrer "
	"die Zustellung quittiert hat. Bei Fragen: disposition@techsolutions.example.</p>"
	"<p>Mit freundlichen Grüßen<br>Ihr Support</p>"
)


class TestArticleFromTicket(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_contact(make_customer())
		cls.agent = make_agent()

	def setUp(self):
		frappe.set_user("Administrator")

	def resolved_ticket(self, subject="AW: Lieferschein im Portal nicht zu finden"):
		ticket = file_portal_ticket(self.customer, subject, PROBLEM.format(email=self.customer))
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"subject": subject,
				"content": SOLUTION,
				"sender": self.agent,
				"sender_full_name": "Test Agent",
				"reference_doctype": "HD Ticket",
				"reference_name": ticket.name,
			}
		).insert(ignore_permissions=True)
		return update_ticket(ticket.name, status="Resolved")

	def test_a_draft_from_a_resolved_ticket_without_personal_data(self):
		ticket = self.resolved_ticket()

		result = call_portal(DRAFT, self.agent, ticket=ticket.name)

		article = frappe.get_doc("HD Article", result["article"])
		self.assertEqual(article.status, "Draft")
		self.assertEqual(article.title, "Lieferschein im Portal nicht zu finden")
		self.assertEqual(article.author, self.agent)
		self.assertEqual(
			article.category, frappe.db.get_value("HD Article Category", {"category_name": "General"})
		)
		self.assertIn("<h2>Problem</h2><p>im Kundenportal fehlt der Lieferschein", article.content)
		self.assertIn("unter Dokumente &gt; Belege, sobald der Fahrer", article.content)
		for personal in (self.customer, "0171 2345678", "disposition@techsolutions.example", "Kontakt"):
			self.assertNotIn(personal, article.content)
		self.assertNotIn("Viele Grüße", article.content)
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "ts_solved_by_article"), article.name)
		self.assertEqual(result["url"], f"/helpdesk/kb/articles/{article.name}")

		# A second click writes no second draft.
		with self.assertRaises(TicketAlreadyHasArticle):
			call_portal(DRAFT, self.agent, ticket=ticket.name)

	def test_an_open_ticket_is_refused_with_a_clear_message(self):
		ticket = file_portal_ticket(self.customer, "Lieferschein fehlt", "Wo ist er?")

		with self.assertRaises(TicketNotResolved) as refused:
			call_portal(DRAFT, self.agent, ticket=ticket.name)

		self.assertIn(f"Ticket {ticket.name} is still Open", str(refused.exception))
		self.assertFalse(frappe.db.get_value("HD Ticket", ticket.name, "ts_solved_by_article"))

	def test_only_agents_draft_articles(self):
		ticket = self.resolved_ticket()

		with self.assertRaises(frappe.PermissionError):
			call_portal(DRAFT, self.customer, ticket=ticket.name)

		self.assertFalse(frappe.db.get_value("HD Ticket", ticket.name, "ts_solved_by_article"))

	def test_the_method_takes_post_only(self):
		method = frappe.get_attr(DRAFT)

		self.assertEqual(frappe.allowed_http_methods_for_whitelisted_func[method], ["POST"])


class TestSolvedByArticle(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_contact(make_customer())
		cls.agent = make_agent()
		cls.article = make_article("Lieferscheinarchiv im Portal", "<p>Unter Dokumente.</p>").name

	def setUp(self):
		frappe.set_user("Administrator")

	def test_agents_set_it_customers_cannot(self):
		ticket = file_portal_ticket(self.customer, "Lieferschein fehlt", ts_solved_by_article=self.article)
		self.assertFalse(ticket.ts_solved_by_article)

		frappe.set_user(self.customer)
		ticket.reload()
		ticket.ts_solved_by_article = self.article
		ticket.save(ignore_permissions=True)
		frappe.set_user(self.agent)
		kept = frappe.db.get_value("HD Ticket", ticket.name, "ts_solved_by_article")
		ticket.reload()
		ticket.ts_solved_by_article = self.article
		ticket.save()

		self.assertFalse(kept)
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "ts_solved_by_article"), self.article)

	def test_agents_see_it_in_ticket_info_customers_do_not(self):
		ticket = file_portal_ticket(self.customer, "Lieferschein fehlt")
		update_ticket(ticket.name, ts_solved_by_article=self.article)

		shown = frappe.get_all(
			"HD Ticket Template Field",
			filters={"parent": "Default", "fieldname": ("in", AGENT_TEMPLATE_KB_FIELDS)},
			fields=["fieldname", "hide_from_customer"],
		)
		frappe.set_user(self.agent)
		agent_page = get_ticket(ticket.name)

		self.assertEqual(
			[(row.fieldname, row.hide_from_customer) for row in shown], [("ts_solved_by_article", 1)]
		)
		self.assertEqual(agent_page["ts_solved_by_article"], self.article)
		meta = frappe.get_meta("HD Ticket").get_field("ts_solved_by_article")
		self.assertEqual((meta.fieldtype, meta.options), ("Link", "HD Article"))

	def test_the_deflection_report_counts_solved_tickets_per_article(self):
		before = self.solved_in_report()
		for subject in ("Lieferschein fehlt", "Wo finde ich Belege?"):
			ticket = file_portal_ticket(self.customer, subject)
			update_ticket(ticket.name, ts_solved_by_article=self.article, status="Resolved")
		file_portal_ticket(self.customer, "Noch offen")

		row, total = self.solved_in_report()

		self.assertEqual(row, before[0] + 2)
		self.assertEqual(total, before[1] + 2)

	def solved_in_report(self) -> tuple[int, int]:
		_, rows, _, _, summary = ts_kb_deflection.execute({})
		row = next((row for row in rows if row["article"] == self.article), {"solved": 0})
		total = next(item["value"] for item in summary if item["label"] == "Tickets Solved by Articles")
		return row["solved"], total


class TestAgentUiAction(FrappeTestCase):
	def test_the_agent_ui_gets_the_draft_action_customers_do_not(self):
		customer = make_contact(make_customer())
		ticket = file_portal_ticket(customer, "Lieferschein fehlt")

		frappe.set_user(make_agent())
		agent_page = get_ticket(ticket.name)
		frappe.set_user(customer)
		customer_page = get_ticket(ticket.name, is_customer_portal=True)
		frappe.set_user("Administrator")

		self.assertTrue(any("create_article_draft" in script for script in agent_page["_form_script"]))
		self.assertFalse(
			any("create_article_draft" in script for script in customer_page.get("_form_script") or [])
		)

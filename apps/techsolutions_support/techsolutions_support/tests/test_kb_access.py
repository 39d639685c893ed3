"""Draft, archived and internal articles never reach a customer: not in search, not in category
lists or counts, not by name, not through Frappe's own document methods. Guests by setting."""

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.tests.factories import (
	call_portal,
	found,
	make_agent,
	make_article,
	make_article_category,
	make_contact,
	make_customer,
)


class TestWhoSeesWhat(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_contact(make_customer())
		cls.agent = make_agent()
		cls.category = make_article_category()
		cls.public = make_article(
			"Hofeinfahrt Tor Süd", "<p>Die Hofeinfahrt liegt am Tor Süd.</p>", category=cls.category
		).name
		cls.internal = make_article(
			"Nachtdisponentenhandy",
			"<p>Die interne Nummer des Nachtdisponentenhandys.</p>",
			internal=True,
			category=cls.category,
		).name
		cls.draft = make_article(
			"Winterdienstzuschlag",
			"<p>Entwurf zum Winterdienstzuschlag.</p>",
			status="Draft",
			category=cls.category,
		).name
		cls.archived = make_article(
			"Altreifenentsorgung", "<p>Archiv: Altreifenentsorgung am Hof.</p>", status="Archived"
		).name
		cls.hidden = (cls.internal, cls.draft, cls.archived)

	def as_customer(self, cmd: str, **kwargs):
		return call_portal(cmd, self.customer, **kwargs)

	def test_search_never_returns_hidden_articles_to_customers(self):
		for text, article in (
			("Nachtdisponentenhandy", self.internal),
			("Winterdienstzuschlag", self.draft),
			("Altreifenentsorgung", self.archived),
		):
			with self.subTest(text=text):
				self.assertNotIn(article, found(self.as_customer("helpdesk.api.article.search", query=text)))
		self.assertIn(
			self.internal,
			found(call_portal("helpdesk.api.article.search", self.agent, query="Nachtdisponentenhandy")),
		)

	def test_hidden_articles_cannot_be_opened_by_name(self):
		for article in self.hidden:
			for cmd, kwargs in (
				("helpdesk.api.knowledge_base.get_article", {"name": article}),
				("helpdesk.api.knowledge_base.increment_views", {"article": article}),
				("helpdesk.api.article.get_article_stats", {"article_name": article}),
			):
				with self.subTest(article=article, cmd=cmd), self.assertRaises(frappe.PermissionError):
					self.as_customer(cmd, **kwargs)

		self.assertEqual(
			self.as_customer("helpdesk.api.knowledge_base.get_article", name=self.public)["name"], self.public
		)
		self.assertEqual(
			call_portal("helpdesk.api.knowledge_base.get_article", self.agent, name=self.internal)["name"],
			self.internal,
		)

	def test_frappes_document_methods_obey_it_too(self):
		frappe.set_user(self.customer)
		try:
			for article in self.hidden:
				with self.subTest(article=article):
					self.assertFalse(frappe.has_permission("HD Article", "read", article))
			self.assertTrue(frappe.has_permission("HD Article", "read", self.public))
			listed = frappe.get_list(
				"HD Article", filters={"name": ("in", [self.public, *self.hidden])}, pluck="name"
			)
			self.assertEqual(listed, [self.public])
		finally:
			frappe.set_user("Administrator")

	def test_category_lists_and_counts_leave_hidden_articles_out(self):
		categories = {
			row["name"]: row for row in self.as_customer("helpdesk.api.knowledge_base.get_categories")
		}
		self.assertEqual(categories[self.category]["article_count"], 1)
		articles = self.as_customer(
			"helpdesk.api.knowledge_base.get_category_articles", category=self.category
		)
		self.assertEqual([row["name"] for row in articles], [self.public])

		agent_view = {
			row["name"]: row for row in call_portal("helpdesk.api.knowledge_base.get_categories", self.agent)
		}
		self.assertEqual(agent_view[self.category]["article_count"], 2)

	def test_guests_only_where_the_setting_allows(self):
		frappe.db.set_single_value("TS KB Settings", "allow_guest_access", 0)
		with self.assertRaises(frappe.PermissionError):
			call_portal("helpdesk.api.article.search", "Guest", query="Hofeinfahrt")
		with self.assertRaises(frappe.PermissionError):
			call_portal("helpdesk.api.knowledge_base.get_article", "Guest", name=self.public)

		frappe.db.set_single_value("TS KB Settings", "allow_guest_access", 1)
		self.assertIn(
			self.public, found(call_portal("helpdesk.api.article.search", "Guest", query="Hofeinfahrt"))
		)
		self.assertEqual(
			call_portal("helpdesk.api.knowledge_base.get_article", "Guest", name=self.public)["name"],
			self.public,
		)
		with self.assertRaises(frappe.PermissionError):
			call_portal("helpdesk.api.knowledge_base.get_article", "Guest", name=self.internal)
		frappe.db.set_single_value("TS KB Settings", "allow_guest_access", 0)

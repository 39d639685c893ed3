"""Knowledge-base search through Helpdesk's own method names, on the site's plain Redis.

Portal calls go through ``factories.call_portal``: the override of hooks.py, the whitelist
check, the session user, as a request would. Articles use words of their own, so the pilot articles on
the test site never compete with them.
"""

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.kb import index
from techsolutions_support.tests.factories import (
	call_portal,
	found,
	make_agent,
	make_article,
	make_article_category,
	make_contact,
	make_customer,
)

DEPOT = """
<h2>Öffnungszeiten der Rampe</h2>
<p>Die Laderampe an der Dorfstraße 12 in Großbeeren ist werktags von 6 bis 22 Uhr geöffnet.</p>
<h2>Anmeldung am Tor</h2>
<p>Fahrer melden sich mit der Auftragsnummer am Pförtnerhäuschen.</p>
"""


class KBSearchTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_contact(make_customer())
		cls.agent = make_agent()
		cls.depot = make_article("Rampenöffnungszeiten im Zentrallager", DEPOT).name

	def search(self, text: str, user: str | None = None) -> list[dict]:
		return call_portal("helpdesk.api.article.search", user or self.customer, query=text)


class TestGermanSearch(KBSearchTestCase):
	def test_umlauts_sharp_s_compounds_and_typos_find_the_article(self):
		queries = {
			"Dorfstraße": "sharp s as written",
			"Dorfstrasse": "ß written ss",
			"DORFSTRASSE": "upper case",
			"Grossbeeren": "ß written ss in a name",
			"Pfoertnerhaeuschen": "umlauts written oe, ae",
			"Pförtner": "head of a compound",
			"Öffnungszeiten": "tail of a compound",
			"Rampenöffnungszeit": "singular of a compound",
			"Großbeern": "one letter missing",
		}
		for text, why in queries.items():
			with self.subTest(text=text, why=why):
				self.assertIn(self.depot, found(self.search(text))[:3])

	def test_items_have_helpdesks_shape_with_the_matched_heading(self):
		item = self.search("Pförtnerhäuschen")[0]

		self.assertEqual(set(item) - {"score"}, {"id", "name", "subject", "headings", "description"})
		self.assertEqual(item["subject"], "Rampenöffnungszeiten im Zentrallager")
		self.assertEqual(item["headings"], "Anmeldung am Tor")
		self.assertEqual(item["name"], f"{self.depot}#anmeldung-am-tor")
		self.assertIn("<b>Pförtnerhäuschen</b>", item["description"])

	def test_snippet_is_escaped_html(self):
		article = make_article(
			"Kranbahnprüfung",
			"<p>Kranbahnprüfung &lt;script&gt;alert(1)&lt;/script&gt; jährlich.</p>",
		).name

		item = next(item for item in self.search("Kranbahnprüfung") if item["id"] == article)

		self.assertNotIn("<script", item["description"])
		self.assertIn("<b>Kranbahnprüfung</b>", item["description"])

	def test_synonyms_of_helpdesk_and_of_the_app(self):
		article = make_article(
			"Wechselbrückenstellplatz buchen", "<p>Stellplatz für die Wechselbrücke.</p>"
		).name
		frappe.get_doc(
			{"doctype": "HD Synonyms", "word": "Wechselbrücke", "synonyms": [{"synonym": "Swapbody"}]}
		).insert(ignore_permissions=True)

		self.assertIn(article, found(self.search("Swapbody")))
		# From fixtures/search/synonyms_de.json: Lkw, Lastwagen, Lastkraftwagen, ...
		self.assertIn("lastkraftwagen", index.get_index().synonyms["de"].expand("Lkw"))
		truck = make_article("Lastkraftwagen abstellen am Ostkai", "<p>Abstellen am Ostkai.</p>").name
		self.assertIn(truck, found(self.search("Lkw Ostkai")))

	def test_english_articles_are_searched_with_english_rules(self):
		article = make_article(
			"Booking loading slots at the warehouse",
			"<p>Carriers book their loading slots online.</p>",
			language="en",
		).name

		self.assertIn(article, found(self.search("book loading slot")))


class TestPlainRedis(KBSearchTestCase):
	def test_search_works_without_the_redisearch_module(self):
		modules = frappe.cache.execute_command("MODULE", "LIST") or []
		names = {
			str(module[1] if isinstance(module, list) else module.get(b"name", b"")).lower()
			for module in modules
		}
		if any("search" in name for name in names):
			self.skipTest("this Redis has the search module; the test needs one without it")

		self.assertEqual(found(self.search("Großbeeren"))[:1], [self.depot])


class TestIndexFollowsArticles(KBSearchTestCase):
	def test_publish_unpublish_archive_internal_edit_and_delete(self):
		article = make_article(
			"Palettentauschverfahren", "<p>Wie der Palettentausch abläuft.</p>", status="Draft"
		)
		self.assertNotIn(article.name, found(self.search("Palettentauschverfahren")))

		article.status = "Published"
		article.save(ignore_permissions=True)
		self.assertEqual(found(self.search("Palettentauschverfahren"))[:1], [article.name])

		article.status = "Draft"
		article.save(ignore_permissions=True)
		self.assertNotIn(article.name, found(self.search("Palettentauschverfahren")))

		article.status = "Archived"
		article.save(ignore_permissions=True)
		self.assertNotIn(article.name, found(self.search("Palettentauschverfahren")))

		article.status = "Published"
		article.ts_internal = 1
		article.save(ignore_permissions=True)
		self.assertNotIn(article.name, found(self.search("Palettentauschverfahren")))
		self.assertEqual(found(self.search("Palettentauschverfahren", self.agent))[:1], [article.name])

		article.ts_internal = 0
		article.title = "Gitterboxtausch"
		article.content = "<p>Wie Gitterboxen zurückgegeben werden.</p>"
		article.save(ignore_permissions=True)
		self.assertNotIn(article.name, found(self.search("Palettentauschverfahren")))
		self.assertEqual(found(self.search("Gitterboxtausch"))[:1], [article.name])

		article.delete(ignore_permissions=True)
		self.assertNotIn(article.name, found(self.search("Gitterboxtausch", self.agent)))
		self.assertFalse(frappe.db.exists(index.ENTRY, article.name))

	def test_moving_to_another_category_reindexes_without_document_events(self):
		first, second = make_article_category(), make_article_category()
		make_article("Platzhalter", "<p>Bleibt in der ersten Kategorie.</p>", category=first)
		article = make_article("Ladungssicherungsgurte", "<p>Gurte prüfen.</p>", category=first).name

		call_portal(
			"helpdesk.api.knowledge_base.move_to_category",
			"Administrator",
			category=second,
			articles=[article],
		)

		self.assertEqual(frappe.db.get_value(index.ENTRY, article, "category"), second)
		self.assertEqual(index.get_index().index.get(article).category, second)

	def test_another_process_reloads_when_the_version_changes(self):
		loaded = index.get_index()
		self.assertIs(index.get_index(), loaded)

		article = make_article("Sattelaufliegerübergabe", "<p>Übergabe des Aufliegers.</p>").name

		self.assertGreater(index.current_version(), loaded.version)
		self.assertIsNot(index.get_index(), loaded)
		self.assertIn(article, index.get_index().index)

	def test_a_single_change_is_applied_in_place_without_a_full_reload(self):
		article = make_article("Wechselkofferbuchung", "<p>Am Terminal anmelden.</p>", status="Draft")
		index.get_index()

		with patch.object(index, "load_index", wraps=index.load_index) as full_reloads:
			article.status = "Published"
			article.save(ignore_permissions=True)
			published = found(self.search("Wechselkofferbuchung"))[:1]

			article.title = "Containerannahme am Terminal"
			article.save(ignore_permissions=True)
			edited = (found(self.search("Containerannahme")), found(self.search("Wechselkofferbuchung")))

			article.status = "Draft"
			article.save(ignore_permissions=True)
			unpublished = found(self.search("Containerannahme"))

			article.status = "Published"
			article.save(ignore_permissions=True)
			article.delete(ignore_permissions=True)
			deleted = found(self.search("Containerannahme", self.agent))

		self.assertEqual(published, [article.name])
		self.assertIn(article.name, edited[0])
		self.assertNotIn(article.name, edited[1])
		self.assertNotIn(article.name, unpublished)
		self.assertNotIn(article.name, deleted)
		self.assertNotIn(article.name, index.get_index().index)
		self.assertEqual(full_reloads.call_count, 0)

	def test_a_process_further_behind_applies_every_change_since_its_version(self):
		first = make_article("Hubwagenausleihe", "<p>Ausleihe am Tor.</p>").name
		behind = index.get_index()
		behind_version = behind.version
		second = make_article("Rolltorstörung", "<p>Tor klemmt.</p>").name
		frappe.delete_doc("HD Article", first, ignore_permissions=True)

		# Another process still at the older version: it catches up from the change log.
		with patch.object(index, "load_index", wraps=index.load_index) as full_reloads:
			caught_up = index.catch_up(
				index.LoadedIndex(behind_version, behind.index, behind.synonyms), index.current_version()
			)

		self.assertEqual(full_reloads.call_count, 0)
		self.assertIn(second, caught_up.index)
		self.assertNotIn(first, caught_up.index)

	def test_a_rebuild_or_a_version_the_log_no_longer_reaches_reloads_everything(self):
		loaded = index.get_index()

		with patch.object(index, "load_index", wraps=index.load_index) as full_reloads:
			index.rebuild()
			index.get_index()
			index.catch_up(index.LoadedIndex(-5, loaded.index, loaded.synonyms), index.current_version())

		self.assertEqual(full_reloads.call_count, 2)

	def test_rebuild_writes_one_entry_per_article(self):
		count = index.rebuild()

		self.assertEqual(count, frappe.db.count("HD Article"))
		self.assertEqual(frappe.db.count(index.ENTRY), count)
		self.assertEqual(found(self.search("Großbeeren"))[:1], [self.depot])

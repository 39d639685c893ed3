"""The customer portal's view of tickets (/support), on a real site.

Who sees which tickets (an ordinary contact, a manager contact, a contact of another customer),
and what one ticket shows: the next deadline, whom it waits on, the shipment, and a history
without internal comments, rule traces and (when set) agent names.
"""

import re

from werkzeug.test import EnvironBuilder

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, get_datetime, now_datetime

from techsolutions_support.api import customer
from techsolutions_support.api.portal import get_ticket as helpdesk_portal_ticket
from techsolutions_support.core.portal_view import when_text
from techsolutions_support.portal.pages import HelpdeskCustomerRedirect, portal_path_for, respond
from techsolutions_support.portal.render import render
from techsolutions_support.portal.view import aware, list_tickets_for, system_zone, ticket_view
from techsolutions_support.setup.portal import ensure_customer_labels, ensure_portal_settings
from techsolutions_support.tests.factories import (
	file_portal_ticket,
	make_agent,
	make_contact,
	make_customer,
	update_ticket,
)

SETTINGS = "TS Portal Settings"


class PortalViewTestCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		# FrappeTestCase rolls back once per class; each test here undoes its own records.
		frappe.db.savepoint("ts_portal_view")
		self.addCleanup(frappe.db.rollback, save_point="ts_portal_view")
		self.addCleanup(frappe.set_user, "Administrator")
		self.addCleanup(frappe.clear_document_cache, SETTINGS, SETTINGS)
		self.set_hide_agent_names(1)

		self.customer = make_customer("Premium")
		self.contact = make_contact(self.customer)
		self.manager = make_contact(self.customer, is_manager=True)
		self.other_customer = make_customer("Standard")
		self.stranger = make_contact(self.other_customer)

	def set_hide_agent_names(self, value: int) -> None:
		frappe.db.set_single_value(SETTINGS, "hide_agent_names", value)
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	def view_as(self, user: str, name: str, lang: str = "de") -> dict:
		frappe.set_user(user)
		try:
			return ticket_view(name, lang=lang)
		finally:
			frappe.set_user("Administrator")

	def list_as(self, user: str, status: str | None = None, page: int = 1) -> dict:
		frappe.set_user(user)
		try:
			return list_tickets_for(user, page, status, lang="de")
		finally:
			frappe.set_user("Administrator")

	def change(self, ticket: str, **values) -> None:
		"""Save changes as the agent UI does, with their Version (tests skip it by default)."""
		doc = frappe.get_doc("HD Ticket", ticket)
		doc.update(values)
		doc.save(ignore_permissions=True, ignore_version=False)

	def page_as(self, user: str, path: str, form: dict | None = None) -> str:
		"""The HTML of a /support page (portal/pages.py) as `user` sees it."""
		frappe.set_user(user)
		previous = frappe.local.form_dict
		frappe.local.form_dict = frappe._dict(form or {})
		try:
			return respond(path).body
		finally:
			frappe.local.form_dict = previous
			frappe.set_user("Administrator")

	def agent_message(self, ticket: str, agent: str, text: str) -> None:
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"reference_doctype": "HD Ticket",
				"reference_name": ticket,
				"subject": "Re",
				"sender": agent,
				"user": agent,
				"content": f"<p>{text}</p>",
			}
		).insert(ignore_permissions=True)

	def delivery(self, customer: str | None, **values) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "TS Delivery",
				"tracking_number": f"TSV{frappe.generate_hash(length=8).upper()}",
				"customer": customer,
				**values,
			}
		)
		return doc.insert(ignore_permissions=True).name


class TestWhoSeesWhich(PortalViewTestCase):
	def test_contact_manager_and_stranger(self):
		own = file_portal_ticket(self.contact, "Eigene Anfrage").name
		colleague = file_portal_ticket(self.manager, "Anfrage der Kollegin").name
		foreign = file_portal_ticket(self.stranger, "Fremde Anfrage").name

		def names(user):
			return {row["name"] for row in self.list_as(user)["tickets"]}

		self.assertIn(own, names(self.contact))
		self.assertNotIn(colleague, names(self.contact))
		self.assertNotIn(foreign, names(self.contact))
		self.assertTrue({own, colleague} <= names(self.manager))
		self.assertNotIn(foreign, names(self.manager))
		self.assertEqual(names(self.stranger) & {own, colleague}, set())
		self.assertIn(foreign, names(self.stranger))

	def test_api_answers_not_found_alike_for_foreign_and_missing_tickets(self):
		own = file_portal_ticket(self.contact, "Eigene Anfrage").name
		frappe.set_user(self.stranger)
		with self.assertRaises(customer.TicketNotFoundError):
			customer.get_ticket(own)
		with self.assertRaises(customer.TicketNotFoundError):
			customer.get_ticket("999999999")
		with self.assertRaises(customer.TicketNotFoundError):
			customer.reply(own, "Hallo")
		frappe.set_user(self.manager)
		self.assertEqual(customer.get_ticket(own)["name"], own)

	def test_open_first_then_filter(self):
		first = file_portal_ticket(self.contact, "Erste").name
		second = file_portal_ticket(self.contact, "Zweite").name
		update_ticket(first, status="Resolved")

		rows = [row["name"] for row in self.list_as(self.contact)["tickets"]]
		self.assertLess(rows.index(second), rows.index(first))
		closed = [row["name"] for row in self.list_as(self.contact, "closed")["tickets"]]
		self.assertEqual(closed, [first])
		opened = [row["name"] for row in self.list_as(self.contact, "open")["tickets"]]
		self.assertEqual(opened, [second])

	def test_pages_of_twenty(self):
		for index in range(21):
			file_portal_ticket(self.contact, f"Anfrage {index}")
		first = self.list_as(self.contact)
		self.assertEqual(len(first["tickets"]), 20)
		self.assertTrue(first["has_more"])
		second = self.list_as(self.contact, page=2)
		self.assertEqual(len(second["tickets"]), 1)
		self.assertFalse(second["has_more"])

		html = self.page_as(self.contact, "support", {"status": "all"})
		self.assertEqual(html.count('class="ts-card ts-row"'), 20)
		self.assertIn("/support?status=all&page=2", html)
		html = self.page_as(self.contact, "support", {"status": "all", "page": "2"})
		self.assertEqual(html.count('class="ts-card ts-row"'), 1)
		self.assertIn("/support?status=all&page=1", html)

		# A page far beyond the last is empty, not an error, however large its number.
		html = self.page_as(self.contact, "support", {"status": "all", "page": "99999999999999999999"})
		self.assertEqual(html.count('class="ts-card ts-row"'), 0)
		frappe.set_user(self.contact)
		self.assertEqual(customer.list_tickets(page="99999999999999999999")["tickets"], [])
		frappe.set_user("Administrator")

	def test_each_row_shows_its_newest_message(self):
		agent = make_agent()
		answered = file_portal_ticket(self.contact, "Mit Antwort").name
		unanswered = file_portal_ticket(self.contact, "Ohne Antwort").name
		self.agent_message(answered, agent, "Erste Antwort")
		self.agent_message(answered, agent, "Zweite Antwort")
		messages = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "HD Ticket", "reference_name": answered},
			fields=["name", "content"],
		)
		# Written in this order, an hour apart; anything else on the ticket (its filing) before them.
		for message in messages:
			hours = -1 if "Zweite" in message.content else -2 if "Erste" in message.content else -3
			frappe.db.set_value(
				"Communication", message.name, "communication_date", add_to_date(now_datetime(), hours=hours)
			)
		# Helpdesk's automatic acknowledgements are no activity of anyone.
		automated = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Automated Message",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"reference_doctype": "HD Ticket",
				"reference_name": answered,
				"subject": "Auto",
				"content": "<p>Automatische Bestätigung</p>",
				"communication_date": add_to_date(now_datetime(), hours=1),
			}
		).insert(ignore_permissions=True)
		self.assertTrue(automated.name)

		rows = {row["name"]: row for row in self.list_as(self.contact)["tickets"]}
		self.assertIn("Zweite Antwort", rows[answered]["last_activity"]["text"])
		# A ticket nobody answered yet: the customer's own message is its newest.
		self.assertEqual(rows[unanswered]["last_activity"]["kind"], "customer_message")

	def test_the_all_tab_is_a_filter_the_api_accepts(self):
		file_portal_ticket(self.contact, "Offen")
		closed = file_portal_ticket(self.contact, "Erledigt")
		self.change(closed.name, status="Closed")
		frappe.set_user(self.contact)
		everything = customer.list_tickets(status="all")
		self.assertEqual(everything, customer.list_tickets())
		self.assertEqual(len(everything["tickets"]), 2)

	def test_unknown_filter_is_refused(self):
		frappe.set_user(self.contact)
		with self.assertRaises(frappe.ValidationError):
			customer.list_tickets(status="everything")


class TestTicketView(PortalViewTestCase):
	def test_open_ticket_promises_a_first_answer(self):
		ticket = file_portal_ticket(self.contact, "LKW steht")
		self.assertTrue(ticket.response_by)

		view = self.view_as(self.contact, ticket.name)
		deadline = aware(ticket.response_by, system_zone())
		self.assertEqual(view["status"]["kind"], "received")
		self.assertEqual(view["waiting_on"]["party"], "support")
		self.assertEqual(view["deadline"]["kind"], "response")
		self.assertEqual(view["deadline"]["at"], deadline.isoformat())
		now = aware(now_datetime(), system_zone())
		style = "since" if deadline < now else "by"
		words = when_text(deadline, now, system_zone(), "de", style)
		self.assertIn(words, view["deadline"]["text"])
		self.assertTrue(view["deadline"]["text"].startswith("Antwort"))
		self.assertEqual(self.view_as(self.contact, ticket.name, "en")["status"]["text"], "Received")

	def test_waiting_on_a_named_carrier_stops_the_clock(self):
		ticket = file_portal_ticket(self.contact, "Sendung fehlt").name
		update_ticket(ticket, status="Waiting on Carrier", ts_carrier="Spedition Krause")

		view = self.view_as(self.contact, ticket)
		self.assertEqual(view["status"]["text"], "Wartet auf den Spediteur")
		self.assertEqual(view["waiting_on"]["party"], "carrier")
		self.assertEqual(view["waiting_on"]["carrier"], "Spedition Krause")
		self.assertEqual(view["deadline"]["kind"], "stopped")
		self.assertEqual(
			view["deadline"]["text"],
			"Frist angehalten, solange wir auf den Spediteur Spedition Krause warten",
		)

	def test_shipment_of_the_customer_with_eta_and_delay(self):
		synced = now_datetime()
		planned = add_to_date(synced, hours=3)
		delivery = self.delivery(
			self.customer,
			status="Delayed",
			planned_eta=planned,
			current_eta=add_to_date(planned, minutes=45),
			delay_minutes=45,
			last_synced_at=synced,
		)
		ticket = file_portal_ticket(self.contact, "Wo bleibt die Sendung?").name
		update_ticket(ticket, ts_delivery=delivery)

		shipment = self.view_as(self.contact, ticket)["shipment"]
		self.assertEqual(shipment["tracking_number"], delivery)
		self.assertEqual(shipment["headline"], "Verspätet")
		self.assertEqual(shipment["delay_minutes"], 45)
		self.assertEqual(shipment["delay_text"], "45 Min. Verspätung")
		self.assertTrue(shipment["eta_text"].startswith("Erwartet "))

	def test_shipment_delay_unknown_and_not_synced(self):
		unknown = self.delivery(
			self.customer,
			status="In Transit",
			planned_eta=add_to_date(now_datetime(), hours=2),
			last_synced_at=now_datetime(),
		)
		never = self.delivery(self.customer, status="Planned")
		first = file_portal_ticket(self.contact, "Sendung 1").name
		second = file_portal_ticket(self.contact, "Sendung 2").name
		update_ticket(first, ts_delivery=unknown)
		update_ticket(second, ts_delivery=never)

		shipment = self.view_as(self.contact, first)["shipment"]
		self.assertIsNone(shipment["delay_minutes"])
		self.assertEqual(shipment["delay_text"], "Verspätung nicht bekannt")
		self.assertEqual(self.view_as(self.contact, second)["shipment"]["state"], "not_synced")

	def test_delivered_with_proof(self):
		delivered = get_datetime("2026-03-10 14:05:00")
		delivery = self.delivery(
			self.customer,
			status="Delivered",
			delivered_at=delivered,
			proof_of_delivery="Unterschrift M. Weber",
			last_synced_at=delivered,
		)
		ticket = file_portal_ticket(self.contact, "Zugestellt?").name
		update_ticket(ticket, ts_delivery=delivery)

		shipment = self.view_as(self.contact, ticket)["shipment"]
		self.assertEqual(shipment["headline"], "Zugestellt")
		self.assertIn("14:05", shipment["delivered_text"])
		self.assertEqual(shipment["proof_text"], "Zustellnachweis: Unterschrift M. Weber")

	def test_shipment_of_another_customer_or_of_nobody_stays_hidden(self):
		foreign = self.delivery(self.other_customer, status="In Transit", last_synced_at=now_datetime())
		# Synced from a route plan, with nobody's name on it: a number typed in opens nothing.
		unclaimed = self.delivery(
			None, status="Delivered", proof_of_delivery="POD-4711", last_synced_at=now_datetime()
		)
		for delivery in (foreign, unclaimed):
			ticket = file_portal_ticket(self.contact, "Wo ist die Sendung?").name
			update_ticket(ticket, ts_delivery=delivery)
			self.assertIsNone(self.view_as(self.contact, ticket)["shipment"], delivery)
			for page in (
				self.page_as(self.contact, f"support/ticket/{ticket}"),
				self.page_as(self.contact, "support", {"status": "all"}),
			):
				self.assertNotIn(delivery, page)
				self.assertNotIn("data-shipment", page)
				self.assertNotIn("POD-4711", page)

	def test_shipment_on_the_customers_own_vehicle_is_shown(self):
		vehicle = frappe.get_doc(
			{
				"doctype": "TS Vehicle",
				"vin": f"WDB{frappe.generate_hash(length=14).upper()}",
				"plate": f"B-TV {frappe.generate_hash(length=4).upper()}",
				"customer": self.customer,
			}
		).insert(ignore_permissions=True)
		delivery = self.delivery(
			self.other_customer,
			status="Delivered",
			delivered_at=now_datetime(),
			proof_of_delivery="Unterschrift B. Sauerland",
			vehicle=vehicle.name,
			last_synced_at=now_datetime(),
		)
		ticket = file_portal_ticket(self.contact, "Unser LKW hat eine Panne").name
		update_ticket(ticket, ts_delivery=delivery)
		shipment = self.view_as(self.contact, ticket)["shipment"]
		self.assertEqual(shipment["tracking_number"], delivery)
		self.assertEqual(shipment["headline"], "Zugestellt")
		# Who signed for another shipper's delivery stays with that shipper.
		self.assertFalse(shipment["proof_text"])

	def test_timeline_hides_internal_things_and_agent_names(self):
		agent = make_agent()
		user = frappe.get_doc("User", agent)
		user.update({"first_name": "Gerda", "last_name": "Geheimagentin"})
		user.save(ignore_permissions=True)
		ticket = file_portal_ticket(self.contact, "Panne A2", "<p>Unser LKW steht.</p>").name
		self.assertTrue(frappe.db.exists("TS Priority Trace", {"ticket": ticket}))
		trace = frappe.db.get_value("TS Priority Trace", {"ticket": ticket}, "explanation")
		frappe.get_doc(
			{
				"doctype": "HD Ticket Comment",
				"reference_doctype": "HD Ticket",
				"reference_ticket": ticket,
				"commented_by": agent,
				"content": "<p>INTERN: Kunde zahlt schlecht</p>",
			}
		).insert(ignore_permissions=True)
		self.agent_message(ticket, agent, "Wir kümmern uns.")
		self.change(ticket, status="Replied", priority="Low")

		view = self.view_as(self.contact, ticket)
		kinds = [event["kind"] for event in view["timeline"]]
		texts = " ".join(f"{event['who']} {event['text']}" for event in view["timeline"])
		self.assertEqual(kinds[0], "created")
		self.assertIn("agent_message", kinds)
		self.assertIn("Status: Wartet auf Ihre Antwort", texts)
		self.assertIn("Support-Team", texts)
		self.assertIn("Wir kümmern uns.", texts)
		for hidden in ("INTERN", "Geheimagentin", "Gerda", "Low"):
			self.assertNotIn(hidden, texts)
		if trace:
			self.assertNotIn(trace, texts)
		self.assertTrue(set(kinds) <= {"created", "status", "customer_message", "agent_message"})

		self.set_hide_agent_names(0)
		view = self.view_as(self.contact, ticket)
		agents = [event["who"] for event in view["timeline"] if event["kind"] == "agent_message"]
		self.assertEqual(agents, ["Gerda Geheimagentin"])

	def test_customer_reply_goes_through_helpdesk(self):
		ticket = file_portal_ticket(self.contact, "Rückfrage").name
		update_ticket(ticket, status="Replied")

		frappe.set_user(self.contact)
		self.assertEqual(customer.reply(ticket, "Hier die Nummer:\nTS-4711")["name"], ticket)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket, "status"), "Open")
		view = self.view_as(self.contact, ticket)
		self.assertEqual(view["waiting_on"]["party"], "support")
		mine = [event for event in view["timeline"] if event["kind"] == "customer_message"]
		self.assertEqual(mine[-1]["who"], "Sie")
		self.assertEqual(mine[-1]["text"], "Hier die Nummer:\nTS-4711")

	def test_pages_escape_what_customers_and_agents_wrote(self):
		agent = make_agent()
		ticket = file_portal_ticket(
			self.contact, 'Preis & "Angebot"', "<p>&lt;script&gt;x()&lt;/script&gt;</p>"
		).name
		self.agent_message(ticket, agent, "&lt;b onclick=alert(2)&gt;ok&lt;/b&gt;")

		view = self.view_as(self.contact, ticket)
		ticket_html = self.page_as(self.contact, f"support/ticket/{ticket}")
		for html in (
			ticket_html,
			# As the tracking page renders the partial, on its own.
			render("templates/ts_portal/ticket_view.html", {"view": view}),
		):
			self.assertNotIn("<script>x()", html)
			self.assertNotIn("<b onclick", html)
			self.assertIn("&lt;script&gt;x()&lt;/script&gt;", html)
			self.assertIn("Preis &amp; &#34;Angebot&#34;", html)
		self.assertIn("Preis &amp; &#34;Angebot&#34;", self.page_as(self.contact, "support"))

		# A subject with markup reads as typed, escaped once (Frappe stores "<" escaped).
		marked = file_portal_ticket(self.contact, "Kiste <b>fett</b> kaputt").name
		for html in (
			self.page_as(self.contact, f"support/ticket/{marked}"),
			self.page_as(self.contact, "support"),
		):
			self.assertIn("Kiste &lt;b&gt;fett&lt;/b&gt; kaputt", html)
			self.assertNotIn("<b>fett", html)

	def test_a_language_the_portal_does_not_speak_reads_english_throughout(self):
		previous = frappe.local.lang
		self.addCleanup(setattr, frappe.local, "lang", previous)
		frappe.local.lang = "fr"
		html = self.page_as(self.contact, "support")
		self.assertIn('<html lang="en">', html)
		# Frappe's own French words for the same labels do not come in.
		self.assertIn(">Settings<", html)
		self.assertNotIn("Paramètres", html)

	def test_ticket_page_of_another_customer_is_not_found(self):
		ticket = file_portal_ticket(self.contact, "Eigene Anfrage").name
		foreign = self.page_as(self.stranger, f"support/ticket/{ticket}")
		missing = self.page_as(self.stranger, "support/ticket/999999999")
		# The portal's own page, the same for both (but the token a test session makes anew for
		# each page), with the way back to the list.
		token = re.compile(r'name="csrf-token" content="[^"]*"')
		self.assertEqual(token.sub("", foreign), token.sub("", missing))
		self.assertIn('id="ts-not-found"', foreign)
		self.assertIn('href="/support"', foreign)
		self.assertNotIn("Eigene Anfrage", foreign)

	def test_empty_reply_is_refused(self):
		ticket = file_portal_ticket(self.contact, "Rückfrage").name
		frappe.set_user(self.contact)
		with self.assertRaises(customer.InvalidReplyError):
			customer.reply(ticket, "   ")

	def test_helpdesk_portal_call_carries_the_customer_view(self):
		agent = make_agent()
		ticket = file_portal_ticket(self.contact, "Helpdesk-Portal").name
		frappe.set_user(self.contact)
		data = helpdesk_portal_ticket(ticket, is_customer_portal=True)
		self.assertEqual(data["ts_customer_view"]["name"], ticket)
		self.assertIn("deadline", data["ts_customer_view"])
		frappe.set_user(agent)
		self.assertNotIn("ts_customer_view", helpdesk_portal_ticket(ticket))


class TestPortalSetup(PortalViewTestCase):
	def test_defaults_saved_where_never_saved(self):
		frappe.db.delete("Singles", {"doctype": SETTINGS})
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "hide_agent_names"), 0)

		ensure_portal_settings()
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "hide_agent_names"), 1)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "max_upload_mb"), 10)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "tracking_link_minutes"), 30)

	def test_an_admins_choice_is_kept(self):
		self.set_hide_agent_names(0)
		ensure_portal_settings()
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "hide_agent_names"), 0)

	def test_customer_labels_of_the_pause_statuses(self):
		frappe.db.set_value("HD Ticket Status", "Waiting on Parts", "label_customer", None)
		frappe.db.set_value("HD Ticket Status", "Waiting on Carrier", "label_customer", "Beim Spediteur")
		ensure_customer_labels()
		self.assertEqual(
			frappe.db.get_value("HD Ticket Status", "Waiting on Parts", "label_customer"),
			"Waiting for spare parts",
		)
		self.assertEqual(
			frappe.db.get_value("HD Ticket Status", "Waiting on Carrier", "label_customer"), "Beim Spediteur"
		)


class TestHelpdeskPortalRedirect(PortalViewTestCase):
	"""Customers who open Helpdesk's own portal land on the matching page under /support."""

	def opened_as(self, user: str, path: str):
		"""The renderer's answer to `path` for `user`: a response, or None where Helpdesk answers."""
		frappe.set_user(user)
		frappe.local.request = EnvironBuilder(path=path).get_request()
		self.addCleanup(setattr, frappe.local, "request", None)
		renderer = HelpdeskCustomerRedirect("helpdesk")
		return renderer.render() if renderer.can_render() else None

	def test_helpdesk_pages_map_to_the_portals(self):
		self.assertEqual(portal_path_for("/helpdesk"), "/support")
		self.assertEqual(portal_path_for("/helpdesk/my-tickets"), "/support")
		self.assertEqual(portal_path_for("/helpdesk/my-tickets/0042"), "/support/ticket/0042")
		self.assertEqual(portal_path_for("/helpdesk/tickets/42"), "/support/ticket/42")
		self.assertEqual(portal_path_for("/helpdesk/my-tickets/new"), "/support/new")
		self.assertEqual(portal_path_for("/helpdesk/my-tickets/new/"), "/support/new")
		self.assertIsNone(portal_path_for("/helpdesk/kb-public"))
		self.assertIsNone(portal_path_for("/helpdesk/kb-public/articles/7"))

	def test_a_customer_is_sent_to_the_portal(self):
		ticket = file_portal_ticket(self.contact, "Eigene Anfrage").name
		response = self.opened_as(self.contact, f"/helpdesk/my-tickets/{ticket}")
		self.assertEqual(response.status_code, 302)
		self.assertEqual(response.headers["Location"], f"/support/ticket/{ticket}")
		self.assertEqual(self.opened_as(self.contact, "/helpdesk").headers["Location"], "/support")

	def test_agents_the_knowledge_base_and_guests_stay_with_helpdesk(self):
		self.assertIsNone(self.opened_as(make_agent(), "/helpdesk/my-tickets"))
		self.assertIsNone(self.opened_as(self.contact, "/helpdesk/kb-public"))
		self.assertIsNone(self.opened_as("Guest", "/helpdesk/my-tickets"))

	def test_the_setting_keeps_customers_on_helpdesks_portal(self):
		frappe.db.set_single_value(SETTINGS, "send_customers_here", 0)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.assertIsNone(self.opened_as(self.contact, "/helpdesk/my-tickets"))

"""The main job on a real site: a ticket arrives prioritised, explained, and on its tier's SLA."""

from datetime import datetime

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_datetime, now_datetime

from techsolutions_support.api.portal import get_ticket, new_ticket
from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.tests.factories import (
	file_portal_ticket,
	make_agent,
	make_contact,
	make_customer,
)


class TicketTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# Rules and priorities are cached across requests; the class transaction is rolled back.
		cls.addClassCleanup(clear_ruleset_cache)

	def setUp(self):
		frappe.set_user("Administrator")


class TestPortalTicketPriority(TicketTestCase):
	def test_breakdown_of_a_premium_customer_is_urgent_and_explained(self):
		contact = make_contact(make_customer("Premium"))

		ticket = file_portal_ticket(
			contact,
			"LKW liegengeblieben",
			"Unser LKW B-TS 1004 steht mit einer Panne auf der A2.",
			ticket_type="Panne",
		)

		self.assertEqual(ticket.priority, "Urgent")
		self.assertEqual(ticket.ts_tier, "Premium")
		self.assertEqual(ticket.ts_channel, "portal")
		self.assertTrue(ticket.ts_priority_rule)
		self.assertNotIn(ticket.ts_priority_rule, ("default", "Agent"))
		self.assertIn(ticket.ts_priority_rule, ticket.ts_priority_reason)

	def test_keywords_match_regardless_of_case_and_umlauts(self):
		contact = make_contact(make_customer("Business"))

		spelled = file_portal_ticket(contact, "KUEHLKETTENUNTERBRECHUNG im Auflieger", "Temperatur zu hoch")
		umlaut = file_portal_ticket(contact, "Kühlkette unterbrochen", "Temperatur zu hoch")

		self.assertEqual(spelled.priority, "Urgent")
		self.assertEqual(umlaut.priority, "Urgent")

	def test_a_billing_question_stays_low_or_medium(self):
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(
			contact, "Frage zur Rechnung 2026-1187", "Bitte Gutschrift prüfen.", ticket_type="Rechnung"
		)

		self.assertIn(ticket.priority, ("Low", "Medium"))

	def test_the_customers_answers_decide_through_the_matrix(self):
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(
			contact,
			"Abholung heute nicht möglich",
			"Unser Lager ist blockiert.",
			ticket_type="Sonstiges",
			ts_impact="Operations stopped or safety at risk",
			ts_urgency="Needed within hours",
		)

		self.assertEqual((ticket.priority, ticket.ts_priority_rule), ("Urgent", "matrix"))

	def test_a_customer_cannot_set_the_priority(self):
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(
			contact,
			"Frage zur Rechnung",
			"Bitte Rechnung erneut senden.",
			ticket_type="Rechnung",
			priority="Urgent",
		)

		self.assertNotEqual(ticket.priority, "Urgent")
		self.assertFalse(ticket.ts_priority_locked)
		self.assertIn("ignored", ticket.ts_priority_reason)

	def test_a_customer_cannot_raise_the_priority_later(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, "Frage zur Rechnung", "Bitte Rechnung erneut senden.", ticket_type="Rechnung"
		)
		before = ticket.priority

		frappe.set_user(contact)
		ticket.reload()
		ticket.priority = "Urgent"
		ticket.save(ignore_permissions=True)
		frappe.set_user("Administrator")

		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "priority"), before)

	def test_contact_without_customer_gets_the_default_tier(self):
		contact = make_contact()

		ticket = file_portal_ticket(contact, "Zugang gesperrt", "Ich kann mich nicht anmelden.")

		self.assertFalse(ticket.customer)
		self.assertEqual(ticket.ts_tier, "Standard")
		self.assertEqual(ticket.sla, "SLA Standard")
		self.assertTrue(ticket.priority)

	def test_customer_without_tier_gets_the_default_tier(self):
		contact = make_contact(make_customer(tier=None))

		ticket = file_portal_ticket(contact, "Lieferung fehlt", "Die Lieferung ist nicht angekommen.")

		self.assertEqual(ticket.ts_tier, "Standard")
		self.assertEqual(ticket.sla, "SLA Standard")

	def test_without_any_default_tier_the_ticket_still_saves_on_helpdesk_default(self):
		frappe.db.set_value("TS Customer Tier", {"is_default": 1}, "is_default", 0)
		contact = make_contact()

		ticket = file_portal_ticket(contact, "Zugang gesperrt", "Ich kann mich nicht anmelden.")

		self.assertFalse(ticket.ts_tier)
		self.assertTrue(ticket.priority)
		self.assertTrue(ticket.name)


class TestAgentOverride(TicketTestCase):
	def test_agent_priority_sticks_and_rules_do_not_undo_it(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, "Frage zur Rechnung", "Bitte Rechnung senden.", ticket_type="Rechnung"
		)
		agent = make_agent()

		frappe.set_user(agent)
		ticket.priority = "High"
		ticket.save()
		ticket.subject = "Frage zur Rechnung, bitte schnell"
		ticket.save()
		frappe.set_user("Administrator")

		ticket.reload()
		self.assertEqual(ticket.priority, "High")
		self.assertTrue(ticket.ts_priority_locked)
		self.assertEqual(ticket.ts_priority_rule, "Agent")
		self.assertIn(agent, ticket.ts_priority_reason)

	def test_only_a_manager_releases_the_override(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, "Frage zur Rechnung", "Bitte Rechnung senden.", ticket_type="Rechnung"
		)
		agent, manager = make_agent(), make_agent("Agent Manager")
		frappe.set_user(agent)
		ticket.priority = "Urgent"
		ticket.save()

		# An agent's attempt to release is dropped by field permissions; a manager's is applied.
		ticket.ts_priority_locked = 0
		ticket.save()
		self.assertTrue(frappe.db.get_value("HD Ticket", ticket.name, "ts_priority_locked"))

		frappe.set_user(manager)
		ticket.reload()
		ticket.ts_priority_locked = 0
		ticket.save()
		frappe.set_user("Administrator")

		self.assertNotEqual(ticket.ts_priority_rule, "Agent")
		self.assertIn(ticket.priority, ("Low", "Medium"))

	def test_releasing_without_the_manager_role_is_refused_even_without_field_checks(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, "Frage zur Rechnung", "Bitte Rechnung senden.", ticket_type="Rechnung"
		)
		agent = make_agent()
		frappe.set_user(agent)
		ticket.priority = "Urgent"
		ticket.save()

		ticket.ts_priority_locked = 0
		self.assertRaises(frappe.PermissionError, ticket.save, ignore_permissions=True)

	def test_agent_creating_a_ticket_with_a_priority_keeps_it(self):
		agent = make_agent()
		customer = make_customer("Standard")

		frappe.set_user(agent)
		ticket = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": "Rückruf gewünscht",
				"description": "Telefonat",
				"priority": "High",
				"customer": customer,
			}
		).insert()
		frappe.set_user("Administrator")

		self.assertEqual(ticket.priority, "High")
		self.assertTrue(ticket.ts_priority_locked)
		self.assertEqual(ticket.ts_channel, "agent")


class TestReevaluation(TicketTestCase):
	def traces(self, ticket) -> list:
		return frappe.get_all(
			"TS Priority Trace",
			filters={"ticket": ticket},
			fields=["trigger", "priority_before", "priority_after", "decided_by"],
			order_by="creation asc",
		)

	def test_creation_leaves_a_trace_with_the_matching_rules(self):
		contact = make_contact(make_customer("Business"))

		ticket = file_portal_ticket(contact, "Unfall auf der A7", "Auflieger umgekippt.", ticket_type="Panne")

		(trace,) = self.traces(ticket.name)
		self.assertEqual((trace.trigger, trace.priority_after), ("Created", "Urgent"))
		details = frappe.parse_json(
			frappe.db.get_value("TS Priority Trace", {"ticket": ticket.name}, "details")
		)
		self.assertIn(ticket.ts_priority_rule, [entry["rule"] for entry in details])

	def test_tags_the_rules_add_are_saved_and_indexed(self):
		contact = make_contact(make_customer("Business"))

		ticket = file_portal_ticket(
			contact, "Unfall auf der A7", "Kühlkette unterbrochen.", ticket_type="Panne"
		)

		tags = set(
			filter(None, (frappe.db.get_value("HD Ticket", ticket.name, "_user_tags") or "").split(","))
		)
		self.assertEqual(tags, {"Sicherheit/Stillstand", "Kühlkette"})
		linked = frappe.get_all("Tag Link", filters={"document_name": ticket.name}, pluck="tag")
		self.assertEqual(set(linked), tags)

	def test_a_change_to_a_field_the_rules_read_runs_them_again(self):
		contact = make_contact(make_customer("Business"))
		ticket = file_portal_ticket(
			contact, "Frage zur Lieferung", "Wann kommt die Ware?", ticket_type="Sonstiges"
		)
		self.assertEqual(ticket.priority, "Low")

		ticket.reload()
		ticket.subject = "LKW liegengeblieben, Fahrer verletzt"
		ticket.save()

		self.assertEqual(ticket.priority, "Urgent")
		self.assertEqual([t.trigger for t in self.traces(ticket.name)], ["Created", "Field Changed"])

	def test_a_change_to_an_unrelated_field_does_not(self):
		contact = make_contact(make_customer("Business"))
		ticket = file_portal_ticket(
			contact, "Frage zur Lieferung", "Wann kommt die Ware?", ticket_type="Sonstiges"
		)
		reason = ticket.ts_priority_reason

		ticket.reload()
		ticket.feedback_extra = "unrelated"
		ticket.save()

		self.assertEqual(ticket.ts_priority_reason, reason)
		self.assertEqual(len(self.traces(ticket.name)), 1)


class TestClockOperands(TicketTestCase):
	def rule(self, name: str, row: tuple, action: tuple) -> None:
		field, operator, value = row
		frappe.get_doc(
			{
				"doctype": "TS Priority Rule",
				"rule_name": name,
				"rule_order": 950,
				"conditions": [
					{"group_no": 1, "condition_field": field, "operator": operator, "condition_value": value}
				],
				"actions": [{"action_type": action[0], "action_value": action[1]}],
			}
		).insert()
		clear_ruleset_cache()

	def test_outside_business_hours_is_an_operand(self):
		self.rule(
			"Test Außerhalb", ("in_business_hours", "is", "0"), ("Add tag", "Außerhalb der Geschäftszeit")
		)
		contact = make_contact(make_customer("Standard"))

		# Saturday 12 December 2026: the Standard calendar (Mon-Fri) is closed.
		with self.freeze_time("2026-12-12 10:00:00"):
			weekend = file_portal_ticket(contact, "Frage zur Abholung", "Wann?", ticket_type="Sonstiges")
		with self.freeze_time("2026-12-14 10:00:00"):
			monday = file_portal_ticket(contact, "Frage zur Abholung", "Wann?", ticket_type="Sonstiges")

		tags = lambda name: frappe.db.get_value("HD Ticket", name, "_user_tags") or ""  # noqa: E731
		self.assertIn("Außerhalb der Geschäftszeit", tags(weekend.name))
		self.assertNotIn("Außerhalb der Geschäftszeit", tags(monday.name))

	def test_the_age_of_a_ticket_is_an_operand(self):
		self.rule("Test Alt", ("age_hours", "is at least", "48"), ("Set priority", "Urgent"))
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(contact, "Frage zur Abholung", "Wann?", ticket_type="Sonstiges")
		self.assertEqual(ticket.priority, "Low")

		frappe.db.set_value(
			"HD Ticket", ticket.name, "creation", add_days(now_datetime(), -3), update_modified=False
		)
		ticket.reload()
		ticket.subject = "Frage zur Abholung, bitte antworten"
		ticket.save()

		self.assertEqual((ticket.priority, ticket.ts_priority_rule), ("Urgent", "Test Alt"))


class TestChannels(TicketTestCase):
	def test_an_email_ticket_is_prioritised_like_a_portal_ticket(self):
		contact = make_contact(make_customer("Premium"))
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "Test Support",
				"email_id": "support-test@test.example",
			}
		).insert(ignore_permissions=True)

		ticket = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": "Kühlkettenunterbrechung bei Sendung TS0000012345",
				"description": "Temperaturalarm im Auflieger.",
				"raised_by": contact,
				"email_account": account.name,
			}
		).insert(ignore_permissions=True)

		self.assertEqual(ticket.ts_channel, "email")
		self.assertEqual(ticket.ts_tier, "Premium")
		self.assertEqual(ticket.priority, "Urgent")

	def test_an_api_ticket_of_an_integration_user_is_prioritised_and_cannot_set_priority(self):
		customer = make_customer("Standard")
		integration = make_contact(customer)
		frappe.set_user(integration)
		try:
			ticket = frappe.get_doc(
				{
					"doctype": "HD Ticket",
					"subject": "Rechnung 2026-77 doppelt",
					"description": "Bitte prüfen.",
					"ticket_type": "Rechnung",
					"priority": "Urgent",
				}
			).insert()
		finally:
			frappe.set_user("Administrator")

		self.assertEqual(ticket.ts_channel, "api")
		self.assertEqual(ticket.priority, "Low")
		self.assertIn("ignored", ticket.ts_priority_reason)


class TestDerivedFields(TicketTestCase):
	def test_a_customer_cannot_choose_tier_vehicle_or_channel(self):
		contact = make_contact(make_customer("Standard"))
		vehicle = frappe.get_all("TS Vehicle", pluck="name", limit=1)

		ticket = file_portal_ticket(
			contact,
			"Frage zur Rechnung",
			"Bitte prüfen.",
			ticket_type="Rechnung",
			ts_tier="Premium",
			ts_channel="agent",
			ts_vehicle=vehicle[0] if vehicle else None,
		)

		self.assertEqual(
			(ticket.ts_tier, ticket.ts_channel, ticket.sla), ("Standard", "portal", "SLA Standard")
		)
		self.assertFalse(ticket.ts_vehicle)

	def test_a_customer_cannot_upgrade_the_tier_later(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(contact, "Frage zur Rechnung", "Bitte prüfen.", ticket_type="Rechnung")

		frappe.set_user(contact)
		ticket.reload()
		ticket.update({"ts_tier": "Premium", "ts_channel": "agent", "subject": "Frage zur Rechnung (Panne)"})
		ticket.save()
		frappe.set_user("Administrator")

		ticket.reload()
		self.assertEqual(
			(ticket.ts_tier, ticket.ts_channel, ticket.sla), ("Standard", "portal", "SLA Standard")
		)

	def test_a_customer_cannot_file_in_another_customers_name(self):
		mine = make_contact(make_customer("Standard"))
		premium = make_customer("Premium")
		theirs = make_contact(premium)

		frappe.set_user(mine)
		try:
			ticket = frappe.get_doc(
				{
					"doctype": "HD Ticket",
					"subject": "Direkt angelegt",
					"description": "x",
					"raised_by": theirs,
					"customer": premium,
				}
			)
			# Helpdesk refuses the other company's customer for this contact; the app makes
			# sure the contact (and with it customer and tier) is the session's own.
			with self.assertRaises(frappe.ValidationError):
				ticket.insert()
			ticket = frappe.get_doc(
				{
					"doctype": "HD Ticket",
					"subject": "Direkt angelegt",
					"description": "x",
					"raised_by": theirs,
				}
			).insert()
		finally:
			frappe.set_user("Administrator")

		self.assertEqual(ticket.raised_by, mine)
		self.assertEqual(ticket.contact, frappe.db.get_value("Contact", {"user": mine}))
		self.assertNotEqual(ticket.customer, premium)
		self.assertEqual(ticket.ts_tier, "Standard")

	def test_a_customer_cannot_hand_a_ticket_to_someone_else_later(self):
		mine = make_contact(make_customer("Standard"))
		theirs = make_contact(make_customer("Premium"))
		ticket = file_portal_ticket(mine, "Frage zur Rechnung", "Bitte prüfen.", ticket_type="Rechnung")

		frappe.set_user(mine)
		try:
			ticket.reload()
			ticket.raised_by = theirs
			ticket.save()
		finally:
			frappe.set_user("Administrator")

		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "raised_by"), mine)


class TestCustomerView(TicketTestCase):
	def test_the_portal_page_never_carries_the_priority_trace(self):
		contact = make_contact(make_customer("Premium"))
		ticket = file_portal_ticket(contact, "Unfall auf der A7", "Auflieger umgekippt.", ticket_type="Panne")

		frappe.set_user(contact)
		page = get_ticket(ticket.name, is_customer_portal=True)
		frappe.set_user("Administrator")

		self.assertEqual(page["name"], ticket.name)
		for field in ("ts_priority_rule", "ts_priority_reason", "ts_priority_locked"):
			self.assertNotIn(field, page)

	def test_the_new_ticket_method_returns_no_trace_to_a_customer(self):
		contact = make_contact(make_customer("Premium"))

		frappe.set_user(contact)
		returned = new_ticket(
			{"subject": "Unfall auf der A7", "description": "Auflieger umgekippt.", "ticket_type": "Panne"}
		)
		frappe.set_user("Administrator")

		self.assertTrue(returned["name"])
		for field in ("ts_priority_rule", "ts_priority_reason", "ts_priority_locked"):
			self.assertNotIn(field, returned)

	def test_agents_see_the_trace_on_the_same_page(self):
		contact = make_contact(make_customer("Premium"))
		ticket = file_portal_ticket(contact, "Unfall auf der A7", "Auflieger umgekippt.", ticket_type="Panne")

		page = get_ticket(ticket.name)

		self.assertEqual(page["ts_priority_rule"], ticket.ts_priority_rule)


class TestTierSla(TicketTestCase):
	# Friday 11 December 2026, 16:30 in Europe/Berlin; no holiday near it in Berlin.
	FRIDAY_AFTERNOON = "2026-12-11 16:30:00"

	def test_standard_ticket_on_friday_afternoon_is_due_on_the_next_working_day(self):
		contact = make_contact(make_customer("Standard"))

		with self.freeze_time(self.FRIDAY_AFTERNOON):
			ticket = file_portal_ticket(
				contact, "LKW steht, Panne auf der A9", "Fahrzeug springt nicht an.", ticket_type="Panne"
			)

		self.assertEqual(ticket.sla, "SLA Standard")
		response_by = get_datetime(ticket.response_by)
		self.assertEqual(response_by.date().isoformat(), "2026-12-14")
		self.assertGreaterEqual(response_by.time().isoformat(), "08:00:00")
		self.assertEqual(ticket.agreement_status, "First Response Due")

	def test_premium_ticket_on_friday_afternoon_is_due_the_same_evening(self):
		contact = make_contact(make_customer("Premium"))

		with self.freeze_time(self.FRIDAY_AFTERNOON):
			ticket = file_portal_ticket(
				contact, "LKW steht, Panne auf der A9", "Fahrzeug springt nicht an.", ticket_type="Panne"
			)

		self.assertEqual(ticket.sla, "SLA Premium")
		self.assertEqual(ticket.priority, "Urgent")
		# Premium, Urgent: first response within 30 minutes, around the clock.
		self.assertEqual(get_datetime(ticket.response_by), datetime(2026, 12, 11, 17, 0))

	def test_standard_ticket_before_christmas_skips_the_holidays(self):
		contact = make_contact(make_customer("Standard"))

		# Thursday 24 December 16:30; 25 and 26 December are public holidays, then the weekend.
		with self.freeze_time("2026-12-24 16:30:00"):
			ticket = file_portal_ticket(
				contact, "LKW steht, Panne", "Fahrzeug springt nicht an.", ticket_type="Panne"
			)

		self.assertEqual(get_datetime(ticket.response_by).date().isoformat(), "2026-12-28")

	def test_changing_the_customers_tier_applies_to_new_tickets(self):
		customer = make_customer("Standard")
		contact = make_contact(customer)
		first = file_portal_ticket(contact, "Lieferung fehlt", "Sendung nicht angekommen.")

		frappe.db.set_value("HD Customer", customer, "ts_tier", "Premium")
		second = file_portal_ticket(contact, "Lieferung fehlt", "Sendung nicht angekommen.")

		self.assertEqual(frappe.db.get_value("HD Ticket", first.name, "ts_tier"), "Standard")
		self.assertEqual(second.ts_tier, "Premium")
		self.assertEqual(second.sla, "SLA Premium")

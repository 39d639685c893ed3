"""The SLA clock on a real site: deadlines from the tier's business calendar, pauses, recalculation.

Every expected instant is written out as Frappe stores it: wall-clock time in Europe/Berlin.
The pilot tiers (fixtures/pilot/tiers.json): Standard Mon-Fri 08-17, Business Mon-Fri 07-19,
both closed on Berlin's public holidays and on 24 and 31 December; Premium 24/7.
"""

from datetime import datetime

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.sla.calendars import clear_calendar
from techsolutions_support.tests.factories import (
	file_agent_ticket,
	file_portal_ticket,
	make_calendar,
	make_contact,
	make_customer,
	make_tier,
	update_ticket,
)

MON_FRI = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def stored(name: str) -> frappe._dict:
	return frappe.db.get_value(
		"HD Ticket",
		name,
		["response_by", "resolution_by", "agreement_status", "ts_sla_calendar", "ts_tier", "priority"],
		as_dict=True,
	)


def at(text: str) -> datetime:
	return get_datetime(text)


class SlaTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)
		cls.addClassCleanup(clear_calendar)

	def setUp(self):
		frappe.set_user("Administrator")

	def ticket_at(self, when: str, tier: str, priority: str) -> str:
		customer = make_customer(tier)
		with self.freeze_time(when):
			return file_agent_ticket(customer, priority).name

	def change_at(self, when: str, name: str, **values) -> None:
		with self.freeze_time(when):
			update_ticket(name, **values)


class TestDeadlines(SlaTestCase):
	def test_friday_afternoon_on_a_mon_fri_calendar(self):
		# Standard, Urgent (120 min): 30 minutes on Friday, 90 on Monday from 08:00.
		name = self.ticket_at("2026-12-11 16:30:00", "Standard", "Urgent")

		ticket = stored(name)
		self.assertEqual(ticket.response_by, at("2026-12-14 09:30:00"))
		# 540 min: 30 on Friday, the other 510 on Monday.
		self.assertEqual(ticket.resolution_by, at("2026-12-14 16:30:00"))
		self.assertEqual(ticket.agreement_status, "First Response Due")
		self.assertEqual(ticket.ts_sla_calendar, "Mo-Fr 08-17 Berlin")

	def test_created_on_a_public_holiday(self):
		# Christi Himmelfahrt, Thursday 14 May 2026: Standard, High (240 min) counts from Friday 08:00.
		name = self.ticket_at("2026-05-14 10:00:00", "Standard", "High")

		self.assertEqual(stored(name).response_by, at("2026-05-15 12:00:00"))

	def test_a_company_day_before_the_holidays(self):
		# 24 December is a company day, 25 and 26 public holidays, then the weekend.
		name = self.ticket_at("2026-12-23 16:00:00", "Standard", "Urgent")

		self.assertEqual(stored(name).response_by, at("2026-12-28 09:00:00"))

	def test_a_split_shift_day(self):
		calendar = make_calendar({day: [("08:00", "12:00"), ("13:00", "17:00")] for day in MON_FRI})
		tier = make_tier(calendar, {"High": (120, 480)})

		name = self.ticket_at("2026-12-07 11:00:00", tier, "High")

		# One hour before lunch, one after it.
		self.assertEqual(stored(name).response_by, at("2026-12-07 14:00:00"))
		# 480 min: five hours on Monday, three on Tuesday morning.
		self.assertEqual(stored(name).resolution_by, at("2026-12-08 11:00:00"))

	def test_24_7_across_the_spring_dst_change(self):
		# Premium, Low: 72 real hours from Friday 12:00 CET; the Sunday has 23 hours.
		name = self.ticket_at("2026-03-27 12:00:00", "Premium", "Low")

		self.assertEqual(stored(name).response_by, at("2026-03-27 20:00:00"))
		self.assertEqual(stored(name).resolution_by, at("2026-03-30 13:00:00"))

	def test_24_7_across_the_autumn_dst_change(self):
		# The Sunday has 25 hours: 72 real hours from Friday 12:00 CEST end on Monday 11:00 CET.
		name = self.ticket_at("2026-10-23 12:00:00", "Premium", "Low")

		self.assertEqual(stored(name).resolution_by, at("2026-10-26 11:00:00"))

	def test_a_tier_without_a_calendar_leaves_helpdesks_deadlines(self):
		tier = make_tier(None, {"High": (60, 120)})

		name = self.ticket_at("2026-12-07 10:00:00", tier, "High")

		ticket = stored(name)
		self.assertFalse(ticket.ts_sla_calendar)
		self.assertTrue(ticket.response_by)


class TestPauses(SlaTestCase):
	def test_a_pause_that_spans_a_weekend(self):
		# Standard, High (resolution 1080 min). Friday 10:00; waiting on a carrier from 11:00 to
		# Monday 10:00: six business hours on Friday and two on Monday do not count.
		name = self.ticket_at("2026-12-11 10:00:00", "Standard", "High")
		self.change_at("2026-12-11 11:00:00", name, status="Waiting on Carrier", ts_carrier="Spedition Nord")

		while_paused = stored(name)
		self.change_at("2026-12-14 10:00:00", name, status="Open")

		self.assertEqual(while_paused.agreement_status, "Paused")
		self.assertIsNone(while_paused.resolution_by)
		self.assertEqual(stored(name).resolution_by, at("2026-12-16 09:00:00"))
		pause = frappe.get_all("TS SLA Pause", filters={"ticket": name}, fields=["*"])
		self.assertEqual(len(pause), 1)
		self.assertEqual(
			(pause[0].reason, pause[0].carrier, pause[0].waited_minutes, pause[0].business_minutes),
			("Carrier", "Spedition Nord", 71 * 60, 8 * 60),
		)

	def test_from_a_pause_straight_to_resolved_the_pause_does_not_count(self):
		name = self.ticket_at("2026-12-07 09:00:00", "Standard", "Medium")
		self.change_at("2026-12-07 10:00:00", name, status="Waiting on Parts")

		self.change_at("2026-12-08 15:00:00", name, status="Resolved")

		self.assertEqual(stored(name).agreement_status, "Fulfilled")
		stops = frappe.get_all(
			"TS SLA Pause",
			filters={"ticket": name},
			fields=["reason", "ended_at", "business_minutes"],
			order_by="started_at",
		)
		self.assertEqual(
			[(stop.reason, stop.ended_at, stop.business_minutes) for stop in stops],
			[("Spare Parts", at("2026-12-08 15:00:00"), 14 * 60), ("Resolved", None, 0)],
		)

	def test_reopening_counts_on_from_where_the_clock_stood(self):
		# Standard, Urgent: resolution 540 min. Two hours spent, resolved Monday 11:00,
		# reopened Tuesday 09:00: seven hours left.
		name = self.ticket_at("2026-12-07 09:00:00", "Standard", "Urgent")
		self.change_at("2026-12-07 11:00:00", name, status="Resolved")

		self.change_at("2026-12-08 09:00:00", name, status="Open")

		self.assertEqual(stored(name).resolution_by, at("2026-12-08 16:00:00"))

	def test_a_customer_cannot_name_the_carrier(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(contact, "Sendung fehlt", "Die Sendung ist nicht angekommen.")

		frappe.set_user(contact)
		ticket.reload()
		ticket.ts_carrier = "Spedition Eigenwahl"
		ticket.save(ignore_permissions=True)
		frappe.set_user("Administrator")

		self.assertFalse(frappe.db.get_value("HD Ticket", ticket.name, "ts_carrier"))


class TestRecalculation(SlaTestCase):
	def test_priority_raised_after_three_business_hours_of_pause(self):
		# Standard, Medium from Monday 09:00; waiting on the customer 10:00-13:00; at 14:00 an agent
		# raises the priority to High (1080 min): the two hours spent are kept, the pause excluded.
		name = self.ticket_at("2026-12-07 09:00:00", "Standard", "Medium")
		self.change_at("2026-12-07 10:00:00", name, status="Replied")
		self.change_at("2026-12-07 13:00:00", name, status="Open")

		self.change_at("2026-12-07 14:00:00", name, priority="High")

		ticket = stored(name)
		self.assertEqual(ticket.priority, "High")
		self.assertEqual(ticket.resolution_by, at("2026-12-09 12:00:00"))
		# Helpdesk counts going to a paused status as the first response: met at 10:00.
		self.assertEqual(ticket.response_by, at("2026-12-07 17:00:00"))
		self.assertEqual(ticket.agreement_status, "Resolution Due")

	def test_a_tier_change_keeps_the_business_time_spent(self):
		# Standard, Medium on Friday 16:00: one business hour spent by 17:00. On Saturday 10:00 the
		# ticket moves to a Premium customer (24/7, Medium 240 min): three hours left from then.
		name = self.ticket_at("2026-12-11 16:00:00", "Standard", "Medium")

		self.change_at("2026-12-12 10:00:00", name, customer=make_customer("Premium"))

		ticket = stored(name)
		self.assertEqual((ticket.ts_tier, ticket.ts_sla_calendar), ("Premium", "Rund um die Uhr"))
		self.assertEqual(ticket.response_by, at("2026-12-12 13:00:00"))
		# Resolution: 60 of 1440 minutes spent, 1380 left.
		self.assertEqual(ticket.resolution_by, at("2026-12-13 09:00:00"))

	def test_a_holiday_added_moves_the_deadline_of_an_open_ticket(self):
		calendar = make_calendar({day: [("08:00", "17:00")] for day in MON_FRI})
		tier = make_tier(calendar, {"Medium": (480, 2700)})
		name = self.ticket_at("2026-12-07 09:00:00", tier, "Medium")
		self.assertEqual(stored(name).response_by, at("2026-12-07 17:00:00"))

		doc = frappe.get_doc("TS Business Calendar", calendar)
		doc.append("closed_days", {"closed_on": "2026-12-07", "description": "Betriebsversammlung"})
		doc.save()
		self.change_at("2026-12-07 09:30:00", name, description="Nachtrag")

		self.assertEqual(stored(name).response_by, at("2026-12-08 16:00:00"))


class TestUnansweredResolution(SlaTestCase):
	def setUp(self):
		super().setUp()
		self.addCleanup(frappe.clear_document_cache, "TS SLA Settings", "TS SLA Settings")
		self.addCleanup(
			self.set_policy, frappe.db.get_single_value("TS SLA Settings", "unanswered_resolution")
		)

	def set_policy(self, policy: str) -> None:
		settings = frappe.get_single("TS SLA Settings")
		settings.unanswered_resolution = policy
		settings.save()

	def resolve_unanswered(self) -> str:
		# Standard, Urgent (response 120 min) on Monday 09:00, resolved at 12:00 without any reply.
		name = self.ticket_at("2026-12-07 09:00:00", "Standard", "Urgent")
		self.change_at("2026-12-07 12:00:00", name, status="Resolved")
		return name

	def test_settled_at_the_resolution_the_late_response_fails(self):
		self.set_policy("Settle at resolution")

		name = self.resolve_unanswered()

		self.assertEqual(stored(name).agreement_status, "Failed")
		self.assertTrue(frappe.db.get_value("HD Ticket", name, "ts_closed_without_reply"))

	def test_not_applicable_leaves_the_response_out(self):
		self.set_policy("Not applicable")

		name = self.resolve_unanswered()

		self.assertEqual(stored(name).agreement_status, "Fulfilled")

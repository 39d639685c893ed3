"""The pilot's sample tickets tell one story each: every date agrees with the ticket's filing and
with the steps of fixtures/pilot/tickets.json, whenever the data is loaded.

The fixture's tickets are loaded here again under subjects of their own (the site's pilot tickets
keep theirs), inside the test class's transaction, which is rolled back.
"""

import json
import re
import unittest
from datetime import datetime
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime, get_time, now_datetime, random_string

from techsolutions_support.events.hd_ticket_sla import set_deadlines
from techsolutions_support.setup.pilot_tickets import PilotStoryError, load_tickets, system_time
from techsolutions_support.sla.clock import stop_kind
from techsolutions_support.tests.factories import make_outgoing_account

TICKETS = Path(__file__).resolve().parents[4] / "fixtures" / "pilot" / "tickets.json"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

# What each kind of pause must have been told by an agent, in a message or a note.
PAUSE_EXPLAINED = {"Spare Parts": re.compile(r"Ersatzteil|bestellt", re.IGNORECASE)}


class TestPilotTickets(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not TICKETS.exists():
			raise unittest.SkipTest("fixtures/pilot/tickets.json is not beside this app")
		frappe.set_user("Administrator")
		# As on the demo site: an outgoing account, so that whatever would be e-mailed is queued.
		make_outgoing_account()
		cls.rows = json.loads(TICKETS.read_text(encoding="utf-8"))
		marker = random_string(6)
		for row in cls.rows:
			row["subject"] = f"{row['subject']} [{marker}]"
		cls.loaded = {}
		load_tickets(
			cls.rows, lambda doctype: cls.loaded.__setitem__(doctype, cls.loaded.get(doctype, 0) + 1)
		)
		cls.tickets = {
			row["subject"]: frappe.db.get_value(
				"HD Ticket", {"subject": row["subject"], "raised_by": row["contact_email"]}
			)
			for row in cls.rows
		}

	def for_each_ticket(self, check) -> None:
		for row in self.rows:
			name = self.tickets[row["subject"]]
			with self.subTest(ticket=row["subject"]):
				check(name, row, frappe.get_doc("HD Ticket", name))

	def test_every_ticket_of_the_fixture_is_loaded_once(self):
		self.assertEqual(self.loaded, {"HD Ticket": len(self.rows)})
		self.assertTrue(all(self.tickets.values()))
		self.assertEqual(len(set(self.tickets.values())), len(self.rows))

	def test_the_ticket_opens_when_it_was_filed(self):
		def check(_name, row, ticket):
			created = system_time(row["created"])
			self.assertEqual(get_datetime(ticket.creation), created)
			self.assertEqual(get_datetime(ticket.service_level_agreement_creation), created)
			self.assertEqual(str(ticket.opening_date), str(created.date()))
			self.assertEqual(get_time(ticket.opening_time), created.time())
			self.assertEqual(json.loads(ticket.ts_sla_terms)[0]["from"], str(created))

		self.for_each_ticket(check)

	def test_the_first_message_is_the_customers_at_the_filing(self):
		def check(name, row, _ticket):
			first = messages(name)[0]
			self.assertEqual(first.sent_or_received, "Received")
			self.assertEqual(get_datetime(first.communication_date), system_time(row["created"]))
			self.assertEqual(get_datetime(first.creation), system_time(row["created"]))

		self.for_each_ticket(check)

	def test_messages_are_dated_as_the_story_tells_them(self):
		def check(name, row, _ticket):
			expected = [("Received", system_time(row["created"]))] + [
				("Sent" if "reply" in step else "Received", system_time(step["at"]))
				for step in row.get("story", [])
				if "reply" in step or "customer" in step
			]
			found = [(m.sent_or_received, get_datetime(m.communication_date)) for m in messages(name)]
			self.assertEqual(found, expected)

		self.for_each_ticket(check)

	def test_response_stamps_follow_the_messages(self):
		def check(name, _row, ticket):
			sent = [
				get_datetime(m.communication_date) for m in messages(name) if m.sent_or_received == "Sent"
			]
			received = [
				get_datetime(m.communication_date) for m in messages(name) if m.sent_or_received == "Received"
			]
			self.assertEqual(optional(ticket.first_responded_on), sent[0] if sent else None)
			self.assertEqual(optional(ticket.last_agent_response), sent[-1] if sent else None)
			self.assertEqual(optional(ticket.last_customer_response), received[-1])

		self.for_each_ticket(check)

	def test_a_ticket_waiting_or_resolved_was_put_there_by_an_agents_message(self):
		def check(name, row, ticket):
			kind = stop_kind(ticket.status)
			if kind is None:
				return
			entered = status_entered(row, ticket.status)
			said = messages(name)
			agent = [m for m in said if m.sent_or_received == "Sent"]
			self.assertTrue(agent, "no agent message")
			self.assertLessEqual(get_datetime(agent[-1].communication_date), entered)
			if ticket.status == "Replied":
				# Waiting on the customer: the agent spoke last, after the customer.
				self.assertEqual(said[-1].sent_or_received, "Sent")

		self.for_each_ticket(check)

	def test_a_wait_on_a_carrier_or_parts_is_explained_to_the_customer_or_in_a_note(self):
		waits = []

		def check(name, row, ticket):
			kind = stop_kind(ticket.status)
			if not kind or kind[1] not in ("Carrier", "Spare Parts"):
				return
			waits.append(name)
			entered = status_entered(row, ticket.status)
			texts = [
				m.content
				for m in messages(name)
				if m.sent_or_received == "Sent" and m.communication_date <= entered
			] + frappe.get_all(
				"HD Ticket Comment",
				filters={"reference_ticket": name, "creation": ("<=", entered)},
				pluck="content",
			)
			pattern = (
				re.compile(re.escape(ticket.ts_carrier)) if kind[1] == "Carrier" else PAUSE_EXPLAINED[kind[1]]
			)
			self.assertTrue(any(pattern.search(text or "") for text in texts), texts)

		self.for_each_ticket(check)
		self.assertGreaterEqual(len(waits), 2)

	def test_clock_stops_and_resolution_start_when_the_status_was_set(self):
		def check(name, row, ticket):
			stops = frappe.get_all(
				"TS SLA Pause",
				filters={"ticket": name},
				fields=["reason", "started_at", "ended_at", "carrier"],
				order_by="started_at asc",
			)
			kind = stop_kind(ticket.status)
			if kind is None:
				self.assertFalse([stop for stop in stops if not stop.ended_at])
				self.assertIsNone(ticket.resolution_date)
				return
			entered = status_entered(row, ticket.status)
			running = [stop for stop in stops if not stop.ended_at]
			self.assertEqual(len(running), 1)
			self.assertEqual(get_datetime(running[0].started_at), entered)
			self.assertEqual(running[0].reason, kind[1])
			if kind[0] == "resolved":
				self.assertEqual(get_datetime(ticket.resolution_date), entered)
				self.assertLessEqual(get_datetime(ticket.first_responded_on), entered)
			else:
				self.assertEqual(get_datetime(ticket.on_hold_since), entered)
				self.assertIsNone(ticket.resolution_date)
			if kind[1] == "Carrier":
				self.assertTrue(ticket.ts_carrier)
				self.assertEqual(running[0].carrier, ticket.ts_carrier)

		self.for_each_ticket(check)

	def test_deadlines_are_the_clocks_over_the_story(self):
		def check(_name, _row, ticket):
			created = get_datetime(ticket.creation)
			self.assertGreater(get_datetime(ticket.response_by), created)
			if ticket.resolution_by:
				self.assertGreaterEqual(get_datetime(ticket.resolution_by), get_datetime(ticket.response_by))
			stored = (ticket.response_by, ticket.resolution_by, ticket.agreement_status)
			set_deadlines(ticket, now_datetime())
			self.assertEqual(stored, (ticket.response_by, ticket.resolution_by, ticket.agreement_status))

		self.for_each_ticket(check)

	def test_nothing_about_a_ticket_is_dated_outside_its_story(self):
		def check(name, row, ticket):
			created = system_time(row["created"])
			last = max([created] + [system_time(step["at"]) for step in row.get("story", [])])
			self.assertEqual(get_datetime(ticket.modified), last)
			for doctype, filters in records_of(name).items():
				for record in frappe.get_all(doctype, filters=filters, fields=["creation", "modified"]):
					self.assertGreaterEqual(get_datetime(record.creation), created, doctype)
					self.assertLessEqual(get_datetime(record.modified), last, doctype)
			for data in frappe.get_all("Version", filters=records_of(name)["Version"], pluck="data"):
				for field, _old, new in json.loads(data).get("changed") or []:
					if isinstance(new, str) and STAMP.match(new):
						self.assertLessEqual(get_datetime(new), last, field)

		self.for_each_ticket(check)

	def test_nothing_of_the_stories_is_mailed_but_the_portal_keeps_the_notices(self):
		names = list(self.tickets.values())

		queued = frappe.get_all(
			"Email Queue", filters={"reference_doctype": "HD Ticket", "reference_name": ("in", names)}
		)

		self.assertEqual(queued, [])
		self.assertFalse(frappe.db.exists("TS Portal Notice", {"ticket": ("in", names), "emailed": 1}))
		self.assertTrue(frappe.db.exists("TS Portal Notice", {"ticket": ("in", names), "kind": "reply"}))

	def test_loading_again_creates_and_changes_nothing(self):
		names = list(self.tickets.values())
		before = snapshot(names)
		again = {}

		load_tickets(self.rows, lambda doctype: again.__setitem__(doctype, 1))

		self.assertEqual(again, {})
		self.assertEqual(snapshot(names), before)

	def test_a_story_told_out_of_order_is_refused(self):
		row = dict(self.rows[0], subject=f"Ungeordnet {random_string(6)}")
		row["story"] = [{"at": "2026-11-01T08:00:00+01:00", "agent": "Administrator", "status": "Closed"}]

		with self.assertRaises(PilotStoryError):
			load_tickets([row], lambda doctype: None)


def messages(ticket: str) -> list:
	return frappe.get_all(
		"Communication",
		filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
		fields=["sent_or_received", "communication_date", "creation", "content"],
		order_by="communication_date asc, creation asc",
	)


def status_entered(row: dict, status: str) -> datetime:
	"""When the story set the ticket's present status (its last status step)."""
	steps = [step for step in row.get("story", []) if step.get("status")]
	assert steps and steps[-1]["status"] == status, f"{row['subject']}: story does not end in {status}"
	return system_time(steps[-1]["at"])


def optional(value) -> datetime | None:
	return get_datetime(value) if value else None


def records_of(ticket: str) -> dict[str, dict]:
	return {
		"Communication": {"reference_doctype": "HD Ticket", "reference_name": ticket},
		"Version": {"ref_doctype": "HD Ticket", "docname": ticket},
		"Comment": {"reference_doctype": "HD Ticket", "reference_name": ticket},
		"HD Ticket Comment": {"reference_ticket": ticket},
		"HD Ticket Activity": {"ticket": ticket},
		"TS SLA Pause": {"ticket": ticket},
		"TS Portal Notice": {"ticket": ticket},
		"TS Priority Trace": {"ticket": ticket},
	}


def snapshot(names: list[str]) -> dict:
	"""The tickets' rows and how many records of each kind they have: all a load could touch."""
	tickets = frappe.get_all("HD Ticket", filters={"name": ("in", names)}, fields=["*"], order_by="name")
	counts = {
		doctype: sum(frappe.db.count(doctype, records_of(name)[doctype]) for name in names)
		for doctype in records_of("")
	}
	return {"tickets": tickets, "counts": counts, "total": frappe.db.count("HD Ticket")}

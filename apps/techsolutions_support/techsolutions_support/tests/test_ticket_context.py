"""Tickets linked to the vehicle, delivery and route they are about, with live context.

The fleet, route plan and deliveries come from the simulator on 127.0.0.1 through real
connector runs (kept in the test's transaction); tickets are filed through the portal method.
"""

import json
import shutil
import unittest
from datetime import datetime

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support import priority
from techsolutions_support.api.portal import get_ticket
from techsolutions_support.connectors.engine import run_connector
from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.setup.ticket_context import AGENT_TEMPLATE_CONTEXT_FIELDS
from techsolutions_support.simulator import start_simulator
from techsolutions_support.tests.factories import (
	changed_fixtures,
	file_portal_ticket,
	make_connector,
	make_contact,
	make_customer,
)

B_TS_1004 = "WDBN1NRJAPZ107337"
DELAYED = "TS2503110013"


class ContextTestCase(FrappeTestCase):
	# A commit would leak synced records into the next tests.
	SHOW_TRANSACTION_COMMIT_WARNINGS = True

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)

	def setUp(self):
		frappe.set_user("Administrator")
		# FrappeTestCase rolls back once per class; each test here undoes its own records.
		frappe.db.savepoint("ts_test")
		self.addCleanup(frappe.db.rollback, save_point="ts_test")
		self.sim = self.start(None)

	def start(self, fixtures):
		sim = start_simulator(page_size=50, **({"fixtures": fixtures} if fixtures else {}))
		self.addCleanup(sim.stop)
		return sim

	def sync(self, connector):
		log = frappe.get_doc("TS Sync Log", run_connector(connector.name, "Manual", commit=False))
		self.assertIn(log.status, ("Success", "Partial"), log.error)
		return log

	def fleet(self):
		return make_connector("rFMS", f"{self.sim.url}/rfms")

	def deliveries(self):
		return make_connector("Generic JSON", f"{self.sim.url}/generic/deliveries")

	def plan(self):
		return make_connector("VROOM", f"{self.sim.url}/vroom/solution")

	def sync_a_later_eta(self, deliveries):
		"""The delivery source reports the delivery 4 hours 40 minutes late."""

		def later(folder):
			file = folder / "generic" / "deliveries.json"
			data = json.loads(file.read_text(encoding="utf-8"))
			for item in data["data"]["deliveries"]:
				if item["shipment"]["trackingNo"] == DELAYED:
					item["eta"]["current"] = "2025-03-11T14:13"
					item["updatedAt"] = "2025-03-11T08:30:00Z"
			file.write_text(json.dumps(data), encoding="utf-8")

		folder = changed_fixtures(later)
		self.addCleanup(shutil.rmtree, folder.parent)
		sim = self.start(folder)
		deliveries.db_set("base_url", f"{sim.url}/generic/deliveries")
		return self.sync(deliveries), self.sync(deliveries)


class TestTicketContext(ContextTestCase):
	def test_a_customer_names_a_truck_and_the_ticket_shows_its_context(self):
		self.sync(self.fleet())
		contact = make_contact(make_customer("Premium"))

		ticket = file_portal_ticket(
			contact,
			"LKW B-TS 1004 steht auf der A2",
			"Seit 07:40 Uhr auf dem Seitenstreifen Richtung Hannover, kurz vor Magdeburg-Zentrum.",
			ticket_type="Panne",
		)

		self.assertEqual(ticket.ts_vehicle, B_TS_1004)
		self.assertEqual(ticket.ts_vehicle_state, "stopped")
		self.assertEqual(ticket.ts_vehicle_position, "52.15800, 11.70200 (0 km/h)")
		self.assertEqual(ticket.ts_position_at, datetime(2025, 3, 11, 9, 3, 59))
		self.assertEqual(
			ticket.ts_context_synced_at, frappe.db.get_value("TS Vehicle", B_TS_1004, "last_synced_at")
		)
		# The pilot's route of B-TS 1004 that is in progress.
		self.assertEqual(ticket.ts_route, "R-2026-12-04-01")
		snapshot = json.loads(ticket.ts_context_snapshot)
		self.assertEqual(
			(snapshot["vehicle"]["plate"], snapshot["vehicle"]["state"]), ("B-TS 1004", "stopped")
		)

	def test_agents_see_the_context_in_ticket_info_and_customers_never(self):
		self.sync(self.fleet())
		contact = make_contact(make_customer("Business"))
		ticket = file_portal_ticket(contact, "LKW B-TS 1004 steht auf der A2", ticket_type="Panne")

		shown = frappe.get_all(
			"HD Ticket Template Field",
			filters={"parent": "Default", "fieldname": ("in", AGENT_TEMPLATE_CONTEXT_FIELDS)},
			fields=["fieldname", "hide_from_customer"],
		)
		frappe.set_user(contact)
		customer_page = get_ticket(ticket.name, is_customer_portal=True)
		frappe.set_user("Administrator")
		agent_page = get_ticket(ticket.name)

		self.assertEqual({row.fieldname for row in shown}, set(AGENT_TEMPLATE_CONTEXT_FIELDS))
		self.assertTrue(all(row.hide_from_customer for row in shown))
		self.assertEqual(agent_page["ts_vehicle_position"], "52.15800, 11.70200 (0 km/h)")
		for field in ("ts_vehicle_position", "ts_vehicle_state", "ts_context_snapshot", "ts_delivery_eta"):
			self.assertNotIn(field, customer_page)

	def test_a_tracking_number_links_delivery_route_and_vehicle(self):
		self.sync(self.fleet())
		self.sync(self.plan())
		self.sync(self.deliveries())
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(contact, f"Wo bleibt Sendung {DELAYED}?", "Sollte um 09:33 Uhr da sein.")

		self.assertEqual(
			(ticket.ts_delivery, ticket.ts_vehicle, ticket.ts_route), (DELAYED, B_TS_1004, "R-20250311-3")
		)
		self.assertEqual((ticket.ts_delivery_status, ticket.ts_delivery_delay), ("Delayed", 50))
		self.assertEqual(ticket.ts_delivery_eta, datetime(2025, 3, 11, 10, 23))

	def test_customers_do_not_choose_the_delivery_but_agents_may_correct_it(self):
		self.sync(self.deliveries())
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(contact, "Frage zur Lieferung", "Bitte melden.", ts_delivery=DELAYED)
		frappe.set_user(contact)
		ticket.reload()
		ticket.ts_delivery = DELAYED
		ticket.save(ignore_permissions=True)
		frappe.set_user("Administrator")
		kept = frappe.db.get_value("HD Ticket", ticket.name, "ts_delivery")
		ticket.reload()
		ticket.ts_delivery = DELAYED
		ticket.save()
		ticket.reload()

		self.assertIsNone(kept)
		self.assertEqual(
			(ticket.ts_delivery, ticket.ts_delivery_status, ticket.ts_delivery_delay),
			(DELAYED, "Delayed", 50),
		)


class TestLiveDataFeedsPriority(ContextTestCase):
	def moving_truck_ticket(self):
		# The truck was last seen moving; the ticket is a delivery delay of a Standard customer.
		frappe.db.set_value("TS Vehicle", B_TS_1004, {"state": "moving", "status_stamp": None})
		contact = make_contact(make_customer("Standard"))
		return file_portal_ticket(
			contact,
			"Lieferung verspätet, LKW B-TS 1004",
			"Die Ware sollte um 10 Uhr da sein.",
			ticket_type="Lieferverzug",
		)

	def test_a_vehicle_state_change_reevaluates_linked_open_tickets_once(self):
		ticket = self.moving_truck_ticket()
		self.assertEqual(ticket.priority, "Medium")
		fleet = self.fleet()

		first = self.sync(fleet)
		ticket.reload()
		again = self.sync(fleet)

		self.assertEqual((ticket.ts_vehicle_state, ticket.priority), ("stopped", "High"))
		self.assertEqual(ticket.ts_priority_rule, "Vehicle stopped or faulty")
		# This ticket and the other open ones about vehicles whose state changed; then none.
		self.assertGreaterEqual(first.tickets_reevaluated, 1)
		self.assertEqual(again.tickets_reevaluated, 0)
		traces = frappe.get_all("TS Priority Trace", filters={"ticket": ticket.name}, pluck="trigger")
		self.assertEqual(sorted(traces), ["Created", "Live Data"])

	def delay_ticket(self):
		deliveries = self.deliveries()
		self.sync(deliveries)
		# The delay alone is under test: the truck carrying it is on the move, not stopped.
		if vehicle := frappe.db.get_value("TS Delivery", DELAYED, "vehicle"):
			frappe.db.set_value("TS Vehicle", vehicle, "state", "moving")
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact,
			f"Sendung {DELAYED} kommt zu spät",
			"Bitte neue Ankunftszeit nennen.",
			ticket_type="Lieferverzug",
		)
		return deliveries, ticket

	def test_a_delay_update_refreshes_the_context_and_reevaluates_once(self):
		deliveries, ticket = self.delay_ticket()
		self.assertEqual(ticket.ts_delivery_delay, 50)

		first, again = self.sync_a_later_eta(deliveries)
		ticket.reload()

		self.assertEqual((first.updated, first.unchanged), (1, 1))
		self.assertEqual(ticket.ts_delivery_delay, 280)
		self.assertEqual(ticket.ts_delivery_eta, datetime(2025, 3, 11, 14, 13))
		self.assertEqual((first.tickets_reevaluated, again.tickets_reevaluated), (1, 0))

	@unittest.skipUnless(
		hasattr(priority, "delivery_facts"),
		"priority.ticket_facts does not read links.delivery_facts yet (its GAP on delivery_delay_minutes)",
	)
	def test_a_delay_over_four_hours_raises_the_priority_of_a_linked_ticket(self):
		deliveries, ticket = self.delay_ticket()
		self.assertEqual(ticket.priority, "Medium")

		self.sync_a_later_eta(deliveries)
		ticket.reload()

		self.assertEqual((ticket.priority, ticket.ts_priority_rule), ("High", "Long delivery delay"))


class TestProactiveTickets(ContextTestCase):
	B_TS_1007 = "YV2RP3US3SJ322061"
	FRISCHDIENST = "Frischdienst Havelland GmbH & Co. KG"

	def rule(self, **fields):
		return frappe.get_doc(
			{
				"doctype": "TS Proactive Rule",
				"rule_name": f"Test {frappe.generate_hash(length=6)}",
				"enabled": 1,
				"subject": "Störung an {plate}: wir kümmern uns",
				"message": "Unsere Telematik meldet eine Störung an {plate} ({vin}).",
				"ticket_type": "Panne",
				**fields,
			}
		).insert()

	def proactive_tickets(self, **filters):
		return frappe.get_all("HD Ticket", filters={"ts_proactive": 1, **filters}, fields=["*"])

	def test_a_breakdown_opens_one_ticket_and_the_customers_own_ticket_follows_it(self):
		self.rule(event="Vehicle Breakdown", tier="Premium")
		frappe.db.set_value("TS Vehicle", self.B_TS_1007, {"state": "moving", "status_stamp": None})
		fleet = self.fleet()

		first = self.sync(fleet)
		again = self.sync(fleet)
		(proactive,) = self.proactive_tickets(ts_vehicle=self.B_TS_1007)
		contact = make_contact(self.FRISCHDIENST)
		own = file_portal_ticket(contact, "Kühlaggregat an B-TS 1007 meldet Fehler", ticket_type="Panne")

		self.assertEqual((first.tickets_opened, again.tickets_opened), (1, 0))
		self.assertEqual(proactive.customer, self.FRISCHDIENST)
		self.assertEqual(proactive.subject, "Störung an B-TS 1007: wir kümmern uns")
		self.assertEqual(proactive.ts_channel, "api")
		self.assertEqual(own.ts_related_ticket, proactive.name)

	def test_a_rule_for_another_tier_opens_nothing(self):
		self.rule(event="Vehicle Breakdown", tier="Business")
		frappe.db.set_value("TS Vehicle", self.B_TS_1007, {"state": "moving", "status_stamp": None})

		log = self.sync(self.fleet())

		self.assertEqual(log.tickets_opened, 0)
		self.assertEqual(self.proactive_tickets(ts_vehicle=self.B_TS_1007), [])

	def test_a_delay_crossing_the_threshold_opens_one_ticket(self):
		self.rule(
			event="Delivery Delay",
			min_delay_minutes=240,
			subject="Sendung {tracking_number} verspätet sich um {delay_minutes} Minuten",
			message="Neue Ankunftszeit folgt.",
			ticket_type="Lieferverzug",
		)
		deliveries = self.deliveries()
		below = self.sync(deliveries)

		first, again = self.sync_a_later_eta(deliveries)
		(proactive,) = self.proactive_tickets(ts_delivery=DELAYED)

		self.assertEqual((below.tickets_opened, first.tickets_opened, again.tickets_opened), (0, 1, 0))
		# The delivery names no customer: the ticket goes to the customer of the vehicle, B-TS 1004.
		self.assertEqual(proactive.customer, frappe.db.get_value("TS Vehicle", B_TS_1004, "customer"))
		self.assertEqual(proactive.subject, f"Sendung {DELAYED} verspätet sich um 280 Minuten")

	def test_unknown_placeholders_are_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "unknown placeholder"):
			self.rule(event="Vehicle Breakdown", subject="Störung an {kennzeichen}")

"""Tickets linked to the vehicle, delivery and route they are about, with live context.

The fleet, route plan and deliveries come from the simulator on 127.0.0.1 through real
connector runs (kept in the test's transaction); tickets are filed through the portal method.
"""

import json
import shutil
from datetime import datetime

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support import links
from techsolutions_support.api.portal import get_ticket
from techsolutions_support.connectors.engine import run_connector
from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.setup.ticket_context import AGENT_TEMPLATE_CONTEXT_FIELDS
from techsolutions_support.simulator import generated_plate, generated_vin, start_simulator
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

	def test_a_delay_over_four_hours_raises_the_priority_of_a_linked_ticket(self):
		deliveries, ticket = self.delay_ticket()
		self.assertEqual(ticket.priority, "Medium")

		self.sync_a_later_eta(deliveries)
		ticket.reload()

		self.assertEqual((ticket.priority, ticket.ts_priority_rule), ("High", "Long delivery delay"))


class TestWaitingTickets(ContextTestCase):
	def test_a_ticket_filed_before_its_delivery_was_synced_is_linked_by_that_sync(self):
		contact = make_contact(make_customer("Standard"))
		waiting = file_portal_ticket(contact, f"Wo bleibt Sendung {DELAYED}?", "Sollte um 09:33 Uhr da sein.")
		old = file_portal_ticket(contact, f"Nochmal Sendung {DELAYED}", "Seit Wochen offen.")
		frappe.db.set_value("HD Ticket", old.name, "creation", frappe.utils.add_days(old.creation, -30))
		self.assertIsNone(waiting.ts_delivery)
		self.sync(self.fleet())

		log = self.sync(self.deliveries())
		again = self.sync(self.deliveries())
		waiting.reload()

		self.assertEqual((waiting.ts_delivery, waiting.ts_vehicle), (DELAYED, B_TS_1004))
		self.assertEqual((waiting.ts_delivery_status, waiting.ts_delivery_delay), ("Delayed", 50))
		self.assertIsNone(frappe.db.get_value("HD Ticket", old.name, "ts_delivery"))
		self.assertGreaterEqual(log.tickets_linked, 1)
		self.assertEqual(again.tickets_linked, 0)

	def test_a_ticket_naming_a_new_vehicle_is_linked_and_the_setting_can_switch_it_off(self):
		self.sim.set(generate=3, page_size=10)
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, f"LKW {generated_plate(1)} springt nicht an", "Steht am Hof.", ticket_type="Panne"
		)
		off = self.fleet()
		off.db_set("link_tickets_days", 0)

		skipped = self.sync(off)
		self.assertEqual(skipped.tickets_linked, 0)
		frappe.db.delete("TS Vehicle", {"connector": off.name})
		log = self.sync(self.fleet())
		ticket.reload()

		self.assertEqual(ticket.ts_vehicle, generated_vin(1))
		self.assertEqual(log.tickets_linked, 1)


class TestUnknownDelay(ContextTestCase):
	def without_current_eta(self, folder):
		file = folder / "generic" / "deliveries.json"
		data = json.loads(file.read_text(encoding="utf-8"))
		for item in data["data"]["deliveries"]:
			if item["shipment"]["trackingNo"] == DELAYED:
				item["eta"]["current"] = None
		file.write_text(json.dumps(data), encoding="utf-8")

	def test_an_unknown_delay_stays_unknown_from_sync_to_rules(self):
		folder = changed_fixtures(self.without_current_eta)
		self.addCleanup(shutil.rmtree, folder.parent)
		sim = self.start(folder)
		frappe.get_doc(
			{
				"doctype": "TS Priority Rule",
				"rule_name": f"Test on time {frappe.generate_hash(length=6)}",
				"rule_order": 1,
				"conditions": [
					{
						"group_no": 1,
						"condition_field": "delivery_delay_minutes",
						"operator": "is at most",
						"condition_value": "0",
					}
				],
				"actions": [{"action_type": "Set priority", "action_value": "Low"}],
			}
		).insert()
		clear_ruleset_cache()
		self.sync(make_connector("Generic JSON", f"{sim.url}/generic/deliveries"))
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(contact, f"Sendung {DELAYED} kommt zu spät", ticket_type="Lieferverzug")

		delivery = frappe.db.get_value("TS Delivery", DELAYED, ["delay_minutes", "delay_known"], as_dict=True)
		self.assertEqual((delivery.delay_minutes, delivery.delay_known), (0, 0))
		self.assertEqual(links.delivery_facts(DELAYED), {"delivery_delay_minutes": None})
		self.assertEqual((ticket.ts_delivery, ticket.ts_delivery_delay_known), (DELAYED, 0))
		# A rule on the delay does not fire on an unknown one.
		self.assertNotEqual(ticket.priority, "Low")
		field = frappe.get_meta("HD Ticket").get_field("ts_delivery_delay")
		self.assertIn("ts_delivery_delay_known", field.depends_on)

		# The source tells the delay again: known once more.
		self.sync(self.deliveries())
		self.assertEqual(links.delivery_facts(DELAYED), {"delivery_delay_minutes": 50})

	def test_an_unknown_delay_opens_no_proactive_ticket(self):
		frappe.get_doc(
			{
				"doctype": "TS Proactive Rule",
				"rule_name": f"Test {frappe.generate_hash(length=6)}",
				"enabled": 1,
				"event": "Delivery Delay",
				"min_delay_minutes": 0,
				"subject": "Sendung {tracking_number}",
				"message": "Verspätung.",
				"ticket_type": "Lieferverzug",
			}
		).insert()
		folder = changed_fixtures(self.without_current_eta)
		self.addCleanup(shutil.rmtree, folder.parent)
		sim = self.start(folder)
		connector = make_connector("Generic JSON", f"{sim.url}/generic/deliveries")
		self.sync(connector)
		frappe.db.set_value("TS Delivery", DELAYED, "sync_hash", "changed at the source")

		log = self.sync(connector)

		self.assertEqual(log.tickets_opened, 0)


class TestTicketLinkIndexes(FrappeTestCase):
	def test_linked_ticket_lookups_go_through_an_index(self):
		# The lookup of events.hd_ticket_context.linked_open_tickets, per link field.
		for field in ("ts_vehicle", "ts_delivery", "ts_route", "ts_solved_by_article"):
			with self.subTest(field=field):
				query = frappe.get_all(
					"HD Ticket",
					filters={field: ("in", ["X1", "X2"]), "status_category": ("in", ("Open", "Paused"))},
					fields=["name", "ts_vehicle", "ts_delivery"],
					run=False,
				)
				(plan,) = frappe.db.sql(f"explain {query}", as_dict=True)

				self.assertTrue(frappe.db.has_index("tabHD Ticket", f"{field}_index"))
				self.assertEqual(plan.key, f"{field}_index", plan)


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

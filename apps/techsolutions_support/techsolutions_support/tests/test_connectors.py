"""Sync rules against the simulator on 127.0.0.1, with its faults switched on.

Each test starts its own simulator and connector; runs keep to the test's transaction
(`commit=False`), which FrappeTestCase rolls back. The recorded fleet is the pilot fleet (same
VINs and plates), so its vehicles exist on the test site before the first sync: a first sync
updates them, a second finds them unchanged.
"""

import json
from datetime import datetime
from types import SimpleNamespace
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.connectors import store
from techsolutions_support.connectors.engine import connector_lock, enqueue_due, run_connector
from techsolutions_support.connectors.http import SourceBusy, SourceClient
from techsolutions_support.simulator import start_simulator
from techsolutions_support.tests.factories import make_connector

B_TS_1004 = "WDBN1NRJAPZ107337"
OTHER_VIN = "YV2RP3US3SJ322061"


class ConnectorTestCase(FrappeTestCase):
	# A commit would leak synced records into the next tests.
	SHOW_TRANSACTION_COMMIT_WARNINGS = True

	def setUp(self):
		frappe.set_user("Administrator")
		# FrappeTestCase rolls back once per class; each test here undoes its own records.
		frappe.db.savepoint("ts_test")
		self.addCleanup(frappe.db.rollback, save_point="ts_test")
		self.sim = start_simulator(page_size=6)
		self.addCleanup(self.sim.stop)

	def fleet(self, **fields):
		return make_connector("rFMS", f"{self.sim.url}/rfms", **fields)

	def sync(self, connector, trigger="Manual"):
		return frappe.get_doc("TS Sync Log", run_connector(connector.name, trigger, commit=False))

	def cursor(self, connector):
		return json.loads(frappe.db.get_value("TS Connector", connector.name, "cursor") or "{}")

	def assertBalanced(self, log):
		"""Every record fetched is accounted for exactly once."""
		self.assertEqual(
			log.fetched, log.created_count + log.updated + log.unchanged + log.failed, log.as_dict()
		)


class TestFleetSync(ConnectorTestCase):
	def test_first_sync_lands_every_vehicle_with_position_and_status(self):
		connector = self.fleet()

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertBalanced(log)
		# 20 vehicles, the latest position and the latest status of each; pages of 6.
		self.assertEqual((log.fetched, log.pages, log.failed), (60, 12, 0))
		self.assertEqual(log.updated, 60)
		truck = frappe.db.get_value("TS Vehicle", B_TS_1004, ["*"], as_dict=True)
		self.assertEqual(
			(truck.plate, truck.model, truck.state), ("B-TS 1004", "Mercedes-Benz Actros 1845", "stopped")
		)
		self.assertEqual((truck.latitude, truck.longitude, truck.speed_kmh), (52.158, 11.702, 0.0))
		# Sent as 08:03:59Z, stored once in the site's zone (Europe/Berlin, CET).
		self.assertEqual(truck.position_at, datetime(2025, 3, 11, 9, 3, 59))
		self.assertEqual(truck.status_at, datetime(2025, 3, 11, 9, 4, 30))
		self.assertEqual(truck.connector, connector.name)
		self.assertEqual(truck.last_synced_at, log.started_at)
		self.assertEqual(frappe.db.count("TS Vehicle", {"connector": connector.name}), 20)

	def test_second_run_changes_nothing_and_duplicates_nothing(self):
		connector = self.fleet()
		self.sync(connector)
		vehicles_before = frappe.db.count("TS Vehicle")

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertBalanced(log)
		self.assertEqual((log.created_count, log.updated, log.failed), (0, 0, 0))
		self.assertEqual(log.unchanged, 20)
		self.assertEqual(frappe.db.count("TS Vehicle"), vehicles_before)

	def test_generated_fleet_is_created_once(self):
		self.sim.set(generate=25, page_size=10)
		connector = self.fleet()

		first = self.sync(connector)
		second = self.sync(connector)

		self.assertEqual((first.created_count, first.failed), (25, 0))
		self.assertEqual(first.updated, 50)
		self.assertEqual((second.created_count, second.updated, second.unchanged), (0, 0, 25))
		self.assertEqual(frappe.db.count("TS Vehicle", {"name": ("like", "WTSGEN%")}), 25)

	def test_429_and_500_are_retried_and_nothing_is_lost(self):
		connector = self.fleet()
		self.sim.set(fail_429=1, retry_after_s=1, fail_500=1)

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertEqual((log.retries, log.updated, log.failed), (2, 60, 0))
		self.assertEqual(log.requests, 12 + 2)
		# Retry-After honoured for the 429; doubling back-off for the 500 that followed.
		self.assertIn("answered 429 (too_many_requests: rate limit); retry 1 in 1 s", log.request_trace)
		self.assertIn(
			"answered 500 (internal_error: simulated server error); retry 2 in 2 s", log.request_trace
		)

	def test_a_run_that_stops_midway_resumes_from_its_cursor(self):
		connector = self.fleet()
		real_get = SourceClient.get
		calls = []

		def outage_at_the_third_position_page(client, url, params=None):
			calls.append(url)
			if len(calls) == 7:
				raise SourceBusy("GET /rfms/vehiclepositions answered 503; gave up after 3 attempts.")
			return real_get(client, url, params)

		with patch.object(SourceClient, "get", outage_at_the_third_position_page):
			stopped = self.sync(connector)
		cursor = self.cursor(connector)
		resumed = self.sync(connector)

		self.assertEqual(stopped.status, "Failed")
		# Four vehicle pages and two position pages landed before the outage.
		self.assertEqual((stopped.fetched, stopped.updated), (32, 32))
		self.assertEqual(cursor["vehiclepositions"]["latestOnly"], "true")
		self.assertTrue(cursor["vehiclepositions"]["lastVin"])
		self.assertEqual(resumed.status, "Success", resumed.error)
		# The resumed run reads the vehicles again (unchanged) and only the remaining positions.
		self.assertEqual((resumed.fetched, resumed.unchanged, resumed.updated), (48, 20, 28))
		self.assertEqual(
			frappe.db.count("TS Vehicle", {"connector": connector.name, "position_stamp": ("is", "set")}), 20
		)

	def test_a_retry_after_longer_than_allowed_ends_the_run_and_the_next_resumes(self):
		connector = self.fleet(max_wait_seconds=2)
		self.sim.set(fail_429=1, retry_after_s=30)

		failed = self.sync(connector)
		resumed = self.sync(connector)

		self.assertEqual(failed.status, "Failed")
		self.assertIn("asks to wait 30 s, longer than the 2 s allowed", failed.error)
		self.assertEqual(frappe.db.get_value("TS Connector", connector.name, "consecutive_failures"), 0)
		self.assertEqual(resumed.status, "Success", resumed.error)
		self.assertEqual(resumed.updated, 60)

	def test_a_broken_page_is_fetched_again(self):
		connector = self.fleet()
		self.sim.set(broken=1)

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertEqual((log.retries, log.fetched, log.failed), (1, 60, 0))
		self.assertIn("unreadable page (payload is not valid JSON", log.request_trace)

	def test_a_bad_record_is_logged_with_its_id_skipped_and_retried_next_run(self):
		connector = self.fleet()
		# One bad record in each of the four vehicle pages and in the first position page.
		self.sim.set(malformed=5)

		partial = self.sync(connector)

		self.assertEqual(partial.status, "Partial")
		self.assertBalanced(partial)
		self.assertEqual(partial.failed, 5)
		samples = json.loads(partial.error_samples)
		(bad_position,) = [sample for sample in samples if sample["resource"] == "vehiclepositions"]
		self.assertIn("has no time zone", bad_position["message"])
		self.assertEqual(self.cursor(connector)["vehiclepositions_retry"], [bad_position["id"]])
		self.assertIsNone(frappe.db.get_value("TS Vehicle", bad_position["id"], "position_stamp"))
		self.assertEqual(partial.updated, 55)

		retried = self.sync(connector)

		self.assertEqual(retried.status, "Success", retried.error)
		self.assertEqual(self.cursor(connector)["vehiclepositions_retry"], [])
		self.assertTrue(frappe.db.get_value("TS Vehicle", bad_position["id"], "position_stamp"))
		# The four vehicles skipped before land now; the other sixteen are unchanged.
		self.assertEqual(frappe.db.count("TS Vehicle", {"connector": connector.name}), 20)

	def test_incremental_positions_follow_the_cursor_page_by_page(self):
		connector = self.fleet()
		connector.db_set("cursor", json.dumps({"vehiclepositions": {"starttime": "2025-03-11T00:00:00Z"}}))

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertBalanced(log)
		# 60 positions (three per vehicle) on 10 pages; the newest of each vehicle is kept.
		self.assertEqual(self.sim.request_count("/rfms/vehiclepositions"), 10)
		self.assertEqual(frappe.db.get_value("TS Vehicle", B_TS_1004, "latitude"), 52.158)
		self.assertEqual(self.cursor(connector)["vehiclepositions"], {"starttime": "2025-03-11T08:20:13Z"})

	def test_slowness_beyond_the_timeout_fails_the_run_with_the_reason(self):
		connector = self.fleet(timeout_seconds=0.3, max_attempts=2)
		self.sim.set(latency_ms=800)

		log = self.sync(connector)

		self.assertEqual(log.status, "Failed")
		self.assertIn("no answer within 0.3 s; gave up after 2 attempts", log.error)

	def test_two_runs_of_one_connector_never_overlap(self):
		connector = self.fleet()
		other = connector_lock(connector.name)
		self.assertTrue(other.acquire(blocking=False))
		try:
			skipped = self.sync(connector)
		finally:
			other.release()
		after = self.sync(connector)

		self.assertEqual(skipped.status, "Skipped")
		self.assertEqual(skipped.fetched, 0)
		self.assertEqual(self.sim.request_count(), 12)
		self.assertEqual(after.status, "Success")

	def test_a_log_left_running_by_a_killed_worker_is_closed_by_the_next_run(self):
		connector = self.fleet()
		killed = frappe.get_doc(
			{
				"doctype": "TS Sync Log",
				"connector": connector.name,
				"status": "Running",
				"trigger": "Schedule",
			}
		).insert()

		self.sync(connector)

		self.assertEqual(frappe.db.get_value("TS Sync Log", killed.name, "status"), "Failed")

	def test_failing_repeatedly_alerts_the_admins_once(self):
		connector = self.fleet(alert_after_failures=2, max_attempts=1)
		self.sim.stop()

		logs = [self.sync(connector) for _ in range(3)]

		self.assertEqual([log.status for log in logs], ["Failed"] * 3)
		self.assertIn("connection failed (Connection refused)", logs[0].error)
		alerts = frappe.get_all(
			"Notification Log",
			filters={
				"document_type": "TS Connector",
				"document_name": connector.name,
				"for_user": "Administrator",
			},
			pluck="subject",
		)
		self.assertEqual(alerts, [f"Connector {connector.name} failed 2 times in a row"])
		self.assertEqual(frappe.db.get_value("TS Connector", connector.name, "consecutive_failures"), 3)

	def test_api_key_and_oauth2(self):
		with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim") as sim:
			good = make_connector(
				"rFMS",
				f"{sim.url}/rfms",
				auth_type="OAuth2 Client Credentials",
				token_url=f"{sim.url}/oauth/token",
				client_id="ts",
				client_secret="geheim",
			)
			wrong = make_connector(
				"rFMS",
				f"{sim.url}/rfms",
				auth_type="OAuth2 Client Credentials",
				token_url=f"{sim.url}/oauth/token",
				client_id="ts",
				client_secret="falsch",
			)
			ok = self.sync(good)
			refused = self.sync(wrong)
			tokens = sim.counters()["tokens_issued"]

		self.assertEqual(ok.status, "Success", ok.error)
		self.assertEqual(tokens, 1)
		self.assertEqual(refused.status, "Failed")
		self.assertIn("token endpoint refused the client credentials", refused.error)
		self.assertIn("invalid_client", refused.error)
		self.assertNotIn("falsch", refused.error + (refused.request_trace or ""))

		with start_simulator(auth="api_key", api_key="k-123") as sim:
			keyed = make_connector("rFMS", f"{sim.url}/rfms", auth_type="API Key", api_key="k-123")
			self.assertEqual(self.sync(keyed).status, "Success")


class TestBatchedVehicleUpdates(ConnectorTestCase):
	def test_a_value_the_database_refuses_costs_only_its_own_vehicle(self):
		self.sync(self.fleet())
		failures = []
		run = SimpleNamespace(record_exception=lambda resource, vin, exc: failures.append((resource, vin)))
		good = {"latitude": 52.5, "longitude": 13.4, "last_synced_at": frappe.utils.now_datetime()}
		# Out of range for the column (decimal 21,9): the batch statement fails as a whole.
		bad = {**good, "latitude": 10**15}

		written = store.update_vehicles(run, "vehiclepositions", {B_TS_1004: good, OTHER_VIN: bad})

		self.assertEqual(written, [B_TS_1004])
		self.assertEqual(failures, [("vehiclepositions", OTHER_VIN)])
		self.assertEqual(frappe.db.get_value("TS Vehicle", B_TS_1004, "latitude"), 52.5)

	def test_only_report_fields_are_written(self):
		with self.assertRaises(ValueError):
			store._update_chunk(("plate",), {B_TS_1004: {"plate": "X"}})


class TestRoutePlanSync(ConnectorTestCase):
	def plan(self, **fields):
		return make_connector("VROOM", f"{self.sim.url}/vroom/solution", **fields)

	def test_routes_stops_and_deliveries_from_the_plan(self):
		self.sync(self.fleet())

		log = self.sync(self.plan())

		self.assertEqual(log.status, "Success", log.error)
		self.assertBalanced(log)
		self.assertEqual((log.fetched, log.created_count), (6, 6))
		route = frappe.get_doc("TS Route", "R-20250311-3")
		self.assertEqual((route.vehicle, str(route.route_date)), (B_TS_1004, "2025-03-11"))
		self.assertEqual(
			[stop.kind for stop in route.stops], ["start", "job", "job", "break", "job", "job", "end"]
		)
		delivery = frappe.db.get_value(
			"TS Delivery", "TS2503110013", ["route", "vehicle", "stop_sequence", "planned_eta"], as_dict=True
		)
		# Second 12810 of a plan starting 06:00 Europe/Berlin.
		self.assertEqual(
			(delivery.route, delivery.vehicle, delivery.stop_sequence, delivery.planned_eta),
			("R-20250311-3", B_TS_1004, 6, datetime(2025, 3, 11, 9, 33, 30)),
		)
		self.assertTrue(frappe.db.exists("TS Delivery", "TS2503110021"))

	def test_a_second_run_is_unchanged_and_a_bad_route_is_skipped(self):
		connector = self.plan()
		self.sim.set(malformed=1)

		partial = self.sync(connector)

		self.assertEqual((partial.status, partial.failed), ("Partial", 1))
		self.assertEqual(json.loads(partial.error_samples)[0]["id"], "3")
		self.assertFalse(frappe.db.exists("TS Route", "R-20250311-3"))

		repaired = self.sync(connector)
		again = self.sync(connector)

		self.assertEqual(repaired.status, "Success")
		self.assertTrue(frappe.db.exists("TS Route", "R-20250311-3"))
		self.assertEqual((again.unchanged, again.created_count, again.updated), (6, 0, 0))
		self.assertEqual(frappe.db.count("TS Route", {"connector": connector.name}), 5)


class TestDeliverySync(ConnectorTestCase):
	def deliveries(self, **fields):
		return make_connector("Generic JSON", f"{self.sim.url}/generic/deliveries", **fields)

	def test_all_pages_mapped_and_the_cursor_set(self):
		connector = self.deliveries()

		log = self.sync(connector)

		self.assertEqual(log.status, "Success", log.error)
		self.assertEqual((log.fetched, log.pages, log.created_count), (21, 4, 21))
		delayed = frappe.get_doc("TS Delivery", "TS2503110013")
		self.assertEqual(
			(delayed.status, delayed.source_status, delayed.delay_minutes), ("Delayed", "DELAYED", 50)
		)
		self.assertEqual(delayed.vehicle, B_TS_1004)
		self.assertEqual(delayed.current_eta, datetime(2025, 3, 11, 10, 23))
		self.assertEqual(self.cursor(connector), {"since": "2025-03-11T07:58:00Z"})

		again = self.sync(connector)

		# Only what changed since the newest record seen is asked for: that record, unchanged.
		self.assertEqual((again.fetched, again.unchanged, again.created_count), (1, 1, 0))

	def test_times_without_zone_are_read_in_the_source_zone_once(self):
		berlin = self.deliveries()
		utc_source = self.deliveries(source_time_zone="UTC", connector_name="Deliveries in UTC")

		self.sync(berlin)
		berlin_eta = frappe.db.get_value("TS Delivery", "TS2503110001", "planned_eta")
		self.sync(utc_source)
		utc_eta = frappe.db.get_value("TS Delivery", "TS2503110001", "planned_eta")

		# "2025-03-11T06:19" is 06:19 in Berlin, or 07:19 Berlin time when the source means UTC.
		self.assertEqual((berlin_eta, utc_eta), (datetime(2025, 3, 11, 6, 19), datetime(2025, 3, 11, 7, 19)))
		# A time sent with its offset is the same instant whatever the source zone.
		self.assertEqual(
			frappe.db.get_value("TS Delivery", "TS2503110002", "current_eta"), datetime(2025, 3, 11, 9, 0)
		)

	def test_a_bad_record_holds_the_cursor_so_the_next_run_reads_it_again(self):
		connector = self.deliveries()
		self.sim.set(malformed=1)

		partial = self.sync(connector)

		self.assertEqual((partial.status, partial.failed, partial.created_count), ("Partial", 1, 20))
		(sample,) = json.loads(partial.error_samples)
		self.assertIn("'bald' is not an ISO 8601 date-time", sample["message"])
		self.assertFalse(frappe.db.exists("TS Delivery", sample["id"]))
		# Held at the bad record's own updatedAt, before the newest record of the run.
		self.assertEqual(self.cursor(connector)["since"], "2025-03-11T06:59:00Z")

		retried = self.sync(connector)

		self.assertEqual(retried.status, "Success", retried.error)
		self.assertTrue(frappe.db.exists("TS Delivery", sample["id"]))
		self.assertEqual(frappe.db.count("TS Delivery", {"connector": connector.name}), 21)


class TestSchedule(ConnectorTestCase):
	def test_due_connectors_are_queued_once(self):
		due = self.fleet()
		recent = self.fleet()
		recent.db_set("last_run_at", frappe.utils.now_datetime())
		disabled = self.fleet(enabled=0)

		with patch("frappe.enqueue") as enqueue:
			queued = enqueue_due()

		self.assertIn(due.name, queued)
		self.assertNotIn(recent.name, queued)
		self.assertNotIn(disabled.name, queued)
		(call,) = [call for call in enqueue.call_args_list if call.kwargs["connector"] == due.name]
		self.assertEqual(call.kwargs["queue"], "long")
		self.assertEqual(call.kwargs["job_id"], f"ts-connector::{due.name}")
		self.assertTrue(call.kwargs["deduplicate"])

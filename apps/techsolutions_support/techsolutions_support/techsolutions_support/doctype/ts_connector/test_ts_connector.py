import json

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.api.connectors import sync_now, test_connection
from techsolutions_support.connectors.config import ConnectorConfigError
from techsolutions_support.simulator import start_simulator
from techsolutions_support.tests.factories import make_agent, make_connector


class TestTSConnector(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint("ts_test")
		self.addCleanup(frappe.db.rollback, save_point="ts_test")
		self.sim = start_simulator(page_size=6)
		self.addCleanup(self.sim.stop)

	def test_settings_that_cannot_work_are_refused_with_the_reason(self):
		cases = [
			({"base_url": "ftp://fleet.example/rfms"}, "must be an http or https URL"),
			({"base_url": "https://user:pw@fleet.example/rfms"}, "must not carry a user or password"),
			({"source_time_zone": "Mitteleuropa"}, "is not a time zone name"),
			({"timeout_seconds": 0}, "Timeout must be more than 0"),
			({"page_size": 0}, "Page Size must be between 1 and"),
			({"connector_type": "VROOM", "route_code_pattern": "R-{day}"}, "Route Code Pattern"),
			({"connector_type": "Generic JSON", "field_mapping": "{"}, "Field Mapping is not valid JSON"),
			(
				{"connector_type": "Generic JSON", "field_mapping": json.dumps({"eta": "eta.current"})},
				"unknown field 'eta'",
			),
		]
		for fields, message in cases:
			with self.subTest(fields=fields):
				url = fields.pop("base_url", f"{self.sim.url}/rfms")
				with self.assertRaisesRegex(ConnectorConfigError, message):
					make_connector("rFMS", url, **fields)

	def test_connection_that_works_says_what_it_found(self):
		connector = make_connector("rFMS", f"{self.sim.url}/rfms")

		result = test_connection(connector.name)

		self.assertEqual(
			result,
			{
				"ok": True,
				"stage": "records",
				"message": f"Connected to {self.sim.url}/rfms/vehicles: 6 vehicles on the first page, more pages follow.",
			},
		)

	def test_connection_says_exactly_what_failed(self):
		with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim") as sim:
			oauth = make_connector(
				"rFMS",
				f"{sim.url}/rfms",
				auth_type="OAuth2 Client Credentials",
				token_url=f"{sim.url}/oauth/token",
				client_id="ts",
				client_secret="falsch",
			)
			keyless = make_connector("rFMS", f"{sim.url}/rfms")
			wrong_secret = test_connection(oauth.name)
			no_key = test_connection(keyless.name)
		self.sim.set(fail_500=1)
		busy = test_connection(make_connector("rFMS", f"{self.sim.url}/rfms").name)
		wrong_path = test_connection(
			make_connector(
				"Generic JSON", f"{self.sim.url}/generic/deliveries", records_path="data.items"
			).name
		)
		closed = make_connector("rFMS", f"{sim.url}/rfms")
		refused = test_connection(closed.name)

		self.assertEqual((wrong_secret["ok"], wrong_secret["stage"]), (False, "token"))
		self.assertIn("token endpoint refused the client credentials", wrong_secret["message"])
		self.assertIn("401 (invalid_client: unknown client or wrong secret)", wrong_secret["message"])
		self.assertNotIn("falsch", wrong_secret["message"])
		self.assertEqual(no_key["stage"], "request")
		self.assertIn("answered 401 (invalid_token: access token missing or unknown)", no_key["message"])
		self.assertIn(
			"answered 500 (internal_error: simulated server error); gave up after 1 attempt", busy["message"]
		)
		self.assertEqual(wrong_path["stage"], "format")
		self.assertIn("expected a list of records at 'data.items'", wrong_path["message"])
		self.assertIn("connection failed (Connection refused)", refused["message"])

	def test_only_connector_admins_test_or_sync(self):
		connector = make_connector("rFMS", f"{self.sim.url}/rfms")
		agent = make_agent("Agent Manager")

		frappe.set_user(agent)
		self.assertRaises(frappe.PermissionError, test_connection, connector.name)
		self.assertRaises(frappe.PermissionError, sync_now, connector.name)
		frappe.set_user("Administrator")
		self.assertEqual(self.sim.request_count(), 0)

	def test_secrets_stay_in_password_fields(self):
		connector = make_connector(
			"rFMS", f"{self.sim.url}/rfms", auth_type="API Key", api_key="k-very-secret"
		)

		stored = frappe.db.get_value("TS Connector", connector.name, "api_key")

		self.assertNotEqual(stored, "k-very-secret")
		self.assertEqual(connector.get_password("api_key"), "k-very-secret")

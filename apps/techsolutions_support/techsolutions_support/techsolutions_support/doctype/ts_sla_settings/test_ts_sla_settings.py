import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.core.sla_recipients import Audience
from techsolutions_support.sla.clock import load_policy
from techsolutions_support.techsolutions_support.doctype.ts_sla_settings.ts_sla_settings import (
	InvalidSlaSettings,
)


class TestTSSLASettings(FrappeTestCase):
	def setUp(self):
		self.addCleanup(frappe.clear_document_cache, "TS SLA Settings", "TS SLA Settings")
		self.settings = frappe.get_single("TS SLA Settings")

	def test_escalation_levels_in_order_of_their_delays(self):
		self.settings.set(
			"escalation_levels",
			[
				{"level_name": "Team Lead", "delay_minutes": 60},
				{"level_name": "Support Manager", "delay_minutes": 30},
			],
		)

		self.assertRaises(InvalidSlaSettings, self.settings.save)

	def test_the_warn_share_is_a_share(self):
		self.settings.warn_share_percent = 120

		self.assertRaises(InvalidSlaSettings, self.settings.save)

	def test_the_clock_reads_the_settings(self):
		self.settings.warn_share_percent = 80
		self.settings.unanswered_resolution = "Not applicable"
		self.settings.warn_team_when_unassigned = 0
		self.settings.set(
			"escalation_levels",
			[
				{"level_name": "Team Lead", "delay_minutes": 0, "notify_team": "Team Lead"},
				{
					"level_name": "Support Manager",
					"delay_minutes": 90,
					"notify_assignees": 1,
					"notify_role": "Agent Manager",
					"notify_users": "Administrator, Guest\nAdministrator",
				},
			],
		)
		self.settings.save()

		policy = load_policy()

		self.assertEqual(policy.warn_share, 0.8)
		self.assertEqual(policy.unanswered_resolution, "void")
		self.assertEqual([delay.total_seconds() for delay in policy.escalation_delays], [0, 5400])
		self.assertEqual(policy.escalation_names, ("Team Lead", "Support Manager"))
		self.assertEqual(
			policy.escalation_audiences,
			(
				Audience(team="lead"),
				Audience(is_assignees=True, role="Agent Manager", users=("Administrator", "Guest")),
			),
		)
		self.assertFalse(policy.is_team_warned_when_unassigned)

	def test_a_level_names_someone(self):
		self.settings.set("escalation_levels", [{"level_name": "Team Lead", "delay_minutes": 0}])

		self.assertRaises(InvalidSlaSettings, self.settings.save)

	def test_the_users_of_a_level_exist(self):
		self.settings.set(
			"escalation_levels",
			[{"level_name": "Team Lead", "delay_minutes": 0, "notify_users": "nobody-here@test.example"}],
		)

		self.assertRaises(InvalidSlaSettings, self.settings.save)

"""The SLA watch on a real site: warnings and escalation sent once, to the right people, status kept.

The watch runs over every open ticket of the site; the assertions look at the tickets made here.
Standard, Urgent: first response within 120 business minutes, so a ticket filed on Monday
7 December 2026 at 09:00 is warned from 10:30 (75 %) and breached from 11:00.

People: a team with the members anna and ben and the lead lea; mia holds the test role of the
second escalation level. The app's standard Notifications (System Notification) send, so each
alert shows as one Notification Log of type Alert per recipient.
"""

import frappe
from frappe.cache_manager import clear_doctype_map
from frappe.desk.form.assign_to import add as assign_to
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime, random_string

from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.sla.calendars import clear_calendar
from techsolutions_support.sla.watch import LOCK_NAME, run_watch
from techsolutions_support.tests.factories import (
	file_agent_ticket,
	make_agent,
	make_calendar,
	make_customer,
	make_tier,
)

CREATED = "2026-12-07 09:00:00"
LEVEL_FIELDS = (
	"level_name",
	"delay_minutes",
	"notify_assignees",
	"notify_team",
	"notify_role",
	"notify_users",
)


class TestSlaWatch(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)
		cls.addClassCleanup(clear_calendar)
		frappe.set_user("Administrator")
		# Once for the class: Frappe throttles the creation of users.
		cls.anna, cls.ben, cls.lea, cls.mia = (make_agent() for _ in range(4))
		for agent in (cls.anna, cls.ben, cls.lea, cls.mia):
			# Frappe e-mails an assignment at once in tests, and sending commits: that would keep
			# this class's records and settings beyond its rollback. Alerts come as Notification Logs.
			if frappe.db.exists("Notification Settings", agent):
				frappe.db.set_value("Notification Settings", agent, "enable_email_notifications", 0)
			else:
				frappe.get_doc(
					{"doctype": "Notification Settings", "name": agent, "enable_email_notifications": 0}
				).insert(ignore_permissions=True)
		# Helpdesk gives the team an Assignment Rule; Frappe caches the rules of HD Ticket, and the
		# cache would outlive the rollback at the end of the class and name a rule that is gone.
		cls.addClassCleanup(clear_doctype_map, "Assignment Rule", "HD Ticket")
		cls.addClassCleanup(clear_doctype_map, "Assignment Rule", "due_date_rules_for_HD Ticket")
		cls.team = frappe.get_doc(
			{
				"doctype": "HD Team",
				"team_name": f"Testteam {random_string(6)}",
				"users": [{"user": cls.anna}, {"user": cls.ben}],
				"ts_team_lead": cls.lea,
			}
		).insert(ignore_permissions=True)
		cls.role = frappe.get_doc(
			{"doctype": "Role", "role_name": f"TS Test Manager {random_string(6)}"}
		).insert()
		frappe.get_doc("User", cls.mia).add_roles(cls.role.name)

	def setUp(self):
		frappe.set_user("Administrator")
		self.use_settings(
			warn_share_percent=75,
			levels=[
				{"level_name": "Team Lead", "delay_minutes": 0, "notify_team": "Team Lead"},
				{"level_name": "Support Manager", "delay_minutes": 120, "notify_role": self.role.name},
			],
		)

	def use_settings(self, warn_share_percent: float, levels: list[dict]) -> None:
		settings = frappe.get_single("TS SLA Settings")
		before = (
			settings.warn_share_percent,
			[{field: row.get(field) for field in LEVEL_FIELDS} for row in settings.escalation_levels],
		)
		settings.warn_share_percent = warn_share_percent
		settings.warn_team_when_unassigned = 1
		settings.is_watch_enabled = 1
		settings.set("escalation_levels", levels)
		settings.save()
		self.addCleanup(self.restore_settings, *before)

	def restore_settings(self, warn_share_percent: float, levels: list[dict]) -> None:
		settings = frappe.get_single("TS SLA Settings")
		settings.warn_share_percent = warn_share_percent
		settings.set("escalation_levels", levels)
		settings.save()

	def urgent_ticket(self, assignee: str | None = None) -> str:
		"""A Standard Urgent ticket of the team, filed Monday 09:00, assigned to `assignee`."""
		with self.freeze_time(CREATED):
			name = file_agent_ticket(make_customer("Standard"), "Urgent").name
			# Set in the database: a save would let the team's assignment rule pick an agent.
			frappe.db.set_value("HD Ticket", name, "agent_group", self.team.name, update_modified=False)
			if assignee:
				assign_to({"assign_to": [assignee], "doctype": "HD Ticket", "name": name})
		return name

	def watch_at(self, *moments: str):
		results = []
		for when in moments:
			with self.freeze_time(when):
				results.append(run_watch(commit=False))
		return results[-1]

	def alerts_per_user(self, name: str) -> dict[str, int]:
		"""Notification Logs of the app's SLA Notifications (type Alert) for the ticket, per user."""
		logs = frappe.get_all(
			"Notification Log",
			filters={"document_type": "HD Ticket", "document_name": name, "type": "Alert"},
			fields=["for_user", "count(*) as sent"],
			group_by="for_user",
		)
		return {log.for_user: log.sent for log in logs}

	def subjects_for(self, name: str, user: str) -> list[str]:
		return frappe.get_all(
			"Notification Log",
			filters={"document_name": name, "type": "Alert", "for_user": user},
			pluck="subject",
		)

	def test_a_warning_reaches_the_assignee_once_however_often_the_watch_runs(self):
		name = self.urgent_ticket(assignee=self.anna)

		self.watch_at("2026-12-07 10:25:00")
		self.assertEqual(self.alerts_per_user(name), {})

		first = self.watch_at("2026-12-07 10:35:00")
		modified = frappe.db.get_value("HD Ticket", name, "modified")
		last = self.watch_at("2026-12-07 10:40:00", "2026-12-07 10:50:00", "2026-12-07 10:55:00")

		self.assertEqual(self.alerts_per_user(name), {self.anna: 1})
		self.assertIn(f"first response to ticket {name}", self.subjects_for(name, self.anna)[0])
		ticket = frappe.db.get_value(
			"HD Ticket", name, ["ts_response_warning_sent", "ts_warning_recipients", "modified"], as_dict=True
		)
		self.assertEqual((ticket.ts_response_warning_sent, ticket.ts_warning_recipients), (1, self.anna))
		# The warning was a document change, at 10:35; the later runs changed nothing.
		self.assertEqual(modified, get_datetime("2026-12-07 10:35:00"))
		self.assertEqual(ticket.modified, modified)
		self.assertGreaterEqual(first.warned, 1)
		self.assertNotIn(name, first.failed + last.failed)

	def test_a_warning_is_a_document_change_that_webhooks_see_once(self):
		self.addCleanup(frappe.cache.delete_value, "webhooks")
		# Rolled back, never sent: nothing of this test may stay queued for a later commit.
		self.addCleanup(setattr, frappe.local, "_webhook_queue", [])
		webhook = frappe.get_doc(
			{
				"doctype": "Webhook",
				"__newname": f"TS SLA Test {random_string(6)}",
				"webhook_doctype": "HD Ticket",
				"webhook_docevent": "on_change",
				"condition": "doc.ts_response_warning_sent",
				# Never called: webhooks are sent after a commit, and the watch runs uncommitted here.
				"request_url": "http://127.0.0.1:9/ts-sla-test",
				"request_structure": "JSON",
				"webhook_json": '{"ticket": "{{ doc.name }}"}',
			}
		).insert()
		self.addCleanup(webhook.delete)
		name = self.urgent_ticket(assignee=self.anna)

		self.watch_at("2026-12-07 10:35:00", "2026-12-07 10:40:00", "2026-12-07 10:45:00")

		queued = [
			entry
			for entry in getattr(frappe.local, "_webhook_queue", None) or []
			if entry.doc.name == name and entry.webhook.name == webhook.name
		]
		self.assertEqual(len(queued), 1)
		self.assertEqual(queued[0].doc.ts_response_warning_sent, 1)

	def test_an_unassigned_ticket_warns_its_team(self):
		name = self.urgent_ticket()

		self.watch_at("2026-12-07 10:35:00", "2026-12-07 10:40:00")

		self.assertEqual(self.alerts_per_user(name), {self.anna: 1, self.ben: 1})

	def test_each_escalation_level_reaches_its_people_once(self):
		name = self.urgent_ticket(assignee=self.anna)

		self.watch_at("2026-12-07 11:05:00")
		level_one = frappe.db.get_value(
			"HD Ticket",
			name,
			["ts_escalation_level", "ts_escalated_to", "ts_escalation_recipients", "ts_breached_at"],
			as_dict=True,
		)
		self.watch_at("2026-12-07 11:10:00", "2026-12-07 12:55:00")
		after_level_one = self.alerts_per_user(name)
		# Two business hours after the breach at 11:00.
		self.watch_at("2026-12-07 13:05:00", "2026-12-07 13:10:00", "2026-12-07 15:00:00")

		self.assertEqual(
			level_one,
			{
				"ts_escalation_level": 1,
				"ts_escalated_to": "Team Lead",
				"ts_escalation_recipients": self.lea,
				"ts_breached_at": get_datetime("2026-12-07 11:00:00"),
			},
		)
		# The warning (due since 10:30) went to anna with the first escalation, in the same change.
		self.assertEqual(after_level_one, {self.anna: 1, self.lea: 1})
		self.assertEqual(
			frappe.db.get_value(
				"HD Ticket", name, ["ts_escalation_level", "ts_escalated_to", "ts_escalation_recipients"]
			),
			(2, "Support Manager", self.mia),
		)
		self.assertEqual(self.alerts_per_user(name), {self.anna: 1, self.lea: 1, self.mia: 1})
		self.assertIn("level 2", self.subjects_for(name, self.mia)[0])

	def test_levels_reached_in_one_run_reach_the_people_of_each(self):
		name = self.urgent_ticket(assignee=self.anna)

		# The watch did not run from before the breach until both levels were due.
		self.watch_at("2026-12-07 13:05:00", "2026-12-07 13:10:00")

		self.assertEqual(frappe.db.get_value("HD Ticket", name, "ts_escalation_level"), 2)
		self.assertEqual(self.alerts_per_user(name), {self.anna: 1, self.lea: 1, self.mia: 1})

	def test_a_level_that_reaches_nobody_is_refused(self):
		settings = frappe.get_single("TS SLA Settings")
		settings.set("escalation_levels", [{"level_name": "Team Lead", "delay_minutes": 0}])

		self.assertRaises(frappe.ValidationError, settings.save)

	def test_an_untouched_ticket_gets_a_holiday_added_later(self):
		calendar = make_calendar({day: [("08:00", "17:00")] for day in ("Monday", "Tuesday", "Wednesday")})
		tier = make_tier(calendar, {"Medium": (480, 2700)})
		with self.freeze_time(CREATED):
			name = file_agent_ticket(make_customer(tier), "Medium").name
		modified = frappe.db.get_value("HD Ticket", name, "modified")

		doc = frappe.get_doc("TS Business Calendar", calendar)
		doc.append("closed_days", {"closed_on": "2026-12-07", "description": "Betriebsversammlung"})
		doc.save()
		self.watch_at("2026-12-07 09:30:00")

		self.assertEqual(
			frappe.db.get_value("HD Ticket", name, "response_by"), get_datetime("2026-12-08 16:00:00")
		)
		self.assertEqual(frappe.db.get_value("HD Ticket", name, "modified"), modified)

	def test_the_status_of_an_untouched_ticket_is_kept_current(self):
		# Warned already, no escalation levels: the breach changes only derived values.
		self.use_settings(warn_share_percent=75, levels=[])
		name = self.urgent_ticket(assignee=self.anna)
		frappe.db.set_value(
			"HD Ticket", name, {"ts_response_warning_sent": 1, "ts_resolution_warning_sent": 1}
		)
		modified = frappe.db.get_value("HD Ticket", name, "modified")

		self.watch_at("2026-12-07 11:05:00")

		ticket = frappe.db.get_value(
			"HD Ticket",
			name,
			["agreement_status", "ts_breached_at", "ts_escalation_level", "modified"],
			as_dict=True,
		)
		self.assertEqual(
			ticket,
			{
				"agreement_status": "Failed",
				"ts_breached_at": get_datetime("2026-12-07 11:00:00"),
				"ts_escalation_level": 0,
				"modified": modified,
			},
		)

	def test_a_run_while_another_holds_the_lock_does_nothing(self):
		lock = frappe.cache.lock(frappe.cache.make_key(LOCK_NAME), timeout=60)
		self.assertTrue(lock.acquire(blocking=False))
		try:
			result = run_watch(commit=False)
		finally:
			lock.release()

		self.assertTrue(result.is_skipped)
		self.assertEqual(result.checked, 0)

	def test_a_ticket_from_before_the_clock_is_adopted(self):
		name = self.urgent_ticket()
		frappe.db.set_value(
			"HD Ticket", name, {"ts_sla_terms": None, "ts_sla_calendar": None, "response_by": None}
		)

		result = self.watch_at("2026-12-07 09:30:00")

		self.assertGreaterEqual(result.adopted, 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", name, "ts_sla_calendar"), "Mo-Fr 08-17 Berlin")
		self.assertEqual(
			frappe.db.get_value("HD Ticket", name, "response_by"), get_datetime("2026-12-07 11:00:00")
		)

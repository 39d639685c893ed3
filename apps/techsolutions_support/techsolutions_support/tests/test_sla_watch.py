"""The SLA watch on a real site: warnings and escalation sent once, Notifications fired, status kept.

The watch runs over every open ticket of the site; the assertions look at the tickets made here.
Standard, Urgent: first response within 120 business minutes, so a ticket filed on Monday
7 December 2026 at 09:00 is warned from 10:30 (75 %) and breached from 11:00.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_datetime

from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.sla.calendars import clear_calendar
from techsolutions_support.sla.watch import LOCK_NAME, run_watch
from techsolutions_support.tests.factories import (
	file_agent_ticket,
	make_calendar,
	make_customer,
	make_tier,
)

CREATED = "2026-12-07 09:00:00"


class TestSlaWatch(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)
		cls.addClassCleanup(clear_calendar)

	def setUp(self):
		frappe.set_user("Administrator")
		self.use_settings(warn_share_percent=75, levels=[("Team Lead", 0), ("Support Manager", 120)])

	def use_settings(self, warn_share_percent: float, levels: list[tuple[str, int]]) -> None:
		settings = frappe.get_single("TS SLA Settings")
		before = (
			settings.warn_share_percent,
			[(row.level_name, row.delay_minutes) for row in settings.escalation_levels],
		)
		settings.warn_share_percent = warn_share_percent
		settings.is_watch_enabled = 1
		settings.set(
			"escalation_levels", [{"level_name": name, "delay_minutes": delay} for name, delay in levels]
		)
		settings.save()
		self.addCleanup(self.restore_settings, *before)

	def restore_settings(self, warn_share_percent: float, levels: list[tuple[str, int]]) -> None:
		settings = frappe.get_single("TS SLA Settings")
		settings.warn_share_percent = warn_share_percent
		settings.set(
			"escalation_levels", [{"level_name": name, "delay_minutes": delay} for name, delay in levels]
		)
		settings.save()

	def notify_owner_on(self, fieldname: str) -> None:
		"""A Notification to the ticket's owner (the agent who filed it) when `fieldname` changes."""
		notification = frappe.get_doc(
			{
				"doctype": "Notification",
				"name": f"Test SLA {fieldname}",
				"subject": "SLA {{ doc.name }}: " + fieldname,
				"document_type": "HD Ticket",
				"event": "Value Change",
				"value_changed": fieldname,
				"channel": "System Notification",
				"recipients": [{"receiver_by_document_field": "owner"}],
				"message": "{{ doc.agreement_status }}",
				"enabled": 1,
			}
		).insert()
		# Deleted again, so that no later save looks for it (Frappe caches the list of Notifications).
		self.addCleanup(notification.delete)

	def urgent_ticket(self) -> str:
		with self.freeze_time(CREATED):
			return file_agent_ticket(make_customer("Standard"), "Urgent").name

	def watch_at(self, when: str):
		with self.freeze_time(when):
			return run_watch(commit=False)

	def notifications(self, name: str) -> int:
		return frappe.db.count("Notification Log", {"document_type": "HD Ticket", "document_name": name})

	def test_the_watch_run_twice_warns_once_and_the_notification_fires_once(self):
		self.notify_owner_on("ts_response_warning_sent")
		name = self.urgent_ticket()

		self.watch_at("2026-12-07 10:25:00")
		self.assertFalse(frappe.db.get_value("HD Ticket", name, "ts_response_warning_sent"))

		first = self.watch_at("2026-12-07 10:35:00")
		modified = frappe.db.get_value("HD Ticket", name, "modified")
		second = self.watch_at("2026-12-07 10:40:00")

		self.assertTrue(frappe.db.get_value("HD Ticket", name, "ts_response_warning_sent"))
		self.assertEqual(self.notifications(name), 1)
		self.assertEqual(frappe.db.get_value("HD Ticket", name, "modified"), modified)
		self.assertFalse(first.is_skipped or second.is_skipped)
		self.assertGreaterEqual(first.warned, 1)
		self.assertNotIn(name, first.failed + second.failed)

	def test_escalation_goes_up_one_level_per_delay_each_sent_once(self):
		self.notify_owner_on("ts_escalation_level")
		name = self.urgent_ticket()

		self.watch_at("2026-12-07 11:05:00")
		level_one = frappe.db.get_value(
			"HD Ticket",
			name,
			["ts_escalation_level", "ts_escalated_to", "ts_breached_at", "agreement_status"],
			as_dict=True,
		)
		self.watch_at("2026-12-07 11:10:00")
		self.watch_at("2026-12-07 12:55:00")
		self.assertEqual(frappe.db.get_value("HD Ticket", name, "ts_escalation_level"), 1)
		# Two business hours after the breach at 11:00.
		self.watch_at("2026-12-07 13:05:00")
		self.watch_at("2026-12-07 13:10:00")

		self.assertEqual(
			level_one,
			{
				"ts_escalation_level": 1,
				"ts_escalated_to": "Team Lead",
				"ts_breached_at": get_datetime("2026-12-07 11:00:00"),
				"agreement_status": "Failed",
			},
		)
		self.assertEqual(
			frappe.db.get_value("HD Ticket", name, ["ts_escalation_level", "ts_escalated_to"]),
			(2, "Support Manager"),
		)
		self.assertEqual(self.notifications(name), 2)

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
		name = self.urgent_ticket()
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

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.core.business_time import Window, add_business_time, is_open
from techsolutions_support.sla.calendars import InvalidBusinessCalendar, clear_calendar, get_calendar
from techsolutions_support.tests.factories import make_calendar

BERLIN = ZoneInfo("Europe/Berlin")


class TestTSBusinessCalendar(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_calendar)

	def test_several_windows_a_day_and_midnight_as_the_end(self):
		name = make_calendar(
			{"Monday": [("08:00", "12:00"), ("13:00", "17:00")], "Saturday": [("22:00", "00:00")]}
		)

		calendar = get_calendar(name)

		self.assertEqual(calendar.week[0], (Window(time(8), time(12)), Window(time(13), time(17))))
		self.assertEqual(calendar.week[5], (Window(time(22), time(0)),))
		self.assertEqual(calendar.tz, "Europe/Berlin")

	def test_public_holidays_of_the_state_and_company_days_are_closed(self):
		name = make_calendar(
			{"Friday": [("08:00", "17:00")], "Thursday": [("08:00", "17:00")]},
			holiday_state="BE",
			closed_days=("2026-12-31",),
		)

		calendar = get_calendar(name)

		# Karfreitag 2026 (Berlin) and the company day.
		self.assertIn(date(2026, 4, 3), calendar.closed_days)
		self.assertIn(date(2026, 12, 31), calendar.closed_days)
		self.assertFalse(is_open(datetime(2026, 4, 3, 10, tzinfo=BERLIN), calendar))

	def test_24_7_ignores_the_windows(self):
		name = make_calendar({"Monday": [("08:00", "09:00")]}, is_24_7=True)

		start = datetime(2026, 12, 12, 23, 0, tzinfo=BERLIN)
		self.assertEqual(
			add_business_time(start, timedelta(hours=2), get_calendar(name)),
			datetime(2026, 12, 13, 1, 0, tzinfo=BERLIN),
		)

	def test_a_change_is_seen_at_once(self):
		name = make_calendar({"Monday": [("08:00", "17:00")]})
		get_calendar(name)

		doc = frappe.get_doc("TS Business Calendar", name)
		doc.append("windows", {"weekday": "Tuesday", "start_time": "09:00", "end_time": "10:00"})
		doc.save()

		self.assertEqual(get_calendar(name).week[1], (Window(time(9), time(10)),))

	def test_overlapping_windows_are_refused(self):
		self.assertRaises(
			InvalidBusinessCalendar, make_calendar, {"Monday": [("08:00", "12:00"), ("11:00", "17:00")]}
		)

	def test_an_unknown_time_zone_is_refused(self):
		doc = frappe.get_doc(
			{
				"doctype": "TS Business Calendar",
				"calendar_name": "Test Mondzeit",
				"time_zone": "Mond/Tranquilitatis",
				"is_24_7": 1,
			}
		)

		self.assertRaises(InvalidBusinessCalendar, doc.insert)

	def test_a_calendar_without_hours_is_refused(self):
		self.assertRaises(InvalidBusinessCalendar, make_calendar, {})

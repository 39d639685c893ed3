"""The SLA reports on a real site, over tickets of March 2031 on a tier of their own.

Test tier: the Standard calendar (Mon-Fri 08-17, Berlin), Urgent: response 120, resolution 540
business minutes. Monday 3 March 2031 is an ordinary working day.
"""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import random_string

from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.techsolutions_support.report.ts_carrier_waiting_time import ts_carrier_waiting_time
from techsolutions_support.techsolutions_support.report.ts_sla_breaches import ts_sla_breaches
from techsolutions_support.techsolutions_support.report.ts_sla_compliance import ts_sla_compliance
from techsolutions_support.tests.factories import file_agent_ticket, make_customer, make_tier, update_ticket

MARCH = {"from_date": "2031-03-01", "to_date": "2031-03-31"}


class TestSlaReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)
		frappe.set_user("Administrator")
		cls.tier = make_tier("Mo-Fr 08-17 Berlin", {"Urgent": (120, 540)})
		cls.carrier = f"Testspedition {random_string(6)}"
		customer = make_customer(cls.tier)

		def ticket_at(when: str) -> str:
			with cls.freeze_time(cls, when):
				return file_agent_ticket(customer, "Urgent", "Sendung verspätet").name

		def change_at(when: str, name: str, **values) -> None:
			with cls.freeze_time(cls, when):
				update_ticket(name, **values)

		# In time: answered (waiting on the customer) at 10:00, resolved at 12:00.
		cls.kept = ticket_at("2031-03-03 09:00:00")
		change_at("2031-03-03 10:00:00", cls.kept, status="Replied")
		change_at("2031-03-03 12:00:00", cls.kept, status="Resolved")
		# Untouched: both targets missed by Tuesday noon.
		cls.ignored = ticket_at("2031-03-03 09:00:00")
		# Waiting on a carrier from Monday 09:30 to Tuesday 11:00; resolution due Wednesday 10:30.
		cls.waited = ticket_at("2031-03-03 09:00:00")
		change_at("2031-03-03 09:30:00", cls.waited, status="Waiting on Carrier", ts_carrier=cls.carrier)
		change_at("2031-03-04 11:00:00", cls.waited, status="Open")
		# Still waiting on another carrier since Monday 09:30, on a tier of its own (not counted above).
		cls.running_carrier = f"Testspedition {random_string(6)}"
		other = make_customer(make_tier("Mo-Fr 08-17 Berlin", {"Urgent": (120, 540)}))
		with cls.freeze_time(cls, "2031-03-03 09:00:00"):
			waiting = file_agent_ticket(other, "Urgent", "Ersatzteil beim Spediteur").name
		change_at("2031-03-03 09:30:00", waiting, status="Waiting on Carrier", ts_carrier=cls.running_carrier)

	def report(self, module, when: str, **filters) -> list[dict]:
		with self.freeze_time(when):
			_columns, rows = module.execute({**MARCH, **filters})
		return rows

	def test_compliance_per_tier_and_month(self):
		rows = self.report(ts_sla_compliance, "2031-03-05 12:00:00", tier=self.tier)

		self.assertEqual(
			rows,
			[
				{
					"month": "2031-03",
					"tier": self.tier,
					"tickets": 3,
					"response_met": 2,
					"response_missed": 1,
					"response_compliance": 66.7,
					"resolution_met": 1,
					"resolution_missed": 2,
					"resolution_compliance": 33.3,
					"pending": 0,
				}
			],
		)

	def test_a_clock_still_running_is_pending(self):
		rows = self.report(ts_sla_compliance, "2031-03-03 10:30:00", tier=self.tier)

		self.assertEqual((rows[0]["response_met"], rows[0]["response_missed"], rows[0]["pending"]), (2, 0, 2))
		self.assertEqual(rows[0]["resolution_compliance"], 100.0)

	def test_breaches_with_their_causes(self):
		rows = {
			row["ticket"]: row for row in self.report(ts_sla_breaches, "2031-03-05 12:00:00", tier=self.tier)
		}

		self.assertEqual(set(rows), {self.ignored, self.waited})
		self.assertEqual(rows[self.ignored]["clock"], "First response, Resolution")
		self.assertEqual(str(rows[self.ignored]["deadline"]), "2031-03-03 11:00:00")
		self.assertEqual(rows[self.ignored]["causes"], "First response late; Resolution late")
		self.assertEqual(rows[self.waited]["clock"], "Resolution")
		self.assertEqual(str(rows[self.waited]["deadline"]), "2031-03-05 10:30:00")
		self.assertEqual(rows[self.waited]["causes"], "Resolution late; Waited 25.5 h on a carrier")

	def test_carrier_waiting_time(self):
		rows = self.report(ts_carrier_waiting_time, "2031-03-05 12:00:00", carrier=self.carrier)

		self.assertEqual(
			rows,
			[
				{
					"carrier": self.carrier,
					"pauses": 1,
					"tickets": 1,
					"waiting_now": 0,
					"total_hours": 25.5,
					"average_hours": 25.5,
					"longest_hours": 25.5,
					# Monday 09:30-17:00 and Tuesday 08:00-11:00.
					"business_hours": 10.5,
				}
			],
		)

	def test_a_carrier_still_waited_on_counts_until_now(self):
		rows = self.report(ts_carrier_waiting_time, "2031-03-04 12:00:00", carrier=self.running_carrier)

		self.assertEqual(
			rows,
			[
				{
					"carrier": self.running_carrier,
					"pauses": 1,
					"tickets": 1,
					"waiting_now": 1,
					"total_hours": 26.5,
					"average_hours": 26.5,
					"longest_hours": 26.5,
					# Monday 09:30-17:00 and Tuesday 08:00-12:00, measured while the wait goes on.
					"business_hours": 11.5,
				}
			],
		)

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.techsolutions_support.doctype.ts_customer_tier.ts_customer_tier import (
	InvalidTierTargets,
)
from techsolutions_support.tiers import default_tier, tier_for_customer


class TestTSCustomerTier(FrappeTestCase):
	def test_marking_a_tier_default_unmarks_the_previous_one(self):
		tier = frappe.get_doc(
			{"doctype": "TS Customer Tier", "tier_name": "Test Gold", "rank": 25, "is_default": 1}
		).insert()

		self.assertEqual(default_tier(), tier.name)
		self.assertEqual(frappe.db.count("TS Customer Tier", {"is_default": 1}), 1)

	def test_customer_without_tier_falls_back_to_the_default(self):
		customer = frappe.get_doc({"doctype": "HD Customer", "customer_name": "Test Ohne Stufe"}).insert()

		self.assertEqual(tier_for_customer(customer.name), default_tier())
		self.assertEqual(tier_for_customer(None), default_tier())

	def test_one_target_per_priority_and_a_response_within_the_resolution(self):
		for targets in (
			[("High", 60, 480), ("High", 30, 240)],
			[("High", 0, 480)],
			[("High", 480, 60)],
		):
			tier = frappe.get_doc(
				{
					"doctype": "TS Customer Tier",
					"tier_name": "Test Ziele",
					"rank": 5,
					"targets": [
						{"priority": priority, "response_minutes": response, "resolution_minutes": resolution}
						for priority, response, resolution in targets
					],
				}
			)
			self.assertRaises(InvalidTierTargets, tier.insert)

"""Customer tiers: which tier a customer is in, and the documented fallback.

A ticket's tier is its customer's `ts_tier`. A ticket without a customer, or whose customer has
no tier, gets the tier marked as default (`TS Customer Tier.is_default`); when no tier is marked
default either, the ticket has no tier, and Helpdesk's own default SLA applies.
"""

import frappe


def tier_for_customer(customer: str | None) -> str | None:
	if customer:
		tier = frappe.db.get_value("HD Customer", customer, "ts_tier")
		if tier:
			return tier
	return default_tier()


def default_tier() -> str | None:
	return frappe.db.get_value("TS Customer Tier", {"is_default": 1}, "name")


def tier_details(tier: str | None) -> frappe._dict:
	if not tier:
		return frappe._dict()
	return (
		frappe.db.get_value(
			"TS Customer Tier", tier, ["name", "rank", "service_level_agreement"], as_dict=True, cache=True
		)
		or frappe._dict()
	)

"""Records for integration tests, in one place.

The test site carries the pilot data set (sites/test.json: tiers Premium, Business, Standard
with their SLAs, and the default priority rules). Tests add their own customers, contacts and
tickets on top, with unique names, inside FrappeTestCase's transaction that is rolled back.
"""

import frappe
from frappe.utils import random_string

from helpdesk.helpdesk.doctype.hd_ticket.api import new as portal_new_ticket

TEST_PASSWORD = "Test-Passwort-2026!"


def make_customer(tier: str | None = None, name: str | None = None) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "HD Customer",
			"customer_name": name or f"Testkunde {random_string(6)}",
			"ts_tier": tier,
		}
	).insert(ignore_permissions=True)
	return doc.name


def make_contact(customer: str | None = None, is_manager: bool = False, email: str | None = None) -> str:
	"""A portal user with its Contact, optionally a member of `customer`. Returns the user (e-mail)."""
	email = email or f"kontakt-{random_string(8).lower()}@test.example"
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Test",
			"last_name": "Kontakt",
			"user_type": "Website User",
			"send_welcome_email": 0,
			"new_password": TEST_PASSWORD,
			"roles": [{"role": "HD Customer"}],
		}
	).insert(ignore_permissions=True)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Test",
			"last_name": "Kontakt",
			"user": email,
			"email_ids": [{"email_id": email, "is_primary": 1}],
		}
	).insert(ignore_permissions=True)
	if customer:
		doc = frappe.get_doc("HD Customer", customer)
		doc.append("contacts", {"contact_name": contact.name, "is_manager": int(is_manager)})
		doc.save(ignore_permissions=True)
	return email


def make_agent(role: str = "Agent") -> str:
	email = f"agent-{random_string(8).lower()}@test.example"
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Test",
			"last_name": "Agent",
			"send_welcome_email": 0,
			"new_password": TEST_PASSWORD,
		}
	).insert(ignore_permissions=True)
	frappe.get_doc({"doctype": "HD Agent", "user": email, "agent_name": "Test Agent", "is_active": 1}).insert(
		ignore_permissions=True
	)
	frappe.get_doc("User", email).add_roles(role, "Agent")
	return email


def file_portal_ticket(
	user: str, subject: str, description: str = "", **fields
) -> "frappe.model.document.Document":
	"""File a ticket as `user` through the method the Helpdesk portal calls."""
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		ticket = portal_new_ticket({"subject": subject, "description": description or subject, **fields})
	finally:
		frappe.set_user(previous)
	return frappe.get_doc("HD Ticket", ticket.name)

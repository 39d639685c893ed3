"""Records for integration tests, in one place.

The test site carries the pilot data set (sites/test.json: tiers Premium, Business, Standard
with their SLAs, and the default priority rules). Tests add their own customers, contacts and
tickets on top, with unique names, inside FrappeTestCase's transaction that is rolled back.
"""

import json
import shutil
import tempfile
from pathlib import Path

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


# Connectors: the simulator (techsolutions_support.simulator) answers on 127.0.0.1.

DELIVERY_MAPPING = {
	"tracking_number": "shipment.trackingNo",
	"consignee": "shipment.consignee.name",
	"planned_eta": "eta.planned",
	"current_eta": "eta.current",
	"status": "status",
	"vehicle_ref": "vehicle.plate",
	"route_ref": "route.id",
	"stop_sequence": "route.stop",
	"delivered_at": "deliveredAt",
	"proof_of_delivery": "pod.reference",
	"updated_at": "updatedAt",
}


def make_connector(kind: str, base_url: str, **fields) -> "frappe.model.document.Document":
	"""An enabled connector of `kind` (rFMS, VROOM, Generic JSON) reading `base_url` quickly."""
	values = {
		"doctype": "TS Connector",
		"connector_name": f"Test {kind} {random_string(6)}",
		"connector_type": kind,
		"enabled": 1,
		"base_url": base_url,
		"source_time_zone": "Europe/Berlin",
		"auth_type": "None",
		"interval_minutes": 15,
		"page_size": 100,
		"timeout_seconds": 5,
		"max_attempts": 3,
		"max_wait_seconds": 5,
		"alert_after_failures": 3,
	}
	if kind == "VROOM":
		values.update(plan_date="2025-03-11", plan_start_time="06:00:00")
	if kind == "Generic JSON":
		values.update(
			records_path="data.deliveries",
			next_link_path="paging.next",
			since_param="since",
			field_mapping=json.dumps(DELIVERY_MAPPING),
		)
	values.update(fields)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def changed_fixtures(change) -> "Path":
	"""A copy of the simulator's recorded payloads with `change(folder)` applied to it."""
	from techsolutions_support.simulator import FIXTURES_DIR

	folder = Path(tempfile.mkdtemp(prefix="ts-sim-")) / "connectors"
	shutil.copytree(FIXTURES_DIR, folder)
	change(folder)
	return folder


# SLA clock: calendars, tiers and tickets moved through statuses (freeze the time around them).


def make_calendar(
	hours: dict[str, list[tuple[str, str]]] | None = None,
	*,
	is_24_7: bool = False,
	holiday_state: str | None = None,
	closed_days: tuple[str, ...] = (),
) -> str:
	"""A TS Business Calendar in Europe/Berlin: `hours` maps weekday names to (from, to) windows."""
	doc = frappe.get_doc(
		{
			"doctype": "TS Business Calendar",
			"calendar_name": f"Testkalender {random_string(6)}",
			"time_zone": "Europe/Berlin",
			"is_24_7": int(is_24_7),
			"holiday_state": holiday_state,
			"windows": [
				{"weekday": day, "start_time": start, "end_time": end}
				for day, windows in (hours or {}).items()
				for start, end in windows
			],
			"closed_days": [{"closed_on": day} for day in closed_days],
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_tier(calendar: str | None, targets: dict[str, tuple[int, int]]) -> str:
	"""A tier on `calendar` with (response, resolution) minutes per priority, on Helpdesk's SLA Standard."""
	doc = frappe.get_doc(
		{
			"doctype": "TS Customer Tier",
			"tier_name": f"Teststufe {random_string(6)}",
			"rank": 15,
			"service_level_agreement": "SLA Standard",
			"business_calendar": calendar,
			"targets": [
				{"priority": priority, "response_minutes": response, "resolution_minutes": resolution}
				for priority, (response, resolution) in targets.items()
			],
		}
	)
	return doc.insert(ignore_permissions=True).name


def file_agent_ticket(
	customer: str, priority: str, subject: str = "Testticket"
) -> "frappe.model.document.Document":
	"""A ticket an agent files for `customer` with `priority`, which then sticks."""
	agent = make_agent()
	previous = frappe.session.user
	frappe.set_user(agent)
	try:
		ticket = frappe.get_doc(
			{
				"doctype": "HD Ticket",
				"subject": subject,
				"description": subject,
				"priority": priority,
				"customer": customer,
			}
		).insert()
	finally:
		frappe.set_user(previous)
	return ticket


def update_ticket(name: str, **values) -> "frappe.model.document.Document":
	"""Change fields of a ticket (status, priority, customer, ...) as Administrator and save it."""
	ticket = frappe.get_doc("HD Ticket", name)
	ticket.update(values)
	ticket.save(ignore_permissions=True)
	return ticket


# Knowledge base: categories and articles, written as an agent would write them.


def make_article_category(name: str | None = None) -> str:
	doc = frappe.get_doc(
		{"doctype": "HD Article Category", "category_name": name or f"Testkategorie {random_string(6)}"}
	)
	return doc.insert(ignore_permissions=True).name


def make_article(
	title: str,
	content: str,
	*,
	status: str = "Published",
	internal: bool = False,
	language: str = "de",
	category: str | None = None,
) -> "frappe.model.document.Document":
	"""An HD Article; without a category it can be deleted (Helpdesk keeps one per category)."""
	return frappe.get_doc(
		{
			"doctype": "HD Article",
			"title": title,
			"content": content,
			"status": status,
			"ts_internal": int(internal),
			"ts_language": language,
			"category": category,
		}
	).insert(ignore_permissions=True)


def call_portal(cmd: str, user: str, **kwargs):
	"""Call a whitelisted method by the name the portal uses (hooks' overrides apply), as `user`."""
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		method = frappe.get_attr(frappe.override_whitelisted_method(cmd))
		frappe.is_whitelisted(method)
		return frappe.call(method, **kwargs)
	finally:
		frappe.set_user(previous)


def found(items: list[dict]) -> list[str]:
	"""The article names of search items, best first."""
	return [item["id"] for item in items]


def make_outgoing_account() -> str:
	"""An outgoing e-mail account, as every site that e-mails has, so that mails are queued.

	Nothing is sent: mails stay in the Email Queue (the account points at this machine only).
	"""
	return (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"Test Ausgang {random_string(6)}",
				"email_id": f"support-{random_string(6).lower()}@test.example",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)

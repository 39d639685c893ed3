"""Load the pilot data set (fixtures/pilot/*.json) into a site, idempotently.

Every record is looked up by its natural key (tier name, customer name, e-mail, VIN, route code,
ticket subject and customer) and created only when missing, so loading twice changes nothing.
Files that are absent are skipped: a site can be loaded with a partial set.

	bench --site <site> ts-load-pilot --path fixtures/pilot
"""

import json
import os
from pathlib import Path
from typing import Any

import frappe

from techsolutions_support.core.holidays_de import public_holidays
from techsolutions_support.core.rule_forms import ACTION_LABELS, JOIN_LABELS, OPERATOR_LABELS, group_to_rows
from techsolutions_support.setup.pilot_tickets import load_tickets, system_time

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Helpdesk stores a working day as a Time pair within one date; 24:00 cannot be written. Its SLA
# loses the last second of each day, but its deadlines are replaced by the app's clock
# (techsolutions_support.sla), which counts 24/7 exactly.
ALL_DAY = (("00:00:00", "23:59:59"),)


DEMO_MAIL_ACCOUNT = "TechSolutions Support (Demo)"


class PilotLoader:
	def __init__(self, path: str | Path, password: str):
		self.path = Path(path)
		self.password = password
		self.counts: dict[str, int] = {}

	def load(self) -> dict[str, int]:
		self.load_ticket_types()
		self.load_tiers()
		self.load_agents()
		self.load_customers()
		self.load_priority_rules()
		self.load_priority_matrix()
		self.load_articles()
		self.load_vehicles()
		self.load_routes()
		self.load_deliveries()
		self.load_connectors()
		self.load_mail_account()
		self.load_tickets()
		frappe.db.commit()
		return self.counts

	# Reference data

	def load_ticket_types(self) -> None:
		rows = self.read("ticket_types.json") or []
		if not rows:
			return
		for row in rows:
			self.ensure(
				"HD Ticket Type",
				row["name"],
				{"name": row["name"], "description": row.get("description"), "priority": row.get("priority")},
			)
		# Helpdesk's generic types (Bug, Incident, Question, Unspecified) do not fit a logistics
		# desk: switched off, and the file's last type (Sonstiges, "other") is the default.
		names = [row["name"] for row in rows]
		frappe.db.set_value("HD Ticket Type", {"name": ("not in", names), "disabled": 0}, "disabled", 1)
		settings = {"default_ticket_type": names[-1], "default_priority": "Medium"}
		for field, value in settings.items():
			if frappe.db.get_single_value("HD Settings", field) != value:
				frappe.db.set_single_value("HD Settings", field, value)

	def load_tiers(self) -> None:
		data = self.read("tiers.json")
		if not data:
			return
		calendars = {row["calendar_name"]: row for row in data.get("calendars", [])}
		for row in calendars.values():
			self.ensure_calendar(row)
		holiday_list = self.ensure_holiday_list(data["holiday_state"])
		no_holidays = self.ensure_empty_holiday_list()
		for tier in data["tiers"]:
			calendar = calendars[tier["calendar"]]
			sla = self.ensure_sla(tier, calendar, no_holidays if calendar.get("is_24_7") else holiday_list)
			self.ensure(
				"TS Customer Tier",
				tier["tier_name"],
				{
					"tier_name": tier["tier_name"],
					"rank": tier["rank"],
					"is_default": int(tier.get("is_default", False)),
					"description": tier.get("description"),
					"service_level_agreement": sla,
				},
			)
			self.ensure_tier_terms(tier)

	def ensure_calendar(self, row: dict[str, Any]) -> str:
		name = row["calendar_name"]
		if frappe.db.exists("TS Business Calendar", name):
			return name
		doc = frappe.new_doc("TS Business Calendar")
		doc.update(
			{
				"calendar_name": name,
				"time_zone": row.get("time_zone") or "Europe/Berlin",
				"is_24_7": int(bool(row.get("is_24_7"))),
				"holiday_state": row.get("holiday_state"),
			}
		)
		for day, windows in (row.get("hours") or {}).items():
			for start, end in windows:
				doc.append("windows", {"weekday": day, "start_time": start, "end_time": end})
		for closed in row.get("closed_days", []):
			doc.append("closed_days", {"closed_on": closed["date"], "description": closed.get("description")})
		doc.insert(ignore_permissions=True)
		self.count("TS Business Calendar")
		return doc.name

	def ensure_tier_terms(self, tier: dict[str, Any]) -> None:
		"""The tier's calendar and targets; a tier loaded before they existed gets them once."""
		doc = frappe.get_doc("TS Customer Tier", tier["tier_name"])
		if doc.business_calendar and doc.targets:
			return
		doc.business_calendar = doc.business_calendar or tier["calendar"]
		if not doc.targets:
			for priority, target in tier["targets"].items():
				doc.append(
					"targets",
					{
						"priority": priority,
						"response_minutes": target["response_minutes"],
						"resolution_minutes": target["resolution_minutes"],
					},
				)
		doc.save(ignore_permissions=True)
		self.count("TS Customer Tier terms")

	def ensure_holiday_list(self, state: str) -> str:
		name = f"Feiertage {state}"
		year = frappe.utils.getdate().year
		holidays = public_holidays(state, range(year - 1, year + 3))
		if frappe.db.exists("HD Service Holiday List", name):
			doc = frappe.get_doc("HD Service Holiday List", name)
			known = {row.holiday_date for row in doc.holidays}
			missing = [(day, title) for day, title in sorted(holidays.items()) if day not in known]
			if not missing:
				return name
		else:
			doc = frappe.new_doc("HD Service Holiday List")
			doc.holiday_list_name = name
			missing = sorted(holidays.items())
		for day, title in missing:
			doc.append("holidays", {"holiday_date": day, "description": title})
		doc.from_date = min(holidays)
		doc.to_date = max(holidays)
		doc.save(ignore_permissions=True)
		self.count("HD Service Holiday List")
		return doc.name

	def ensure_empty_holiday_list(self) -> str:
		"""Helpdesk requires a holiday list on every SLA; a 24/7 tier gets one without days."""
		name = "Keine Feiertage (24/7)"
		if not frappe.db.exists("HD Service Holiday List", name):
			year = frappe.utils.getdate().year
			frappe.get_doc(
				{
					"doctype": "HD Service Holiday List",
					"holiday_list_name": name,
					"from_date": f"{year - 1}-01-01",
					"to_date": f"{year + 2}-12-31",
				}
			).insert(ignore_permissions=True)
			self.count("HD Service Holiday List")
		return name

	def ensure_sla(self, tier: dict[str, Any], calendar: dict[str, Any], holiday_list: str) -> str:
		"""Helpdesk's SLA of the tier: its badges need one; the app's clock sets the deadlines."""
		name = f"SLA {tier['tier_name']}"
		if frappe.db.exists("HD Service Level Agreement", name):
			return name
		days = {day: ALL_DAY for day in WEEKDAYS} if calendar.get("is_24_7") else calendar["hours"]
		doc = frappe.new_doc("HD Service Level Agreement")
		doc.update(
			{
				"service_level": name,
				"description": tier.get("description"),
				"enabled": 1,
				"default_sla": 0,
				"apply_sla_for_resolution": 1,
				"holiday_list": holiday_list,
			}
		)
		for day, windows in days.items():
			# Helpdesk allows one window per weekday: the first one here.
			start, end = windows[0]
			doc.append("support_and_resolution", {"workday": day, "start_time": start, "end_time": end})
		default = "Medium" if "Medium" in tier["targets"] else next(iter(tier["targets"]))
		for priority, target in tier["targets"].items():
			doc.append(
				"priorities",
				{
					"priority": priority,
					"response_time": target["response_minutes"] * 60,
					"resolution_time": target["resolution_minutes"] * 60,
					"default_priority": int(priority == default),
				},
			)
		doc.insert(ignore_permissions=True)
		self.count("HD Service Level Agreement")
		return doc.name

	# People

	def load_agents(self) -> None:
		for row in self.read("agents.json") or []:
			user = self.ensure_user(row, user_type="System User")
			if not frappe.db.exists("HD Agent", {"user": user}):
				frappe.get_doc(
					{
						"doctype": "HD Agent",
						"user": user,
						"agent_name": f"{row['first_name']} {row['last_name']}",
						"is_active": 1,
					}
				).insert(ignore_permissions=True)
				self.count("HD Agent")
			roles = (set(row.get("roles") or ["Agent"]) | {"Agent"}) - set(frappe.get_roles(user))
			if roles:
				frappe.get_doc("User", user).add_roles(*roles)

	def load_customers(self) -> None:
		for row in self.read("customers.json") or []:
			customer = self.ensure(
				"HD Customer",
				row["customer_name"],
				{
					"customer_name": row["customer_name"],
					"domain": row.get("domain"),
					"ts_tier": row.get("tier"),
				},
			)
			doc = frappe.get_doc("HD Customer", customer)
			members = {member.contact_name for member in doc.contacts}
			for contact_row in row.get("contacts", []):
				contact = self.ensure_contact(contact_row)
				if contact not in members:
					doc.append(
						"contacts",
						{"contact_name": contact, "is_manager": int(contact_row.get("is_manager", False))},
					)
			# Saved only when a contact joined: loading again must not touch what is there.
			if len(doc.contacts) > len(members):
				doc.save(ignore_permissions=True)
		for contact_row in self.read("contacts_without_customer.json") or []:
			self.ensure_contact(contact_row)

	def ensure_contact(self, row: dict[str, Any]) -> str:
		user = self.ensure_user(row, user_type="Website User")
		# What Helpdesk's portal sign-up gives (Portal Settings' default role); membership in a
		# customer adds HD Customer Manager where the contact manages it.
		if "HD Customer" not in frappe.get_roles(user):
			frappe.get_doc("User", user).add_roles("HD Customer")
		existing = frappe.db.get_value("Contact", {"email_id": row["email"]})
		if existing:
			return existing
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": row["first_name"],
				"last_name": row.get("last_name"),
				"user": user,
				"email_ids": [{"email_id": row["email"], "is_primary": 1}],
				"phone_nos": [{"phone": row["phone"], "is_primary_phone": 1}] if row.get("phone") else [],
			}
		).insert(ignore_permissions=True)
		self.count("Contact")
		return contact.name

	def ensure_user(self, row: dict[str, Any], user_type: str) -> str:
		email = row["email"]
		if frappe.db.exists("User", email):
			return email
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": row["first_name"],
				"last_name": row.get("last_name"),
				"user_type": user_type,
				"language": row.get("language", "de"),
				"time_zone": "Europe/Berlin",
				"send_welcome_email": 0,
				"new_password": self.password,
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
		self.count("User")
		return user.name

	# Rules, knowledge base, fleet

	def load_priority_rules(self) -> None:
		"""Rule files hold the engine's JSON; the form holds rows. Rules saved before the form had
		rows (an older version of this app) get their rows filled in."""
		for row in self.read("priority_rules.json") or []:
			exists = frappe.db.exists("TS Priority Rule", row["name"])
			if exists and frappe.db.count("TS Priority Rule Condition", {"parent": row["name"]}):
				continue
			doc = (
				frappe.get_doc("TS Priority Rule", row["name"])
				if exists
				else frappe.new_doc("TS Priority Rule")
			)
			conditions, within, between = group_to_rows(row["conditions"])
			doc.update(
				{
					"rule_name": row["name"],
					"enabled": int(row.get("enabled", True)),
					"rule_order": row.get("order", 0),
					"stop_processing": int(row.get("stop", False)),
					"description": row.get("description"),
					"match_within": JOIN_LABELS[within],
					"match_between": JOIN_LABELS[between],
				}
			)
			doc.set(
				"conditions",
				[
					{
						"group_no": c.group,
						"condition_field": c.field,
						"operator": OPERATOR_LABELS[c.operator],
						"condition_value": c.value,
					}
					for c in conditions
				],
			)
			doc.set(
				"actions",
				[
					{
						"action_type": ACTION_LABELS[action["type"]],
						"action_value": str(action.get("value", "")),
					}
					for action in row["actions"]
				],
			)
			doc.save(ignore_permissions=True)
			self.count("TS Priority Rule")

	def load_priority_matrix(self) -> None:
		data = self.read("priority_matrix.json")
		matrix = frappe.get_single("TS Priority Matrix")
		if not data or matrix.cells:
			return
		matrix.enabled = int(data.get("enabled", True))
		matrix.set("cells", data["cells"])
		matrix.set("tier_adjustments", data.get("tier_adjustments", []))
		matrix.save(ignore_permissions=True)
		self.count("TS Priority Matrix")

	def load_articles(self) -> None:
		data = self.read("kb_articles.json")
		if not data:
			return
		categories = {}
		for row in data.get("categories", []):
			existing = frappe.db.get_value("HD Article Category", {"category_name": row["name"]})
			if not existing:
				existing = (
					frappe.get_doc(
						{
							"doctype": "HD Article Category",
							"category_name": row["name"],
							"description": row.get("description"),
						}
					)
					.insert(ignore_permissions=True)
					.name
				)
				self.count("HD Article Category")
			categories[row["name"]] = existing
		for row in data.get("articles", []):
			existing = frappe.db.get_value("HD Article", {"title": row["title"]})
			if existing:
				self.ensure_article_flags(existing, row)
				continue
			frappe.get_doc(
				{
					"doctype": "HD Article",
					"title": row["title"],
					"category": categories.get(row.get("category")),
					"content": row["content"],
					"status": row.get("status", "Published"),
					"ts_internal": int(bool(row.get("internal"))),
					"ts_language": row.get("language", "de"),
				}
			).insert(ignore_permissions=True)
			self.count("HD Article")

	def ensure_article_flags(self, name: str, row: dict[str, Any]) -> None:
		"""An article loaded before the app had the internal flag gets it (a leak otherwise)."""
		doc = frappe.get_doc("HD Article", name)
		internal = int(bool(row.get("internal")))
		if doc.get("ts_internal") == internal:
			return
		doc.ts_internal = internal
		doc.save(ignore_permissions=True)
		self.count("HD Article flags")

	def load_vehicles(self) -> None:
		for row in self.read("vehicles.json") or []:
			customer = row.get("customer")
			self.ensure(
				"TS Vehicle",
				row["vin"],
				{
					"vin": row["vin"],
					"plate": row.get("plate"),
					"fleet_number": row.get("fleet_number"),
					"model": " ".join(part for part in (row.get("brand"), row.get("model")) if part),
					"customer": customer if customer and frappe.db.exists("HD Customer", customer) else None,
					"state": row.get("state") or "unknown",
				},
			)

	def load_routes(self) -> None:
		for row in self.read("routes.json") or []:
			vehicle = frappe.db.get_value("TS Vehicle", {"plate": row.get("vehicle_plate")})
			self.ensure(
				"TS Route",
				row["route_code"],
				{
					"route_code": row["route_code"],
					"vehicle": vehicle,
					"route_date": row.get("route_date"),
					"origin": row.get("origin"),
					"destination": row.get("destination"),
					"status": row.get("status", "Planned"),
				},
			)

	# A delivery on a completed route was delivered; on a route in progress it is on its way.
	ROUTE_DELIVERY_STATUS = {"Completed": "Delivered", "In Progress": "In Transit"}

	def load_deliveries(self) -> None:
		"""The deliveries planned on the pilot routes, so that tickets naming them are linked; those
		of a pilot customer (as consignee) name it, so that its contacts see them in the portal."""
		for route in self.read("routes.json") or []:
			vehicle = frappe.db.get_value("TS Route", route["route_code"], "vehicle")
			for stop, row in enumerate(route.get("deliveries") or [], start=2):
				planned = system_time(row["planned_eta"]) if row.get("planned_eta") else None
				self.ensure(
					"TS Delivery",
					row["tracking_number"],
					{
						"tracking_number": row["tracking_number"],
						"consignee": row.get("consignee"),
						"planned_eta": planned,
						"current_eta": planned,
						"status": self.ROUTE_DELIVERY_STATUS.get(route.get("status"), "Planned"),
						"route": route["route_code"],
						"stop_sequence": stop,
						"vehicle": vehicle,
						"customer": row.get("customer"),
					},
				)
				# Sites loaded before the pilot named the deliveries' customers get them now: without
				# one, the portal shows a delivery to nobody.
				if row.get("customer") and not frappe.db.get_value(
					"TS Delivery", row["tracking_number"], "customer"
				):
					frappe.db.set_value("TS Delivery", row["tracking_number"], "customer", row["customer"])

	def load_connectors(self) -> None:
		"""Connectors of the demo, reading the simulator (`python -m techsolutions_support.simulator`)."""
		# `./dev demo` serves the simulator at TS_SIM_URL and runs the scheduler, so these sync.
		simulator = os.environ.get("TS_SIM_URL", "http://127.0.0.1:8090").rstrip("/")
		for row in self.read("connectors.json") or []:
			values = {**row, "base_url": row["base_url"].replace("{simulator}", simulator)}
			if isinstance(values.get("field_mapping"), dict):
				values["field_mapping"] = json.dumps(values["field_mapping"], indent=1)
			self.ensure("TS Connector", row["connector_name"], values)

	def load_mail_account(self) -> None:
		"""The demo's outgoing mail goes to the workspace's mail sink (TS_DEMO_MAIL, host:port),
		which keeps each message as a file: agents can reply, customers get their notices and
		tracking links, and nothing leaves the machine. Other sites get no account."""
		sink = os.environ.get("TS_DEMO_MAIL")
		if not sink or frappe.db.exists("Email Account", DEMO_MAIL_ACCOUNT):
			return
		host, _, port = sink.rpartition(":")
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": DEMO_MAIL_ACCOUNT,
				"email_id": "support@techsolutions.example",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": host,
				"smtp_port": int(port),
				"use_tls": 0,
				"use_ssl_for_outgoing": 0,
				"no_smtp_authentication": 1,
			}
		)
		# Frappe tries the SMTP server when the account is saved; the sink runs only while the
		# demo is served, and the account's settings are known to be right for it.
		account.flags.ignore_validate = True
		account.insert(ignore_permissions=True)
		self.count("Email Account")

	# Sample tickets: filed by the contact, then worked as their story says (setup/pilot_tickets.py)

	def load_tickets(self) -> None:
		load_tickets(self.read("tickets.json") or [], self.count)

	# Helpers

	def read(self, filename: str) -> Any:
		file = self.path / filename
		if not file.exists():
			return None
		with file.open(encoding="utf-8") as handle:
			return json.load(handle)

	def ensure(self, doctype: str, name: str, values: dict[str, Any]) -> str:
		if frappe.db.exists(doctype, name):
			return name
		doc = frappe.get_doc({"doctype": doctype, **values})
		doc.insert(ignore_permissions=True)
		self.count(doctype)
		return doc.name

	def count(self, doctype: str) -> None:
		self.counts[doctype] = self.counts.get(doctype, 0) + 1


def load(path: str, password: str) -> dict[str, int]:
	return PilotLoader(path, password).load()

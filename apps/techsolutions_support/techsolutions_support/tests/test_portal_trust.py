"""Tracking links without an account, and what customers are told about their tickets.

Tracking: the same answer for a right or a wrong number or address, a link only for the ticket's
own address, only the hash of its secret stored, each link opened once and only in its time,
requests limited per IP and per address.

Notices: a new status, an agent's reply and a moved deadline reach the ticket's contact once, in
their language, by the channels they kept; internal changes and other people reach nobody;
what Helpdesk e-mails itself is not e-mailed again.
"""

import email
import random
import re
from unittest.mock import patch

from werkzeug.test import EnvironBuilder

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import add_to_date, get_datetime, now_datetime, random_string

from techsolutions_support.api import notices as notices_api
from techsolutions_support.api import tracking as tracking_api
from techsolutions_support.core.tracking import LinkState, hash_token, split_link_param
from techsolutions_support.portal import tracking
from techsolutions_support.portal.notify import PREFERENCE_FIELDS, announce_moved_deadlines
from techsolutions_support.portal.view import ticket_view
from techsolutions_support.sla.watch import run_watch
from techsolutions_support.tests.factories import (
	file_portal_ticket,
	make_agent,
	make_contact,
	make_customer,
	make_outgoing_account,
)

LINK = re.compile(r"/support/track\?link=([A-Za-z0-9._-]+)")


def mails_for(ticket: str) -> list[frappe._dict]:
	"""E-mails queued about a ticket, oldest first, with their recipients."""
	mails = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "HD Ticket", "reference_name": ticket},
		fields=["name", "message", "creation"],
		order_by="creation asc",
	)
	for mail in mails:
		mail.recipients = frappe.get_all(
			"Email Queue Recipient", filters={"parent": mail.name}, pluck="recipient"
		)
	return mails


def link_from(mail: frappe._dict) -> str:
	"""The link's parameter, from the mail as queued (MIME, quoted-printable)."""
	return LINK.search(mail_text(mail)).group(1)


def mail_text(mail: frappe._dict) -> str:
	parsed = email.message_from_string(mail.message)
	parts = [part.get_payload(decode=True) for part in parsed.walk() if not part.is_multipart()]
	return "\n".join(part.decode("utf-8", "replace") for part in parts if part)


def notices_for(ticket: str, **filters) -> list[frappe._dict]:
	return frappe.get_all(
		"TS Portal Notice",
		filters={"ticket": ticket, **filters},
		fields=["user", "email", "kind", "message", "in_portal", "emailed", "change_key"],
		order_by="creation asc",
	)


def unique_ip() -> str:
	return f"203.0.{random.randrange(256)}.{random.randrange(1, 255)}"


def come_from(peer: str, forwarded_for: str | None = None) -> None:
	"""The current request arrives from `peer`, carrying `forwarded_for` as X-Forwarded-For."""
	headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
	frappe.local.request = EnvironBuilder(environ_base={"REMOTE_ADDR": peer}, headers=headers).get_request()


class TrackingCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# Users once per class: Frappe throttles the users a site creates per hour.
		cls.customer = make_customer()
		cls.contact = make_contact(cls.customer)
		cls.english = make_contact(cls.customer)
		frappe.db.set_value("User", cls.english, "language", "en")
		make_outgoing_account()

	def setUp(self):
		# The limits count in Redis, beyond the test's transaction: each test starts uncounted.
		frappe.cache.delete_keys("ts:tracking:")
		self.ticket = file_portal_ticket(self.contact, "Palette beschädigt angekommen").name
		self.addCleanup(setattr, frappe.local, "request", None)
		come_from(unique_ip())

	def request(self, ticket: str, email: str) -> dict:
		come_from(unique_ip())
		return tracking_api.request_link(ticket, email)

	def mailed_link(self) -> str:
		mails = [mail for mail in mails_for(self.ticket) if LINK.search(mail_text(mail))]
		self.assertEqual(len(mails), 1, "exactly one tracking mail expected")
		return link_from(mails[0])


class TestTrackingLinks(TrackingCase):
	def test_right_number_and_address_mails_a_link_to_that_address(self):
		self.request(self.ticket, self.contact.upper())

		[mail] = [mail for mail in mails_for(self.ticket) if "/support/track" in mail_text(mail)]
		self.assertEqual(mail.recipients, [self.contact])
		links = frappe.get_all("TS Tracking Link", filters={"ticket": self.ticket}, fields=["email"])
		self.assertEqual([link.email for link in links], [self.contact])

	def test_the_answer_is_the_same_for_wrong_number_or_address(self):
		other = file_portal_ticket(make_contact(make_customer()), "Fremdes Ticket").name
		right = self.request(self.ticket, self.contact)
		wrong_address = self.request(self.ticket, "jemand@anders.example")
		wrong_number = self.request("99999999", self.contact)
		other_customers_ticket = self.request(other, self.contact)

		self.assertEqual(right, wrong_address)
		self.assertEqual(right, wrong_number)
		self.assertEqual(right, other_customers_ticket)
		self.assertIn("If the number and the address match", right["message"])
		# Only the matching request stored a link and queued a mail.
		self.assertEqual(frappe.db.count("TS Tracking Link", {"ticket": self.ticket}), 1)
		self.assertEqual(frappe.db.count("TS Tracking Link", {"ticket": other}), 0)
		self.assertEqual(frappe.db.count("TS Tracking Link", {"email": "jemand@anders.example"}), 0)

	def test_only_the_hash_of_the_secret_is_stored(self):
		self.request(self.ticket, self.contact)
		selector, token = split_link_param(self.mailed_link())

		stored = frappe.get_doc("TS Tracking Link", selector)
		self.assertEqual(stored.token_hash, hash_token(token, tracking.hashing_key()))
		row = frappe.db.sql("select * from `tabTS Tracking Link` where name = %s", selector, as_dict=True)[0]
		self.assertFalse([field for field, value in row.items() if token in str(value or "")])

	def test_a_link_opens_once(self):
		self.request(self.ticket, self.contact)
		link = self.mailed_link()

		# Looking at it (the page without pressing the button, a mail scanner) uses nothing up.
		self.assertIs(tracking.peek_link(link), LinkState.VALID)
		self.assertIs(tracking.peek_link(link), LinkState.VALID)
		first = tracking_api.open_link(link)
		second = tracking_api.open_link(link)

		self.assertEqual(first["state"], "valid")
		self.assertIn("Palette beschädigt angekommen", first["html"])
		self.assertEqual(second["state"], "used")
		self.assertNotIn("html", second)
		self.assertNotIn("Palette", second["message"])
		self.assertIs(tracking.peek_link(link), LinkState.USED)

	def test_a_link_expires_after_the_configured_minutes(self):
		with change_settings("TS Portal Settings", tracking_link_minutes=5):
			self.request(self.ticket, self.contact)
		link = self.mailed_link()
		stored = frappe.get_doc("TS Tracking Link", split_link_param(link)[0])
		self.assertAlmostEqual(
			(get_datetime(stored.expires_at) - now_datetime()).total_seconds(), 300, delta=60
		)

		with self.freeze_time(add_to_date(stored.expires_at, seconds=-1)):
			self.assertIs(tracking.peek_link(link), LinkState.VALID)
		with self.freeze_time(stored.expires_at):
			answer = tracking_api.open_link(link)
		self.assertEqual(answer["state"], "expired")
		self.assertNotIn("html", answer)
		self.assertIsNone(frappe.db.get_value("TS Tracking Link", stored.name, "used_at"))

	def test_a_changed_or_made_up_link_opens_nothing(self):
		self.request(self.ticket, self.contact)
		selector, token = split_link_param(self.mailed_link())
		changed = token[:-1] + ("A" if token[-1] != "A" else "B")

		for link in (f"{selector}.{changed}", f"abcdef1234.{token}", "nonsense", ""):
			self.assertEqual(tracking_api.open_link(link)["state"], "unknown", link)
		# The real link still works: failed guesses do not use it up.
		self.assertEqual(tracking_api.open_link(f"{selector}.{token}")["state"], "valid")

	def test_unreadable_input_is_refused_with_a_clear_message(self):
		for number, address in (("abc", self.contact), (self.ticket, "keine-adresse"), ("", "")):
			with self.assertRaises(tracking.TrackingInputError):
				self.request(number, address)

	def test_requests_are_limited_per_ip(self):
		come_from(unique_ip())
		for _ in range(tracking.LIMIT_PER_IP.limit):
			tracking_api.request_link("99999999", f"{random_string(8)}@test.example")
		with self.assertRaises(tracking.TrackingRateLimitError):
			tracking_api.request_link("99999999", f"{random_string(8)}@test.example")
		# Another IP still gets through.
		self.request("99999999", f"{random_string(8)}@test.example")

	def test_a_made_up_forwarded_address_does_not_escape_the_ip_limit(self):
		real = unique_ip()

		def ask(peer: str, forwarded_for: str) -> None:
			come_from(peer, forwarded_for)
			tracking_api.request_link("99999999", f"{random_string(8)}@test.example")

		# Through the local reverse proxy, which appends the address it saw after the client's own.
		for _ in range(tracking.LIMIT_PER_IP.limit):
			ask("127.0.0.1", f"{unique_ip()}, {real}")
		with self.assertRaises(tracking.TrackingRateLimitError):
			ask("127.0.0.1", f"{unique_ip()}, {real}")
		# Straight to the server: the header is not believed at all.
		frappe.cache.delete_keys("ts:tracking:")
		for _ in range(tracking.LIMIT_PER_IP.limit):
			ask(real, unique_ip())
		with self.assertRaises(tracking.TrackingRateLimitError):
			ask(real, unique_ip())

	def test_a_proxy_named_in_the_site_config_is_trusted(self):
		proxy, client = "10.20.30.40", unique_ip()
		come_from(proxy, client)
		self.assertEqual(tracking.request_address(), proxy)
		with patch.dict(frappe.local.conf, ts_trusted_proxies=["10.20.0.0/16"]):
			self.assertEqual(tracking.request_address(), client)
		# A broken entry is logged; the default (loopback only) applies meanwhile.
		with patch.dict(frappe.local.conf, ts_trusted_proxies=["10.20.0.0/16", "the proxy"]):
			self.assertEqual(tracking.request_address(), proxy)

	def test_requests_are_limited_per_address_across_ips(self):
		address = f"{random_string(10)}@test.example"
		for _ in range(tracking.LIMIT_PER_ADDRESS.limit):
			self.request("99999999", address)
		with self.assertRaises(tracking.TrackingRateLimitError):
			self.request("99999999", address.upper())

	def test_the_mail_is_in_the_contacts_language(self):
		frappe.db.set_value("User", self.contact, "language", "de")
		self.request(self.ticket, self.contact)
		[mail] = [mail for mail in mails_for(self.ticket) if "/support/track" in mail_text(mail)]
		self.assertIn("Anfrage", mail_text(mail))

		ticket = file_portal_ticket(self.english, "Lieferschein fehlt").name
		self.request(ticket, self.english)
		[mail] = [mail for mail in mails_for(ticket) if "/support/track" in mail_text(mail)]
		self.assertIn("Show my request", mail_text(mail))


class TestNotices(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.customer = make_customer()
		cls.manager = make_contact(cls.customer, is_manager=True)
		cls.contact = make_contact(cls.customer)
		cls.stranger = make_contact(make_customer())
		frappe.db.set_value("User", cls.contact, "language", "de")
		cls.agent = make_agent()
		make_outgoing_account()

	def setUp(self):
		frappe.set_user("Administrator")
		self.ticket = file_portal_ticket(self.contact, "Fahrer nicht erreichbar").name
		self.mails_before = len(mails_for(self.ticket))

	def as_agent(self, **values):
		previous = frappe.session.user
		frappe.set_user(self.agent)
		try:
			ticket = frappe.get_doc("HD Ticket", self.ticket)
			ticket.update(values)
			ticket.save()
		finally:
			frappe.set_user(previous)
		return ticket

	def new_mails(self) -> list[frappe._dict]:
		return mails_for(self.ticket)[self.mails_before :]

	def test_a_status_change_is_told_once_in_the_contacts_language(self):
		ticket = self.as_agent(status="Replied")
		# The same save's events run again (as code that calls run_method does): no second notice.
		frappe.set_user(self.agent)
		ticket.run_method("on_update")
		frappe.set_user("Administrator")
		self.as_agent(status="Replied")
		self.as_agent(subject="Fahrer nicht erreichbar (Tour 12)")

		[notice] = notices_for(self.ticket, kind="status")
		self.assertEqual((notice.user, notice.in_portal, notice.emailed), (self.contact, 1, 1))
		self.assertIn("neuen Status", notice.message)
		[mail] = self.new_mails()
		self.assertEqual(mail.recipients, [self.contact])
		self.assertIn("neuen Status", mail_text(mail))

	def test_a_change_by_administrator_is_told_too(self):
		# Helpdesk's is_agent(user) says yes for anyone while Administrator is the session's user.
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("HD Ticket", self.ticket)
		ticket.status = "Replied"
		ticket.save()
		self.assertEqual([notice.user for notice in notices_for(self.ticket, kind="status")], [self.contact])

	def test_english_contacts_are_told_in_english(self):
		frappe.db.set_value("User", self.contact, "language", "en")
		self.addCleanup(frappe.db.set_value, "User", self.contact, "language", "de")
		self.as_agent(status="Replied")
		[notice] = notices_for(self.ticket, kind="status")
		self.assertEqual(notice.message, f"Request #{self.ticket} has a new status: Waiting for your reply.")

	def test_an_english_contact_gets_english_dates_from_a_german_agent(self):
		frappe.db.set_value("User", self.contact, "language", "en")
		self.addCleanup(frappe.db.set_value, "User", self.contact, "language", "de")
		previous = frappe.local.lang
		frappe.local.lang = "de"
		self.addCleanup(setattr, frappe.local, "lang", previous)
		self.as_agent(priority="Urgent")
		[notice] = notices_for(self.ticket, kind="deadline")
		self.assertTrue(
			notice.message.startswith(f"New deadlines for request #{self.ticket}"), notice.message
		)
		month = get_datetime(frappe.db.get_value("HD Ticket", self.ticket, "resolution_by")).strftime("%b")
		self.assertIn(f" {month} ", notice.message)

	def test_a_status_is_named_as_the_portal_names_it(self):
		# Helpdesk's own names ("Beantwortet", "Wartet auf Frachtführer") are the agents' words.
		expected = {"Replied": "Wartet auf Ihre Antwort", "Waiting on Carrier": "Wartet auf den Spediteur"}
		for status, words in expected.items():
			self.as_agent(status=status)
			notice = notices_for(self.ticket, kind="status")[-1]
			self.assertEqual(notice.message, f"Anfrage #{self.ticket} hat einen neuen Status: {words}.")
			frappe.set_user(self.contact)
			self.addCleanup(frappe.set_user, "Administrator")
			self.assertEqual(ticket_view(self.ticket, lang="de")["status"]["text"], words)
			frappe.set_user("Administrator")

	def test_a_status_the_portal_names_alike_is_no_news(self):
		# A second open status of the team's own: the customer reads "Eingegangen" before and after.
		if not frappe.db.exists("HD Ticket Status", "TS Second Check"):
			frappe.get_doc(
				{"doctype": "HD Ticket Status", "label_agent": "TS Second Check", "category": "Open"}
			).insert(ignore_permissions=True)
		self.as_agent(status="TS Second Check")
		self.assertEqual(notices_for(self.ticket, kind="status"), [])
		self.as_agent(status="Replied")
		self.assertEqual(len(notices_for(self.ticket, kind="status")), 1)

	def test_nobody_else_is_told(self):
		self.as_agent(status="Replied")
		told = {notice.user for notice in notices_for(self.ticket)}
		self.assertEqual(told, {self.contact})
		recipients = {address for mail in self.new_mails() for address in mail.recipients}
		self.assertEqual(recipients, {self.contact})
		self.assertFalse(
			frappe.db.exists("TS Portal Notice", {"user": ("in", [self.manager, self.stranger])})
		)

	def test_the_contacts_own_change_is_not_news_to_them(self):
		previous = frappe.session.user
		frappe.set_user(self.contact)
		try:
			ticket = frappe.get_doc("HD Ticket", self.ticket)
			ticket.status = "Closed"
			ticket.save()
		finally:
			frappe.set_user(previous)
		self.assertEqual(notices_for(self.ticket), [])
		self.assertEqual(self.new_mails(), [])

	def test_internal_changes_notify_nobody(self):
		previous = frappe.session.user
		frappe.set_user(self.agent)
		try:
			ticket = frappe.get_doc("HD Ticket", self.ticket)
			ticket.new_comment("<p>Intern: Fahrer hat Handy vergessen.</p>")
		finally:
			frappe.set_user(previous)
		frappe.set_user("Administrator")
		self.as_agent(ts_priority_locked=1)
		frappe.db.set_value("HD Ticket", self.ticket, "ts_priority_reason", "intern")

		self.assertEqual(notices_for(self.ticket), [])
		self.assertEqual(self.new_mails(), [])

	def test_a_moved_deadline_is_told(self):
		before = frappe.db.get_value("HD Ticket", self.ticket, ["response_by", "resolution_by"])
		self.as_agent(priority="Urgent")
		after = frappe.db.get_value("HD Ticket", self.ticket, ["response_by", "resolution_by"])
		self.assertNotEqual(before, after, "the priority change must move a deadline for this test")

		[notice] = notices_for(self.ticket, kind="deadline")
		self.assertIn("Fristen", notice.message)
		self.assertEqual(len(self.new_mails()), 1)

	def test_a_deadline_the_sla_watch_moves_is_told_once(self):
		# As if the calendar had changed under the ticket: its stored deadline is not the clock's.
		current = frappe.db.get_value("HD Ticket", self.ticket, "resolution_by")
		frappe.db.set_value("HD Ticket", self.ticket, "resolution_by", add_to_date(current, hours=-3))

		result = run_watch(commit=False)
		[move] = [move for move in result.moved_deadlines if move["name"] == self.ticket]
		self.assertEqual(get_datetime(move["resolution_by"]), add_to_date(current, hours=-3))
		announce_moved_deadlines(result.moved_deadlines)

		[notice] = notices_for(self.ticket, kind="deadline")
		self.assertEqual(notice.user, self.contact)
		self.assertIn("Fristen", notice.message)
		self.assertEqual(len(self.new_mails()), 1)
		# The next run finds the deadline current: nothing moved, nothing told again.
		again = run_watch(commit=False)
		self.assertNotIn(self.ticket, [move["name"] for move in again.moved_deadlines])
		announce_moved_deadlines([move])
		self.assertEqual(len(notices_for(self.ticket, kind="deadline")), 1)

	def test_agent_reply_helpdesk_mails_itself_gets_a_portal_notice_only(self):
		with change_settings("HD Settings", skip_email_workflow=0, enable_reply_email_via_agent=1):
			self.insert_reply(medium="Email", recipients=self.contact)
		[notice] = notices_for(self.ticket, kind="reply")
		self.assertEqual((notice.in_portal, notice.emailed), (1, 0))
		self.assertEqual(self.new_mails(), [])

	def test_agent_reply_without_helpdesks_mail_is_mailed_by_the_app(self):
		with change_settings("HD Settings", skip_email_workflow=1):
			previous = frappe.session.user
			frappe.set_user(self.agent)
			try:
				frappe.get_doc("HD Ticket", self.ticket).reply_via_agent("<p>Der Fahrer ruft Sie an.</p>")
			finally:
				frappe.set_user(previous)
		[notice] = notices_for(self.ticket, kind="reply")
		self.assertEqual((notice.in_portal, notice.emailed), (1, 1))
		self.assertIn("geantwortet", notice.message)
		[mail] = [mail for mail in self.new_mails() if "geantwortet" in mail_text(mail)]
		self.assertEqual(mail.recipients, [self.contact])

	def test_a_message_to_someone_else_is_no_reply_to_the_contact(self):
		with change_settings("HD Settings", skip_email_workflow=0, enable_reply_email_via_agent=1):
			self.insert_reply(medium="Email", recipients="dispo@spedition-partner.example")
		self.assertEqual(notices_for(self.ticket, kind="reply"), [])
		self.assertEqual(self.new_mails(), [])

	def test_a_customers_own_message_is_not_a_reply(self):
		previous = frappe.session.user
		frappe.set_user(self.contact)
		try:
			frappe.get_doc("HD Ticket", self.ticket).create_communication_via_contact("<p>Noch da?</p>")
		finally:
			frappe.set_user(previous)
		self.assertEqual(notices_for(self.ticket, kind="reply"), [])

	def test_preferences_turn_each_kind_and_channel_off(self):
		frappe.set_user(self.contact)
		saved = notices_api.save_preferences(status_email="0", reply_portal="0", reply_email="0")
		frappe.set_user("Administrator")
		self.addCleanup(
			frappe.delete_doc, "TS Notification Preference", self.contact, ignore_permissions=True
		)
		self.assertEqual(saved["status_email"], 0)
		self.assertEqual(saved["status_portal"], 1)

		self.as_agent(status="Replied")
		with change_settings("HD Settings", skip_email_workflow=1):
			self.insert_reply(medium="", recipients=self.contact)

		[notice] = notices_for(self.ticket)
		self.assertEqual((notice.kind, notice.in_portal, notice.emailed), ("status", 1, 0))
		self.assertEqual(self.new_mails(), [])

	def test_preferences_reject_anything_but_on_or_off(self):
		frappe.set_user(self.contact)
		try:
			with self.assertRaises(frappe.ValidationError):
				notices_api.save_preferences(status_email="yes")
			self.assertEqual(set(notices_api.get_preferences()), set(PREFERENCE_FIELDS))
		finally:
			frappe.set_user("Administrator")

	def test_notices_are_read_only_by_their_user(self):
		self.as_agent(status="Replied")
		name = frappe.db.get_value("TS Portal Notice", {"ticket": self.ticket})

		for outsider in (self.manager, self.stranger):
			frappe.set_user(outsider)
			try:
				self.assertEqual(
					frappe.get_list("TS Portal Notice", {"ticket": self.ticket}, pluck="name"), []
				)
				with self.assertRaises(frappe.PermissionError):
					notices_api.mark_read(name)
			finally:
				frappe.set_user("Administrator")

		frappe.set_user(self.contact)
		try:
			self.assertEqual(
				frappe.get_list("TS Portal Notice", {"ticket": self.ticket}, pluck="name"), [name]
			)
			notices_api.mark_read(name)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("TS Portal Notice", name, "read"), 1)

	def insert_reply(self, medium: str, recipients: str) -> None:
		"""A reply as Helpdesk's reply_via_agent records it, without its mail step."""
		previous = frappe.session.user
		frappe.set_user(self.agent)
		try:
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": medium,
					"sent_or_received": "Sent",
					"reference_doctype": "HD Ticket",
					"reference_name": self.ticket,
					"sender": self.agent,
					"recipients": recipients,
					"subject": "Re: Fahrer nicht erreichbar",
					"content": "<p>Wir kümmern uns.</p>",
				}
			).insert(ignore_permissions=True)
		finally:
			frappe.set_user(previous)

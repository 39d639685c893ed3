"""Filing a request from the portal form (/support/new, api/filing.py) on a real site: one ticket
per draft however often it is sent, photos checked by their content, and the ticket prioritised
and on its tier's SLA exactly like one filed through Helpdesk's own portal."""

import io
import os
import uuid
from unittest.mock import patch

from PIL import Image

import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.core.filing import request_key
from techsolutions_support.portal import filing
from techsolutions_support.priority import clear_ruleset_cache
from techsolutions_support.tests.factories import call_portal, file_portal_ticket, make_contact, make_customer

FILE_REQUEST = "techsolutions_support.api.filing.file_request"
MB = 1024 * 1024


def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
	buffer = io.BytesIO()
	Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "JPEG")
	return buffer.getvalue()


def draft(**fields) -> dict:
	values = {
		"client_request_id": str(uuid.uuid4()),
		"subject": "Kühlkette unterbrochen",
		"description": "Der Auflieger meldet 12 °C statt 4 °C.\nBitte sofort melden.",
		"ticket_type": "Schaden",
		"impact": "Operations stopped or safety at risk",
		"urgency": "Needed within hours",
	}
	values.update(fields)
	return values


class FilingTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)
		cls.customer = make_customer("Premium")
		cls.contact = make_contact(cls.customer)
		cls.colleague = make_contact(cls.customer)

	def setUp(self):
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def upload(self, user: str, request_id: str, name: str, content: bytes) -> dict:
		frappe.set_user(user)
		try:
			return filing.store_upload(request_id, name, io.BytesIO(content))
		finally:
			frappe.set_user("Administrator")

	def tickets_with_key(self, user: str, request_id: str) -> list[str]:
		return frappe.get_all(
			"HD Ticket", filters={filing.KEY_FIELD: request_key(user, request_id)}, pluck="name"
		)


class TestIdempotency(FilingTestCase):
	def test_the_same_draft_sent_again_files_one_ticket(self):
		values = draft()

		first = call_portal(FILE_REQUEST, self.contact, **values)
		again = call_portal(FILE_REQUEST, self.contact, **values)

		self.assertTrue(first["created"])
		self.assertEqual((again["ticket"], again["created"]), (first["ticket"], False))
		self.assertEqual(self.tickets_with_key(self.contact, values["client_request_id"]), [first["ticket"]])
		self.assertEqual(first["url"], f"/support/ticket/{first['ticket']}")

	def test_another_user_with_the_same_id_gets_a_ticket_of_their_own(self):
		values = draft()

		mine = call_portal(FILE_REQUEST, self.contact, **values)
		theirs = call_portal(FILE_REQUEST, self.colleague, **values)

		self.assertTrue(theirs["created"])
		self.assertNotEqual(mine["ticket"], theirs["ticket"])
		self.assertEqual(frappe.db.get_value("HD Ticket", theirs["ticket"], "raised_by"), self.colleague)

	def test_two_sends_at_the_same_moment_file_one_ticket(self):
		# The second request looked before the first committed: the unique key stops its insert,
		# and a locking read finds the first ticket.
		values = draft()
		first = call_portal(FILE_REQUEST, self.contact, **values)
		real_lookup = filing.find_filed_ticket
		locking = []

		def racing_lookup(key, for_update=False):
			locking.append(for_update)
			return None if len(locking) == 1 else real_lookup(key, for_update=for_update)

		frappe.clear_messages()
		with patch.object(filing, "find_filed_ticket", side_effect=racing_lookup):
			second = call_portal(FILE_REQUEST, self.contact, **values)

		self.assertEqual((second["ticket"], second["created"]), (first["ticket"], False))
		self.assertEqual(locking, [False, True])
		self.assertEqual(len(self.tickets_with_key(self.contact, values["client_request_id"])), 1)
		self.assertEqual(frappe.get_message_log(), [])

	def test_an_upload_for_a_filed_draft_stores_nothing_and_names_the_ticket(self):
		values = draft()
		filed = call_portal(FILE_REQUEST, self.contact, **values)
		files_before = frappe.db.count("File", {"owner": self.contact})

		answer = self.upload(self.contact, values["client_request_id"], "foto.jpg", jpeg_bytes())

		self.assertEqual(answer, {"ticket": filed["ticket"]})
		self.assertEqual(frappe.db.count("File", {"owner": self.contact}), files_before)

	def test_a_request_id_that_is_no_uuid_is_refused(self):
		with self.assertRaises(filing.FilingError):
			call_portal(FILE_REQUEST, self.contact, **draft(client_request_id="42"))

	def test_the_key_is_hidden_and_not_copied(self):
		field = frappe.get_meta("HD Ticket").get_field(filing.KEY_FIELD)

		self.assertEqual((field.hidden, field.no_copy, field.unique), (1, 1, 1))


class TestTicketLikeHelpdeskPortal(FilingTestCase):
	def test_priority_tier_and_sla_match_a_helpdesk_portal_ticket(self):
		values = draft()
		filed = call_portal(FILE_REQUEST, self.contact, **values)
		ours = frappe.get_doc("HD Ticket", filed["ticket"])
		helpdesk = file_portal_ticket(
			self.contact,
			values["subject"],
			ours.description,
			ticket_type=values["ticket_type"],
			ts_impact=values["impact"],
			ts_urgency=values["urgency"],
		)

		fields = (
			"priority",
			"ts_priority_rule",
			"ts_tier",
			"sla",
			"ts_channel",
			"customer",
			"via_customer_portal",
		)
		self.assertEqual({f: ours.get(f) for f in fields}, {f: helpdesk.get(f) for f in fields})
		self.assertEqual((ours.priority, ours.ts_tier, ours.ts_channel), ("Urgent", "Premium", "portal"))
		self.assertTrue(ours.response_by and ours.resolution_by)
		self.assertTrue(frappe.db.exists("TS Priority Trace", {"ticket": ours.name, "trigger": "Created"}))

	def test_the_customers_text_is_kept_as_escaped_paragraphs(self):
		filed = call_portal(
			FILE_REQUEST, self.contact, **draft(description="Zeile 1\nZeile 2\n\n<script>alert(1)</script>")
		)

		self.assertEqual(
			frappe.db.get_value("HD Ticket", filed["ticket"], "description"),
			"<p>Zeile 1<br>Zeile 2</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		)

	def test_a_customer_cannot_set_agents_only_fields(self):
		other_customer = make_customer("Standard")
		values = draft(subject="Frage zur Rechnung", description="Bitte prüfen.", ticket_type="Rechnung")
		values.update(impact="", urgency="")
		plain = call_portal(FILE_REQUEST, self.contact, **{**values, "client_request_id": str(uuid.uuid4())})

		forged = call_portal(
			FILE_REQUEST,
			self.contact,
			**values,
			priority="Urgent",
			agent_group="Billing",
			status="Closed",
			ts_priority_locked=1,
			ts_priority_rule="Agent",
			ts_tier="Standard",
			ts_channel="agent",
			customer=other_customer,
			raised_by=self.colleague,
			contact="Someone Else",
			via_customer_portal=0,
		)

		expected = frappe.db.get_value(
			"HD Ticket", plain["ticket"], ["priority", "ts_priority_rule", "agent_group"], as_dict=True
		)
		ticket = frappe.get_doc("HD Ticket", forged["ticket"])
		self.assertEqual(
			(ticket.priority, ticket.ts_priority_rule, ticket.agent_group),
			(expected.priority, expected.ts_priority_rule, expected.agent_group),
		)
		self.assertNotEqual(ticket.priority, "Urgent")
		self.assertEqual(ticket.status_category, "Open")
		self.assertFalse(ticket.ts_priority_locked)
		self.assertEqual((ticket.ts_tier, ticket.ts_channel), ("Premium", "portal"))
		self.assertEqual((ticket.customer, ticket.raised_by), (self.customer, self.contact))

	def test_the_form_checks_its_fields(self):
		bad = [
			{"subject": "   "},
			{"description": ""},
			{"description": "x" * (filing.MAX_DESCRIPTION_CHARS + 1)},
			{"ticket_type": "Keine solche Art"},
			{"impact": "Alles brennt"},
			{"urgency": "Gestern"},
		]
		for change in bad:
			with self.subTest(change=change), self.assertRaises(filing.FilingError):
				call_portal(FILE_REQUEST, self.contact, **draft(**change))

	def test_guests_cannot_file(self):
		with self.assertRaises(frappe.PermissionError):
			call_portal(FILE_REQUEST, "Guest", **draft())


class TestUploads(FilingTestCase):
	def tearDown(self):
		super().tearDown()
		self.set_portal_limits(10, "jpg, jpeg, png, webp, heic, pdf")

	def set_portal_limits(self, max_mb: int, types: str) -> None:
		frappe.db.set_single_value(
			"TS Portal Settings", {"max_upload_mb": max_mb, "allowed_upload_types": types}
		)
		frappe.clear_document_cache("TS Portal Settings", "TS Portal Settings")

	def test_a_photo_is_kept_private_and_attached_to_the_ticket(self):
		values = draft()
		stored = self.upload(self.contact, values["client_request_id"], "Schaden.jpg", jpeg_bytes())
		again = self.upload(self.contact, values["client_request_id"], "Schaden.jpg", jpeg_bytes())

		self.assertEqual(again["file"], stored["file"])
		file = frappe.get_doc("File", stored["file"])
		self.assertEqual((file.is_private, file.owner, file.attached_to_doctype), (1, self.contact, None))

		filed = call_portal(FILE_REQUEST, self.contact, **values, attachments=f'["{stored["file"]}"]')

		on_ticket = frappe.get_all(
			"File",
			filters={"attached_to_doctype": "HD Ticket", "attached_to_name": filed["ticket"]},
			fields=["file_name", "is_private", "file_url"],
		)
		self.assertEqual([(f.file_name, f.is_private) for f in on_ticket], [("Schaden.jpg", 1)])
		self.assertTrue(on_ticket[0].file_url.startswith("/private/files/"))

	def test_a_wrong_type_is_refused_with_the_file_name_and_what_is_allowed(self):
		request_id = str(uuid.uuid4())

		with self.assertRaises(filing.UploadRejectedError) as refused:
			self.upload(self.contact, request_id, "setup.exe", b"MZ\x90\x00" + b"\x00" * 200)
		self.assertIn("setup.exe", str(refused.exception))
		self.assertIn("jpg, pdf, png", str(refused.exception))

		with self.assertRaises(filing.UploadRejectedError) as refused:
			self.upload(self.contact, request_id, "rechnung.pdf", b"<html><script>alert(1)</script></html>")
		self.assertIn("rechnung.pdf", str(refused.exception))
		self.assertIn("PDF", str(refused.exception))

	def test_a_broken_photo_or_pdf_is_refused_not_crashed_on(self):
		for name, content in (
			("kaputt.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 300),
			("kaputt.pdf", b"%PDF-1.7\n" + b"0" * 300),
		):
			with self.subTest(name=name), self.assertRaises(filing.UploadRejectedError) as refused:
				self.upload(self.contact, str(uuid.uuid4()), name, content)
			self.assertIn(name, str(refused.exception))

	def test_a_file_over_the_limit_is_refused_with_the_limit(self):
		self.set_portal_limits(1, "jpg, pdf")
		big = b"%PDF-1.7\n" + b"0" * MB

		with self.assertRaises(filing.UploadRejectedError) as refused:
			self.upload(self.contact, str(uuid.uuid4()), "Lieferschein.pdf", big)

		self.assertIn("Lieferschein.pdf", str(refused.exception))
		self.assertIn("1 MB", str(refused.exception))
		self.assertTrue(self.upload(self.contact, str(uuid.uuid4()), "klein.jpg", jpeg_bytes(20, 20))["file"])

	def test_the_settings_decide_the_types(self):
		self.set_portal_limits(10, "pdf")

		with self.assertRaises(filing.UploadRejectedError):
			self.upload(self.contact, str(uuid.uuid4()), "foto.jpg", jpeg_bytes())

	def test_files_of_another_user_or_already_attached_cannot_be_attached(self):
		theirs = self.upload(self.colleague, str(uuid.uuid4()), "fremd.jpg", jpeg_bytes(10, 10))
		values = draft()

		with self.assertRaises(filing.FilingError):
			call_portal(FILE_REQUEST, self.contact, **values, attachments=[theirs["file"]])

		mine = self.upload(self.contact, str(uuid.uuid4()), "meins.jpg", jpeg_bytes(12, 12))
		call_portal(FILE_REQUEST, self.contact, **draft(), attachments=[mine["file"]])
		with self.assertRaises(filing.FilingError):
			call_portal(FILE_REQUEST, self.contact, **draft(), attachments=[mine["file"]])

	def test_an_unreadable_list_of_attachments_files_nothing(self):
		values = draft()
		for attachments in ("not json", '{"a": 1}', "[1, 2]"):
			with self.subTest(attachments=attachments), self.assertRaises(filing.FilingError):
				call_portal(FILE_REQUEST, self.contact, **values, attachments=attachments)
		self.assertEqual(self.tickets_with_key(self.contact, values["client_request_id"]), [])

	def test_a_file_changed_after_its_upload_is_checked_again(self):
		stored = self.upload(self.contact, str(uuid.uuid4()), "foto.jpg", jpeg_bytes(14, 14))
		path = frappe.get_doc("File", stored["file"]).get_full_path()
		with open(path, "wb") as handle:
			handle.write(b"<html>not a photo</html>")

		with self.assertRaises(filing.UploadRejectedError):
			call_portal(FILE_REQUEST, self.contact, **draft(), attachments=[stored["file"]])

	def test_too_many_files_are_refused(self):
		names = [
			self.upload(self.contact, str(uuid.uuid4()), f"foto-{i}.jpg", jpeg_bytes(8 + i, 8))["file"]
			for i in range(11)
		]

		with self.assertRaises(filing.UploadRejectedError) as refused:
			call_portal(FILE_REQUEST, self.contact, **draft(), attachments=names)
		self.assertIn("10", str(refused.exception))

	def test_the_limit_never_exceeds_what_frappe_accepts(self):
		self.set_portal_limits(500, "jpg")

		policy = filing.upload_policy()

		self.assertLessEqual(policy.max_bytes, 25 * MB)


class TestAbandonedUploads(FilingTestCase):
	"""Photos of drafts never sent are removed after a week; the rest stays."""

	def age(self, file: str, days: int) -> None:
		frappe.db.set_value(
			"File", file, "creation", frappe.utils.add_days(frappe.utils.now_datetime(), -days)
		)

	def test_only_old_waiting_uploads_are_removed(self):
		old = self.upload(self.contact, str(uuid.uuid4()), "alt.jpg", jpeg_bytes(16, 16))["file"]
		fresh = self.upload(self.contact, str(uuid.uuid4()), "neu.jpg", jpeg_bytes(18, 18))["file"]
		values = draft()
		sent = self.upload(self.contact, values["client_request_id"], "gesendet.jpg", jpeg_bytes(22, 22))[
			"file"
		]
		call_portal(FILE_REQUEST, self.contact, **values, attachments=[sent])
		elsewhere = frappe.get_doc(
			{"doctype": "File", "file_name": "notiz.txt", "content": b"intern", "is_private": 1}
		).insert(ignore_permissions=True)
		for name in (old, sent, elsewhere.name):
			self.age(name, filing.ABANDONED_AFTER_DAYS + 1)
		self.age(fresh, filing.ABANDONED_AFTER_DAYS - 1)
		path = frappe.get_doc("File", old).get_full_path()

		self.assertEqual(frappe.db.get_value("File", old, "folder"), f"Home/{filing.UPLOAD_FOLDER}")
		filing.remove_abandoned_uploads()

		self.assertFalse(frappe.db.exists("File", old))
		self.assertFalse(os.path.exists(path))
		# Younger than a week, sent with its request, or not a portal upload at all: kept.
		for name in (fresh, sent, elsewhere.name):
			self.assertTrue(frappe.db.exists("File", name), name)

	def test_a_draft_naming_a_removed_upload_is_told_to_send_it_again(self):
		values = draft()
		stored = self.upload(self.contact, values["client_request_id"], "weg.jpg", jpeg_bytes(24, 24))["file"]
		self.age(stored, filing.ABANDONED_AFTER_DAYS + 1)
		filing.remove_abandoned_uploads()

		# The portal's script answers this error by uploading the photos again (it still has them).
		with self.assertRaises(filing.AttachmentMissingError):
			call_portal(FILE_REQUEST, self.contact, **values, attachments=[stored])
		again = self.upload(self.contact, values["client_request_id"], "weg.jpg", jpeg_bytes(24, 24))["file"]
		self.assertNotEqual(again, stored)
		filed = call_portal(FILE_REQUEST, self.contact, **values, attachments=[again])
		self.assertTrue(filed["created"])

"""Pause statuses in the site's language: desk translates their names, customers read their own label."""

import frappe
from frappe import _
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.setup.sla import ensure_status_translations


class TestSlaStatuses(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		language = frappe.db.get_single_value("System Settings", "language")
		self.addCleanup(frappe.db.set_single_value, "System Settings", "language", language)
		for status, label in self.customer_labels().items():
			self.addCleanup(frappe.db.set_value, "HD Ticket Status", status, "label_customer", label)

	def use_language(self, language: str) -> None:
		frappe.db.set_single_value("System Settings", "language", language)
		ensure_status_translations()

	def customer_labels(self) -> dict[str, str]:
		return dict(
			frappe.get_all(
				"HD Ticket Status",
				filters={"name": ("in", ["Replied", "Waiting on Carrier", "Waiting on Parts"])},
				fields=["name", "label_customer"],
				as_list=True,
			)
		)

	def test_desk_shows_status_names_translated(self):
		self.assertTrue(frappe.get_meta("HD Ticket Status").translated_doctype)
		self.assertEqual(_("Waiting on Carrier", lang="de"), "Wartet auf Frachtführer")
		self.assertEqual(_("Waiting on Parts", lang="de"), "Wartet auf Ersatzteile")

	def test_customers_read_the_label_in_the_sites_language(self):
		self.use_language("de")
		german = self.customer_labels()
		self.use_language("en")

		self.assertEqual(
			german,
			{
				"Replied": "Wartet auf Ihre Antwort",
				"Waiting on Carrier": "Wartet auf den Frachtführer",
				"Waiting on Parts": "Wartet auf Ersatzteile",
			},
		)
		self.assertEqual(self.customer_labels()["Waiting on Carrier"], "Waiting for the carrier")
		self.assertTrue(frappe.db.get_value("HD Ticket Status", "Waiting on Carrier", "different_view"))

	def test_a_label_an_admin_wrote_is_kept(self):
		frappe.db.set_value("HD Ticket Status", "Waiting on Parts", "label_customer", "Teile unterwegs")

		self.use_language("de")

		self.assertEqual(self.customer_labels()["Waiting on Parts"], "Teile unterwegs")

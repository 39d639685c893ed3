import frappe
from frappe.tests.utils import FrappeTestCase

from techsolutions_support.api.rules import describe_rule, dry_run
from techsolutions_support.priority import clear_ruleset_cache, get_ruleset
from techsolutions_support.techsolutions_support.doctype.ts_priority_rule.ts_priority_rule import (
	InvalidPriorityRule,
)
from techsolutions_support.tests.factories import file_portal_ticket, make_contact, make_customer


def rule(
	name: str, conditions: list[tuple], actions: list[tuple], **fields
) -> "frappe.model.document.Document":
	"""A rule as an admin fills the form: (group, field, operator, value) rows and (action, value) rows."""
	return frappe.get_doc(
		{
			"doctype": "TS Priority Rule",
			"rule_name": name,
			"rule_order": fields.pop("order", 500),
			"conditions": [
				{"group_no": group, "condition_field": field, "operator": operator, "condition_value": value}
				for group, field, operator, value in conditions
			],
			"actions": [{"action_type": action, "action_value": value} for action, value in actions],
			**fields,
		}
	)


class TestTSPriorityRule(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.addClassCleanup(clear_ruleset_cache)

	def tearDown(self):
		clear_ruleset_cache()

	def test_a_valid_rule_saves_and_joins_the_rule_set(self):
		doc = rule(
			"Test Gefahrgut",
			[(1, "subject", "contains any of", "Gefahrgut, ADR")],
			[("Set priority", "Urgent")],
		)
		doc.insert()

		self.assertIn(doc.name, {compiled.name for compiled in get_ruleset().rules})

	def test_the_form_shows_what_is_evaluated(self):
		doc = rule(
			"Test Anzeige",
			[
				(1, "tier", "is", "Premium"),
				(2, "subject", "contains any of", "Panne"),
				(2, "description", "contains any of", "Panne"),
			],
			[("Set priority", "Urgent")],
			match_within="Any may match",
		)

		self.assertEqual(
			describe_rule(doc.as_dict()),
			"tier is 'Premium' AND (subject contains any of [Panne] OR description contains any of [Panne])",
		)

	def test_unknown_field_is_refused(self):
		doc = rule("Test Unbekannt", [(1, "no_such_field", "is", "x")], [("Set priority", "High")])
		self.assertRaises(InvalidPriorityRule, doc.insert)

	def test_operator_that_does_not_fit_the_type_is_refused(self):
		doc = rule("Test Typ", [(1, "subject", "is greater than", "5")], [("Set priority", "High")])
		self.assertRaises(InvalidPriorityRule, doc.insert)

	def test_empty_value_and_unknown_priority_are_refused(self):
		empty = rule("Test Leer", [(1, "subject", "contains any of", " , ")], [("Set priority", "High")])
		unknown = rule("Test Prio", [(1, "subject", "is set", "")], [("Set priority", "Sofort")])
		self.assertRaises(InvalidPriorityRule, empty.insert)
		self.assertRaises(InvalidPriorityRule, unknown.insert)

	def test_a_rule_without_conditions_is_refused(self):
		doc = rule("Test Ohne", [], [("Set priority", "High")])
		self.assertRaises(frappe.ValidationError, doc.insert)

	def test_a_new_rule_applies_to_the_next_ticket(self):
		rule(
			"Test Zollpapiere",
			[(1, "subject", "contains any of", "Zollpapiere")],
			[("Set priority", "Urgent")],
			order=900,
		).insert()
		contact = make_contact(make_customer("Standard"))

		ticket = file_portal_ticket(
			contact, "Zollpapiere fehlen", "Sendung hängt am Zoll.", ticket_type="Sonstiges"
		)

		self.assertEqual(ticket.priority, "Urgent")
		self.assertEqual(ticket.ts_priority_rule, "Test Zollpapiere")

	def test_dry_run_lists_changes_and_writes_nothing(self):
		contact = make_contact(make_customer("Standard"))
		ticket = file_portal_ticket(
			contact, "Zollbeschau angeordnet", "Sendung hängt am Zoll.", ticket_type="Sonstiges"
		)
		edited = rule(
			"Test Zoll Entwurf",
			[(1, "subject", "contains any of", "Zollbeschau")],
			[("Set priority", "Urgent")],
			order=900,
		)

		result = dry_run(edited.as_dict(), limit=50)

		self.assertIn(ticket.name, {change["ticket"] for change in result["changes"]})
		change = next(change for change in result["changes"] if change["ticket"] == ticket.name)
		self.assertEqual((change["current"], change["proposed"]), (ticket.priority, "Urgent"))
		self.assertFalse(frappe.db.exists("TS Priority Rule", "Test Zoll Entwurf"))
		self.assertEqual(frappe.db.get_value("HD Ticket", ticket.name, "priority"), ticket.priority)

	def test_dry_run_is_for_rule_admins_only(self):
		contact = make_contact(make_customer("Standard"))
		frappe.set_user(contact)
		try:
			self.assertRaises(frappe.PermissionError, dry_run)
		finally:
			frappe.set_user("Administrator")

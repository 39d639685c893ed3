import frappe
from frappe import _
from frappe.model.document import Document

from techsolutions_support.core.sla_recipients import parse_users


class InvalidSlaSettings(frappe.ValidationError):
	pass


class TSSLASettings(Document):
	def validate(self):
		self.validate_warn_share()
		self.validate_escalation_delays()
		self.validate_escalation_audiences()

	def validate_warn_share(self) -> None:
		if not 0 < (self.warn_share_percent or 0) <= 100:
			frappe.throw(
				_("Warn at a share of the target above 0 and at most 100 %."),
				InvalidSlaSettings,
				title=_("Invalid SLA Settings"),
			)

	def validate_escalation_delays(self) -> None:
		"""Each level comes no earlier than the one before it: level 1 is the first row."""
		previous = 0
		for row in self.escalation_levels:
			if (row.delay_minutes or 0) < previous:
				frappe.throw(
					_("Row {0}: escalation to {1} comes before the level above it.").format(
						row.idx, row.level_name
					),
					InvalidSlaSettings,
					title=_("Invalid SLA Settings"),
				)
			previous = row.delay_minutes or 0

	def validate_escalation_audiences(self) -> None:
		"""Each level names someone, and the users it names exist."""
		for row in self.escalation_levels:
			users = parse_users(row.notify_users)
			if not (row.notify_assignees or row.notify_team or row.notify_role or users):
				frappe.throw(
					_(
						"Row {0}: escalation to {1} reaches nobody. Choose the assignees, the team, a role or users."
					).format(row.idx, row.level_name),
					InvalidSlaSettings,
					title=_("Invalid SLA Settings"),
				)
			unknown = [user for user in users if not frappe.db.exists("User", user)]
			if unknown:
				frappe.throw(
					_("Row {0}: no user {1}.").format(row.idx, ", ".join(unknown)),
					InvalidSlaSettings,
					title=_("Invalid SLA Settings"),
				)
			row.notify_users = "\n".join(users)

import frappe
from frappe import _
from frappe.model.document import Document


class InvalidSlaSettings(frappe.ValidationError):
	pass


class TSSLASettings(Document):
	def validate(self):
		self.validate_warn_share()
		self.validate_escalation_delays()

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

import frappe
from frappe import _
from frappe.model.document import Document


class InvalidTierTargets(frappe.ValidationError):
	pass


class TSCustomerTier(Document):
	def validate(self):
		self.validate_targets()

	def on_update(self):
		self.keep_single_default()

	def keep_single_default(self) -> None:
		"""Marking this tier default unmarks the previous one: there is at most one fallback."""
		if not self.is_default:
			return
		frappe.db.set_value("TS Customer Tier", {"is_default": 1, "name": ("!=", self.name)}, "is_default", 0)

	def validate_targets(self) -> None:
		"""One target per priority; a response within the resolution target, when there is one."""
		seen = set()
		for row in self.targets:
			if row.priority in seen:
				self.throw_target(
					_("Row {0}: priority {1} has a target already.").format(row.idx, row.priority)
				)
			seen.add(row.priority)
			if not row.response_minutes or row.response_minutes <= 0:
				self.throw_target(
					_("Row {0}: the response target must be at least one minute.").format(row.idx)
				)
			if row.resolution_minutes and row.resolution_minutes < row.response_minutes:
				self.throw_target(
					_("Row {0}: the resolution target is shorter than the response target.").format(row.idx)
				)

	def throw_target(self, message: str) -> None:
		frappe.throw(message, InvalidTierTargets, title=_("Invalid SLA Targets"))

import frappe
from frappe.model.document import Document


class TSCustomerTier(Document):
	def on_update(self):
		self.keep_single_default()

	def keep_single_default(self) -> None:
		"""Marking this tier default unmarks the previous one: there is at most one fallback."""
		if not self.is_default:
			return
		frappe.db.set_value("TS Customer Tier", {"is_default": 1, "name": ("!=", self.name)}, "is_default", 0)

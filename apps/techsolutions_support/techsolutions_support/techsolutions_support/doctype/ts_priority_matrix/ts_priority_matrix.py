import frappe
from frappe import _
from frappe.model.document import Document

from techsolutions_support.priority import clear_ruleset_cache


class DuplicateMatrixCell(frappe.ValidationError):
	pass


class TSPriorityMatrix(Document):
	def validate(self):
		seen = set()
		for row in self.cells:
			key = (row.impact, row.urgency)
			if key in seen:
				frappe.throw(
					_("Row {0}: impact {1} with urgency {2} appears twice.").format(
						row.idx, row.impact, row.urgency
					),
					DuplicateMatrixCell,
					title=_("Duplicate Cell"),
				)
			seen.add(key)

	def on_update(self):
		clear_ruleset_cache()

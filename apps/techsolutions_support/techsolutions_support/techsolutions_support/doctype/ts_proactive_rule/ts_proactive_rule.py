from frappe import _
from frappe.model.document import Document

from techsolutions_support.proactive import check_template


class TSProactiveRule(Document):
	def validate(self):
		check_template(self.subject, _("Subject"))
		check_template(self.message, _("Message"))

from frappe.model.document import Document


class TSPriorityRuleAction(Document):
	pass

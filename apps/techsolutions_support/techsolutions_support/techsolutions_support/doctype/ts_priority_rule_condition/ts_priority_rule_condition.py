from frappe.model.document import Document


class TSPriorityRuleCondition(Document):
	pass

from frappe.model.document import Document


class TSPriorityTrace(Document):
	pass

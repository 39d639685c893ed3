from frappe.model.document import Document


class TSPriorityMatrixTier(Document):
	pass

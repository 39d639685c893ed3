from frappe.model.document import Document


class TSPriorityMatrixCell(Document):
	pass

from frappe.model.document import Document


class TSKBEvent(Document):
	pass

from frappe.model.document import Document


class TSSearchEntry(Document):
	pass

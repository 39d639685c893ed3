from frappe.model.document import Document


class TSKBSettings(Document):
	pass

from frappe.model.document import Document


class TSRoute(Document):
	pass

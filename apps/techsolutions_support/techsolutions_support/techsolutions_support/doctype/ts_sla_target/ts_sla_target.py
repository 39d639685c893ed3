from frappe.model.document import Document


class TSSLATarget(Document):
	pass

from frappe.model.document import Document


class TSSLAEscalationLevel(Document):
	pass

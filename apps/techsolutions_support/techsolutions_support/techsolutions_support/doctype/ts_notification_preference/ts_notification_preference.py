from frappe.model.document import Document


class TSNotificationPreference(Document):
	pass

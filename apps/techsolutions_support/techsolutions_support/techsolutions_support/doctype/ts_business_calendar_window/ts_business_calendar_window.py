from frappe.model.document import Document


class TSBusinessCalendarWindow(Document):
	pass

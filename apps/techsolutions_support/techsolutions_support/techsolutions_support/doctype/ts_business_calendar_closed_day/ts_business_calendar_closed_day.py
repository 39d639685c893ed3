from frappe.model.document import Document


class TSBusinessCalendarClosedDay(Document):
	pass

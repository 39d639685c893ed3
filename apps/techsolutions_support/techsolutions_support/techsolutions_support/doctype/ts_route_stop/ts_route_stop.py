from frappe.model.document import Document


class TSRouteStop(Document):
	pass

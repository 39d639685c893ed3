from frappe.model.document import Document

from techsolutions_support.core.identifiers import plate_key


class TSVehicle(Document):
	def before_save(self):
		self.vin = (self.vin or "").strip().upper()
		self.plate_key = plate_key(self.plate) if self.plate else None

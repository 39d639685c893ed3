from frappe.model.document import Document

from techsolutions_support.core.sync import normalise_tracking_number


class TSDelivery(Document):
	def before_insert(self):
		# The tracking number is the record's name: the same spelling the ticket text gives.
		self.tracking_number = normalise_tracking_number(self.tracking_number)

	def validate(self):
		self.tracking_number = normalise_tracking_number(self.tracking_number)

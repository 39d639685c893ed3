from frappe.model.document import Document

from techsolutions_support.connectors.config import check_connector


class TSConnector(Document):
	def validate(self):
		self.base_url = (self.base_url or "").strip()
		check_connector(self)

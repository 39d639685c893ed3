import frappe
from frappe.model.document import Document
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now


class TSTrackingLink(Document):
	@staticmethod
	def clear_old_logs(days: int = 30) -> None:
		"""Log Settings removes links that expired more than `days` ago; they open nothing any more."""
		table = frappe.qb.DocType("TS Tracking Link")
		frappe.db.delete(table, filters=(table.expires_at < (Now() - Interval(days=days))))

import frappe
from frappe.model.document import Document
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now


class TSSyncLog(Document):
	"""Written by the connector runs only (see connectors/engine.py)."""

	@staticmethod
	def clear_old_logs(days: int = 90) -> None:
		"""Called by Log Settings (hooks.py default_log_clearing_doctypes): a run every few
		minutes per connector adds up."""
		table = frappe.qb.DocType("TS Sync Log")
		frappe.db.delete(table, filters=(table.creation < (Now() - Interval(days=days))))

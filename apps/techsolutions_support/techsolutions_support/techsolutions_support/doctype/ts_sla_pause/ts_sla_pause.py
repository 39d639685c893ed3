from frappe.model.document import Document


class TSSLAPause(Document):
	"""Written by the ticket's SLA events (events/hd_ticket_sla.py), read by the SLA reports."""

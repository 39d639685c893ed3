import frappe
from frappe import _
from frappe.model.document import Document

from techsolutions_support.sla.calendars import InvalidBusinessCalendar, calendar_from_doc, clear_calendar


class TSBusinessCalendar(Document):
	def validate(self):
		self.validate_hours()
		calendar_from_doc(self)

	def on_update(self):
		clear_calendar(self)

	def on_trash(self):
		clear_calendar(self)

	def validate_hours(self) -> None:
		if self.is_24_7 or self.windows:
			return
		frappe.throw(
			_("Add business hours, or mark the calendar as open 24/7."),
			InvalidBusinessCalendar,
			title=_("Invalid Business Calendar"),
		)

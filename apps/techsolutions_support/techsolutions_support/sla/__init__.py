"""SLA clocks of HD Tickets on the app's business calendars (issue 4).

The maths lives in the framework-free core (`core.business_time`, `core.sla`); these modules
read records, call it and write the results:

	calendars   TS Business Calendar and a tier's targets, as core objects
	clock       one ticket: its terms, clock stops, deadlines and agreement status
	watch       the scheduled job: deadlines and status of open tickets, warnings, escalation
	alerts      who the warnings and escalation levels reach; what the Notifications show

Helpdesk keeps its own HD Service Level Agreement on every ticket (its badges and status need
one); the deadlines it computes are replaced by the app's before the ticket is saved.
"""

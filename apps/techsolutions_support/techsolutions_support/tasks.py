"""Scheduled jobs of the app (hooks.py scheduler_events); each only hands over to its module."""

from techsolutions_support.connectors.engine import enqueue_due
from techsolutions_support.sla.watch import enqueue_watch


def enqueue_due_connectors() -> None:
	"""Every minute: queue a run of each enabled connector whose interval has passed."""
	enqueue_due()


def watch_sla() -> None:
	"""Every 5 minutes: queue the SLA watch (sla/watch.py) on the long queue, once at a time."""
	enqueue_watch()

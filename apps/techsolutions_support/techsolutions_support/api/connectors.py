"""Connector actions of the TS Connector form: test the connection, run a sync now."""

from typing import Any

import frappe

from techsolutions_support.connectors.engine import enqueue_run
from techsolutions_support.connectors.probe import probe


@frappe.whitelist(methods=["POST"])
def test_connection(connector: str) -> dict[str, Any]:
	"""One request to the source with the saved settings; says exactly what failed, if anything."""
	doc = frappe.get_doc("TS Connector", connector)
	doc.check_permission("write")
	return probe(doc).as_dict()


@frappe.whitelist(methods=["POST"])
def sync_now(connector: str) -> dict[str, Any]:
	"""Queue a run on the long queue (not twice at once); its outcome lands in TS Sync Log."""
	doc = frappe.get_doc("TS Connector", connector)
	doc.check_permission("write")
	return {"job_id": enqueue_run(doc.name, "Manual")}

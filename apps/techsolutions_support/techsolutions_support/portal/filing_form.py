"""What the new-request form (/support/new) shows: request types, the impact and urgency
questions in the customer's words, the upload limits, and the texts its script needs."""

from typing import Any

import frappe
from frappe import _

from techsolutions_support.core import uploads
from techsolutions_support.portal.filing import format_megabytes, upload_policy
from techsolutions_support.setup.install import IMPACT_OPTIONS, URGENCY_OPTIONS


def impact_choices() -> list[dict[str, str]]:
	"""The impact question in the customer's words; the values are the ticket's options."""
	words = {
		"Just this shipment": (
			_("One shipment"),
			_("Only this shipment is late, damaged or unclear."),
		),
		"Several shipments or one vehicle": (
			_("Several shipments or a vehicle"),
			_("More than one shipment, or one vehicle cannot go on."),
		),
		"Operations stopped or safety at risk": (
			_("Everything stands still, or someone is in danger"),
			_("Your operations are at a standstill, or people, goods or the cold chain are at risk."),
		),
	}
	return [
		{"value": option, "label": words[option][0], "hint": words[option][1]} for option in IMPACT_OPTIONS
	]


def urgency_choices() -> list[dict[str, str]]:
	words = {
		"Can wait a few days": _("It can wait a few days"),
		"Needed today": _("Today"),
		"Needed within hours": _("Within the next few hours"),
	}
	return [{"value": option, "label": words[option], "hint": ""} for option in URGENCY_OPTIONS]


def form_context() -> dict[str, Any]:
	"""What the form page shows: request types, the two questions, the upload limits, its texts."""
	policy = upload_policy()
	return {
		"ticket_types": frappe.get_list(
			"HD Ticket Type", filters={"disabled": 0}, fields=["name", "description"], order_by="name asc"
		),
		"impact_choices": impact_choices(),
		"urgency_choices": urgency_choices(),
		"policy": {
			"max_bytes": policy.max_bytes,
			"max_mb": format_megabytes(policy.max_bytes),
			"max_files": policy.max_files,
			"allowed": list(policy.allowed_sorted()),
			"accept": uploads.accept_attr(policy.allowed),
		},
		"messages": browser_messages(policy),
	}


def browser_messages(policy: uploads.UploadPolicy) -> dict[str, str]:
	"""Texts the form's script shows, translated here ({0}, {1}: filled in by the script)."""
	return {
		"too_large": _("{0} is larger than {1} MB. Please choose a smaller file."),
		"not_allowed": _("{0} cannot be attached. Allowed file types: {1}."),
		"too_many": _("At most {0} files can be attached to one request."),
		"empty": _("{0} is empty."),
		"subject_missing": _("Please enter a subject."),
		"description_missing": _("Please describe the problem."),
		"remove": _("Remove"),
		"sending": _("Sending your request…"),
		"uploading": _("Uploading {0}…"),
		"offline_saved": _(
			"You are offline. Your request is saved on this device and will be sent as soon as you are online again."
		),
		"saved_retry": _(
			"The connection was lost. Your request is saved on this device and will be sent as soon as you are online again."
		),
		"not_kept": _(
			"This browser cannot keep your request on the device. Please send it when you are online again."
		),
		"draft_restored": _("Your unsent draft has been restored."),
		"failed": _("Your request could not be sent: {0}"),
	}

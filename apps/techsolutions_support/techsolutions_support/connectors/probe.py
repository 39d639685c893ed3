""" "Test connection": one request to the source, read as a run would, and exactly what failed.

The answer names the step (settings, token, request, format, records) and what the source said,
in words an admin can act on; it never contains a secret. Nothing is written.
"""

from dataclasses import dataclass, replace
from typing import Any

from frappe import _

from techsolutions_support.connectors.config import (
	GENERIC,
	RFMS,
	VROOM,
	ConnectorConfig,
	ConnectorConfigError,
	load_config,
	plan_start,
	source_today,
)
from techsolutions_support.connectors.http import (
	OAuth2ClientCredentials,
	SourceClient,
	SourceError,
	redact_url,
	with_params,
)
from techsolutions_support.core import rfms
from techsolutions_support.core.mapping import ConnectorError, ParseResult, parse_records
from techsolutions_support.core.sync import RetryPolicy
from techsolutions_support.core.vroom import parse_solution


@dataclass
class ProbeResult:
	ok: bool
	stage: str
	message: str

	def as_dict(self) -> dict[str, Any]:
		return {"ok": self.ok, "stage": self.stage, "message": self.message}


def probe(connector: Any) -> ProbeResult:
	try:
		config = load_config(connector)
	except ConnectorConfigError as exc:
		return ProbeResult(False, "settings", str(exc))
	# One attempt: an admin waiting on a button wants the first answer, not a back-off.
	client_settings = replace(config.client, policy=RetryPolicy(max_attempts=1))
	with SourceClient(client_settings) as client:
		try:
			if isinstance(config.client.auth, OAuth2ClientCredentials):
				client.access_token()
			url, params = first_request(config)
			answer = client.get(url, params)
		except SourceError as exc:
			return ProbeResult(False, exc.stage, str(exc))
	shown = redact_url(with_params(url, params))
	try:
		return ProbeResult(True, "records", describe_page(config, answer.content, shown))
	except ConnectorError as exc:
		return ProbeResult(
			False, "format", _("{0} answered, but not in the expected format: {1}").format(shown, exc)
		)


def first_request(config: ConnectorConfig) -> tuple[str, dict[str, str]]:
	if config.kind == RFMS:
		return f"{config.base_url.rstrip('/')}/{rfms.VEHICLES}", {}
	if config.kind == GENERIC and config.page_size_param:
		return config.base_url, {config.page_size_param: str(config.page_size)}
	return config.base_url, {}


def describe_page(config: ConnectorConfig, content: bytes, shown: str) -> str:
	if config.kind == RFMS:
		result: ParseResult[Any] = rfms.parse_vehicles(content)
		found = _("{0} vehicles on the first page").format(len(result.records))
	elif config.kind == VROOM:
		plan = parse_solution(content, plan_start=plan_start(config, source_today(config)))
		found = _("a plan of {0} routes and {1} unassigned jobs").format(
			len(plan.routes), len(plan.unassigned)
		)
		if plan.errors:
			first = plan.errors[0]
			found += _("; {0} routes cannot be read, the first (vehicle {1}): {2}").format(
				len(plan.errors), first.record_id, first.message
			)
		return _("Connected to {0}: {1}.").format(shown, found)
	else:
		assert config.mapping is not None
		result = parse_records(
			content,
			config.records_path,
			config.mapping,
			config.source_zone,
			next_link_path=config.next_link_path,
		)
		found = _("{0} records on the first page").format(result.item_count)
	if result.errors:
		first = result.errors[0]
		found += _("; {0} cannot be read, the first ({1}): {2}").format(
			len(result.errors), first.record_id or _("no id"), first.message
		)
	if result.more_data_available:
		found += _(", more pages follow")
	return _("Connected to {0}: {1}.").format(shown, found)

"""A `TS Connector` record as the settings a run needs, checked; secrets read only here.

Exceptions (shown to admins with a translated title)::

	frappe.ValidationError
	└── ConnectorConfigError      a setting cannot work: URL, time zone, mapping, limits
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import frappe
from frappe import _
from frappe.utils import get_system_timezone, get_time, getdate, now_datetime

from techsolutions_support.connectors.http import (
	ApiKeyAuth,
	Auth,
	ClientSettings,
	NoAuth,
	OAuth2ClientCredentials,
)
from techsolutions_support.core.mapping import MappingConfigError, RecordMapping, compile_mapping
from techsolutions_support.core.sync import RetryPolicy, route_code
from techsolutions_support.core.vroom import UNIX_EPOCH

RFMS, VROOM, GENERIC = "rFMS", "VROOM", "Generic JSON"
MAX_TIMEOUT_S = 120
MAX_PAGE_SIZE = 10_000


class ConnectorConfigError(frappe.ValidationError):
	"""A connector setting that cannot work."""


@dataclass(frozen=True)
class ConnectorConfig:
	name: str
	kind: str
	base_url: str
	source_zone: tzinfo
	client: ClientSettings
	page_size: int
	alert_after_failures: int
	# Open tickets of this many days back are linked to the vehicles and deliveries a run creates.
	link_tickets_days: int
	# VROOM
	time_base: str
	plan_start_time: time
	plan_date: date | None
	route_code_pattern: str
	# Generic JSON
	records_path: str | None
	next_link_path: str | None
	since_param: str | None
	page_size_param: str | None
	mapping: RecordMapping | None


def load_config(connector: "frappe.model.document.Document") -> ConnectorConfig:
	"""The checked settings of `connector`, its secrets included. Raises `ConnectorConfigError`."""
	check_connector(connector)
	return ConnectorConfig(
		name=connector.name,
		kind=connector.connector_type,
		base_url=connector.base_url.strip(),
		source_zone=ZoneInfo(connector.source_time_zone.strip()),
		client=ClientSettings(
			timeout_s=float(connector.timeout_seconds),
			auth=_auth(connector),
			policy=RetryPolicy(
				max_attempts=connector.max_attempts or 1,
				base_s=1.0,
				max_wait_s=float(connector.max_wait_seconds or 0),
			),
			rate_limit_per_minute=connector.rate_limit_per_minute or 0,
		),
		page_size=connector.page_size or 100,
		alert_after_failures=connector.alert_after_failures or 0,
		link_tickets_days=max(connector.link_tickets_days or 0, 0),
		time_base=connector.time_base or "Plan Start",
		plan_start_time=get_time(connector.plan_start_time or "00:00:00"),
		plan_date=getdate(connector.plan_date) if connector.plan_date else None,
		route_code_pattern=connector.route_code_pattern or "R-{date:%Y%m%d}-{vehicle}",
		records_path=(connector.records_path or "").strip() or None,
		next_link_path=(connector.next_link_path or "").strip() or None,
		since_param=(connector.since_param or "").strip() or None,
		page_size_param=(connector.page_size_param or "").strip() or None,
		mapping=field_mapping(connector) if connector.connector_type == GENERIC else None,
	)


def check_connector(connector: "frappe.model.document.Document") -> None:
	"""Raise `ConnectorConfigError` naming the first setting that cannot work."""
	check_url(connector.base_url, _("Base URL"))
	if connector.auth_type == "OAuth2 Client Credentials":
		check_url(connector.token_url, _("Token URL"))
	try:
		ZoneInfo((connector.source_time_zone or "").strip())
	except (ZoneInfoNotFoundError, ValueError):
		_fail(
			_("Source Time Zone {0} is not a time zone name such as Europe/Berlin or UTC.").format(
				frappe.bold(connector.source_time_zone or "")
			)
		)
	timeout = connector.timeout_seconds or 0
	if not 0 < timeout <= MAX_TIMEOUT_S:
		_fail(_("Timeout must be more than 0 and at most {0} seconds.").format(MAX_TIMEOUT_S))
	if not 1 <= (connector.page_size or 0) <= MAX_PAGE_SIZE:
		_fail(_("Page Size must be between 1 and {0}.").format(MAX_PAGE_SIZE))
	if (connector.interval_minutes or 0) < 1:
		_fail(_("Run Every must be at least 1 minute."))
	if (connector.max_attempts or 0) < 1:
		_fail(_("Attempts per Request must be at least 1."))
	if connector.connector_type == VROOM:
		try:
			route_code(connector.route_code_pattern or "", date(2025, 1, 1), 1, "B-XY 1")
		except ValueError as exc:
			_fail(_("Route Code Pattern: {0}").format(exc))
	if connector.connector_type == GENERIC:
		field_mapping(connector)


def check_url(url: str | None, label: str) -> None:
	parts = urlsplit((url or "").strip())
	if parts.scheme not in ("http", "https") or not parts.hostname:
		_fail(
			_("{0} must be an http or https URL with a host, got {1}.").format(label, frappe.bold(url or ""))
		)
	if parts.username or parts.password:
		_fail(_("{0} must not carry a user or password; use the authentication settings.").format(label))


def field_mapping(connector: "frappe.model.document.Document") -> RecordMapping:
	try:
		mapping = json.loads(connector.field_mapping or "{}")
	except ValueError as exc:
		_fail(_("Field Mapping is not valid JSON: {0}").format(exc))
	try:
		return compile_mapping(mapping)
	except MappingConfigError as exc:
		_fail(_("Field Mapping: {0}").format(exc))
	raise AssertionError("unreachable")


def plan_start(config: ConnectorConfig, today: date) -> datetime:
	"""The moment second 0 of a VROOM plan stands for (aware)."""
	if config.time_base == "Unix Epoch":
		return UNIX_EPOCH
	day = config.plan_date or today
	return datetime.combine(day, config.plan_start_time, tzinfo=config.source_zone)


def source_today(config: ConnectorConfig) -> date:
	"""Today's date in the source's time zone."""
	return now_datetime().replace(tzinfo=system_zone()).astimezone(config.source_zone).date()


def system_zone() -> tzinfo:
	"""The site's time zone: Frappe stores naive datetimes in it."""
	return ZoneInfo(get_system_timezone())


def _auth(connector: "frappe.model.document.Document") -> Auth:
	if connector.auth_type == "API Key":
		return ApiKeyAuth(
			header=(connector.api_key_header or "X-API-Key").strip(),
			key=connector.get_password("api_key", raise_exception=False) or "",
		)
	if connector.auth_type == "OAuth2 Client Credentials":
		return OAuth2ClientCredentials(
			token_url=connector.token_url.strip(),
			client_id=(connector.client_id or "").strip(),
			client_secret=connector.get_password("client_secret", raise_exception=False) or "",
			scope=(connector.scope or "").strip() or None,
		)
	return NoAuth()


def _fail(message: str) -> None:
	frappe.throw(message, ConnectorConfigError, title=_("Connector Settings"))

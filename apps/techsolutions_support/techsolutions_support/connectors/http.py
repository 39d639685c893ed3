"""HTTP to a connector's source: explicit timeouts, back-off on 429 and 5xx, a rate limit, auth.

Every request has a connect and a read timeout, and its body a deadline. A 429 or 5xx answer, a
timeout or a dropped connection is retried after the pause `core.sync.RetryPolicy` gives
(``Retry-After`` honoured); when the attempts are used up, or the source asks for a longer pause
than the connector allows, the request fails and the run ends: the next run resumes from the
saved cursor. Answers other than success are kept, without secrets, in `SourceClient.trace`.

Exceptions (messages say what failed and where, never a secret)::

	SourceError                    the source could not be read
	├── SourceUnreachable          connection refused, name not resolved, TLS, timeouts
	├── SourceBusy                 429 or 5xx after every attempt, or Retry-After longer than allowed
	├── SourceRefused              an answer that will not improve by retrying (4xx other than 429)
	│   └── AuthenticationFailed   401 or 403, or the token endpoint refused the client
	└── SourceAnswerInvalid        the body is not JSON of the expected format (raised by callers)
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from techsolutions_support.core.sync import RETRY_STATUSES, RateLimiter, RetryPolicy, parse_retry_after

# Bodies larger than this are refused: a page of records is never that big, a runaway export is.
MAX_BODY_BYTES = 64 * 1024 * 1024
# The body of one answer must arrive within this many read timeouts (a server that drips bytes
# would otherwise hold the run forever, each chunk within the read timeout).
BODY_DEADLINE_FACTOR = 4
# Token lifetimes are cut by this much, so a token never expires between check and use.
TOKEN_MARGIN_S = 30
TRACE_LIMIT = 50
_SECRET_PARAMS = ("key", "token", "secret", "password", "signature", "auth")


class SourceError(Exception):
	"""The source could not be read; `stage` says which step failed, `status` the HTTP status."""

	def __init__(self, message: str, *, stage: str = "request", status: int | None = None) -> None:
		super().__init__(message)
		self.stage = stage
		self.status = status


class SourceUnreachable(SourceError):
	pass


class SourceBusy(SourceError):
	pass


class SourceRefused(SourceError):
	pass


class AuthenticationFailed(SourceRefused):
	pass


class SourceAnswerInvalid(SourceError):
	pass


@dataclass(frozen=True)
class NoAuth:
	def headers(self, client: "SourceClient") -> dict[str, str]:
		return {}


@dataclass(frozen=True)
class ApiKeyAuth:
	header: str
	key: str = field(repr=False)

	def headers(self, client: "SourceClient") -> dict[str, str]:
		return {self.header: self.key}


@dataclass(frozen=True)
class OAuth2ClientCredentials:
	token_url: str
	client_id: str
	client_secret: str = field(repr=False)
	scope: str | None = None

	def headers(self, client: "SourceClient") -> dict[str, str]:
		return {"Authorization": f"Bearer {client.access_token()}"}


Auth = NoAuth | ApiKeyAuth | OAuth2ClientCredentials


@dataclass(frozen=True)
class ClientSettings:
	timeout_s: float
	auth: Auth
	policy: RetryPolicy
	rate_limit_per_minute: int = 0
	user_agent: str = "TechSolutions-Support-Connector/1"


@dataclass
class Answer:
	status: int
	content: bytes
	url: str
	headers: Mapping[str, str] = field(default_factory=dict)


class SourceClient:
	"""One run's HTTP client of one source: counts requests and retries, keeps a trace."""

	def __init__(
		self,
		settings: ClientSettings,
		*,
		session: requests.Session | None = None,
		sleep: Callable[[float], None] = time.sleep,
		monotonic: Callable[[], float] = time.monotonic,
		now: Callable[[], datetime] = lambda: datetime.now(UTC),
	) -> None:
		self.settings = settings
		self.session = session or requests.Session()
		self.session.headers["User-Agent"] = settings.user_agent
		self.session.headers["Accept"] = "application/json"
		self._sleep = sleep
		self._monotonic = monotonic
		self._now = now
		self._limiter = RateLimiter(settings.rate_limit_per_minute)
		self._token: str | None = None
		self._token_expires_at = 0.0
		self.requests = 0
		self.retries = 0
		self.waited_s = 0.0
		self.trace: list[str] = []

	def close(self) -> None:
		self.session.close()

	def __enter__(self) -> "SourceClient":
		return self

	def __exit__(self, *exc_info: object) -> None:
		self.close()

	# --- requests ---

	def get(self, url: str, params: Mapping[str, str] | None = None) -> Answer:
		"""GET `url` and return a successful answer; raises a `SourceError` otherwise."""
		return self._request("GET", url, params=dict(params or {}), authenticated=True)

	def access_token(self) -> str:
		"""A valid OAuth 2 access token, fetched with the client credentials when needed."""
		auth = self.settings.auth
		if not isinstance(auth, OAuth2ClientCredentials):
			raise SourceError("this connector does not use OAuth 2", stage="token")
		if self._token and self._monotonic() < self._token_expires_at:
			return self._token
		form = {"grant_type": "client_credentials"}
		if auth.scope:
			form["scope"] = auth.scope
		answer = self._request(
			"POST",
			auth.token_url,
			data=form,
			basic_auth=(auth.client_id, auth.client_secret),
			authenticated=False,
			stage="token",
		)
		body = _json_object(answer, "token")
		token = body.get("access_token")
		if not isinstance(token, str) or not token:
			raise AuthenticationFailed(
				f"The token endpoint {redact_url(auth.token_url)} answered without an access_token.",
				stage="token",
				status=answer.status,
			)
		lifetime = body.get("expires_in")
		seconds = (
			float(lifetime) if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) else 300.0
		)
		self._token = token
		self._token_expires_at = self._monotonic() + max(0.0, seconds - TOKEN_MARGIN_S)
		return token

	def _request(
		self,
		method: str,
		url: str,
		*,
		params: dict[str, str] | None = None,
		data: dict[str, str] | None = None,
		basic_auth: tuple[str, str] | None = None,
		authenticated: bool,
		stage: str = "request",
	) -> Answer:
		shown = redact_url(with_params(url, params))
		attempt = 0
		renewed_token = False
		while True:
			attempt += 1
			self._respect_rate_limit()
			headers = self.settings.auth.headers(self) if authenticated else {}
			self.requests += 1
			try:
				answer = self._send(
					method, url, params=params, data=data, headers=headers, basic_auth=basic_auth
				)
			except requests.Timeout:
				problem = f"no answer within {self.settings.timeout_s:g} s"
				self.back_off(attempt, None, f"{method} {shown}: {problem}", SourceUnreachable, stage)
				continue
			except requests.ConnectionError as exc:
				problem = f"connection failed ({_reason(exc)})"
				self.back_off(attempt, None, f"{method} {shown}: {problem}", SourceUnreachable, stage)
				continue
			except requests.RequestException as exc:
				raise SourceUnreachable(f"{method} {shown} failed: {_reason(exc)}", stage=stage) from None

			if 200 <= answer.status < 300:
				return answer
			detail = f"{method} {shown} answered {answer.status}{_error_detail(answer)}"
			if answer.status in (401, 403):
				can_renew = (
					isinstance(self.settings.auth, OAuth2ClientCredentials)
					and authenticated
					and not renewed_token
				)
				if answer.status == 401 and can_renew:
					# The token may have expired early at the source: one new token, one more try.
					self.note(f"{detail}; fetching a new token")
					self._token = None
					renewed_token = True
					self.retries += 1
					continue
				self.note(detail)
				raise AuthenticationFailed(_auth_message(detail, stage), stage=stage, status=answer.status)
			if answer.status in RETRY_STATUSES:
				retry_after = parse_retry_after(answer.headers.get("Retry-After"), self._now())
				self.back_off(attempt, retry_after, detail, SourceBusy, stage, status=answer.status)
				continue
			self.note(detail)
			raise SourceRefused(detail + ".", stage=stage, status=answer.status)

	def _send(
		self,
		method: str,
		url: str,
		*,
		params: dict[str, str] | None,
		data: dict[str, str] | None,
		headers: dict[str, str],
		basic_auth: tuple[str, str] | None,
	) -> Answer:
		timeout = self.settings.timeout_s
		with self.session.request(
			method,
			url,
			params=params or None,
			data=data,
			headers=headers,
			auth=basic_auth,
			timeout=(timeout, timeout),
			stream=True,
			allow_redirects=False,
		) as response:
			deadline = self._monotonic() + timeout * BODY_DEADLINE_FACTOR
			chunks: list[bytes] = []
			size = 0
			for chunk in response.iter_content(chunk_size=64 * 1024):
				size += len(chunk)
				if size > MAX_BODY_BYTES:
					raise requests.RequestException(f"answer larger than {MAX_BODY_BYTES // 2**20} MiB")
				if self._monotonic() > deadline:
					raise requests.Timeout("body not complete in time")
				chunks.append(chunk)
			return Answer(response.status_code, b"".join(chunks), response.url, response.headers)

	def back_off(
		self,
		attempt: int,
		retry_after: float | None,
		detail: str,
		error: type[SourceError],
		stage: str,
		status: int | None = None,
	) -> None:
		pause = self.settings.policy.delay(attempt, retry_after)
		if pause is None:
			if retry_after is not None and attempt < self.settings.policy.max_attempts:
				reason = (
					f"the source asks to wait {retry_after:g} s, longer than the "
					f"{self.settings.policy.max_wait_s:g} s allowed"
				)
			else:
				reason = f"gave up after {attempt} attempt{'s' if attempt != 1 else ''}"
			self.note(f"{detail}; {reason}")
			raise error(f"{detail}; {reason}. The next run resumes from here.", stage=stage, status=status)
		self.note(f"{detail}; retry {attempt} in {pause:g} s")
		self.retries += 1
		self.waited_s += pause
		self._sleep(pause)

	def _respect_rate_limit(self) -> None:
		pause = self._limiter.wait(self._monotonic())
		if pause > 0:
			self.waited_s += pause
			self._sleep(pause)

	def note(self, line: str) -> None:
		if len(self.trace) < TRACE_LIMIT:
			self.trace.append(line)
		elif len(self.trace) == TRACE_LIMIT:
			self.trace.append("(further answers not kept)")


def with_params(url: str, params: Mapping[str, str] | None) -> str:
	if not params:
		return url
	parts = urlsplit(url)
	query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
	return urlunsplit(parts._replace(query=urlencode(query)))


def resolve_link(base_url: str, link: str) -> str:
	"""A next-page link as sent (absolute, or relative to the source) as an absolute URL.

	Raises `SourceAnswerInvalid` for a link to another host: a source never sends us elsewhere.
	"""
	absolute = urljoin(base_url, link)
	base, target = urlsplit(base_url), urlsplit(absolute)
	if (base.scheme, base.netloc) != (target.scheme, target.netloc):
		raise SourceAnswerInvalid(
			f"the next-page link points to another host ({target.scheme}://{target.netloc})", stage="paging"
		)
	return absolute


def redact_url(url: str) -> str:
	"""The URL without user info and with secret-looking query values replaced."""
	parts = urlsplit(url)
	netloc = parts.hostname or ""
	if parts.port:
		netloc += f":{parts.port}"
	query = [
		(name, "***" if any(word in name.lower() for word in _SECRET_PARAMS) else value)
		for name, value in parse_qsl(parts.query, keep_blank_values=True)
	]
	return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe=":*")))


def _json_object(answer: Answer, stage: str) -> dict[str, Any]:
	try:
		body = json.loads(answer.content)
	except ValueError:
		raise SourceAnswerInvalid(f"{redact_url(answer.url)} did not answer with JSON", stage=stage) from None
	if not isinstance(body, dict):
		raise SourceAnswerInvalid(f"{redact_url(answer.url)} did not answer with a JSON object", stage=stage)
	return body


def _error_detail(answer: Answer) -> str:
	"""The error and description of an OAuth 2 / rFMS error body, when the answer has one."""
	try:
		body = json.loads(answer.content[:4096])
	except ValueError:
		return ""
	if not isinstance(body, dict):
		return ""
	parts = [str(body[key])[:200] for key in ("error", "error_description", "message") if body.get(key)]
	return f" ({': '.join(parts)})" if parts else ""


def _auth_message(detail: str, stage: str) -> str:
	if stage == "token":
		return f"The token endpoint refused the client credentials: {detail}. Check client ID and secret."
	return f"The source refused our credentials: {detail}. Check the API key or the OAuth 2 settings."


def _reason(exc: Exception) -> str:
	"""A short reason from a requests exception, without the URL repeated."""
	text = str(exc.args[0]) if exc.args else type(exc).__name__
	for marker in (
		"Connection refused",
		"Name or service not known",
		"timed out",
		"certificate verify failed",
	):
		if marker in text:
			return marker
	return text[:200]

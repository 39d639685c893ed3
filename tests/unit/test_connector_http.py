"""The connectors' HTTP client against the simulator on 127.0.0.1, with a fake clock for pauses."""

from collections.abc import Iterator

import pytest

from techsolutions_support.connectors.http import (
	ApiKeyAuth,
	AuthenticationFailed,
	ClientSettings,
	NoAuth,
	OAuth2ClientCredentials,
	SourceAnswerInvalid,
	SourceBusy,
	SourceClient,
	SourceRefused,
	SourceUnreachable,
	redact_url,
	resolve_link,
)
from techsolutions_support.core.sync import RetryPolicy
from techsolutions_support.simulator import Simulator, start_simulator


class FakeClock:
	"""Monotonic time that only moves when the client sleeps."""

	def __init__(self) -> None:
		self.now = 1000.0
		self.pauses: list[float] = []

	def monotonic(self) -> float:
		return self.now

	def sleep(self, seconds: float) -> None:
		self.pauses.append(seconds)
		self.now += seconds


@pytest.fixture
def sim() -> Iterator[Simulator]:
	simulator = start_simulator(page_size=6)
	yield simulator
	simulator.stop()


def client(
	auth: object = None, attempts: int = 3, max_wait: float = 10.0, rate: int = 0, timeout: float = 5.0
) -> tuple[SourceClient, FakeClock]:
	clock = FakeClock()
	settings = ClientSettings(
		timeout_s=timeout,
		auth=auth or NoAuth(),  # type: ignore[arg-type]
		policy=RetryPolicy(max_attempts=attempts, base_s=1.0, max_wait_s=max_wait),
		rate_limit_per_minute=rate,
	)
	return SourceClient(settings, sleep=clock.sleep, monotonic=clock.monotonic), clock


def test_retry_after_is_honoured_then_the_page_arrives(sim: Simulator) -> None:
	sim.set(fail_429=1, retry_after_s=2)
	http, clock = client()

	answer = http.get(f"{sim.url}/rfms/vehicles")

	assert answer.status == 200
	assert clock.pauses == [2.0]
	assert (http.requests, http.retries) == (2, 1)
	assert http.trace == [
		f"GET {sim.url}/rfms/vehicles answered 429 (too_many_requests: rate limit); retry 1 in 2 s"
	]


def test_server_errors_back_off_doubling_and_give_up(sim: Simulator) -> None:
	sim.set(fail_500=5)
	http, clock = client(attempts=3)

	with pytest.raises(SourceBusy, match=r"answered 500 .*; gave up after 3 attempts\. The next run resumes"):
		http.get(f"{sim.url}/rfms/vehicles")

	assert clock.pauses == [1.0, 2.0]
	assert http.requests == 3


def test_a_retry_after_longer_than_allowed_gives_up_at_once(sim: Simulator) -> None:
	sim.set(fail_429=1, retry_after_s=120)
	http, clock = client(max_wait=60)

	with pytest.raises(SourceBusy, match="asks to wait 120 s, longer than the 60 s allowed"):
		http.get(f"{sim.url}/rfms/vehicles")

	assert clock.pauses == []


def test_other_client_errors_are_not_retried(sim: Simulator) -> None:
	http, _ = client()

	with pytest.raises(SourceRefused, match=r"answered 400 .*starttime or latestOnly=true is required"):
		http.get(f"{sim.url}/rfms/vehiclepositions")

	assert http.requests == 1


def test_unreachable_source(sim: Simulator) -> None:
	url = sim.url
	sim.stop()
	http, clock = client(attempts=2)

	with pytest.raises(SourceUnreachable, match=r"connection failed \(Connection refused\); gave up after 2"):
		http.get(f"{url}/rfms/vehicles")

	assert clock.pauses == [1.0]


def test_slow_source_times_out(sim: Simulator) -> None:
	sim.set(latency_ms=600)
	http, _ = client(attempts=1, timeout=0.2)

	with pytest.raises(SourceUnreachable, match=r"no answer within 0.2 s; gave up after 1 attempt"):
		http.get(f"{sim.url}/rfms/vehicles")


def test_rate_limit_spaces_requests(sim: Simulator) -> None:
	http, clock = client(rate=30)

	for _ in range(3):
		http.get(f"{sim.url}/rfms/vehicles")

	assert clock.pauses == [2.0, 2.0]


def test_oauth2_token_fetched_once_and_sent(sim: Simulator) -> None:
	with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim") as secured:
		auth = OAuth2ClientCredentials(f"{secured.url}/oauth/token", "ts", "geheim")
		http, _ = client(auth=auth)

		for _ in range(3):
			http.get(f"{secured.url}/rfms/vehicles")
		issued = secured.counters()["tokens_issued"]

	assert issued == 1


def test_an_expired_token_is_renewed_once_then_refused(sim: Simulator) -> None:
	with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim", token_ttl_s=0) as secured:
		auth = OAuth2ClientCredentials(f"{secured.url}/oauth/token", "ts", "geheim")
		http, _ = client(auth=auth)

		with pytest.raises(AuthenticationFailed, match="access token expired"):
			http.get(f"{secured.url}/rfms/vehicles")
		issued = secured.counters()["tokens_issued"]

	assert issued == 2


def test_wrong_client_secret_names_the_token_endpoint(sim: Simulator) -> None:
	with start_simulator(auth="oauth2", client_id="ts", client_secret="geheim") as secured:
		auth = OAuth2ClientCredentials(f"{secured.url}/oauth/token", "ts", "falsch")
		http, _ = client(auth=auth)

		with pytest.raises(AuthenticationFailed) as refused:
			http.get(f"{secured.url}/rfms/vehicles")

	message = str(refused.value)
	assert refused.value.stage == "token"
	assert f"POST {secured.url}/oauth/token answered 401 (invalid_client" in message
	assert "falsch" not in message and "falsch" not in "".join(http.trace)


def test_api_key_in_its_header(sim: Simulator) -> None:
	with start_simulator(auth="api_key", api_key="k-123") as secured:
		good, _ = client(auth=ApiKeyAuth("X-API-Key", "k-123"))
		bad, _ = client(auth=ApiKeyAuth("X-API-Key", "k-999"))

		assert good.get(f"{secured.url}/rfms/vehicles").status == 200
		with pytest.raises(AuthenticationFailed, match="invalid_api_key"):
			bad.get(f"{secured.url}/rfms/vehicles")


@pytest.mark.parametrize(
	("url", "shown"),
	[
		("https://user:pw@fleet.example/rfms?lastVin=V1", "https://fleet.example/rfms?lastVin=V1"),
		(
			"https://fleet.example:8443/x?api_key=abc&page=2",
			"https://fleet.example:8443/x?api_key=***&page=2",
		),
		(
			"http://127.0.0.1:8090/oauth/token?client_secret=s",
			"http://127.0.0.1:8090/oauth/token?client_secret=***",
		),
	],
)
def test_redact_url(url: str, shown: str) -> None:
	assert redact_url(url) == shown


def test_next_links_stay_on_the_source() -> None:
	base = "https://routes.example/api/deliveries"

	assert resolve_link(base, "/api/deliveries?page=2") == "https://routes.example/api/deliveries?page=2"
	assert resolve_link(base, "https://routes.example/api/deliveries?page=3").endswith("page=3")
	with pytest.raises(SourceAnswerInvalid, match="another host"):
		resolve_link(base, "https://elsewhere.example/steal?page=2")

"""Tracking links (core/tracking.py) and the news of a ticket (core/portal_notices.py)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.portal_notices import (
	TicketChange,
	addresses_in,
	has_moved,
	helpdesk_mails_feedback,
	helpdesk_mails_reply,
	is_reply_to_contact,
	ticket_changes,
	wanted_channels,
)
from techsolutions_support.core.tracking import (
	LinkState,
	RateLimit,
	StoredLink,
	check_link,
	expiry,
	hash_token,
	is_same_hash,
	link_param,
	matching_address,
	new_token,
	normalise_email,
	normalise_ticket_number,
	split_link_param,
)

KEY = "site-secret-for-tests"
NOW = datetime(2026, 3, 10, 14, 0, 0)
MINUTE = timedelta(minutes=1)


# Tokens and hashes


def test_tokens_are_long_random_and_url_safe():
	tokens = {new_token() for _ in range(200)}
	assert len(tokens) == 200
	for token in tokens:
		assert len(token) == 43
		assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_hash_is_keyed_hex_sha256_and_never_the_token():
	token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	stored = hash_token(token, KEY)
	assert len(stored) == 64
	assert token not in stored
	assert stored == hash_token(token, KEY)
	assert stored != hash_token(token, "another site")


def test_hash_matches_the_published_hmac_test_vector():
	# RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
	assert (
		hash_token("what do ya want for nothing?", "Jefe")
		== "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	)


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_same_hash_only_for_equal_text(left, right):
	assert is_same_hash(left, right) is (left == right)


# Link parameter


def test_link_parameter_round_trip():
	token = new_token()
	assert split_link_param(link_param("a1b2c3d4e5", token)) == ("a1b2c3d4e5", token)


@pytest.mark.parametrize(
	"value",
	[
		None,
		"",
		"a1b2c3d4e5",
		"a1b2c3d4e5.",
		".abcdefghijklmnopqrstuvwxyz",
		"A1B2C3D4E5.abcdefghijklmnopqrstuvwxyz",
		"a1b2c3d4e5.short",
		"a1b2c3d4e5.abcdefghijklmnopqrstuvwxyz<script>",
		"../../etc.abcdefghijklmnopqrstuvwxyz",
	],
)
def test_malformed_link_parameters_are_refused(value):
	assert split_link_param(value) is None


# Checking a presented link


def stored(token: str, expires=NOW + 30 * MINUTE, used=None) -> StoredLink:
	return StoredLink(token_hash=hash_token(token, KEY), expires_at=expires, used_at=used)


def test_fresh_link_opens_until_the_minute_it_expires():
	token = new_token()
	link = stored(token, expires=NOW + 30 * MINUTE)
	assert check_link(link, token, KEY, NOW) is LinkState.VALID
	assert check_link(link, token, KEY, NOW + 30 * MINUTE - timedelta(seconds=1)) is LinkState.VALID
	assert check_link(link, token, KEY, NOW + 30 * MINUTE) is LinkState.EXPIRED


def test_used_link_stays_used_even_before_expiry():
	token = new_token()
	assert check_link(stored(token, used=NOW - MINUTE), token, KEY, NOW) is LinkState.USED


def test_wrong_token_or_missing_record_is_unknown_not_used_or_expired():
	token = new_token()
	assert check_link(stored(token), new_token(), KEY, NOW) is LinkState.UNKNOWN
	assert check_link(stored(token, used=NOW), new_token(), KEY, NOW) is LinkState.UNKNOWN
	assert check_link(stored(token, expires=NOW - MINUTE), new_token(), KEY, NOW) is LinkState.UNKNOWN
	assert check_link(None, token, KEY, NOW) is LinkState.UNKNOWN
	# The right token hashed with another site's key opens nothing.
	assert check_link(stored(token), token, "another site", NOW) is LinkState.UNKNOWN


@pytest.mark.parametrize(
	("minutes", "expected"),
	[
		(1, datetime(2026, 3, 10, 14, 1)),
		(30, datetime(2026, 3, 10, 14, 30)),
		(600, datetime(2026, 3, 11, 0, 0)),
	],
)
def test_expiry(minutes, expected):
	assert expiry(NOW, minutes) == expected


@pytest.mark.parametrize("minutes", [0, -5])
def test_expiry_needs_a_minute_at_least(minutes):
	with pytest.raises(ValueError):
		expiry(NOW, minutes)


# What the guest typed


@pytest.mark.parametrize(
	("text", "width", "expected"),
	[
		("1042", 1, "1042"),
		(" #1042 ", 1, "1042"),
		("# 7", 1, "7"),
		(1042, 1, "1042"),
		("001042", 1, "1042"),
		# Helpdesk's names: four digits at least.
		("42", 4, "0042"),
		("#0042", 4, "0042"),
		(42, 4, "0042"),
		("1042", 4, "1042"),
		("10042", 4, "10042"),
		("0", 4, None),
		("0000", 4, None),
		("", 4, None),
		(None, 4, None),
		("10 42", 4, None),
		("1042a", 4, None),
		("-1042", 4, None),
		("١٠٤٢", 4, None),
		("1" * 13, 4, None),
		("1042; drop table", 4, None),
	],
)
def test_ticket_numbers(text, width, expected):
	assert normalise_ticket_number(text, width) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		(" H.Tamsen@Spedition-Nordlicht.example ", "h.tamsen@spedition-nordlicht.example"),
		("a@b.de", "a@b.de"),
		("", None),
		(None, None),
		("no-at-sign.example", None),
		("two@@signs.example", None),
		("a@b", None),
		("a b@c.de", None),
		("a@b.de, c@d.de", None),
		("a@b.de\nBcc: x@y.de", None),
		("x" * 250 + "@b.de", None),
	],
)
def test_email_addresses(text, expected):
	assert normalise_email(text) == expected


def test_matching_address_compares_normalised_and_returns_the_known_one():
	known = [None, "", "Dispo@Kunde.example", "h.tamsen@spedition-nordlicht.example"]
	assert matching_address(" dispo@kunde.EXAMPLE", known) == "dispo@kunde.example"
	assert (
		matching_address("h.tamsen@spedition-nordlicht.example", known)
		== "h.tamsen@spedition-nordlicht.example"
	)
	assert matching_address("other@kunde.example", known) is None
	assert matching_address("", known) is None
	assert matching_address(None, [None, ""]) is None
	assert matching_address("dispo@kunde.example", []) is None


@given(st.emails(), st.lists(st.emails(), max_size=4))
def test_matching_address_is_membership(given_address, known):
	found = matching_address(given_address, known)
	normal = {normalise_email(address) for address in known} - {None}
	wanted = normalise_email(given_address)
	assert found == (wanted if wanted in normal else None)


# Rate limits


def test_rate_limit_windows_and_counts():
	limit = RateLimit(limit=3, window_s=900)
	start = datetime.fromtimestamp(900 * 2_000_000)
	assert limit.window(start) == limit.window(start + timedelta(seconds=899))
	assert limit.window(start + timedelta(seconds=900)) == limit.window(start) + 1
	assert [limit.is_exceeded(count) for count in (1, 2, 3, 4, 50)] == [False, False, False, True, True]


# News of a ticket


def at(text: str) -> datetime:
	return datetime.fromisoformat(text)


BEFORE = {"status": "Open", "response_by": at("2026-03-10 16:00"), "resolution_by": at("2026-03-12 12:00")}


def test_a_new_ticket_is_no_news():
	assert ticket_changes(None, BEFORE) == []


def test_nothing_changed_is_no_news():
	assert ticket_changes(BEFORE, dict(BEFORE, ts_priority_reason="internal", priority="High")) == []


def test_status_change():
	changes = ticket_changes(BEFORE, dict(BEFORE, status="Replied"))
	assert changes == [TicketChange("status", (("status", "Replied"),))]
	assert changes[0].key == "status:status=Replied"


def test_moved_deadline_carries_both_deadlines():
	after = dict(BEFORE, resolution_by=at("2026-03-12 15:00"))
	[change] = ticket_changes(BEFORE, after)
	assert change.kind == "deadline"
	assert change.value("response_by") == at("2026-03-10 16:00")
	assert change.value("resolution_by") == at("2026-03-12 15:00")
	assert change.key == "deadline:response_by=2026-03-10 16:00:00|resolution_by=2026-03-12 15:00:00"


def test_new_deadline_where_there_was_none():
	before = dict(BEFORE, response_by=None, resolution_by=None, status="Paused")
	kinds = [change.kind for change in ticket_changes(before, dict(BEFORE))]
	assert kinds == ["status", "deadline"]


def test_removed_deadline_is_not_news_of_its_own():
	assert ticket_changes(BEFORE, dict(BEFORE, response_by=None, resolution_by=None)) == []


def test_an_answered_tickets_first_response_deadline_is_no_news():
	before = dict(BEFORE, first_responded_on=at("2026-03-10 09:00"))
	after = dict(before, response_by=at("2026-03-10 17:00"))
	assert ticket_changes(before, after) == []
	[change] = ticket_changes(before, dict(after, resolution_by=at("2026-03-12 15:00")))
	assert change.value("response_by") is None
	assert change.value("resolution_by") == at("2026-03-12 15:00")


def test_a_deadline_already_past_is_no_news():
	now = at("2026-03-11 08:00")
	after = dict(BEFORE, response_by=at("2026-03-10 17:00"))
	assert ticket_changes(BEFORE, after, now=now) == []
	[change] = ticket_changes(BEFORE, dict(after, resolution_by=at("2026-03-12 15:00")), now=now)
	assert (change.value("response_by"), change.value("resolution_by")) == (None, at("2026-03-12 15:00"))
	# Without a clock, as before: every set deadline counts.
	assert [change.kind for change in ticket_changes(BEFORE, after)] == ["deadline"]


@pytest.mark.parametrize(
	("seconds", "moved"), [(0, False), (1, False), (59, False), (60, True), (-60, True), (3600, True)]
)
def test_a_deadline_moves_by_a_minute_or_more(seconds, moved):
	before = at("2026-03-10 16:00")
	assert has_moved(before, before + timedelta(seconds=seconds)) is moved


def test_preferences_default_to_everything_and_turn_off_per_kind_and_channel():
	assert wanted_channels("status", None) == {"email", "portal"}
	preference = {"status_email": 0, "status_portal": 1, "reply_email": 1, "reply_portal": 0}
	assert wanted_channels("status", preference) == {"portal"}
	assert wanted_channels("reply", preference) == {"email"}
	assert wanted_channels("deadline", preference) == {"email", "portal"}
	assert wanted_channels("deadline", {"deadline_email": 0, "deadline_portal": 0}) == set()


def reply(**overrides):
	values = {
		"skip_email_workflow": False,
		"reply_email_enabled": True,
		"medium": "Email",
		"recipients": "Kunde@Example.de, other@example.de",
		"address": "kunde@example.de",
	}
	return helpdesk_mails_reply(**{**values, **overrides})


def test_helpdesk_mails_the_reply_itself_only_when_it_is_on_and_addressed_to_the_contact():
	assert reply() is True
	assert reply(skip_email_workflow=True) is False
	assert reply(reply_email_enabled=False) is False
	assert reply(medium="") is False
	assert reply(recipients="someone@else.example") is False
	assert reply(recipients="") is False


def feedback(**overrides):
	values = {
		"feedback_enabled": True,
		"feedback_status": "Closed",
		"status": "Closed",
		"via_customer_portal": False,
		"has_rating": False,
		"has_key": True,
	}
	return helpdesk_mails_feedback(**{**values, **overrides})


def test_helpdesk_mails_feedback_on_its_configured_status_only():
	assert feedback() is True
	assert feedback(feedback_status="", status="Closed") is True
	assert feedback(feedback_status="", status="Resolved") is False
	assert feedback(feedback_status=None, status="Closed") is False
	assert feedback(feedback_status="Resolved", status="Closed") is False
	assert feedback(feedback_enabled=False) is False
	assert feedback(via_customer_portal=True) is False
	assert feedback(has_rating=True) is False
	assert feedback(has_key=False) is False


@pytest.mark.parametrize(
	("recipients", "expected"),
	[
		("", set()),
		(None, set()),
		("Kunde@Example.de", {"kunde@example.de"}),
		(
			"Henrike Tamsen <H.Tamsen@nordlicht.example>, b@y.de; c@z.de",
			{"h.tamsen@nordlicht.example", "b@y.de", "c@z.de"},
		),
		(" , ;", set()),
	],
)
def test_addresses_in_a_recipients_field(recipients, expected):
	assert addresses_in(recipients) == expected


def test_a_reply_is_news_when_written_to_the_contact_or_to_nobody_by_mail():
	assert is_reply_to_contact("Kunde <kunde@example.de>", "KUNDE@example.de") is True
	assert is_reply_to_contact("", "kunde@example.de") is True
	assert is_reply_to_contact("dispo@carrier.example", "kunde@example.de") is False
	assert is_reply_to_contact("dispo@carrier.example, kunde@example.de", "kunde@example.de") is True

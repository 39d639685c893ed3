"""What a customer sees of a ticket, with the expected words written out.

Unless a case says otherwise it is Monday 7 December 2026, 09:00 in Berlin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.portal_view import (
	CUSTOMER_VISIBLE,
	DeadlineKind,
	DeliveryFacts,
	EventKind,
	Party,
	PortalViewError,
	StatusKind,
	TicketEvent,
	TicketFacts,
	TicketState,
	VehicleFacts,
	customer_status,
	customer_timeline,
	customer_view,
	known_delay,
	language_of,
	message_text,
	next_deadline,
	shipment_view,
	vehicle_view,
	waiting_on,
	when_text,
)

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN)


def at(text: str, zone: ZoneInfo = BERLIN) -> datetime:
	return datetime.fromisoformat(text).replace(tzinfo=zone)


# Language


@pytest.mark.parametrize(
	("code", "expected"),
	[
		("de", "de"),
		("de-DE", "de"),
		("DE_at", "de"),
		("en", "en"),
		("en-GB", "en"),
		("fr", "en"),
		(None, "en"),
		("", "en"),
	],
)
def test_language_of(code, expected):
	assert language_of(code) == expected


# When


@pytest.mark.parametrize(
	("moment", "style", "en", "de"),
	[
		("2026-12-07 16:00", "by", "today by 16:00", "heute bis 16:00"),
		("2026-12-08 10:30", "by", "tomorrow by 10:30", "morgen bis 10:30"),
		("2026-12-09 10:30", "by", "by Wednesday 10:30", "bis Mittwoch, 10:30"),
		# Six days away is still a weekday; seven is a date.
		("2026-12-13 10:30", "by", "by Sunday 10:30", "bis Sonntag, 10:30"),
		("2026-12-14 10:30", "by", "by 14 December 10:30", "bis 14. Dezember, 10:30"),
		("2027-01-05 08:00", "by", "by 5 January 2027 08:00", "bis 5. Januar 2027, 08:00"),
		("2026-12-07 08:30", "since", "since 08:30 today", "seit heute, 08:30"),
		("2026-12-06 16:00", "since", "since yesterday 16:00", "seit gestern, 16:00"),
		("2026-12-04 16:00", "since", "since Friday 16:00", "seit Freitag, 16:00"),
		("2026-11-30 16:00", "since", "since 30 November 16:00", "seit 30. November, 16:00"),
		("2026-12-07 08:30", "at", "today 08:30", "heute, 08:30"),
		("2026-12-06 08:30", "at", "yesterday 08:30", "gestern, 08:30"),
		("2026-12-08 08:30", "at", "tomorrow 08:30", "morgen, 08:30"),
		("2026-12-02 08:30", "at", "Wednesday 08:30", "Mittwoch, 08:30"),
		("2025-12-24 12:00", "at", "24 December 2025 12:00", "24. Dezember 2025, 12:00"),
	],
)
def test_when_text(moment, style, en, de):
	assert when_text(at(moment), NOW, BERLIN, "en", style) == en
	assert when_text(at(moment), NOW, BERLIN, "de", style) == de


def test_when_text_speaks_in_the_zone_given():
	# 23:30 UTC on Monday is 00:30 on Tuesday in Berlin, and still Monday in London.
	moment = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
	assert when_text(moment, NOW, BERLIN, "de", "by") == "morgen bis 00:30"
	assert when_text(moment, NOW, LONDON, "en", "by") == "today by 23:30"


def test_when_text_across_the_change_to_summer_time():
	# Saturday 28 March 2026 12:00 CET; Sunday 29 March 10:30 is already CEST (UTC+2).
	now = at("2026-03-28 12:00")
	moment = datetime(2026, 3, 29, 8, 30, tzinfo=UTC)
	assert when_text(moment, now, BERLIN, "de", "by") == "morgen bis 10:30"


def test_naive_datetimes_are_refused():
	with pytest.raises(PortalViewError):
		when_text(datetime(2026, 12, 8, 10, 30), NOW, BERLIN, "en")
	with pytest.raises(PortalViewError):
		next_deadline(TicketState("Open", "Open", response_by=datetime(2026, 12, 8)), NOW, BERLIN, "en")


@given(
	st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)),
	st.sampled_from(["at", "by", "since"]),
	st.sampled_from(["en", "de"]),
)
def test_when_text_always_names_the_local_time(moment, style, lang):
	text = when_text(moment, NOW, BERLIN, lang, style)
	assert moment.astimezone(BERLIN).strftime("%H:%M") in text


# Status in customer words


OPEN = TicketState("Open", "Open")
ANSWERED = TicketState("Open", "Open", first_responded_at=at("2026-12-07 08:00"))
REPLIED = TicketState("Replied", "Paused", "Customer")
CARRIER = TicketState("Waiting on Carrier", "Paused", "Carrier", carrier="Spedition Krause")
CARRIER_UNNAMED = TicketState("Waiting on Carrier", "Paused", "Carrier")
PARTS = TicketState("Waiting on Parts", "Paused", "Spare Parts")
PAUSED = TicketState("Paused", "Paused")
OTHER = TicketState("On Hold (Legal)", "Paused", "Other")
RESOLVED = TicketState("Resolved", "Resolved")
CLOSED = TicketState("Closed", "Resolved")
# An admin's own status whose category this code never heard of.
ODD = TicketState("Triage", "Weird")


@pytest.mark.parametrize(
	("state", "kind", "en", "de", "tone"),
	[
		(OPEN, StatusKind.RECEIVED, "Received", "Eingegangen", "open"),
		(ANSWERED, StatusKind.IN_PROGRESS, "In progress", "In Bearbeitung", "open"),
		(
			REPLIED,
			StatusKind.WAITING_CUSTOMER,
			"Waiting for your reply",
			"Wartet auf Ihre Antwort",
			"waiting",
		),
		(
			CARRIER,
			StatusKind.WAITING_CARRIER,
			"Waiting for the carrier",
			"Wartet auf den Spediteur",
			"waiting",
		),
		(PARTS, StatusKind.WAITING_PARTS, "Waiting for spare parts", "Wartet auf Ersatzteile", "waiting"),
		(PAUSED, StatusKind.ON_HOLD, "On hold", "Zurückgestellt", "waiting"),
		(OTHER, StatusKind.ON_HOLD, "On hold", "Zurückgestellt", "waiting"),
		(RESOLVED, StatusKind.SOLVED, "Solved", "Gelöst", "done"),
		(CLOSED, StatusKind.CLOSED, "Closed", "Abgeschlossen", "done"),
		(ODD, StatusKind.RECEIVED, "Received", "Eingegangen", "open"),
	],
)
def test_customer_status(state, kind, en, de, tone):
	assert customer_status(state, "en").kind is kind
	assert customer_status(state, "en").text == en
	assert customer_status(state, "de").text == de
	assert customer_status(state, "de").tone == tone


# Waiting on whom


@pytest.mark.parametrize(
	("state", "party", "en", "de"),
	[
		(OPEN, Party.SUPPORT, "Our support team is working on it.", "Unser Support-Team ist am Zug."),
		(ANSWERED, Party.SUPPORT, "Our support team is working on it.", "Unser Support-Team ist am Zug."),
		(REPLIED, Party.CUSTOMER, "We are waiting for your reply.", "Wir warten auf Ihre Antwort."),
		(
			CARRIER,
			Party.CARRIER,
			"We are waiting for the carrier Spedition Krause.",
			"Wir warten auf den Spediteur Spedition Krause.",
		),
		(CARRIER_UNNAMED, Party.CARRIER, "We are waiting for the carrier.", "Wir warten auf den Spediteur."),
		(PARTS, Party.PARTS, "We are waiting for spare parts.", "Wir warten auf Ersatzteile."),
		(OTHER, Party.SUPPORT, "Our support team is working on it.", "Unser Support-Team ist am Zug."),
		(RESOLVED, Party.NOBODY, "Nothing is pending.", "Nichts ist mehr offen."),
		(CLOSED, Party.NOBODY, "Nothing is pending.", "Nichts ist mehr offen."),
	],
)
def test_waiting_on(state, party, en, de):
	assert waiting_on(state, "en").party is party
	assert waiting_on(state, "en").text == en
	assert waiting_on(state, "de").text == de


def test_waiting_on_names_the_carrier_separately():
	assert waiting_on(CARRIER, "de").carrier == "Spedition Krause"
	assert waiting_on(CARRIER_UNNAMED, "de").carrier == ""


# The next deadline


def with_deadlines(state: TicketState, **values) -> TicketState:
	return TicketState(**{**{slot: getattr(state, slot) for slot in TicketState.__slots__}, **values})


@pytest.mark.parametrize(
	("state", "kind", "en", "de", "is_overdue"),
	[
		# Unanswered: the first response is the promise.
		(
			with_deadlines(OPEN, response_by=at("2026-12-08 10:30"), resolution_by=at("2026-12-10 17:00")),
			DeadlineKind.RESPONSE,
			"Answer tomorrow by 10:30",
			"Antwort morgen bis 10:30",
			False,
		),
		(
			with_deadlines(OPEN, response_by=at("2026-12-07 11:00"), resolution_by=at("2026-12-10 17:00")),
			DeadlineKind.RESPONSE,
			"Answer today by 11:00",
			"Antwort heute bis 11:00",
			False,
		),
		# Answered: the resolution is next.
		(
			with_deadlines(
				ANSWERED, response_by=at("2026-12-07 10:00"), resolution_by=at("2026-12-10 17:00")
			),
			DeadlineKind.RESOLUTION,
			"Solution by Thursday 17:00",
			"Lösung bis Donnerstag, 17:00",
			False,
		),
		(
			with_deadlines(ANSWERED, resolution_by=at("2026-12-21 12:00")),
			DeadlineKind.RESOLUTION,
			"Solution by 21 December 12:00",
			"Lösung bis 21. Dezember, 12:00",
			False,
		),
		# Overdue, said as it is.
		(
			with_deadlines(OPEN, response_by=at("2026-12-07 08:30"), resolution_by=at("2026-12-10 17:00")),
			DeadlineKind.RESPONSE,
			"Answer overdue since 08:30 today",
			"Antwort überfällig seit heute, 08:30",
			True,
		),
		(
			with_deadlines(ANSWERED, resolution_by=at("2026-12-04 16:00")),
			DeadlineKind.RESOLUTION,
			"Solution overdue since Friday 16:00",
			"Lösung überfällig seit Freitag, 16:00",
			True,
		),
		# Unanswered without a response target: the resolution still binds.
		(
			with_deadlines(OPEN, resolution_by=at("2026-12-09 09:00")),
			DeadlineKind.RESOLUTION,
			"Solution by Wednesday 09:00",
			"Lösung bis Mittwoch, 09:00",
			False,
		),
		# Paused: the clock stands, and the text says for whom.
		(
			with_deadlines(REPLIED, resolution_by=at("2026-12-08 10:30")),
			DeadlineKind.STOPPED,
			"Clock stopped while we wait for your reply",
			"Frist angehalten, solange wir auf Ihre Antwort warten",
			False,
		),
		(
			CARRIER,
			DeadlineKind.STOPPED,
			"Clock stopped while we wait for the carrier Spedition Krause",
			"Frist angehalten, solange wir auf den Spediteur Spedition Krause warten",
			False,
		),
		(
			CARRIER_UNNAMED,
			DeadlineKind.STOPPED,
			"Clock stopped while we wait for the carrier",
			"Frist angehalten, solange wir auf den Spediteur warten",
			False,
		),
		(
			PARTS,
			DeadlineKind.STOPPED,
			"Clock stopped while we wait for spare parts",
			"Frist angehalten, solange wir auf Ersatzteile warten",
			False,
		),
		(
			OTHER,
			DeadlineKind.STOPPED,
			"Clock stopped while your request is on hold",
			"Frist angehalten, solange Ihre Anfrage zurückgestellt ist",
			False,
		),
		# Resolved, or no target at all: nothing promised, nothing said.
		(with_deadlines(RESOLVED, resolution_by=at("2026-12-01 10:00")), DeadlineKind.DONE, "", "", False),
		(CLOSED, DeadlineKind.DONE, "", "", False),
		(OPEN, DeadlineKind.NONE, "", "", False),
	],
)
def test_next_deadline(state, kind, en, de, is_overdue):
	english = next_deadline(state, NOW, BERLIN, "en")
	assert english.kind is kind
	assert english.text == en
	assert english.is_overdue is is_overdue
	assert next_deadline(state, NOW, BERLIN, "de").text == de


def test_deadline_of_the_brief_tuesday_example():
	# Friday evening; the answer is due on Tuesday.
	state = with_deadlines(OPEN, response_by=at("2026-12-08 10:30"))
	friday = at("2026-12-04 18:00")
	assert next_deadline(state, friday, BERLIN, "de").text == "Antwort bis Dienstag, 10:30"
	assert next_deadline(state, friday, BERLIN, "en").text == "Answer by Tuesday 10:30"


def test_deadline_in_the_calendars_zone():
	state = with_deadlines(OPEN, response_by=at("2026-12-08 10:30"))
	assert next_deadline(state, NOW, LONDON, "en").text == "Answer tomorrow by 09:30"


def test_deadline_keeps_the_instant():
	deadline = next_deadline(with_deadlines(OPEN, response_by=at("2026-12-08 10:30")), NOW, BERLIN, "en")
	assert deadline.at == at("2026-12-08 10:30")


def test_deadline_one_minute_past_is_overdue():
	state = with_deadlines(OPEN, response_by=NOW - timedelta(minutes=1))
	assert next_deadline(state, NOW, BERLIN, "en").is_overdue
	assert not next_deadline(with_deadlines(OPEN, response_by=NOW), NOW, BERLIN, "en").is_overdue


# Shipment


@pytest.mark.parametrize(
	("stored", "planned", "current", "expected"),
	[
		(45, None, None, 45),
		(-10, None, None, -10),
		# A stored 0 is what Frappe keeps for "nothing": unknown unless the ETAs confirm it.
		(0, None, None, None),
		(None, None, None, None),
		(0, "2026-12-07 14:00", None, None),
		(0, "2026-12-07 14:00", "2026-12-07 14:00", 0),
		(0, "2026-12-07 14:00", "2026-12-07 15:20", 80),
		(None, "2026-12-07 14:00", "2026-12-07 13:45", -15),
		# The source's own number wins over the ETAs.
		(30, "2026-12-07 14:00", "2026-12-07 15:20", 30),
	],
)
def test_known_delay(stored, planned, current, expected):
	assert known_delay(stored, planned and at(planned), current and at(current)) == expected


SYNCED = at("2026-12-07 08:55")


@pytest.mark.parametrize(
	("facts", "expected_en", "expected_de"),
	[
		(
			DeliveryFacts(
				"TS-100",
				"In Transit",
				at("2026-12-07 14:00"),
				at("2026-12-07 14:45"),
				45,
				last_synced_at=SYNCED,
			),
			("On its way", "Expected today 14:45", "45 min late", "As of today 08:55", "late"),
			("Unterwegs", "Erwartet heute, 14:45", "45 Min. Verspätung", "Stand: heute, 08:55", "late"),
		),
		(
			DeliveryFacts(
				"TS-101",
				"Delayed",
				at("2026-12-07 14:00"),
				at("2026-12-08 16:05"),
				1565,
				last_synced_at=SYNCED,
			),
			("Delayed", "Expected tomorrow 16:05", "26 h 5 min late", "As of today 08:55", "late"),
			(
				"Verspätet",
				"Erwartet morgen, 16:05",
				"26 Std. 5 Min. Verspätung",
				"Stand: heute, 08:55",
				"late",
			),
		),
		(
			DeliveryFacts(
				"TS-102",
				"In Transit",
				at("2026-12-07 14:00"),
				at("2026-12-07 16:00"),
				120,
				last_synced_at=SYNCED,
			),
			("On its way", "Expected today 16:00", "2 h late", "As of today 08:55", "late"),
			("Unterwegs", "Erwartet heute, 16:00", "2 Std. Verspätung", "Stand: heute, 08:55", "late"),
		),
		(
			DeliveryFacts(
				"TS-103", "Planned", at("2026-12-09 10:00"), at("2026-12-09 10:00"), 0, last_synced_at=SYNCED
			),
			("Planned", "Expected Wednesday 10:00", "On time", "As of today 08:55", "ok"),
			("Geplant", "Erwartet Mittwoch, 10:00", "Pünktlich", "Stand: heute, 08:55", "ok"),
		),
		(
			DeliveryFacts(
				"TS-104",
				"In Transit",
				at("2026-12-07 14:00"),
				at("2026-12-07 13:40"),
				0,
				last_synced_at=SYNCED,
			),
			("On its way", "Expected today 13:40", "20 min early", "As of today 08:55", "ok"),
			("Unterwegs", "Erwartet heute, 13:40", "20 Min. früher", "Stand: heute, 08:55", "ok"),
		),
		# No delay from the source and no current ETA: unknown, not "on time".
		(
			DeliveryFacts("TS-105", "In Transit", at("2026-12-07 14:00"), None, 0, last_synced_at=SYNCED),
			("On its way", "Expected today 14:00", "Delay not known", "As of today 08:55", "ok"),
			("Unterwegs", "Erwartet heute, 14:00", "Verspätung nicht bekannt", "Stand: heute, 08:55", "ok"),
		),
		(
			DeliveryFacts("TS-106", "In Transit", None, None, None, last_synced_at=SYNCED),
			("On its way", "No arrival time yet", "Delay not known", "As of today 08:55", "ok"),
			("Unterwegs", "Noch keine Ankunftszeit", "Verspätung nicht bekannt", "Stand: heute, 08:55", "ok"),
		),
	],
)
def test_shipment_on_its_way(facts, expected_en, expected_de):
	for lang, expected in (("en", expected_en), ("de", expected_de)):
		view = shipment_view(facts, NOW, BERLIN, lang)
		assert (view.headline, view.eta_text, view.delay_text, view.synced_text, view.tone) == expected
		assert view.tracking_number == facts.tracking_number


def test_shipment_delay_minutes_keep_unknown_apart_from_zero():
	unknown = DeliveryFacts("TS-1", "In Transit", at("2026-12-07 14:00"), None, 0, last_synced_at=SYNCED)
	on_time = DeliveryFacts(
		"TS-2", "In Transit", at("2026-12-07 14:00"), at("2026-12-07 14:00"), 0, last_synced_at=SYNCED
	)
	assert shipment_view(unknown, NOW, BERLIN, "en").delay_minutes is None
	assert shipment_view(on_time, NOW, BERLIN, "en").delay_minutes == 0


def test_shipment_delivered_with_signed_proof():
	facts = DeliveryFacts(
		"TS-200",
		"Delivered",
		at("2026-12-06 10:00"),
		at("2026-12-06 10:20"),
		20,
		delivered_at=at("2026-12-06 10:17"),
		proof_of_delivery="Signed by M. Weber",
		last_synced_at=SYNCED,
	)
	view = shipment_view(facts, NOW, BERLIN, "de")
	assert view.headline == "Zugestellt"
	assert view.delivered_text == "Zugestellt gestern, 10:17"
	assert view.proof_text == "Zustellnachweis: Signed by M. Weber"
	assert view.proof_url == ""
	assert view.delay_text == ""
	assert view.tone == "done"
	english = shipment_view(facts, NOW, BERLIN, "en")
	assert english.delivered_text == "Delivered yesterday 10:17"
	assert english.proof_text == "Proof of delivery: Signed by M. Weber"


@pytest.mark.parametrize("proof", ["https://pod.example/TS-201.pdf", "/files/pod-TS-201.jpg"])
def test_shipment_delivered_with_proof_as_a_link(proof):
	facts = DeliveryFacts(
		"TS-201",
		"Delivered",
		delivered_at=at("2026-12-03 09:05"),
		proof_of_delivery=proof,
		last_synced_at=SYNCED,
	)
	view = shipment_view(facts, NOW, BERLIN, "en")
	assert view.delivered_text == "Delivered Thursday 09:05"
	assert view.proof_text == "Proof of delivery"
	assert view.proof_url == proof


def test_shipment_delivered_without_time_or_proof():
	view = shipment_view(DeliveryFacts("TS-202", "Delivered", last_synced_at=SYNCED), NOW, BERLIN, "en")
	assert (view.headline, view.delivered_text, view.proof_text) == ("Delivered", "", "")


def test_shipment_never_synced():
	facts = DeliveryFacts("TS-300", "In Transit", at("2026-12-07 14:00"), at("2026-12-07 14:45"), 45)
	view = shipment_view(facts, NOW, BERLIN, "en")
	assert view.state == "not_synced"
	assert view.headline == "Not synced yet: no data from the transport system so far"
	assert view.eta_text == view.delay_text == ""
	assert shipment_view(facts, NOW, BERLIN, "de").headline == (
		"Noch nicht abgeglichen: bisher keine Daten aus dem Transportsystem"
	)


@pytest.mark.parametrize(
	("status", "en", "de", "tone"),
	[
		("Failed", "Delivery failed", "Zustellung fehlgeschlagen", "late"),
		("Cancelled", "Cancelled", "Storniert", "unknown"),
		("", "Status not known", "Status unbekannt", "unknown"),
		("Lost in space", "Status not known", "Status unbekannt", "unknown"),
	],
)
def test_shipment_other_states(status, en, de, tone):
	facts = DeliveryFacts("TS-400", status, last_synced_at=SYNCED)
	assert shipment_view(facts, NOW, BERLIN, "en").headline == en
	assert shipment_view(facts, NOW, BERLIN, "de").headline == de
	assert shipment_view(facts, NOW, BERLIN, "de").tone == tone


@pytest.mark.parametrize(
	("state", "en", "de"),
	[
		("moving", "On the road", "In Fahrt"),
		("stopped", "Stopped", "Steht"),
		("ignition_off", "Parked", "Abgestellt"),
		("fault", "Fault reported", "Störung gemeldet"),
		("unknown", "State not known", "Zustand unbekannt"),
		("", "State not known", "Zustand unbekannt"),
	],
)
def test_vehicle_view(state, en, de):
	assert vehicle_view(VehicleFacts("B-TS 1004", state), "en").state_text == en
	assert vehicle_view(VehicleFacts("B-TS 1004", state), "de").state_text == de
	assert vehicle_view(VehicleFacts("B-TS 1004", state), "de").plate == "B-TS 1004"


# Timeline


CONTACT = "anna.berg@kunde.example"
COLLEAGUE = "jens.kurz@kunde.example"
AGENT = "agent@techsolutions.example"

EVENTS = [
	TicketEvent(EventKind.CREATED, at("2026-12-04 08:00")),
	TicketEvent(EventKind.AUTOMATED_MESSAGE, at("2026-12-04 08:00"), AGENT, "System", "<p>We got it</p>"),
	TicketEvent(
		EventKind.CUSTOMER_MESSAGE,
		at("2026-12-04 08:00"),
		CONTACT,
		"Anna Berg",
		"<p>Sendung TS-100 fehlt.</p>",
	),
	TicketEvent(
		EventKind.RULE_TRACE, at("2026-12-04 08:00"), "Administrator", "", "Rule 'Premium Panne' set Urgent"
	),
	TicketEvent(EventKind.PRIORITY, at("2026-12-04 08:00"), "Administrator", "", "Urgent"),
	TicketEvent(EventKind.ASSIGNMENT, at("2026-12-04 08:01"), AGENT, "Max Agent", "Assigned to Max Agent"),
	TicketEvent(
		EventKind.INTERNAL_COMMENT,
		at("2026-12-04 09:00"),
		AGENT,
		"Max Agent",
		"<p>Kunde nervt, Krause anrufen</p>",
	),
	TicketEvent(
		EventKind.AGENT_MESSAGE, at("2026-12-04 09:30"), AGENT, "Max Agent", "<p>Wir prüfen das.<br>Gruß</p>"
	),
	TicketEvent(EventKind.STATUS, at("2026-12-04 09:30"), AGENT, "Max Agent", state=REPLIED),
	TicketEvent(EventKind.SLA_ALERT, at("2026-12-04 10:00"), "Administrator", "", "Response warning sent"),
	TicketEvent(
		EventKind.CUSTOMER_MESSAGE, at("2026-12-07 08:10"), COLLEAGUE, "Jens Kurz", "<p>Noch offen?</p>"
	),
	TicketEvent(EventKind.STATUS, at("2026-12-07 08:10"), COLLEAGUE, "Jens Kurz", state=ANSWERED),
	TicketEvent(EventKind.STATUS, at("2026-12-07 08:20"), AGENT, "Max Agent", state=CARRIER),
	# Another carrier status with the same customer words: not repeated.
	TicketEvent(EventKind.STATUS, at("2026-12-07 08:25"), AGENT, "Max Agent", state=CARRIER_UNNAMED),
	TicketEvent(EventKind.OTHER, at("2026-12-07 08:30"), AGENT, "Max Agent", "ts_carrier changed"),
]


def timeline(hide: bool = True, lang="en", viewer=CONTACT):
	return customer_timeline(EVENTS, viewer=viewer, hide_agent_names=hide, now=NOW, zone=BERLIN, lang=lang)


def test_timeline_keeps_only_what_a_customer_may_see():
	rows = [(event.kind.value, event.when, event.who, event.text) for event in timeline()]
	assert rows == [
		("created", "Friday 08:00", "", "Request received"),
		("customer_message", "Friday 08:00", "You", "Sendung TS-100 fehlt."),
		("agent_message", "Friday 09:30", "Support team", "Wir prüfen das.\nGruß"),
		("status", "Friday 09:30", "", "Status: Waiting for your reply"),
		("customer_message", "today 08:10", "Jens Kurz", "Noch offen?"),
		("status", "today 08:10", "", "Status: In progress"),
		("status", "today 08:20", "", "Status: Waiting for the carrier"),
	]


def test_timeline_in_german():
	rows = [(event.when, event.who, event.text) for event in timeline(lang="de")]
	assert rows[0] == ("Freitag, 08:00", "", "Anfrage eingegangen")
	assert rows[1] == ("Freitag, 08:00", "Sie", "Sendung TS-100 fehlt.")
	assert rows[2] == ("Freitag, 09:30", "Support-Team", "Wir prüfen das.\nGruß")
	assert rows[3] == ("Freitag, 09:30", "", "Status: Wartet auf Ihre Antwort")


def test_timeline_names_agents_when_allowed():
	agents = [event.who for event in timeline(hide=False) if event.kind is EventKind.AGENT_MESSAGE]
	assert agents == ["Max Agent"]


def test_timeline_never_leaks_internal_text():
	texts = " ".join(f"{event.who} {event.text}" for event in timeline())
	for secret in ("nervt", "Premium Panne", "Assigned", "warning", "Max Agent", "We got it", "ts_carrier"):
		assert secret not in texts


def test_timeline_from_a_managers_view_names_the_colleague_and_the_contact():
	whos = [event.who for event in timeline(viewer=COLLEAGUE) if event.kind is EventKind.CUSTOMER_MESSAGE]
	assert whos == ["Anna Berg", "You"]


def test_timeline_reopened_after_an_answer_reads_in_progress():
	events = [
		TicketEvent(EventKind.CREATED, at("2026-12-04 08:00")),
		TicketEvent(EventKind.AGENT_MESSAGE, at("2026-12-04 09:00"), AGENT, "Max Agent", "<p>Bitte Foto</p>"),
		TicketEvent(EventKind.STATUS, at("2026-12-04 09:00"), AGENT, "", state=REPLIED),
		TicketEvent(EventKind.CUSTOMER_MESSAGE, at("2026-12-04 10:00"), CONTACT, "", "<p>Anbei</p>"),
		# Helpdesk's status record carries no first response: the timeline knows one happened.
		TicketEvent(EventKind.STATUS, at("2026-12-04 10:00"), CONTACT, "", state=OPEN),
	]
	rows = customer_timeline(events, viewer=CONTACT, hide_agent_names=True, now=NOW, zone=BERLIN, lang="de")
	assert [row.text for row in rows if row.kind is EventKind.STATUS] == [
		"Status: Wartet auf Ihre Antwort",
		"Status: In Bearbeitung",
	]


def test_timeline_counts_the_tickets_first_response_too():
	# Helpdesk counts an agent's status change as the first response, without any message.
	events = [
		TicketEvent(EventKind.CREATED, at("2026-12-04 08:00")),
		TicketEvent(EventKind.STATUS, at("2026-12-04 09:00"), AGENT, "", state=CARRIER),
		TicketEvent(EventKind.STATUS, at("2026-12-04 10:00"), CONTACT, "", state=OPEN),
	]
	rows = customer_timeline(
		events,
		viewer=CONTACT,
		hide_agent_names=True,
		now=NOW,
		zone=BERLIN,
		lang="en",
		first_responded_at=at("2026-12-04 09:00"),
	)
	assert [row.text for row in rows] == [
		"Request received",
		"Status: Waiting for the carrier",
		"Status: In progress",
	]


def test_timeline_before_any_answer_an_open_status_is_not_repeated():
	events = [
		TicketEvent(EventKind.CREATED, at("2026-12-04 08:00")),
		TicketEvent(EventKind.STATUS, at("2026-12-04 08:05"), AGENT, "", state=OPEN),
	]
	rows = customer_timeline(events, viewer=CONTACT, hide_agent_names=True, now=NOW, zone=BERLIN, lang="en")
	assert [row.kind for row in rows] == [EventKind.CREATED]


def test_timeline_starts_with_the_creation():
	events = [
		TicketEvent(EventKind.CUSTOMER_MESSAGE, at("2026-12-04 07:59:59"), CONTACT, "", "<p>Hallo</p>"),
		TicketEvent(EventKind.CREATED, at("2026-12-04 08:00")),
	]
	rows = customer_timeline(events, viewer=CONTACT, hide_agent_names=True, now=NOW, zone=BERLIN, lang="en")
	assert [row.kind for row in rows] == [EventKind.CREATED, EventKind.CUSTOMER_MESSAGE]


def test_timeline_sorts_by_instant_across_zones():
	events = [
		TicketEvent(
			EventKind.CUSTOMER_MESSAGE, datetime(2026, 12, 7, 7, 30, tzinfo=UTC), CONTACT, "", "later"
		),
		TicketEvent(EventKind.CUSTOMER_MESSAGE, at("2026-12-07 08:00"), CONTACT, "", "earlier"),
	]
	rows = customer_timeline(events, viewer=CONTACT, hide_agent_names=True, now=NOW, zone=BERLIN, lang="en")
	assert [row.text for row in rows] == ["earlier", "later"]


_kinds = st.sampled_from(list(EventKind))
_events = st.builds(
	TicketEvent,
	kind=_kinds,
	at=st.datetimes(
		min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(BERLIN)
	),
	author_id=st.just(AGENT),
	author_name=st.just("Secret Agentname"),
	html=st.text(max_size=30),
	state=st.sampled_from([None, OPEN, REPLIED, CARRIER, RESOLVED]),
)


@given(st.lists(_events, max_size=20))
def test_timeline_property_only_visible_kinds_and_no_agent_names(events):
	rows = customer_timeline(events, viewer=CONTACT, hide_agent_names=True, now=NOW, zone=BERLIN, lang="de")
	assert all(row.kind in CUSTOMER_VISIBLE for row in rows)
	agents = [row for row in rows if row.kind is EventKind.AGENT_MESSAGE]
	assert all(row.who == "Support-Team" for row in agents)
	rest = [row.at for row in rows if row.kind is not EventKind.CREATED]
	assert rest == sorted(rest)
	assert all(row.kind is EventKind.CREATED for row in rows[: len(rows) - len(rest)])


@pytest.mark.parametrize(
	("markup", "expected"),
	[
		(None, ""),
		("", ""),
		("<p>Hallo</p><p>Welt</p>", "Hallo\n\nWelt"),
		("Line1<br>Line2<ul><li>eins</li><li>zwei</li></ul>Schluss", "Line1\nLine2\neins\nzwei\n\nSchluss"),
		("<div>a</div><div>b</div>", "a\nb"),
		("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>", "a b\nc d"),
		("<P>Groß</P><BR>klein", "Groß\n\nklein"),
		("Zeile 1<br>Zeile 2<br/>Zeile 3", "Zeile 1\nZeile 2\nZeile 3"),
		("<p>A &amp; B &lt;script&gt;</p>", "A & B <script>"),
		("<script>alert(1)</script><p>ok</p>", "ok"),
		("<p>  viel   Platz&nbsp;hier </p>", "viel Platz hier"),
		("<p>a</p><p></p><p></p><p></p><p>b</p>", "a\n\nb"),
	],
)
def test_message_text(markup, expected):
	assert message_text(markup) == expected


# The whole view


def test_customer_view_of_a_ticket_waiting_on_a_carrier():
	facts = TicketFacts(
		"1042",
		"LKW steht",
		at("2026-12-04 08:00"),
		with_deadlines(CARRIER, first_responded_at=at("2026-12-04 09:30")),
		DeliveryFacts(
			"TS-100", "Delayed", at("2026-12-07 14:00"), at("2026-12-07 15:30"), 90, last_synced_at=SYNCED
		),
		VehicleFacts("B-TS 1004", "stopped"),
		EVENTS,
	)
	view = customer_view(facts, now=NOW, zone=BERLIN, lang="de", viewer=CONTACT)
	assert view["status"] == {
		"kind": "waiting_carrier",
		"text": "Wartet auf den Spediteur",
		"tone": "waiting",
	}
	assert view["is_open"] is True
	assert view["waiting_on"] == {
		"party": "carrier",
		"text": "Wir warten auf den Spediteur Spedition Krause.",
		"carrier": "Spedition Krause",
	}
	assert view["deadline"] == {
		"kind": "stopped",
		"text": "Frist angehalten, solange wir auf den Spediteur Spedition Krause warten",
		"at": None,
		"is_overdue": False,
	}
	assert view["shipment"]["headline"] == "Verspätet"
	assert view["shipment"]["eta_text"] == "Erwartet heute, 15:30"
	assert view["shipment"]["delay_text"] == "1 Std. 30 Min. Verspätung"
	assert view["vehicle"] == {"plate": "B-TS 1004", "state_text": "Steht"}
	assert view["created_text"] == "Freitag, 08:00"
	assert len(view["timeline"]) == 7
	assert view["last_activity"]["text"] == "Status: Wartet auf den Spediteur"


def test_customer_view_without_shipment_and_with_an_open_deadline():
	facts = TicketFacts(
		"1043", "Frage", at("2026-12-07 08:00"), with_deadlines(OPEN, response_by=at("2026-12-07 12:00"))
	)
	view = customer_view(facts, now=NOW, zone=BERLIN, lang="en")
	assert view["shipment"] is None and view["vehicle"] is None
	assert view["deadline"]["text"] == "Answer today by 12:00"
	assert view["deadline"]["at"] == "2026-12-07T12:00:00+01:00"
	assert view["timeline"] == [] and view["last_activity"] is None

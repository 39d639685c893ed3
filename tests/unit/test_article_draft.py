"""Article drafts from resolved tickets (core/article_draft.py): what is kept, what is removed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.article_draft import (
	Placeholders,
	draft_article,
	message_body,
	redact,
	text_paragraphs,
	title_from_subject,
)

LABELS = Placeholders(email="[E-Mail]", phone="[Telefon]", iban="[IBAN]", vin="[FIN]", name="[Name]")


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Schreiben Sie an anna.berger@frischdienst.example.", "Schreiben Sie an [E-Mail]."),
		("Rückruf unter +49 30 1234567 bitte", "Rückruf unter [Telefon] bitte"),
		("Tel. 030/123 45 67, danke", "Tel. [Telefon], danke"),
		("Mobil 0171-9876543.", "Mobil [Telefon]."),
		("(030) 12345-67 ab 8 Uhr", "[Telefon] ab 8 Uhr"),
		("Zahlung auf DE89 3704 0044 0532 0130 00 erhalten", "Zahlung auf [IBAN] erhalten"),
		("FIN WDBN1NRJAPZ107337 prüfen", "FIN [FIN] prüfen"),
		# Dates, times, amounts, postal codes and tracking numbers stay.
		("Am 04.12.2026 um 07:40 Uhr", "Am 04.12.2026 um 07:40 Uhr"),
		("Betrag 1.250,00 EUR, PLZ 01067 Dresden", "Betrag 1.250,00 EUR, PLZ 01067 Dresden"),
		("Sendung TS2503110013 ist da", "Sendung TS2503110013 ist da"),
		("Auftrag 0815", "Auftrag 0815"),
	],
)
def test_redact_replaces_contact_data_and_keeps_facts(text, expected):
	assert redact(text, placeholders=LABELS) == expected


def test_redact_replaces_known_names_whole_words_longest_first():
	text = "Frau Anna  Berger rief an; Berger bestätigt. Bergers Kollege nicht. Al kam."

	result = redact(text, names=["Berger", "Anna Berger", "Al", ""], placeholders=LABELS)

	assert result == "Frau [Name] rief an; [Name] bestätigt. Bergers Kollege nicht. Al kam."


@pytest.mark.parametrize(
	("subject", "expected"),
	[
		("AW: Re: Lieferschein fehlt", "Lieferschein fehlt"),
		("WG: [#123] Portal-Zugang gesperrt", "Portal-Zugang gesperrt"),
		("Rückruf an anna@x.example", "Rückruf an [E-Mail]"),
		("", ""),
	],
)
def test_title_from_subject(subject, expected):
	assert title_from_subject(subject, placeholders=LABELS) == expected


def test_long_subjects_are_cut_at_a_word():
	title = title_from_subject("Kühlkette " * 30)

	assert len(title) <= 140
	assert title.endswith("Kühlkette…")


def test_paragraphs_of_html_and_message_body_without_greeting_signature_and_quote():
	reply = (
		"<p>Hallo Frau Berger,</p><p>der Lieferschein liegt im Portal unter <b>Dokumente</b>.</p>"
		"<div>Bitte laden Sie ihn dort herunter.<br>Er gilt als Original.</div>"
		"<p>Viele Grüße</p><p>Max Kramer<br>Tel. 030 9876543</p>"
		"<blockquote>Am 3. März schrieb Anna: wo ist er?</blockquote>"
	)

	paragraphs = text_paragraphs(reply)

	assert paragraphs[:2] == ["Hallo Frau Berger,", "der Lieferschein liegt im Portal unter Dokumente ."]
	assert message_body(paragraphs) == [
		"der Lieferschein liegt im Portal unter Dokumente .",
		"Bitte laden Sie ihn dort herunter.",
		"Er gilt als Original.",
	]
	assert message_body(["Gern.", "Am 03.03.2026 um 10:00 schrieb Anna Berger <a@x.example>:", "> alt"]) == [
		"Gern."
	]


def test_draft_has_problem_and_solution_sections_without_personal_data():
	draft = draft_article(
		"AW: Lieferschein für TS2503110013 fehlt",
		"<p>Guten Tag,</p><p>mir fehlt der Lieferschein. Erreichbar unter 0171 2345678 oder "
		"anna.berger@frischdienst.example.</p><p>Mit freundlichen Grüßen<br>Anna Berger</p>",
		"<p>Hallo Frau Berger,</p><p>Sie finden ihn im Portal unter Dokumente &amp; Belege.</p>"
		"<p>Beste Grüße<br>Max Kramer</p>",
		problem_heading="Problem",
		solution_heading="Lösung",
		names=["Anna Berger", "Berger", "Max Kramer"],
		placeholders=LABELS,
	)

	assert draft.title == "Lieferschein für TS2503110013 fehlt"
	assert draft.content == (
		"<h2>Problem</h2><p>mir fehlt der Lieferschein. Erreichbar unter [Telefon] oder [E-Mail].</p>"
		"<h2>Lösung</h2><p>Sie finden ihn im Portal unter Dokumente &amp; Belege.</p>"
	)


def test_an_empty_solution_leaves_its_section_out_and_markup_is_escaped():
	draft = draft_article(
		"Frage", "<p>&lt;script&gt;alert(1)&lt;/script&gt; Warum?</p>", "<p>Viele Grüße</p>"
	)

	assert draft.content == "<h2>Problem</h2><p>&lt;script&gt;alert(1)&lt;/script&gt; Warum?</p>"


@given(
	st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
	st.emails(),
)
def test_an_email_anywhere_never_survives(text, email):
	result = redact(f"{text} {email} {text}")

	assert email not in result


@given(st.text(max_size=300))
def test_draft_never_raises_and_writes_no_foreign_markup(text):
	draft = draft_article(text, text, text)

	assert "<script" not in draft.content.lower()
	assert draft.content.count("<h2>") <= 2

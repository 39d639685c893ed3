import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.filing import (
	MAX_SUBJECT_LENGTH,
	InvalidRequestId,
	clean_subject,
	description_html,
	request_key,
)

ID = "6f1c2b1e-8a51-4c0e-9a43-0f3f2c7d9b10"


def test_the_same_draft_of_the_same_user_has_one_key():
	first = request_key("kunde@example.com", ID)

	assert request_key("kunde@example.com", ID) == first
	assert request_key("kunde@example.com", ID.upper()) == first
	assert request_key("kunde@example.com", f"  {{{ID}}} ") == first
	assert re.fullmatch(r"[0-9a-f]{64}", first)


def test_another_user_or_another_draft_has_another_key():
	first = request_key("kunde@example.com", ID)

	assert request_key("andere@example.com", ID) != first
	assert request_key("kunde@example.com", "6f1c2b1e-8a51-4c0e-9a43-0f3f2c7d9b11") != first


def test_the_key_does_not_contain_the_id():
	assert ID.replace("-", "") not in request_key("kunde@example.com", ID)


@pytest.mark.parametrize("bad", ["", None, "42", "not-a-uuid", "6f1c2b1e-8a51-4c0e-9a43", "'; drop table"])
def test_anything_but_a_uuid_is_refused(bad):
	with pytest.raises(InvalidRequestId):
		request_key("kunde@example.com", bad)


# Typed text -> ticket HTML.
DESCRIPTIONS = [
	("Kühlkette unterbrochen", "<p>Kühlkette unterbrochen</p>"),
	("Zeile 1\nZeile 2", "<p>Zeile 1<br>Zeile 2</p>"),
	("Absatz 1\r\n\r\nAbsatz 2", "<p>Absatz 1</p><p>Absatz 2</p>"),
	("\n\n  Text  \n\n\n", "<p>Text</p>"),
	("<script>alert(1)</script> & Co", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</p>"),
	("", ""),
	(None, ""),
]


@pytest.mark.parametrize(("text", "expected"), DESCRIPTIONS)
def test_description_html(text, expected):
	assert description_html(text) == expected


SUBJECTS = [
	("  LKW   steht\tauf der A2 ", "LKW steht auf der A2"),
	("Zeile\nzwei", "Zeile zwei"),
	(None, ""),
	("x" * 200, "x" * MAX_SUBJECT_LENGTH),
]


@pytest.mark.parametrize(("text", "expected"), SUBJECTS)
def test_clean_subject(text, expected):
	assert clean_subject(text) == expected


@given(st.text())
def test_description_never_lets_markup_through(text):
	rendered = description_html(text)

	assert "<script" not in rendered.lower()
	assert rendered.replace("<p>", "").replace("</p>", "").replace("<br>", "").count("<") == 0

"""A knowledge-base article draft from a resolved ticket, without the personal data in it.

`draft_article` turns a ticket's subject, the customer's description and the agent's solving
reply (both HTML as Helpdesk stores them) into a title and an HTML body of two sections: the
problem and the solution. Before anything is kept:

- a salutation at the start ("Hallo Frau Berger,", "Sehr geehrte Damen und Herren,") and
  everything from the sign-off on ("Viele Grüße", "Mit freundlichen Grüßen", "Best regards":
  the signature with its name and numbers) are dropped;
- a quoted earlier message in the reply ("Am ... schrieb ...:", lines starting with ">") is
  dropped;
- e-mail addresses, phone numbers, IBANs, VINs and the names the caller knows (contact,
  customer, agent) are replaced by placeholders the caller gives (translated labels).

Contract: pure, never raises for ``str`` input, never returns markup it did not write (all
text is escaped). Names shorter than 3 letters are not redacted (they would hit ordinary words).

Not handled: names the caller does not pass (a colleague named in the text), street addresses.
An agent reads the draft before publishing it; it is created as a draft for that reason.
"""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ArticleDraft", "Placeholders", "draft_article", "redact", "text_paragraphs", "title_from_subject"]

# Helpdesk's HD Article title is a Data field.
MAX_TITLE_LENGTH = 140
_MIN_NAME_LENGTH = 3

# The local part as RFC 5322 allows it unquoted; the domain as labels with dots.
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number starts with +, 00 or 0 (German numbers are written with the trunk prefix), then
# digits with blanks, slashes, hyphens or brackets between; 7 to 15 digits in all. Dots are not
# separators, so dates ("04.12.2026") and amounts never match.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\(0|0)[\d\s/()\-\u2013]{5,24}\d(?!\w)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
# 17 characters without I, O and Q, with letters and digits both.
_VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\b")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|aw|wg|fw|fwd|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TICKET_MARK = re.compile(r"\s*[\[(]?#\d+[\])]?\s*")
_SALUTATION = re.compile(
	r"^(?:hallo|hi|hey|guten\s+(?:tag|morgen|abend)|moin|servus|sehr\s+geehrte[rs]?|liebe[rs]?"
	r"|dear|hello|good\s+(?:morning|afternoon|evening))\b[^.!?\n]{0,60}[,!]?\s*$",
	re.IGNORECASE,
)
_SIGN_OFF = re.compile(
	r"^(?:(?:viele|beste|freundliche|liebe|herzliche|schöne)\s+grüße|mit\s+(?:besten|freundlichen)\s+grüßen"
	r"|(?:mfg|vg|lg)\b|gruß\b|grüße\b|best\s+regards|kind\s+regards|regards\b|best\b\s*,?\s*$"
	r"|cheers\b|thanks\s+and\s+regards|sincerely\b)",
	re.IGNORECASE,
)
_QUOTE_HEADER = re.compile(
	r"^(?:am\s.{3,80}\sschrieb\b.*:|on\s.{3,80}\swrote\b.*:|-{2,}\s*(?:original|ursprüngliche)\s.*|von:\s.*|from:\s.*)$",
	re.IGNORECASE,
)
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr|/blockquote)\s*>", re.IGNORECASE)
_QUOTE_BLOCK = re.compile(r"<blockquote\b.*?</blockquote\s*>", re.IGNORECASE | re.DOTALL)
_SKIPPED = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class Placeholders:
	"""What replaces each kind of personal data (the caller passes translated labels)."""

	email: str = "[e-mail]"
	phone: str = "[phone]"
	iban: str = "[IBAN]"
	vin: str = "[VIN]"
	name: str = "[name]"


@dataclass(frozen=True, slots=True)
class ArticleDraft:
	title: str
	content: str


def text_paragraphs(markup: str | None) -> list[str]:
	"""The paragraphs of an HTML fragment as plain text: block ends and line breaks separate them."""
	if not markup:
		return []
	text = _SKIPPED.sub(" ", markup)
	text = _QUOTE_BLOCK.sub("\n", text)
	text = _BLOCK_END.sub("\n", text)
	text = html.unescape(_TAG.sub(" ", text))
	lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
	return [line for line in lines if line]


def message_body(paragraphs: list[str]) -> list[str]:
	"""The paragraphs without a salutation first, nor anything from a sign-off or quoted message on."""
	kept: list[str] = []
	for position, paragraph in enumerate(paragraphs):
		if position == 0 and _SALUTATION.match(paragraph):
			continue
		if _SIGN_OFF.match(paragraph) or _QUOTE_HEADER.match(paragraph) or paragraph.startswith(">"):
			break
		kept.append(paragraph)
	return kept


def redact(text: str, names: Iterable[str] = (), placeholders: Placeholders = Placeholders()) -> str:
	"""`text` with e-mail addresses, IBANs, VINs, phone numbers and the given names replaced."""
	text = _EMAIL.sub(placeholders.email, text)
	text = _IBAN.sub(placeholders.iban, text)
	text = _VIN.sub(placeholders.vin, text)
	text = _PHONE.sub(lambda match: _phone_or_keep(match, placeholders.phone), text)
	for name in _name_patterns(names):
		text = name.sub(placeholders.name, text)
	return text


def title_from_subject(
	subject: str | None, names: Iterable[str] = (), placeholders: Placeholders = Placeholders()
) -> str:
	"""A title from a ticket subject: reply prefixes and ticket numbers dropped, personal data redacted."""
	title = _SUBJECT_PREFIX.sub("", subject or "")
	title = _TICKET_MARK.sub(" ", title)
	title = redact(_BLANKS.sub(" ", title).strip(), names, placeholders)
	if len(title) > MAX_TITLE_LENGTH:
		title = title[: MAX_TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
	return title


def draft_article(
	subject: str | None,
	problem_html: str | None,
	solution_html: str | None,
	*,
	problem_heading: str = "Problem",
	solution_heading: str = "Solution",
	names: Iterable[str] = (),
	placeholders: Placeholders = Placeholders(),
) -> ArticleDraft:
	"""The draft of an article: the redacted title, and the problem and solution as HTML sections.

	A section whose text is empty after cleaning is left out.
	"""
	names = tuple(names)
	sections = []
	for heading, markup in ((problem_heading, problem_html), (solution_heading, solution_html)):
		paragraphs = [
			redact(paragraph, names, placeholders) for paragraph in message_body(text_paragraphs(markup))
		]
		if paragraphs:
			body = "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)
			sections.append(f"<h2>{html.escape(heading, quote=False)}</h2>{body}")
	return ArticleDraft(title=title_from_subject(subject, names, placeholders), content="".join(sections))


def _phone_or_keep(match: re.Match[str], placeholder: str) -> str:
	found = match.group()
	digits = sum(character.isdigit() for character in found)
	if not 7 <= digits <= 15:
		return found
	# Keep the blank that may have ended the match.
	return placeholder + found[len(found.rstrip()) :]


def _name_patterns(names: Iterable[str]) -> list[re.Pattern[str]]:
	"""Whole-word patterns of the names, longest first ("Anna Berger" before "Berger")."""
	cleaned = {" ".join(name.split()) for name in names if name and len(name.strip()) >= _MIN_NAME_LENGTH}
	return [
		re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", re.IGNORECASE)
		for name in sorted(cleaned, key=len, reverse=True)
	]

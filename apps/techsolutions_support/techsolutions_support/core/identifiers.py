"""References to vehicles and shipments in free ticket text (German).

`find_references` reads a ticket's subject or description and returns, each normalised and
without duplicates, in the order of their first appearance:

- German licence plates ("B-XY 1234", "M AB 123", "HH-AB 12E"), shown as "B-XY 1234" and keyed
  as "BXY1234" for lookups;
- VINs: 17 letters and digits without I, O and Q, upper-cased; the check digit is a hint only;
- fleet numbers with configurable prefixes ("FZ-0042", "FZ 42", "Fzg 42"), shown as "FZ-0042";
- tracking numbers: the company's own "TS" + 10 digits, UPS ("1Z" + 16) and UPU S10 postal
  items ("RR123456785DE", check digit verified), or patterns the caller configures.

Contract: pure, no I/O; any text is accepted (HTML entities are decoded first, since Helpdesk
stores descriptions as HTML); only an invalid configuration raises.

Plates in detail. A German plate is a district code of 1-3 letters (umlauts occur: "LÖ", "MÜ"),
1-2 recognition letters and a number of 1-4 digits without leading zero, at most 8 letters and
digits together, optionally followed by "E" (electric) or "H" (historic). To keep false
positives low:

- letters must be upper case: in German running text "um ab 12" is words, not a plate;
- district and recognition letters must be apart (hyphen or space): in "BXY1234" the split is
  ambiguous, so it is not read;
- short words and abbreviations (DER, AUF, ISO, DIN, LKW, DAF, ...) count as a district only
  with a hyphen, so "AUF DER A 2" or "DAF XF 480" is not a plate while "IN-AB 12" still is;
- a number followed by ".5", ",5" or ":30" is a decimal, date or time, not a plate;
- the E/H suffix stays in the display form but not in the key: "HH-AB 12E" and "HH-AB 12" are
  the same registration.

Exceptions::

	IdentifierConfigError (ValueError)    invalid fleet prefix or tracking pattern
"""

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import TypeVar

__all__ = [
	"DEFAULT_FLEET_ALIASES",
	"DEFAULT_TRACKING_PATTERNS",
	"FleetNumber",
	"IdentifierConfigError",
	"Plate",
	"References",
	"TrackingNumber",
	"Vin",
	"find_references",
	"parse_plate",
	"plate_key",
	"vin_check_digit_ok",
]


_T = TypeVar("_T")


class IdentifierConfigError(ValueError):
	"""A fleet prefix or tracking pattern from the configuration cannot be used."""


@dataclass(frozen=True, slots=True)
class Plate:
	# Display form, e.g. "B-XY 1234" or "HH-AB 12E".
	text: str
	# Lookup key without separators and without E/H suffix, e.g. "BXY1234".
	key: str
	district: str
	letters: str
	digits: str
	suffix: str


@dataclass(frozen=True, slots=True)
class Vin:
	vin: str
	# Position 9 check digit (North American rule). Many European VINs do not use it: a hint only.
	has_valid_check_digit: bool


@dataclass(frozen=True, slots=True)
class FleetNumber:
	# Display form, e.g. "FZ-0042".
	number: str
	prefix: str
	value: int


@dataclass(frozen=True, slots=True)
class TrackingNumber:
	number: str
	# Name of the pattern that matched: "techsolutions", "ups", "upu_s10" or a configured name.
	carrier: str


@dataclass(frozen=True, slots=True)
class References:
	plates: tuple[Plate, ...] = ()
	vins: tuple[Vin, ...] = ()
	fleet_numbers: tuple[FleetNumber, ...] = ()
	tracking_numbers: tuple[TrackingNumber, ...] = ()

	@property
	def is_empty(self) -> bool:
		return not (self.plates or self.vins or self.fleet_numbers or self.tracking_numbers)


_SPACE = r"[ \t\u00a0\u202f]"
_DASH = r"[-\u2010\u2011\u2012\u2013]"
# Possessive (*+, ++): runs of blanks are never re-split, so long whitespace stays linear.
_SEPARATOR = rf"(?:{_SPACE}*+{_DASH}{_SPACE}*+|{_SPACE}++)"
_HAS_DASH = re.compile(_DASH)
# A number that continues as a decimal, a date or a time is not the end of a plate or id.
_NOT_CONTINUED = r"(?![\w])(?![.,:]\d)"

_PLATE = re.compile(
	rf"(?<![\w])(?P<district>[A-ZÄÖÜ]{{1,3}})(?P<separator>{_SEPARATOR})"
	rf"(?P<letters>[A-Z]{{1,2}}){_SEPARATOR}?"
	rf"(?P<digits>[1-9][0-9]{{0,3}})(?P<suffix>[EH]?){_NOT_CONTINUED}"
)
_PLATE_MAX_CHARACTERS = 8
# GAP: district codes are not checked against the official list (KBA), so a well-formed plate with
# a made-up district ("XB-XY 1234") is still returned; it then matches no vehicle when linking.

# Read as a district only when joined by a hyphen: German short words, abbreviations common in
# logistics tickets, and brands or carriers. Several are real district codes too (AN, IN, ES,
# KM, DIN, ...), which is why a hyphen still makes them a plate.
_WORDS_NEEDING_HYPHEN = frozenset(
	"AB ALS ALT AM AN AUF AUS BEI BIS DA DAS DEM DEN DER DES DIE EIN ER ES FÜR HAT HOF ICH IHR IM IN "
	"IST JA MIT NEU NUR OB OF OH OK PER PRO SIE SO ST TAG TOP UM UND UNS VIA VON VOR WAR WAS WEG WER "
	"WIE WIR WO ZU ZUM ZUR "
	"ABS AD AG AK AS BAB BOX CA CE DIN EN ESP EUR FAX GPS HRA HRB ID ISO KFZ KG KM KW LKW NR PDF "
	"PKW PLZ SMS STR TEL TOR UST USD "
	"BMW DAF DHL DPD GLS MAN TNT UPS VW".split()
)

_VIN = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])", re.IGNORECASE | re.ASCII)
_VIN_VALUES = {
	**{str(digit): digit for digit in range(10)},
	**dict(zip("ABCDEFGH", range(1, 9), strict=True)),
	**dict(zip("JKLMN", range(1, 6), strict=True)),
	"P": 7,
	"R": 9,
	**dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

DEFAULT_FLEET_ALIASES: tuple[str, ...] = ("Fzg", "Fahrzeugnummer", "Fahrzeug-Nr", "Fahrzeugnr")

DEFAULT_TRACKING_PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
	{
		# The company's own shipments: "TS" and 10 digits, e.g. TS2503110001.
		"techsolutions": re.compile(
			r"(?<![A-Za-z0-9])(?P<number>TS[ \t-]?\d{10})(?![A-Za-z0-9])", re.IGNORECASE | re.ASCII
		),
		# UPS: "1Z", 6 characters shipper, 2 service, 8 digits; often printed in groups.
		"ups": re.compile(
			r"(?<![A-Za-z0-9])(?P<number>1Z ?[0-9A-Z]{3} ?[0-9A-Z]{3} ?[0-9A-Z]{2} ?\d{4} ?\d{4})(?![A-Za-z0-9])",
			re.ASCII,
		),
		# UPU S10 (Deutsche Post, DHL Paket international): 2 letters, 8 digits, check digit, country.
		"upu_s10": re.compile(
			r"(?<![A-Za-z0-9])(?P<number>[A-Z]{2} ?\d{3} ?\d{3} ?\d{3} ?[A-Z]{2})(?![A-Za-z0-9])", re.ASCII
		),
	}
)

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_NUMBER_SEPARATORS = re.compile(r"[\s\-\u2010-\u2013]")


def find_references(
	text: str | None,
	*,
	fleet_prefixes: Sequence[str] = ("FZ",),
	tracking_patterns: Mapping[str, str | re.Pattern[str]] | None = None,
	fleet_aliases: Sequence[str] = DEFAULT_FLEET_ALIASES,
	fleet_number_width: int = 4,
) -> References:
	"""Find plates, VINs, fleet numbers and tracking numbers in `text`.

	`fleet_prefixes` are the company's fleet number prefixes; the first one is also used for
	numbers written with an alias such as "Fzg 42". `tracking_patterns` maps a carrier name to a
	regular expression (a named group ``number`` selects the part to keep); None uses
	`DEFAULT_TRACKING_PATTERNS`, and to add a pattern pass ``{**DEFAULT_TRACKING_PATTERNS, ...}``.

	Raises `IdentifierConfigError` for an invalid prefix, pattern or width.
	"""
	if (
		isinstance(fleet_number_width, bool)
		or not isinstance(fleet_number_width, int)
		or not 1 <= fleet_number_width <= 10
	):
		raise IdentifierConfigError(
			f"fleet_number_width must be a whole number from 1 to 10, got {fleet_number_width!r}"
		)
	fleet = _fleet_pattern(_prefixes(fleet_prefixes), _prefixes(fleet_aliases, what="fleet alias"))
	patterns = DEFAULT_TRACKING_PATTERNS if tracking_patterns is None else tracking_patterns
	tracking = _tracking_rules(_pattern_items(patterns))
	if not text:
		return References()
	prepared = _prepare(text)
	return References(
		plates=_unique(_plates(prepared), key=lambda plate: plate.key),
		vins=_unique(_vins(prepared), key=lambda vin: vin.vin),
		fleet_numbers=_unique(
			_fleet_numbers(prepared, fleet, fleet_prefixes, fleet_number_width),
			key=lambda found: found.number,
		),
		tracking_numbers=_unique(_tracking_numbers(prepared, tracking), key=lambda found: found.number),
	)


def parse_plate(text: str) -> Plate | None:
	"""The plate when `text` is exactly one plate (e.g. a stored plate field), else None."""
	prepared = _prepare(text).strip()
	match = _PLATE.fullmatch(prepared)
	return _plate(match) if match else None


def plate_key(text: str) -> str | None:
	"""Lookup key of a plate written in any common way, also without separators ("BXY1234").

	For stored plates and customer vehicle names; returns None when it cannot be a plate.
	"""
	plate = parse_plate(text)
	if plate is not None:
		return plate.key
	compact = _NUMBER_SEPARATORS.sub("", _prepare(text)).upper()
	match = re.fullmatch(r"(?P<letters>[A-ZÄÖÜ]{2,5})(?P<digits>[1-9]\d{0,3})[EH]?", compact)
	if match is None or len(match["letters"]) + len(match["digits"]) > _PLATE_MAX_CHARACTERS:
		return None
	return match["letters"] + match["digits"]


def vin_check_digit_ok(vin: str) -> bool:
	"""Whether position 9 of a 17-character VIN is its check digit (weighted sum modulo 11)."""
	vin = vin.upper()
	if len(vin) != 17 or any(character not in _VIN_VALUES for character in vin):
		return False
	remainder = (
		sum(_VIN_VALUES[character] * weight for character, weight in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
	)
	return vin[8] == ("X" if remainder == 10 else str(remainder))


def _prepare(text: str) -> str:
	return unicodedata.normalize("NFC", html.unescape(text))


def _plates(text: str) -> Iterable[Plate]:
	for match in _PLATE.finditer(text):
		plate = _plate(match)
		if plate is not None:
			yield plate


def _plate(match: re.Match[str]) -> Plate | None:
	district, letters, digits, suffix = match["district"], match["letters"], match["digits"], match["suffix"]
	if len(district) + len(letters) + len(digits) > _PLATE_MAX_CHARACTERS:
		return None
	if district in _WORDS_NEEDING_HYPHEN and not _HAS_DASH.search(match["separator"]):
		return None
	return Plate(
		text=f"{district}-{letters} {digits}{suffix}",
		key=f"{district}{letters}{digits}",
		district=district,
		letters=letters,
		digits=digits,
		suffix=suffix,
	)


def _vins(text: str) -> Iterable[Vin]:
	for match in _VIN.finditer(text):
		vin = match.group().upper()
		# A VIN mixes letters and digits; 17 digits or 17 letters are something else.
		if any(character.isdigit() for character in vin) and any(character.isalpha() for character in vin):
			yield Vin(vin=vin, has_valid_check_digit=vin_check_digit_ok(vin))


def _prefixes(values: Sequence[str], what: str = "fleet prefix") -> tuple[str, ...]:
	if isinstance(values, str):
		raise IdentifierConfigError(f"{what}es must be a list of texts, not the text {values!r}")
	cleaned = []
	for value in values:
		if not isinstance(value, str) or not value.strip():
			raise IdentifierConfigError(f"a {what} must be non-empty text, got {value!r}")
		cleaned.append(value.strip())
	return tuple(cleaned)


@lru_cache(maxsize=32)
def _fleet_pattern(prefixes: tuple[str, ...], aliases: tuple[str, ...]) -> re.Pattern[str] | None:
	if not prefixes:
		return None
	names = sorted({*prefixes, *aliases}, key=len, reverse=True)
	alternatives = "|".join(re.escape(name) for name in names)
	return re.compile(
		rf"(?<![\w])(?P<prefix>{alternatives})(?:\.?{_SPACE}*+(?:{_DASH}{_SPACE}*+)?Nr\.?)?"
		rf"{_SPACE}*+(?:[-.:#]{_SPACE}*+)?(?P<number>\d{{1,6}}){_NOT_CONTINUED}",
		re.IGNORECASE,
	)


def _fleet_numbers(
	text: str, pattern: re.Pattern[str] | None, prefixes: Sequence[str], width: int
) -> Iterable[FleetNumber]:
	if pattern is None:
		return
	by_casefold = {prefix.strip().casefold(): prefix.strip().upper() for prefix in prefixes}
	default_prefix = prefixes[0].strip().upper()
	for match in pattern.finditer(text):
		prefix = by_casefold.get(match["prefix"].casefold(), default_prefix)
		value = int(match["number"])
		yield FleetNumber(number=f"{prefix}-{value:0{width}d}", prefix=prefix, value=value)


def _pattern_items(
	patterns: Mapping[str, str | re.Pattern[str]],
) -> tuple[tuple[str, str | re.Pattern[str]], ...]:
	if not isinstance(patterns, Mapping):
		raise IdentifierConfigError(
			f"tracking patterns must map a name to a pattern, got {type(patterns).__name__}"
		)
	items = []
	for name, pattern in patterns.items():
		if not isinstance(name, str) or not name.strip():
			raise IdentifierConfigError(f"a tracking pattern needs a name, got {name!r}")
		if not isinstance(pattern, str | re.Pattern):
			raise IdentifierConfigError(
				f"tracking pattern {name!r} must be text, got {type(pattern).__name__}"
			)
		items.append((name.strip(), pattern))
	return tuple(items)


@lru_cache(maxsize=32)
def _tracking_rules(
	patterns: tuple[tuple[str, str | re.Pattern[str]], ...],
) -> tuple[tuple[str, re.Pattern[str], Callable[[str], bool] | None], ...]:
	rules = []
	for name, pattern in patterns:
		try:
			compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
		except re.error as exc:
			raise IdentifierConfigError(
				f"tracking pattern {name!r} is not a valid expression: {exc}"
			) from None
		rules.append((name, compiled, _s10_check_digit_ok if name == "upu_s10" else None))
	return tuple(rules)


def _tracking_numbers(
	text: str, rules: tuple[tuple[str, re.Pattern[str], Callable[[str], bool] | None], ...]
) -> Iterable[TrackingNumber]:
	found: list[tuple[int, TrackingNumber]] = []
	for name, pattern, is_valid in rules:
		for match in pattern.finditer(text):
			raw = match["number"] if "number" in pattern.groupindex else match.group()
			number = _NUMBER_SEPARATORS.sub("", raw or "").upper()
			if number and (is_valid is None or is_valid(number)):
				found.append((match.start(), TrackingNumber(number=number, carrier=name)))
	found.sort(key=lambda entry: entry[0])
	return (tracking for _, tracking in found)


def _s10_check_digit_ok(number: str) -> bool:
	"""UPU S10: weights 8 6 4 2 3 5 9 7 over the serial, 11 minus the sum modulo 11; 10 is 0, 11 is 5."""
	digits = number[2:11]
	if len(digits) != 9 or not digits.isdigit():
		return False
	check = 11 - sum(int(digit) * weight for digit, weight in zip(digits[:8], _S10_WEIGHTS, strict=True)) % 11
	check = {10: 0, 11: 5}.get(check, check)
	return int(digits[8]) == check


def _unique(items: Iterable[_T], *, key: Callable[[_T], str]) -> tuple[_T, ...]:
	seen: set[str] = set()
	kept = []
	for item in items:
		if key(item) not in seen:
			seen.add(key(item))
			kept.append(item)
	return tuple(kept)

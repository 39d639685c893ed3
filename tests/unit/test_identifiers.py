import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.identifiers import (
	DEFAULT_TRACKING_PATTERNS,
	FleetNumber,
	IdentifierConfigError,
	TrackingNumber,
	find_references,
	parse_plate,
	plate_key,
	vin_check_digit_ok,
)


def plate_texts(text: str) -> list[str]:
	return [plate.text for plate in find_references(text).plates]


# Text -> plates found (display form), in order.
PLATES_FOUND = [
	("LKW B-XY 1234 steht auf der A2", ["B-XY 1234"]),
	("Fahrzeug M AB 123 meldet Fehler", ["M-AB 123"]),
	("Elektro-LKW HH-AB 12E lädt nicht", ["HH-AB 12E"]),
	("Kennzeichen B XY1234", ["B-XY 1234"]),
	("B-XY1234", ["B-XY 1234"]),
	("B-XY-1234", ["B-XY 1234"]),
	("B - XY 1234", ["B-XY 1234"]),
	("B–XY 1234 (Gedankenstrich aus Word)", ["B-XY 1234"]),
	("B\u00a0XY\u00a01234", ["B-XY 1234"]),
	("<p>B-TS&nbsp;1001 ist liegen geblieben</p>", ["B-TS 1001"]),
	("Oldtimer HH-TS 31H", ["HH-TS 31H"]),
	("LÖ-AB 12 und MÜ-C 7", ["LÖ-AB 12", "MÜ-C 7"]),
	("M-TS 200, HH-TS 31 und B-TS 1001", ["M-TS 200", "HH-TS 31", "B-TS 1001"]),
	("B-TS 1001 und nochmal B-TS 1001", ["B-TS 1001"]),
	("HH-AB 12E ist HH-AB 12", ["HH-AB 12E"]),
	("Kfz-Kennzeichen:B-TS 1002.", ["B-TS 1002"]),
	("IN-AB 12 mit Bindestrich", ["IN-AB 12"]),
	("ABC-D 1234", ["ABC-D 1234"]),
	("Zeile eins B-TS 1003\nZeile zwei", ["B-TS 1003"]),
]

# Texts that must not yield a plate.
NO_PLATES = [
	"Stau auf der A2 bei Magdeburg",
	"A 2 Richtung Hannover",
	"BAB A 2 gesperrt",
	"AUF DER A 2 STEHT DER LKW",
	"PLZ 12345 Berlin",
	"Lieferung um 12:30 Uhr",
	"zertifiziert nach ISO 9001",
	"DIN EN 1234 erfüllt",
	"DAF XF 480 mit Kühlaufbau",
	"bxy 1234",
	"b-xy 1234",
	"BXY1234",
	"B-XY 0123",
	"B-XY 12345",
	"ABC-DE 1234",
	"B-ÄB 12",
	"FZ-0042",
	"TS2503110001",
	"am 12.03. B-XY 12.03.2025 geliefert",
	"Preis 1-A 1,5 Euro",
	"B-XY 1234Z",
	"aB-XY 1234",
	"IN AB 12 ohne Bindestrich",
	"um ab 12 uhr",
	"KW 12",
	"B\nXY 1234",
]


@pytest.mark.parametrize(("text", "expected"), PLATES_FOUND)
def test_plates_found(text: str, expected: list[str]) -> None:
	assert plate_texts(text) == expected


@pytest.mark.parametrize("text", NO_PLATES)
def test_no_plate_in(text: str) -> None:
	assert plate_texts(text) == []


def test_plate_parts_and_key() -> None:
	(plate,) = find_references("HH-AB 12E").plates

	assert (plate.district, plate.letters, plate.digits, plate.suffix) == ("HH", "AB", "12", "E")
	assert plate.key == "HHAB12"


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("B-TS 1001", "BTS1001"),
		("b ts 1001", "BTS1001"),
		("BTS1001", "BTS1001"),
		("B TS-1001", "BTS1001"),
		("HH-TS 45E", "HHTS45"),
		("hh ts 45e", "HHTS45"),
		("LÖ-AB 12", "LÖAB12"),
		("B-XY 0123", None),
		("ABCDEF 1", None),
		("Volvo FH", None),
		("", None),
	],
)
def test_plate_key(text: str, expected: str | None) -> None:
	assert plate_key(text) == expected


def test_parse_plate_takes_exactly_one_plate() -> None:
	plate = parse_plate(" M-TS 200 ")

	assert plate is not None
	assert plate.text == "M-TS 200"
	assert parse_plate("M-TS 200 und mehr") is None
	assert parse_plate("AUF A 2") is None


# VINs built for these tests: position 9 holds the check digit, or deliberately does not.
VALID_CHECK = "WDB963400RL400037"
INVALID_CHECK = "YV2RTA0A5SA400111"


@pytest.mark.parametrize(
	("text", "expected"),
	[
		(f"FIN {VALID_CHECK} bitte prüfen", [(VALID_CHECK, True)]),
		(f"fin {VALID_CHECK.lower()}", [(VALID_CHECK, True)]),
		(f"FIN: {INVALID_CHECK}.", [(INVALID_CHECK, False)]),
		(f"{VALID_CHECK},{INVALID_CHECK}", [(VALID_CHECK, True), (INVALID_CHECK, False)]),
		(f"{VALID_CHECK} {VALID_CHECK}", [(VALID_CHECK, True)]),
	],
)
def test_vins_found(text: str, expected: list[tuple[str, bool]]) -> None:
	found = find_references(text).vins

	assert [(vin.vin, vin.has_valid_check_digit) for vin in found] == expected


@pytest.mark.parametrize(
	"text",
	[
		"WDB963400RL40003",  # 16 characters
		"WDB963400RL4000377",  # 18 characters
		"WDB963400RL40003I",  # I is not allowed
		"WDB96340ORL400037",  # O is not allowed
		"QDB963400RL400037",  # Q is not allowed
		"12345678901234567",  # digits only
		"Sendungsverfolgun",  # letters only
		"XWDB963400RL400037",
		"1Z999AA10123456784",
	],
)
def test_no_vin_in(text: str) -> None:
	assert find_references(text).vins == ()


@pytest.mark.parametrize(
	("vin", "expected"),
	[(VALID_CHECK, True), (INVALID_CHECK, False), ("WMA06XZZ9RY400259", True), ("SHORT", False)],
)
def test_vin_check_digit(vin: str, expected: bool) -> None:
	assert vin_check_digit_ok(vin) is expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("FZ-0042 springt nicht an", ["FZ-0042"]),
		("FZ 42", ["FZ-0042"]),
		("fz42", ["FZ-0042"]),
		("Fzg 42", ["FZ-0042"]),
		("Fzg. 42", ["FZ-0042"]),
		("Fzg.-Nr. 42", ["FZ-0042"]),
		("Fahrzeugnummer: 7", ["FZ-0007"]),
		("Fahrzeug-Nr. 1017", ["FZ-1017"]),
		("FZ-12345", ["FZ-12345"]),
		("FZ-0042 und Fzg 42", ["FZ-0042"]),
		("Fahrzeug 42", []),
		("PLZ 42", []),
		("FZ-AB 12", []),
		("FZ 1,5 t", []),
		("FZ-0042a", []),
	],
)
def test_fleet_numbers(text: str, expected: list[str]) -> None:
	assert [found.number for found in find_references(text).fleet_numbers] == expected


def test_fleet_prefixes_are_configurable() -> None:
	found = find_references("WB-7 und FZ 3 und Fzg 9", fleet_prefixes=("WB", "FZ"), fleet_number_width=3)

	assert found.fleet_numbers == (
		FleetNumber(number="WB-007", prefix="WB", value=7),
		FleetNumber(number="FZ-003", prefix="FZ", value=3),
		FleetNumber(number="WB-009", prefix="WB", value=9),
	)


def test_no_fleet_prefixes_means_no_fleet_numbers() -> None:
	assert find_references("FZ-0042 Fzg 42", fleet_prefixes=()).fleet_numbers == ()


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("Sendung TS2503110001 fehlt", [("TS2503110001", "techsolutions")]),
		("ts2503110001", [("TS2503110001", "techsolutions")]),
		("TS 2503110001", [("TS2503110001", "techsolutions")]),
		("UPS 1Z999AA10123456784", [("1Z999AA10123456784", "ups")]),
		("1Z 999 AA1 01 2345 6784", [("1Z999AA10123456784", "ups")]),
		("Einschreiben RR123456785DE", [("RR123456785DE", "upu_s10")]),
		("RR 123 456 785 DE", [("RR123456785DE", "upu_s10")]),
		("RR123456784DE", []),  # wrong S10 check digit
		("TS25031100012", []),  # 11 digits
		("TS250311000", []),  # 9 digits
		("B-TS 1001", []),
		("Telefon 030 25031100", []),
		(
			"RR123456785DE vor TS2503110002",
			[("RR123456785DE", "upu_s10"), ("TS2503110002", "techsolutions")],
		),
	],
)
def test_tracking_numbers(text: str, expected: list[tuple[str, str]]) -> None:
	found = find_references(text).tracking_numbers

	assert [(tracking.number, tracking.carrier) for tracking in found] == expected


def test_tracking_patterns_are_configurable() -> None:
	patterns: dict[str, str | re.Pattern[str]] = {
		**DEFAULT_TRACKING_PATTERNS,
		"dpd": r"\bDPD-(?P<number>\d{14})\b",
	}

	found = find_references("DPD-01234567890123 und TS2503110001", tracking_patterns=patterns)

	assert found.tracking_numbers == (
		TrackingNumber(number="01234567890123", carrier="dpd"),
		TrackingNumber(number="TS2503110001", carrier="techsolutions"),
	)


def test_tracking_patterns_replace_the_defaults() -> None:
	found = find_references("TS2503110001 AB-123", tracking_patterns={"own": re.compile(r"AB-\d{3}")})

	assert found.tracking_numbers == (TrackingNumber(number="AB123", carrier="own"),)
	assert find_references("TS2503110001", tracking_patterns={}).tracking_numbers == ()


@pytest.mark.parametrize(
	"options",
	[
		{"tracking_patterns": {"bad": "(unclosed"}},
		{"tracking_patterns": {"": r"\d+"}},
		{"tracking_patterns": {"number": 42}},
		{"fleet_prefixes": "FZ"},
		{"fleet_prefixes": ("FZ", " ")},
		{"fleet_number_width": 0},
		{"fleet_number_width": "4"},
	],
)
def test_invalid_configuration_raises(options: dict[str, object]) -> None:
	with pytest.raises(IdentifierConfigError):
		find_references("FZ 1", **options)  # type: ignore[arg-type]


def test_the_issue_sentence() -> None:
	found = find_references("LKW B-XY 1234 steht auf der A2, Sendung TS2503110001, Fzg 42")

	assert [plate.text for plate in found.plates] == ["B-XY 1234"]
	assert [plate.key for plate in found.plates] == ["BXY1234"]
	assert [number.number for number in found.fleet_numbers] == ["FZ-0042"]
	assert [tracking.number for tracking in found.tracking_numbers] == ["TS2503110001"]
	assert found.vins == ()


@pytest.mark.parametrize(
	"text",
	[
		"FZ" + " " * 50_000 + "x",
		"Fzg." + " " * 30_000 + "-" + " " * 30_000 + "x",
		"B -" + " " * 50_000 + "XY 12",
		"B-XY " * 20_000,
	],
)
def test_long_runs_of_blanks_stay_fast(text: str) -> None:
	started = time.monotonic()

	find_references(text)

	assert time.monotonic() - started < 2


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_text(text: str | None) -> None:
	assert find_references(text).is_empty


_DISTRICTS = st.sampled_from(["B", "M", "HH", "K", "LÖ", "MÜ", "DD", "HB", "SÜW", "OHZ"])
_LETTERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2)
_NUMBERS = st.integers(min_value=1, max_value=9999)
_SEPARATORS = st.sampled_from(["-", " - ", " ", "–"])
_INNER = st.sampled_from(["", " ", "-"])


@given(_DISTRICTS, _LETTERS, _NUMBERS, _SEPARATORS, _INNER, st.sampled_from(["", "E", "H"]))
def test_any_written_form_of_a_plate_is_found(
	district: str, letters: str, number: int, separator: str, inner: str, suffix: str
) -> None:
	if len(district) + len(letters) + len(str(number)) > 8:
		return
	text = f"Problem mit {district}{separator}{letters}{inner}{number}{suffix} heute"

	(plate,) = find_references(text).plates

	assert plate.text == f"{district}-{letters} {number}{suffix}"
	assert plate.key == f"{district}{letters}{number}"
	assert plate_key(plate.text) == plate.key


@given(st.text(max_size=300))
def test_any_text_is_accepted(text: str) -> None:
	found = find_references(text)

	assert all(plate_key(plate.text) == plate.key for plate in found.plates)
	assert all(len(vin.vin) == 17 for vin in found.vins)

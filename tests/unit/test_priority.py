"""Priority of a ticket (core.priority) and the pilot rule set in fixtures/pilot/priority_rules.json.

The pilot tickets are written as German customers and agents write them; each row gives the
priority the pilot must assign and the rule that decides it.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from techsolutions_support.core.priority import decide_priority, load_ruleset
from techsolutions_support.core.rules import (
	CompiledRuleSet,
	FieldSpec,
	MalformedRuleError,
	PriorityMatrix,
	RuleError,
	explain,
	validate_rule,
)

PILOT_RULES = Path(__file__).resolve().parents[2] / "fixtures" / "pilot" / "priority_rules.json"
PRIORITIES = ("Low", "Medium", "High", "Urgent")
TICKET_TYPES = ("Panne", "Lieferverzug", "Schaden", "Rechnung", "Zugang", "Sonstiges")

# The operands the pilot rules read, as the adapter's schema describes them.
PILOT_SCHEMA = {
	"subject": FieldSpec("text"),
	"description": FieldSpec("text"),
	"ticket_type": FieldSpec("link", TICKET_TYPES),
	"tier": FieldSpec("link", ("Premium", "Business", "Standard")),
	"delivery_delay_minutes": FieldSpec("int"),
	"vehicle_state": FieldSpec("select", ("", "unknown", "moving", "stopped", "ignition_off", "fault")),
	"impact": FieldSpec(
		"select",
		("Just this shipment", "Several shipments or one vehicle", "Operations stopped or safety at risk"),
	),
}


@pytest.fixture(scope="module")
def pilot_rules() -> list[dict[str, Any]]:
	return json.loads(PILOT_RULES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pilot(pilot_rules: list[dict[str, Any]]) -> CompiledRuleSet:
	return load_ruleset(json.dumps(pilot_rules))


def test_every_pilot_rule_is_valid_and_described_in_german(pilot_rules):
	assert len(pilot_rules) >= 10
	for data in pilot_rules:
		assert validate_rule(data, PILOT_SCHEMA, PRIORITIES) == [], data["name"]
		assert data["description"].strip() and data["description"] != data["name"]
		assert data["name"].isascii(), "rule names are English"
	descriptions = " ".join(data["description"] for data in pilot_rules)
	for german in ("Grundpriorität", "Rechnungen", "Premium-Kunden", "Stichworte", "dringend"):
		assert german in descriptions


def test_the_pilot_rule_set_compiles_without_broken_rules(pilot):
	assert pilot.broken == ()
	assert len(pilot) == len(pilot.rules) == 14
	assert pilot.read_fields == {
		"ticket_type",
		"tier",
		"subject",
		"description",
		"delivery_delay_minutes",
		"vehicle_state",
		"impact",
	}


SAFETY_PB = "Safety or standstill: Premium and Business"
SAFETY_ST = "Safety or standstill: Standard"
PREMIUM_UP = "Premium: one level up"
PREMIUM_BILL = "Premium billing: Medium"
LONG_DELAY = "Long delivery delay"
BASE_DELAY = "Base priority: Delivery Delay"
VEHICLE = "Vehicle stopped or faulty"


def ticket(tier: str | None, ticket_type: str | None, text: str, **extra: Any) -> dict[str, Any]:
	"""Facts of a pilot ticket; text is "subject | description"."""
	subject, _, description = text.partition(" | ")
	return {"tier": tier, "ticket_type": ticket_type, "subject": subject, "description": description, **extra}


PILOT_TICKETS = [
	# facts, priority, deciding rule
	(
		ticket("Premium", "Panne", "LKW B-TS 4711 auf der A2 liegengeblieben | Fahrer wartet"),
		"Urgent",
		SAFETY_PB,
	),
	(
		ticket("Standard", "Panne", "Reifenpanne bei Tour 5521 | Bitte Pannendienst schicken."),
		"High",
		SAFETY_ST,
	),
	(
		ticket("Business", "Schaden", "Kühlkettenunterbrechung bei SN-88123 | Ware mit 12 °C"),
		"Urgent",
		SAFETY_PB,
	),
	(
		ticket("Premium", "Rechnung", "Rechnung RE-2024-0815 doppelt berechnet | Gutschrift?"),
		"Medium",
		PREMIUM_BILL,
	),
	(
		ticket("Premium", "Rechnung", "Rechnung für die Pannenhilfe vom 12.03. | Zu hoch."),
		"Medium",
		PREMIUM_BILL,
	),
	(ticket("Premium", "Rechnung", "Zweite Mahnung | Wir haben längst bezahlt."), "Medium", PREMIUM_BILL),
	(
		ticket("Standard", "Rechnung", "Mahnung trotz Zahlung | Überwiesen am 3. Mai."),
		"Medium",
		"Billing reminder or penalty",
	),
	(
		ticket("Standard", "Rechnung", "Unfallbericht als Anhang zur Rechnung"),
		"Low",
		"Base priority: Billing",
	),
	(
		ticket("Standard", "Zugang", "Zugang zum Kundenportal gesperrt | Drei Fehlversuche"),
		"Medium",
		"Base priority: Access",
	),
	(
		ticket("Business", "Lieferverzug", "Lieferung 4711 verspätet", delivery_delay_minutes=300),
		"High",
		LONG_DELAY,
	),
	(
		ticket("Business", "Lieferverzug", "Lieferung nach Brandenburg verspätet | Stau auf der A10"),
		"Medium",
		BASE_DELAY,
	),
	(ticket("Business", "Lieferverzug", "Tour 88 hängt fest", vehicle_state="stopped"), "High", VEHICLE),
	(ticket("Standard", "Schaden", "Gefahrgut ausgelaufen an Rampe 3 | Bitte Rückruf"), "High", SAFETY_ST),
	(
		ticket("Premium", "Sonstiges", "Frage zu den Tarifen | Gilt das auch für Österreich?"),
		"Medium",
		PREMIUM_UP,
	),
	(
		ticket("Business", "Panne", "Fahrzeug steht still | Warnleuchte an", vehicle_state="fault"),
		"Urgent",
		SAFETY_PB,
	),
	(
		ticket("Premium", "Lieferverzug", "Fahrer meldet sich | Unfall auf der A9, Fahrer verletzt"),
		"Urgent",
		SAFETY_PB,
	),
	(
		ticket("Standard", "Schaden", "Temperaturprotokoll für SN-1234 | Bitte senden"),
		"Medium",
		"Base priority: Damage",
	),
	(ticket("Business", "Sonstiges", "Unfallfreie Fahrt | Lob an den Fahrer"), "Low", "Base priority: Other"),
	(ticket("Standard", "Panne", "Motor springt nicht an", vehicle_state="stopped"), "High", SAFETY_ST),
	(ticket("Premium", "Zugang", "Passwort zurücksetzen | Ich komme nicht ins Portal."), "High", PREMIUM_UP),
	(ticket("Premium", "Schaden", "Palette eingedrückt | Zwei Kartons beschädigt"), "High", PREMIUM_UP),
	(
		ticket(None, "Schaden", "Brandgeruch im Laderaum | Rauchentwicklung hinter der Wand!"),
		"High",
		SAFETY_ST,
	),
	(ticket(None, "Sonstiges", "Allgemeine Anfrage"), "Low", "Base priority: Other"),
	(ticket("Premium", None, "Hallo | Bitte um Rückruf."), "High", PREMIUM_UP),
]


@pytest.mark.parametrize(
	("facts", "priority", "decided_by"), PILOT_TICKETS, ids=[row[0]["subject"] for row in PILOT_TICKETS]
)
def test_pilot_rule_set_on_german_tickets(pilot, facts, priority, decided_by):
	outcome = decide_priority(facts, pilot, priorities=PRIORITIES, default_priority="Medium")
	assert (outcome.priority, outcome.decided_by) == (priority, decided_by)
	assert outcome.errors == ()


def test_pilot_billing_never_leaves_low_or_medium(pilot):
	texts = [
		"Panne",
		"Unfall mit Verletzten",
		"Kühlkettenunterbrechung",
		"Mahnung",
		"Gefahrgut ausgelaufen",
		"",
	]
	for tier in ("Premium", "Business", "Standard", None):
		for text in texts:
			facts = {"tier": tier, "ticket_type": "Rechnung", "subject": text, "vehicle_state": "fault"}
			outcome = decide_priority(facts, pilot, priorities=PRIORITIES, default_priority="Medium")
			assert outcome.priority in ("Low", "Medium"), (tier, text)


def test_pilot_explains_the_urgent_breakdown(pilot):
	facts = {
		"tier": "Premium",
		"ticket_type": "Panne",
		"subject": "Sattelzug liegengeblieben",
		"description": "Kühlkette in Gefahr.",
	}
	outcome = decide_priority(facts, pilot, priorities=PRIORITIES, default_priority="Medium")
	assert outcome.tags == ("Kühlkette", "Sicherheit/Stillstand")
	assert explain(outcome) == (
		'Priority Urgent: set by rule "Safety or standstill: Premium and Business". It matched because '
		"tier is one of [Premium, Business]; ticket_type is not one of [Rechnung]; subject contains any "
		"[Panne, liegengeblieben, liegen geblieben, steht still, springt nicht an, Motorschaden, +16 more] "
		'(matched "liegengeblieben"). Also matched: Base priority: Breakdown, Cold chain tag. '
		'Rule "Safety or standstill: Premium and Business" stopped evaluation.'
	)


def test_decide_priority_passes_previous_facts_and_fallbacks_through():
	ruleset = load_ruleset(
		[
			{
				"name": "Stopped now",
				"conditions": {
					"match": "all",
					"items": [{"field": "vehicle_state", "operator": "changed_to", "value": "stopped"}],
				},
				"actions": [{"type": "add_score", "value": 30}],
			}
		]
	)
	facts = {"vehicle_state": "stopped"}
	bands = ((0, "Low"), (25, "High"))
	first = decide_priority(facts, ruleset, priorities=PRIORITIES, default_priority=None, score_bands=bands)
	assert (first.priority, first.decided_by) == ("High", "score")
	again = decide_priority(
		facts, ruleset, priorities=PRIORITIES, default_priority=None, score_bands=bands, previous=facts
	)
	assert (again.priority, again.decided_by) == ("Low", "score")


LOAD_CASES = [
	'[{"name": "A", "conditions": {"match": "all", "items": [{"field": "tier", "operator": "is_set"}]}, "actions": []}]',
	b"[]",
	[],
	(),
]


@pytest.mark.parametrize("rules", LOAD_CASES)
def test_load_ruleset_takes_json_text_or_a_list(rules):
	assert isinstance(load_ruleset(rules), CompiledRuleSet)


@pytest.mark.parametrize("rules", ["not json", '{"name": "A"}', '"rules"', "42", {"name": "A"}, 42])
def test_load_ruleset_refuses_what_is_not_a_list_of_rules(rules):
	with pytest.raises(MalformedRuleError) as error:
		load_ruleset(rules)
	assert [problem.code for problem in error.value.problems] == ["malformed"]


def test_one_bad_rule_does_not_stop_the_others():
	ruleset = load_ruleset(
		'[{"name": "Bad", "order": 1, "conditions": []}, '
		'{"name": "Good", "order": 2, "conditions": {"match": "all", "items": '
		'[{"field": "tier", "operator": "equals", "value": "Premium"}]}, '
		'"actions": [{"type": "set_priority", "value": "Urgent"}]}]'
	)
	outcome = decide_priority({"tier": "Premium"}, ruleset, priorities=PRIORITIES, default_priority="Low")
	assert (outcome.priority, outcome.decided_by) == ("Urgent", "Good")
	assert [(error.rule, error.path) for error in outcome.errors] == [("Bad", "conditions")]
	assert isinstance(outcome.errors[0], RuleError)


def test_the_customers_impact_and_urgency_decide_the_base_through_the_matrix(pilot):
	"""Base rules by ticket type stand back when the customer answered; keyword rules still win."""
	cells = json.loads((PILOT_RULES.parent / "priority_matrix.json").read_text(encoding="utf-8"))["cells"]
	matrix = PriorityMatrix(cells={(c["impact"], c["urgency"]): c["priority"] for c in cells})
	answered = {"impact": "Operations stopped or safety at risk", "urgency": "Needed within hours"}

	calm = decide_priority(
		ticket("Standard", "Sonstiges", "Frage zur Abholung", **answered),
		pilot,
		priorities=PRIORITIES,
		default_priority="Low",
		matrix=matrix,
	)
	unanswered = decide_priority(
		ticket("Standard", "Sonstiges", "Frage zur Abholung"),
		pilot,
		priorities=PRIORITIES,
		default_priority="Low",
		matrix=matrix,
	)

	assert (calm.priority, calm.decided_by) == ("Urgent", "matrix")
	assert (unanswered.priority, unanswered.decided_by) == ("Low", "Base priority: Other")

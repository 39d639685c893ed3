"""Throughput of the priority rule engine: 200 rules of up to 10 conditions, German tickets.

A plain script, no assertion on speed (the target is at least 20,000 tickets per second on one
core)::

	.venv/bin/python tests/benchmarks/bench_rules.py [--tickets 20000] [--rules 200] [--passes 3]

The rule set and the tickets are generated from a fixed seed, so runs are comparable. Rules
look like what an admin of a logistics desk writes: a tier, ticket type or channel first, then
German keyword lists on subject and description, delays, vehicle states and nested "any"
groups. Tickets combine German phrases about breakdowns, delays, damage, invoices and access.
"""

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "apps" / "techsolutions_support"))

from techsolutions_support.core.rules import CompiledRuleSet, compile_rules, evaluate, explain

PRIORITIES = ("Low", "Medium", "High", "Urgent")
TIERS = ("Premium", "Business", "Standard")
TICKET_TYPES = ("Breakdown", "Delivery Delay", "Damage", "Billing", "Access", "Other")
CHANNELS = ("portal", "email", "api", "agent")
VEHICLE_STATES = ("moving", "stopped", "ignition_off", "fault", "unknown")

# Keyword lists an admin would type, by topic.
KEYWORDS = {
	"breakdown": ["Panne", "liegengeblieben", "steht still", "springt nicht an", "Motorschaden", "Reifen"],
	"safety": ["Unfall", "verletzt", "Verletzung", "Feuer", "Rauchentwicklung", "Gefahrgut", "auslaufen"],
	"cold": ["Kühlkette", "Kühlkettenunterbrechung", "Temperatur", "Kühlaggregat", "aufgetaut"],
	"delay": ["Verspätung", "verspätet", "Lieferverzug", "Zeitfenster", "Stau", "Sperrung"],
	"damage": ["Schaden", "beschädigt", "Bruch", "nass", "Palette", "eingedrückt"],
	"billing": ["Rechnung", "Gutschrift", "Mahnung", "Zahlung", "Preis", "doppelt berechnet"],
	"access": ["Passwort", "Zugang", "gesperrt", "Anmeldung", "Konto", "Berechtigung"],
	"anger": ["Beschwerde", "Eskalation", "Vertragsstrafe", "inakzeptabel", "Anwalt", "sofort"],
	"vehicle": ["Sattelzug", "Kühlkoffer", "Anhänger", "Tankwagen", "Sprinter", "Zugmaschine"],
	"place": ["Autobahn", "Rastplatz", "Lager", "Rampe", "Baustelle", "Grenze"],
}

SUBJECTS = [
	"LKW {plate} auf der A{road} liegengeblieben",
	"Reifenpanne bei Tour {tour}",
	"Fahrzeug steht still, Fahrer wartet",
	"Lieferung {order} verspätet",
	"Lieferverzug Auftrag {order}",
	"Kühlkettenunterbrechung bei Sendung {order}",
	"Temperaturalarm im Kühlkoffer {plate}",
	"Unfall auf dem Rastplatz, Fahrer leicht verletzt",
	"Paletten beschädigt angekommen",
	"Transportschaden an Sendung {order}",
	"Rechnung {invoice} doppelt berechnet",
	"Frage zur Gutschrift {invoice}",
	"Zugang zum Kundenportal gesperrt",
	"Passwort vergessen",
	"Neue Lieferadresse für Brandenburg",
	"Gefahrgut ausgelaufen an der Rampe",
	"Allgemeine Anfrage zu Tarifen",
]

SENTENCES = [
	"Der Fahrer hat sich um {clock} Uhr gemeldet.",
	"Die Sendung sollte bis {clock} Uhr im Lager in {city} sein.",
	"Der Kunde droht mit einer Vertragsstrafe.",
	"Die Ware ist nass und teilweise eingedrückt.",
	"Das Kühlaggregat zeigt eine Störung an, Temperatur steigt.",
	"Wegen Stau und Sperrung auf der A{road} verzögert sich die Tour.",
	"Bitte prüfen Sie die Rechnung und senden Sie eine Korrektur.",
	"Nach der Anmeldung erscheint eine Fehlermeldung.",
	"Der Motor springt nicht an, der Sattelzug steht auf dem Standstreifen.",
	"Es riecht nach Rauch, die Feuerwehr ist informiert.",
	"Bitte um Rückruf, das ist inakzeptabel.",
	"Vielen Dank für die schnelle Bearbeitung.",
	"Die Palettenzahl auf dem Lieferschein stimmt nicht.",
	"Wir benötigen einen Nachweis der Kühlkette für die Charge {order}.",
	"Die Zugmaschine wurde in die Werkstatt in {city} geschleppt.",
]

BASE_PRIORITIES = ("High", "Medium", "Medium", "Low", "Medium", "Low")

# Key accounts: rules name some of them, tickets come from all of them.
CUSTOMERS = [
	f"{name} {form}"
	for name in (
		"Spedition Nord",
		"Frischelogistik",
		"Baustoffe Weber",
		"Kühltransporte Ost",
		"Elbe Cargo",
		"Rhein Logistik",
		"Alpen Express",
		"Hansa Fracht",
		"Brandenburger Möbel",
		"Sachsen Chemie",
	)
	for form in ("GmbH", "AG", "KG", "GmbH & Co. KG", "SE", "eG")
]

CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig", "Düsseldorf", "Nürnberg", "Bremen"]


def build_rules(count: int, rng: random.Random) -> list[dict[str, Any]]:
	"""A base priority per ticket type, then rules scoped to a type, tier, channel or key
	account, each with at least one specific condition (keywords, vehicle, delay)."""
	rules = [
		{
			"name": f"Base {ticket_type}",
			"order": index,
			"enabled": True,
			"stop": False,
			"description": "Grundpriorität nach Ticketart.",
			"conditions": {
				"match": "all",
				"items": [{"field": "ticket_type", "operator": "equals", "value": ticket_type}],
			},
			"actions": [{"type": "set_priority", "value": priority}],
		}
		for index, (ticket_type, priority) in enumerate(zip(TICKET_TYPES, BASE_PRIORITIES, strict=True))
	]
	rules += [build_rule(index, rng) for index in range(len(rules), count)]
	return rules


def build_rule(index: int, rng: random.Random) -> dict[str, Any]:
	items: list[dict[str, Any]] = [scope_condition(rng)]
	items.append(keyword_condition(rng) if rng.random() < 0.7 else specific_condition(rng))
	size = rng.randint(2, 10)
	while count_conditions(items) < size:
		if size - count_conditions(items) >= 2 and rng.random() < 0.3:
			items.append({"match": "any", "items": [keyword_condition(rng), specific_condition(rng)]})
		else:
			items.append(other_condition(rng) if rng.random() < 0.5 else keyword_condition(rng))
	actions: list[dict[str, Any]] = [action(rng)]
	if rng.random() < 0.3:
		actions.append({"type": "add_tag", "value": rng.choice(list(KEYWORDS))})
	return {
		"name": f"Rule {index:03d}",
		"order": index * 10,
		"enabled": rng.random() > 0.05,
		"stop": rng.random() < 0.03,
		"description": "Erzeugte Regel für den Lasttest.",
		"conditions": {"match": "all", "items": items},
		"actions": actions,
	}


def count_conditions(items: list[dict[str, Any]]) -> int:
	return sum(count_conditions(item["items"]) if "items" in item else 1 for item in items)


def scope_condition(rng: random.Random) -> dict[str, Any]:
	roll = rng.random()
	if roll < 0.25:
		return {"field": "ticket_type", "operator": "equals", "value": rng.choice(TICKET_TYPES)}
	if roll < 0.45:
		return {"field": "tier", "operator": "in", "value": rng.sample(TIERS, rng.randint(1, 2))}
	if roll < 0.55:
		return {"field": "channel", "operator": "equals", "value": rng.choice(CHANNELS)}
	if roll < 0.8:
		return {"field": "customer", "operator": "in", "value": rng.sample(CUSTOMERS, rng.randint(1, 3))}
	return keyword_condition(rng)


def specific_condition(rng: random.Random) -> dict[str, Any]:
	if rng.random() < 0.5:
		return {"field": "vehicle_state", "operator": "in", "value": rng.sample(VEHICLE_STATES[1:4], 2)}
	return {"field": "delivery_delay_minutes", "operator": "gte", "value": rng.choice((60, 120, 240))}


def keyword_condition(rng: random.Random) -> dict[str, Any]:
	topic = rng.sample(list(KEYWORDS), rng.randint(1, 2))
	keywords = [word for name in topic for word in rng.sample(KEYWORDS[name], rng.randint(2, 5))]
	return {"field": rng.choice(("subject", "description")), "operator": "contains_any", "value": keywords}


def other_condition(rng: random.Random) -> dict[str, Any]:
	roll = rng.random()
	if roll < 0.2:
		return {
			"field": "delivery_delay_minutes",
			"operator": rng.choice(("gt", "gte")),
			"value": rng.choice((30, 60, 120, 240)),
		}
	if roll < 0.35:
		return {"field": "vehicle_state", "operator": "in", "value": rng.sample(VEHICLE_STATES, 2)}
	if roll < 0.5:
		return {"field": "tier", "operator": "not_equals", "value": rng.choice(TIERS)}
	if roll < 0.6:
		return {"field": "in_business_hours", "operator": "equals", "value": rng.random() < 0.5}
	if roll < 0.7:
		return {"field": "age_hours", "operator": "lt", "value": rng.choice((1, 4, 24))}
	if roll < 0.8:
		return {"field": "vehicle", "operator": "is_set"}
	if roll < 0.9:
		return {"field": "ticket_type", "operator": "not_in", "value": ["Billing", "Access"]}
	return {"field": "customer", "operator": "is_not_set"}


def action(rng: random.Random) -> dict[str, Any]:
	roll = rng.random()
	if roll < 0.5:
		return {"type": "set_priority", "value": rng.choice(PRIORITIES)}
	if roll < 0.7:
		return {"type": "raise_priority", "value": 1}
	if roll < 0.85:
		return {"type": "add_score", "value": rng.choice((5, 10, 20))}
	return {"type": "set_team", "value": rng.choice(("Flotte", "Disposition", "Buchhaltung"))}


def build_tickets(count: int, rng: random.Random) -> list[dict[str, Any]]:
	return [build_ticket(rng) for _ in range(count)]


def build_ticket(rng: random.Random) -> dict[str, Any]:
	def fill(template: str) -> str:
		return template.format(
			plate=f"B-TS {rng.randint(100, 9999)}",
			road=rng.choice((2, 9, 10, 24, 100, 115)),
			tour=rng.randint(1000, 9999),
			order=f"SN-{rng.randint(100000, 999999)}",
			invoice=f"RE-{rng.randint(2024000, 2024999)}",
			clock=f"{rng.randint(5, 22)}:{rng.choice(('00', '15', '30', '45'))}",
			city=rng.choice(CITIES),
		)

	has_vehicle = rng.random() < 0.6
	return {
		"subject": fill(rng.choice(SUBJECTS)),
		"description": " ".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 5))),
		"ticket_type": rng.choice(TICKET_TYPES),
		"tier": rng.choice(TIERS),
		"channel": rng.choice(CHANNELS),
		"customer": rng.choice(CUSTOMERS) if rng.random() < 0.9 else None,
		"vehicle": f"VIN{rng.randint(10**9, 10**10)}" if has_vehicle else None,
		"vehicle_state": rng.choice(VEHICLE_STATES) if has_vehicle else None,
		"delivery_delay_minutes": rng.choice((None, 0, 15, 45, 90, 180, 300)),
		"age_hours": rng.randint(0, 72),
		"in_business_hours": rng.random() < 0.6,
	}


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--tickets", type=int, default=20_000)
	parser.add_argument("--rules", type=int, default=200)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--passes", type=int, default=3)
	args = parser.parse_args()

	rng = random.Random(args.seed)
	rules = build_rules(args.rules, rng)
	tickets = build_tickets(args.tickets, rng)
	conditions = sum(count_conditions(rule["conditions"]["items"]) for rule in rules)
	keywords = sum(
		len(item.get("value", ()))
		for rule in rules
		for item in walk(rule["conditions"])
		if item.get("operator") == "contains_any"
	)

	started = time.perf_counter()
	ruleset = compile_rules(rules)
	compiled_in = time.perf_counter() - started

	print(f"rules: {len(rules)} ({len(ruleset)} enabled), conditions: {conditions}, keywords: {keywords}")
	print(f"compile: {compiled_in * 1000:.1f} ms")

	# The first pass starts cold: per-value and per-word results are not remembered yet.
	passes = [measure(ruleset, tickets, explained=False) for _ in range(args.passes)]
	matched, errors = passes[0][1:]
	print(
		f"tickets: {len(tickets)}, matched rules per ticket: {matched / len(tickets):.1f}, errors: {errors}"
	)
	report("evaluate, first pass (cold)", len(tickets), passes[0][0])
	report(f"evaluate, best of {args.passes} passes", len(tickets), min(elapsed for elapsed, _, _ in passes))
	explained = min(measure(ruleset, tickets, explained=True)[0] for _ in range(args.passes))
	report(f"evaluate + explain + full trace, best of {args.passes}", len(tickets), explained)


def measure(
	ruleset: CompiledRuleSet, tickets: list[dict[str, Any]], *, explained: bool
) -> tuple[float, int, int]:
	"""Seconds to evaluate every ticket once; with ``explained``, also reading the explanation and
	every matched condition of the trace, as a ticket save does."""
	matched = errors = 0
	started = time.perf_counter()
	for ticket in tickets:
		outcome = evaluate(ruleset, ticket, priorities=PRIORITIES, default_priority="Medium")
		matched += len(outcome.trace)
		errors += len(outcome.errors)
		if explained:
			explain(outcome)
			for entry in outcome.trace:
				entry.matched  # noqa: B018
	return time.perf_counter() - started, matched, errors


def report(label: str, count: int, elapsed: float) -> None:
	print(f"{label}: {count / elapsed:,.0f} tickets per second ({elapsed / count * 1e6:.1f} µs each)")


def walk(group: dict[str, Any]) -> list[dict[str, Any]]:
	found: list[dict[str, Any]] = []
	for item in group["items"]:
		found.extend(walk(item) if "items" in item else [item])
	return found


if __name__ == "__main__":
	main()

"""Who SLA warnings and escalation levels reach, on a small site written out below."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.sla_recipients import (
	Audience,
	Directory,
	TicketPeople,
	escalation_recipients,
	parse_users,
	warning_recipients,
)

# Two teams: Disposition (lead lea), Werkstatt (no lead named). ben is disabled.
SITE = Directory(
	active_users=frozenset(
		{"anna@ts.example", "lea@ts.example", "max@ts.example", "tom@ts.example", "sam@ts.example"}
	),
	team_members=MappingProxyType(
		{
			"Disposition": ("anna@ts.example", "ben@ts.example", "lea@ts.example"),
			"Werkstatt": ("max@ts.example", "tom@ts.example"),
		}
	),
	team_leads=MappingProxyType({"Disposition": "lea@ts.example"}),
	role_users=MappingProxyType({"Agent Manager": ("sam@ts.example", "ben@ts.example")}),
)
ASSIGNED = TicketPeople(assignees=("anna@ts.example",), team="Disposition")
NO_TEAM = TicketPeople(assignees=("max@ts.example",))
NOBODY = TicketPeople(team="Disposition")


@pytest.mark.parametrize(
	("people", "is_team_when_unassigned", "expected"),
	[
		(ASSIGNED, True, ("anna@ts.example",)),
		# Unassigned: the team's active members (ben is disabled).
		(NOBODY, True, ("anna@ts.example", "lea@ts.example")),
		(NOBODY, False, ()),
		(TicketPeople(), True, ()),
		# Only a disabled assignee: counts as unassigned.
		(
			TicketPeople(assignees=("ben@ts.example",), team="Werkstatt"),
			True,
			("max@ts.example", "tom@ts.example"),
		),
	],
)
def test_warning_recipients(
	people: TicketPeople, is_team_when_unassigned: bool, expected: tuple[str, ...]
) -> None:
	assert warning_recipients(people, SITE, is_team_when_unassigned) == expected


@pytest.mark.parametrize(
	("audience", "people", "expected"),
	[
		(Audience(team="lead"), ASSIGNED, ("lea@ts.example",)),
		# No team on the ticket: the lead of the assignee's team; Werkstatt has none, so its members.
		(Audience(team="lead"), NO_TEAM, ("max@ts.example", "tom@ts.example")),
		(Audience(team="members"), ASSIGNED, ("anna@ts.example", "lea@ts.example")),
		(Audience(role="Agent Manager"), ASSIGNED, ("sam@ts.example",)),
		(Audience(role="Unknown Role"), ASSIGNED, ()),
		(Audience(users=("tom@ts.example", "nobody@ts.example")), ASSIGNED, ("tom@ts.example",)),
		(Audience(is_assignees=True), ASSIGNED, ("anna@ts.example",)),
		(
			Audience(is_assignees=True, team="lead", role="Agent Manager", users=("lea@ts.example",)),
			ASSIGNED,
			("anna@ts.example", "lea@ts.example", "sam@ts.example"),
		),
		(Audience(team="lead"), TicketPeople(), ()),
		(Audience(), ASSIGNED, ()),
	],
)
def test_escalation_recipients(audience: Audience, people: TicketPeople, expected: tuple[str, ...]) -> None:
	assert escalation_recipients(audience, people, SITE) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		("lea@ts.example", ("lea@ts.example",)),
		("lea@ts.example, sam@ts.example\nlea@ts.example", ("lea@ts.example", "sam@ts.example")),
		(" ;\n", ()),
		(None, ()),
	],
)
def test_parse_users(text: str | None, expected: tuple[str, ...]) -> None:
	assert parse_users(text) == expected


def test_an_audience_naming_nobody_is_empty() -> None:
	assert Audience().is_empty
	assert not Audience(role="Agent Manager").is_empty


USERS = st.sampled_from(sorted(SITE.active_users | {"ben@ts.example", "", "x@ts.example"}))
AUDIENCES = st.builds(
	Audience,
	is_assignees=st.booleans(),
	team=st.sampled_from(["", "lead", "members"]),
	role=st.sampled_from(["", "Agent Manager", "Other"]),
	users=st.tuples(USERS, USERS),
)
PEOPLE = st.builds(
	TicketPeople,
	assignees=st.tuples(USERS, USERS),
	team=st.sampled_from(["", "Disposition", "Werkstatt", "Gone"]),
)


@given(AUDIENCES, PEOPLE)
def test_recipients_are_active_users_each_once_in_order(audience: Audience, people: TicketPeople) -> None:
	for result in (escalation_recipients(audience, people, SITE), warning_recipients(people, SITE)):
		assert list(result) == sorted(set(result))
		assert set(result) <= SITE.active_users


@given(AUDIENCES, PEOPLE, st.tuples(USERS, USERS))
def test_naming_more_users_never_drops_a_recipient(
	audience: Audience, people: TicketPeople, more: tuple[str, str]
) -> None:
	wider = Audience(audience.is_assignees, audience.team, audience.role, audience.users + more)

	before = set(escalation_recipients(audience, people, SITE))
	after = set(escalation_recipients(wider, people, SITE))

	assert before <= after
	assert after - before <= set(more)


@given(AUDIENCES, PEOPLE)
def test_the_order_of_assignees_does_not_matter(audience: Audience, people: TicketPeople) -> None:
	reversed_people = TicketPeople(tuple(reversed(people.assignees)), people.team)

	assert escalation_recipients(audience, people, SITE) == escalation_recipients(
		audience, reversed_people, SITE
	)

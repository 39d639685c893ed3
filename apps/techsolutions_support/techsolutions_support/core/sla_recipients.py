"""Who an SLA warning or an escalation level reaches, from what the caller read about people.

Contract: pure and framework-free; never reads, never writes, never raises. The caller passes
the ticket's people (assignees, team) and a :class:`Directory` of the site (team members and
leads, users per role, the users that may be notified) and gets user ids back, sorted, each once.

Rules:

- A warning goes to the ticket's assignees. A ticket nobody is assigned to warns the members
  of its team when ``is_team_when_unassigned`` holds, else nobody.
- An escalation level reaches the union of what its :class:`Audience` names: the assignees; the
  team lead or the team members; everyone with a role; named users.
- "The team" is the ticket's team (Helpdesk's agent group); a ticket without one has the teams
  its assignees are members of. A team without a lead counts its members as its lead, so that an
  escalation to the lead never reaches nobody only because no lead was named.
- Only users the directory lists as active are returned (disabled users, unknown names and
  empty entries are dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
	"Audience",
	"Directory",
	"TeamPart",
	"TicketPeople",
	"escalation_recipients",
	"parse_users",
	"warning_recipients",
]

TeamPart = Literal["", "lead", "members"]

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class Audience:
	"""Whom one escalation level reaches: any combination of the four."""

	is_assignees: bool = False
	team: TeamPart = ""
	role: str = ""
	users: tuple[str, ...] = ()

	@property
	def is_empty(self) -> bool:
		return not (self.is_assignees or self.team or self.role or self.users)


@dataclass(frozen=True, slots=True)
class TicketPeople:
	"""The people of one ticket: its assignees (user ids) and its team (empty: none)."""

	assignees: tuple[str, ...] = ()
	team: str = ""


def _empty() -> Mapping[str, tuple[str, ...]]:
	return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Directory:
	"""What the site knows about people, read once per run by the caller."""

	active_users: frozenset[str] = frozenset()
	team_members: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
	team_leads: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
	role_users: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)

	def teams_of(self, people: TicketPeople) -> tuple[str, ...]:
		"""The ticket's team, or else the teams its assignees are members of, by name."""
		if people.team:
			return (people.team,)
		return tuple(
			sorted(
				team
				for team, members in self.team_members.items()
				if any(assignee in members for assignee in people.assignees)
			)
		)

	def leads_of(self, team: str) -> tuple[str, ...]:
		lead = self.team_leads.get(team)
		return (lead,) if lead else self.team_members.get(team, ())


def warning_recipients(
	people: TicketPeople, directory: Directory, is_team_when_unassigned: bool = True
) -> tuple[str, ...]:
	"""Who is warned that a target of the ticket is running out."""
	wanted = _active(people.assignees, directory)
	if wanted or not is_team_when_unassigned:
		return wanted
	return _active(_members(directory.teams_of(people), directory), directory)


def escalation_recipients(audience: Audience, people: TicketPeople, directory: Directory) -> tuple[str, ...]:
	"""Who one escalation level of the ticket reaches."""
	wanted: list[str] = []
	if audience.is_assignees:
		wanted += people.assignees
	teams = directory.teams_of(people)
	if audience.team == "lead":
		for team in teams:
			wanted += directory.leads_of(team)
	elif audience.team == "members":
		wanted += _members(teams, directory)
	if audience.role:
		wanted += directory.role_users.get(audience.role, ())
	wanted += audience.users
	return _active(wanted, directory)


def parse_users(text: str | None) -> tuple[str, ...]:
	"""User ids written one per line, or separated by commas, semicolons or spaces; each once."""
	seen: dict[str, None] = {}
	for part in _SEPARATORS.split(text or ""):
		if part:
			seen.setdefault(part, None)
	return tuple(seen)


def _members(teams: Iterable[str], directory: Directory) -> list[str]:
	return [member for team in teams for member in directory.team_members.get(team, ())]


def _active(users: Iterable[str], directory: Directory) -> tuple[str, ...]:
	return tuple(sorted({user for user in users if user and user in directory.active_users}))

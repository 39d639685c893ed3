"""Catching up with the search index change log (core/index_log.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.index_log import (
	CatchUp,
	decode_change,
	encode_change,
	plan_catch_up,
)

ONE = encode_change(["KB-1"])
TWO = encode_change(["KB-2", "KB-1"])


@pytest.mark.parametrize(
	("loaded", "current", "entries", "expected"),
	[
		(7, 7, [], CatchUp()),
		(7, 8, [(8, ONE)], CatchUp(articles=frozenset({"KB-1"}))),
		# The same article written, committed and rolled back: three versions, one re-read.
		(7, 10, [(8, ONE), (9, ONE), (10, TWO)], CatchUp(articles=frozenset({"KB-1", "KB-2"}))),
		# Entries outside the range are ignored, order does not matter.
		(
			7,
			9,
			[(9, TWO), (3, encode_change()), (8, ONE), (11, encode_change())],
			CatchUp(articles=frozenset({"KB-1", "KB-2"})),
		),
		(7, 8, [(8, encode_change(synonyms=True))], CatchUp(synonyms=True)),
		(7, 9, [(8, ONE), (9, encode_change())], CatchUp(reload_all=True)),
		# A version missing from the log (trimmed), a reset counter, an unknown start.
		(7, 9, [(9, ONE)], CatchUp(reload_all=True)),
		(7, 3, [(3, ONE)], CatchUp(reload_all=True)),
		(None, 3, [(3, ONE)], CatchUp(reload_all=True)),
		# More articles than worth re-reading one by one.
		(0, 1, [(1, encode_change(["A", "B", "C"]))], CatchUp(reload_all=True)),
		(0, 2, [(1, encode_change(["A", "B"])), (2, encode_change(["C"]))], CatchUp(reload_all=True)),
	],
)
def test_plan_catch_up(loaded, current, entries, expected):
	assert plan_catch_up(loaded, current, entries, max_articles=2) == expected


@pytest.mark.parametrize("payload", ["", "{", "[1, 2]", '{"a": 1}', "null"])
def test_an_unreadable_entry_reloads_everything(payload):
	assert decode_change(payload) == CatchUp(reload_all=True)


def test_encoded_articles_are_unique_and_sorted():
	assert encode_change(["KB-2", "KB-1", "KB-2"]) == '["KB-1","KB-2"]'
	assert decode_change(encode_change(["Ä-1"])).articles == {"Ä-1"}


@given(
	st.integers(min_value=0, max_value=50),
	st.lists(st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=3), max_size=8),
)
def test_applying_the_named_articles_covers_every_change(loaded, changes):
	entries = [(loaded + number, encode_change(names)) for number, names in enumerate(changes, start=1)]

	plan = plan_catch_up(loaded, loaded + len(changes), entries, max_articles=10)

	assert not plan.reload_all
	assert plan.articles == {name for names in changes for name in names}
	assert plan.is_nothing == (not plan.articles)

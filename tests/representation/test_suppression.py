"""Small groups are hidden, and so are enough others that totals cannot reveal them."""

import itertools
import random

from katilim.representation.services import GroupCell, suppress


def cells(*people: int) -> list[GroupCell]:
    return [GroupCell(str(i), str(i), people=n, proposals=n // 2) for i, n in enumerate(people)]


def hidden(table: list[GroupCell]) -> dict[str, str]:
    return {c.value: c.hidden for c in table if c.hidden}


def test_nothing_is_hidden_when_every_group_has_10_people():
    table = cells(10, 25, 40)
    suppress(table)
    assert hidden(table) == {}


def test_one_small_group_is_hidden_with_the_smallest_other_group():
    # Alone, the 4 could be recomputed as total (79, known from any other question) − 75.
    table = cells(4, 30, 12, 33)
    suppress(table)
    assert hidden(table) == {"0": "small", "2": "complement"}


def test_two_small_groups_that_together_hold_10_people_need_no_complement():
    table = cells(6, 5, 40)
    suppress(table)
    assert hidden(table) == {"0": "small", "1": "small"}


def test_two_small_groups_under_10_together_get_a_complement():
    table = cells(3, 2, 40, 11)
    suppress(table)
    assert hidden(table) == {"0": "small", "1": "small", "3": "complement"}


def test_empty_groups_are_hidden_but_reveal_nobody_so_need_no_complement():
    table = cells(0, 0, 40, 11)
    suppress(table)
    assert hidden(table) == {"0": "small", "1": "small"}


def test_an_empty_group_does_not_count_as_a_complement():
    table = cells(0, 7, 40, 11)
    suppress(table)
    assert hidden(table) == {"0": "small", "1": "small", "3": "complement"}


def test_everything_is_hidden_when_no_complement_is_big_enough():
    table = cells(3, 4)
    suppress(table)
    assert hidden(table) == {"0": "small", "1": "small"}


def test_no_small_group_can_be_worked_out_from_any_total():
    """For many random tables: every group under 10 is hidden, and the hidden groups together
    (all that subtracting the shown ones from the total can give) hold 0 or at least 10
    people, so no hidden group below 10 is ever pinned down."""
    rng = random.Random(7)
    for _ in range(2000):
        table = cells(
            *(rng.choice([0, 1, 2, 5, 9, 10, 11, 15, 40]) for _ in range(rng.randint(2, 6)))
        )
        suppress(table)
        assert all(c.hidden for c in table if c.people < 10)
        hidden_people = sum(c.people for c in table if c.hidden)
        assert hidden_people == 0 or hidden_people >= 10 or all(c.hidden for c in table)
        # Only as many big groups are hidden as needed: dropping the largest complement
        # would leave the small groups exposed.
        complements = [c for c in table if c.hidden == "complement"]
        if complements:
            largest = max(complements, key=lambda c: c.people)
            assert 0 < hidden_people - largest.people < 10


def test_every_combination_of_small_tables_is_safe():
    for people in itertools.product([0, 3, 9, 10, 12], repeat=3):
        table = cells(*people)
        suppress(table)
        hidden_people = sum(c.people for c in table if c.hidden)
        assert all(c.hidden for c in table if c.people < 10), people
        assert hidden_people == 0 or hidden_people >= 10 or all(c.hidden for c in table), people

"""Training on the other held-out parts (tests/safeguarding/loso_training.py): what goes in, what never does."""

from __future__ import annotations

import pytest

from tests.safeguarding.evaluation import SET, SETS, TENTH, Item, held_out_parts, load_items
from tests.safeguarding.loso_training import LATER, TRAINABLE, TRAINED_LATER, package_data, training_items
from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE, load_examples, same_text
from voice_service.safeguarding.phrasebook import load_phrasebook


def keys(items: list[Item]) -> set[str]:
    return {same_text(i.text) for i in items}


def load_items_of(name: str) -> list[Item]:
    return load_items(SETS[TRAINABLE[name]])


def test_the_part_left_out_is_never_trained_on_even_when_another_set_says_the_same() -> None:
    parts = held_out_parts()
    left_out = parts["tenth (all)"]
    added = [n for n in TRAINABLE if n != "tenth (all)"]
    trained = training_items([], added, left_out)
    assert trained
    assert not keys(trained) & keys(left_out)
    # Why it matters: some earlier phrasings equal tenth ones, so merely skipping the tenth's file is not enough.
    earlier = [i for n in added for i in load_items_of(n)]
    assert keys(earlier) & keys(left_out)


def test_the_ten_part_table_never_trains_on_the_eleventh() -> None:
    # The eleventh is a part the setting rule (loso.py) scores; `table` leaves out only the ten.
    assert "eleventh (all)" in held_out_parts()
    assert "eleventh (all)" not in TRAINABLE
    with pytest.raises(ValueError, match="may not be trained on"):
        training_items([], ["eleventh (all)"], [])


@pytest.mark.parametrize(
    "later",
    [
        *("nineteenth", "twentieth", "twentyseventh", "twentyeighth"),
        *("fiftyseventh", "fiftyeighth", "fiftyninth", "sixtieth"),
        *("sixtyfirst", "sixtysecond", "sixtythird", "sixtyfourth"),
    ],
)
def test_a_later_blind_set_is_never_trained_on(later: str) -> None:
    # Written blind and scored (docs/safeguarding.md): a set that tests the model, in neither training file.
    assert later in LATER
    assert later not in TRAINABLE.values()
    # Nor is it a part the setting rule (tests/safeguarding/loso.py) picks a threshold on.
    assert f"{later} (all)" not in held_out_parts()
    with pytest.raises(ValueError, match="may not be trained on"):
        training_items([], [f"{later} (all)"], [])
    phrasings = keys(load_items(SETS[later]))
    categories = load_phrasebook().categories
    for trained_on in (SETS_FILE, EXAMPLES_FILE):
        assert not phrasings & {same_text(e.text) for e in load_examples(trained_on, categories)}, trained_on


def test_a_phrasing_already_an_example_or_added_is_added_once() -> None:
    tenth = load_items(TENTH)
    example = Item(tenth[0].text.upper(), tenth[0].category, tenth[0].disclosure)
    trained = training_items([example], ["tenth (all)", "tenth (all)"], [])
    assert len(trained) == len(tenth)
    assert trained[0] is example


def test_the_first_sets_both_halves_are_added() -> None:
    trained = training_items([], ["first (held-out half)"], [])
    assert {i.split for i in trained} == {"dev", "held-out"}
    assert len(trained) == len(keys(load_items(SET)))


def test_the_services_sets_file_is_exactly_what_the_command_writes() -> None:
    # Regenerate with `.venv/bin/python -m tests.safeguarding.loso_training --write-package-data`.
    assert SETS_FILE.read_text(encoding="utf-8") == package_data()


def test_the_sets_file_holds_each_trained_sets_phrasings_once_and_no_test_sets() -> None:
    categories = load_phrasebook().categories
    shipped = load_examples(SETS_FILE, categories)
    later = keys([i for name in LATER for i in load_items(SETS[name])])
    ten = keys([i for name in TRAINABLE for i in load_items_of(name)])
    eight = keys([i for name in TRAINED_LATER for i in load_items(SETS[name])])
    assert later
    assert len(keys([Item(e.text, e.category, e.disclosure) for e in shipped])) == len(shipped)
    assert {same_text(e.text) for e in shipped} == (ten | eight) - later

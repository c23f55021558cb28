"""The demo worlds read like a real product team's: experiments named from the shared
vocabulary (`fixtures/vocabulary.yaml`), people on reserved example domains, the same words on
every load of the same seed."""

from __future__ import annotations

import re
from typing import Any, Iterator

import httpx
import pytest
from faker import Faker

from mockexp.testing import Mock, run_mock
from mockexp.worlds.vocabulary import Words, ideas

EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
RESERVED = ("example.com", ".example")  # RFC 2606


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    with run_mock() as running:
        yield running


def experiment_names(mock: Mock) -> dict[str, list[str]]:
    listed = httpx.get(mock.url + "/__mockexp/experiments").json()["vendors"]
    return {found["vendor"]: sorted(e["name"] for state in found["states"] for e in state["experiments"]) for found in listed}


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_every_vendors_experiments_are_named_from_the_shared_vocabulary(mock: Mock) -> None:
    names = {idea.name for idea in ideas()}
    for vendor, listed in experiment_names(mock).items():
        assert listed and set(listed) <= names, (vendor, sorted(set(listed) - names))


def test_the_same_seed_gives_the_same_names_on_every_load(mock: Mock) -> None:
    before = experiment_names(mock)
    mock.runtime.reset()
    assert experiment_names(mock) == before


@pytest.mark.parametrize("vendor", ["absmartly", "giosg", "growthbook", "launchdarkly", "posthog"])
def test_every_email_address_in_the_demo_data_is_on_a_reserved_example_domain(mock: Mock, vendor: str) -> None:
    found = {match.group(0) for text in strings(mock.runtime.store.vendor(vendor).dump()) for match in EMAIL.finditer(text)}
    assert [address for address in found if not address.endswith(RESERVED)] == []


def test_a_hint_picks_the_idea_whose_words_match_it_best() -> None:
    words = Words(Faker())
    assert words.idea("search-ranking-test").name == "Personalised search ranking"
    assert words.idea("free-shipping-banner-test").name == "Free shipping banner"


def test_an_idea_is_picked_once_while_others_are_left() -> None:
    words = Words(Faker())
    picked = [words.idea("checkout").name for _ in range(len(ideas()))]
    assert len(set(picked)) == len(ideas())

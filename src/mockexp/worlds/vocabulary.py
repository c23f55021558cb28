"""The words every vendor's demo world is written in (`fixtures/vocabulary.yaml`): experiment
ideas by domain, metric descriptions and short notes a real product team would write. Faker
picks from them with the world's seed, so a world reads the same on every load."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from faker import Faker

from mockexp.fixtures import scenario

EMAIL_DOMAIN = "example.com"  # reserved for examples (RFC 2606): no real person's address
IGNORED = frozenset({"test", "the", "a", "an", "in", "on", "of", "for", "to", "and", "by", "with", "exp", "experiment"})


@dataclass(frozen=True)
class Idea:
    domain: str
    name: str
    hypothesis: str
    description: str

    def key(self, separator: str = "-") -> str:
        """The idea's name as a key: `Free shipping over $50` -> `free-shipping-over-50`."""
        return separator.join(re.findall(r"[a-z0-9]+", self.name.lower()))

    @property
    def words(self) -> frozenset[str]:
        return _words(self.key()) | {self.domain}


@functools.cache
def _loaded() -> dict[str, Any]:
    return scenario("vocabulary")


@functools.cache
def ideas() -> tuple[Idea, ...]:
    return tuple(Idea(domain, **item) for domain, items in _loaded()["ideas"].items() for item in items)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower())) - IGNORED


class Words:
    """Picks for one demo world: each experiment idea at most once, while unused ones are left."""

    def __init__(self, fake: Faker) -> None:
        self.fake = fake
        self.used: set[Idea] = set()
        self.used_texts: set[str] = set()

    def idea(self, hint: str = "", *, domains: tuple[str, ...] = (), keep: bool = False) -> Idea:
        """The unused idea whose words best match `hint` (a key, a name; any when nothing
        matches), from `domains` if given; `keep` leaves it free for another pick."""
        pool = [idea for idea in ideas() if not domains or idea.domain in domains]
        fresh = [idea for idea in pool if idea not in self.used] or pool
        wanted = _words(hint)
        best = max(len(idea.words & wanted) for idea in fresh)
        chosen = self.fake.random_element([idea for idea in fresh if len(idea.words & wanted) == best])
        if not keep:
            self.used.add(chosen)
        return chosen

    def metric(self, hint: str) -> str:
        """What the metric whose name best matches `hint` measures."""
        wanted = _words(hint)
        metrics = _loaded()["metrics"]
        best = max(len(_words(metric["name"]) & wanted) for metric in metrics)
        return self.fake.random_element([metric for metric in metrics if len(_words(metric["name"]) & wanted) == best])["description"]

    def text(self, kind: str, *, unique: bool = False) -> str:
        """A short text of this kind (`winning_reasons`, `notes`, `companies`, ...); `unique`:
        one this world has not had yet, while any are left."""
        texts = _loaded()["texts"][kind]
        fresh = [text for text in texts if text not in self.used_texts] if unique else texts
        chosen = self.fake.random_element(fresh or texts)
        self.used_texts.add(chosen)
        return chosen

    def person(self) -> tuple[str, str, str]:
        """A plausible first name, last name and email address on the reserved example domain."""
        first, last = self.fake.first_name(), self.fake.last_name()
        return first, last, f"{first}.{last}@{EMAIL_DOMAIN}".lower().replace(" ", "").replace("'", "")

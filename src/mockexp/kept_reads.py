"""A read's answer made once and served again until what it was made from changes.

A model's read operation (a GET bound to a model method) answers from its arguments, the
caller, the vendor's documents in the store and, for some answers, the clock. Its shaped
answer (the page, for a list) is kept under those arguments, with the store's count of the
vendor's writes (`Store.changes`) at the time it was made:

* any write to the vendor's tables (an API call, a reset, a snapshot restored, a world
  loaded, a write undone) moves the count, and the next read makes its answer anew;
* an answer that only compared the time with moments (`Clock.passed`: an expiry, a schedule)
  is kept until the next of those moments comes, or the clock is set (frozen, moved, let run);
* an answer whose making read the time itself (`Clock.now`) is kept only while the clock is
  frozen, until it is set again; with the clock following real time it is made every time;
* a read that writes (the count moves while it is made) is never served again.

Answers are shared between requests: nothing downstream may change them. Each is kept as
`Encoded`, which the app's JSON encoder encodes at its first response and sends as those
bytes after. At most `MOST_KEPT` answers are kept per vendor (a fuzzer's endless variety of
queries must not pile up): past it, every kept answer is let go and keeping starts again.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterator

from mockexp.clock import Clock, Validity, recall, watched
from mockexp.encoding import answer_body, weak_etag
from mockexp.store import Store


@dataclass(frozen=True)
class _Kept:
    answer: Any
    changes: int
    validity: Validity  # how long it holds, as far as the time goes


class KeptReads:
    """The kept answers of one vendor's reads."""

    MOST_KEPT = 256  # answers (pages of up to hundreds of KB each): past it, all are let go

    def __init__(self, store: Store, vendor: str, clock: Clock) -> None:
        self.store, self.vendor, self.clock = store, vendor, clock
        self._kept: dict[Hashable, _Kept] = {}

    def answer(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The answer kept under `key` if it is still what `make()` would give, else `make()`."""
        changes = self.store.changes(self.vendor)
        found = self._kept.get(key)
        if found is not None and found.changes == changes and found.validity.holds(self.clock):
            recall(found.validity)
            _note(self)
            return found.answer
        with watched(self.clock) as readings:
            answer = make()
        validity = readings.validity(self.clock)
        if validity is None:
            return answer  # made from a time that keeps moving
        if len(self._kept) >= self.MOST_KEPT:
            self._kept.clear()
        self._kept[key] = _Kept(answer, changes, validity)
        _note(self)
        return answer

    def note(self) -> None:
        """The request is answered from this vendor's state (by a `repeatable` handler)."""
        _note(self)


class Answered:
    """Which vendor's kept reads answered the request (None: its answer was made to be sent once)."""

    __slots__ = ("by",)

    def __init__(self) -> None:
        self.by: KeptReads | None = None


_ANSWERED: contextvars.ContextVar[Answered | None] = contextvars.ContextVar("mockexp_answered", default=None)


@contextlib.contextmanager
def answered() -> Iterator[Answered]:
    """Notes which kept reads answer the request this task handles inside the block."""
    found = Answered()
    token = _ANSWERED.set(found)
    try:
        yield found
    finally:
        _ANSWERED.reset(token)


def repeatable(handler: Callable) -> Callable:
    """Marks a vendor's GET handler whose answer depends only on the request, the vendor's
    tables and the clock (as a model's read does): a request repeated exactly may be sent its
    response again (`repeats.py`) until one of them changes. Not for a stream."""
    handler.repeatable = True  # type: ignore[attr-defined]
    return handler


def _note(kept: KeptReads) -> None:
    found = _ANSWERED.get()
    if found is not None:
        found.by = kept


class Encoded:
    """An answer kept for many responses: encoded once, at its first response, and those bytes
    sent from then on (with their ETag, where the operation declares one)."""

    __slots__ = ("value", "_body", "_etag")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._body: bytes | None = None
        self._etag: str | None = None

    def body(self) -> bytes:
        if self._body is None:
            self._body = answer_body(self.value)
        return self._body

    def etag(self) -> str:
        if self._etag is None:
            self._etag = weak_etag(self.body())
        return self._etag


def frozen(value: Any) -> Hashable:
    """`value` (a request's arguments: text, numbers, lists, objects) as a key; TypeError
    for what cannot be one."""
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    hash(value)
    return value

"""Clock saving: the clock's state (frozen, or moved ahead) kept in the store, so that a mock
with a data directory starts again where its clock was."""

from __future__ import annotations

from mockexp.clock import Clock
from mockexp.runtime.meta import META
from mockexp.store import Store


def restore_clock(store: Store, clock: Clock) -> None:
    """The clock as it was saved last, if it ever was."""
    saved = store.get(META, "clock")
    if saved is not None:
        clock.restore(saved)


def save_clock(store: Store, clock: Clock) -> None:
    """Keep the clock's state for the next start."""
    store.replace(META, "clock", clock.saved())

"""Changes pushed to open streams: a `Watch` looks at a read model while anyone listens, and
hands what changed to every listener's bounded queue.

A read model here is any function whose answer is the same object until the state it reads
changes (a payload kept per change). The watch asks it on a short interval (and at once when
a listener joins, so a new listener starts from the latest answer); when the answer is a new
object, it works out the change once (`changes(old, new)`: the items to send, such as
server-sent events) and puts them in every listener's queue without waiting. A listener whose
queue is full (a client that stopped reading) is dropped: its `dropped` event is set, and the
stream that serves it ends. Others are never held up by it.

Why a look on an interval rather than a hook in every write: the state also changes by
resets, snapshots and world files, all of which a look sees; and looking at a kept read model
costs a comparison of versions. The interval bounds how late a change reaches a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Callable, Generic, Iterable, TypeVar

T = TypeVar("T")

INTERVAL = 0.1  # seconds between looks while anyone listens
QUEUE_SIZE = 256  # items a listener may have waiting before it is dropped
log = logging.getLogger("mockexp.broadcast")


class Listener:
    """One open stream's queue of items to send."""

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue(size)
        self.dropped = asyncio.Event()

    def offer(self, item: Any) -> bool:
        """Queue an item without waiting; False (and dropped) when the queue is full."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped.set()
            return False
        return True


class Watch(Generic[T]):
    def __init__(self, look: Callable[[], T], changes: Callable[[T, T], Iterable[Any]], *,
                 interval: float = INTERVAL, queue_size: int = QUEUE_SIZE) -> None:
        self.look = look
        self.changes = changes
        self.interval = interval
        self.queue_size = queue_size
        self.listeners: set[Listener] = set()
        self.latest: T | None = None
        self._task: asyncio.Task | None = None

    def listen(self) -> tuple[Listener, T]:
        """A new listener, and the answer it starts from (changes after it reach its queue)."""
        latest = self.check()
        listener = Listener(self.queue_size)
        self.listeners.add(listener)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return listener, latest

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self._task is not None:
            self._task.cancel()
            self._task = None

    def check(self) -> T:
        """Look now; hand any change to the listeners. The latest answer."""
        current = self.look()
        previous, self.latest = self.latest, current
        if previous is not None and current is not previous:
            items = list(self.changes(previous, current))
            for listener in list(self.listeners):
                for item in items:
                    if not listener.offer(item):
                        self.listeners.discard(listener)
                        break
        return current

    async def _run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while self.listeners:
                await asyncio.sleep(self.interval)
                try:
                    self.check()
                except Exception:  # a bug in a read model: logged, and the streams keep their last state
                    log.exception("could not look for changes to push to open streams")

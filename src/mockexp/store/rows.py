"""What `Store.view` returns: stored documents in a read-only list, with the sort key of each
when they come from a kept order."""

from __future__ import annotations

import copy
import types
from typing import Any, Callable, Mapping


class Rows(list):
    """Stored documents as `view` returns them: a list that refuses changes (copy it, with
    `list(rows)`, to change it). A sorted table's rows are the store's kept order itself, handed
    out without a copy: a write that finds them still held elsewhere moves the kept order to a
    new list first, so rows once handed out never change. When they come sorted by a key
    function, `keys_for(that function)` gives the sort key of each, already worked out."""

    def __init__(self, docs: Any = (), identity: Any = None, keys: list | None = None) -> None:
        list.__init__(self, docs)
        self._identity, self._keys = identity, keys

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("rows from Store.view are read-only: change a copy (list(rows))")

    append = extend = insert = sort = reverse = pop = remove = clear = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo: dict) -> list:
        return copy.deepcopy(list(self), memo)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (list, (list(self),))

    def keys_for(self, key: Callable[[Any], Any] | None) -> list | None:
        identity = key_identity(key) if key is not None else None
        return self._keys if identity is not None and identity == self._identity else None

    def filtered(self, wanted: Callable[[Mapping[str, Any]], bool]) -> "Rows":
        if self._keys is None:
            return Rows(doc for doc in self if wanted(doc))
        kept = [(doc, key) for doc, key in zip(self, self._keys) if wanted(doc)]
        return Rows((doc for doc, _ in kept), self._identity, [key for _, key in kept])


def key_identity(key: Callable[[Any], Any]) -> Any:
    """What makes a sort key function the same from one call to the next: its code, for a plain
    function without closure or defaults (a module's function, or a lambda that reads only the
    document); None for any other (its order is not kept)."""
    if type(key) is not types.FunctionType or key.__closure__ or key.__defaults__ or key.__kwdefaults__:
        return None
    return key.__code__

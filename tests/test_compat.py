"""Each private name of a library mockexp relies on (listed in `mockexp.compat`) is still
there, in the shape mockexp uses: an upgrade that changes one fails here by name."""

from __future__ import annotations

import importlib
import inspect
import re
from importlib.metadata import version

import pytest

from mockexp.compat import INTERNALS, Internal


def _resolve(entry: Internal):
    module_name, _, qualified = entry.name.partition(":")
    found = importlib.import_module(module_name)
    owner = None
    for part in qualified.split("."):
        owner, found = found, getattr(found, part)
    return owner, found


def _sets_on_instances(cls: type, attribute: str) -> bool:
    pattern = re.compile(rf"\bself\.{re.escape(attribute)}\b\s*(:[^=]*)?=(?!=)")
    for klass in cls.__mro__:
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return True
    return False


def _problem(entry: Internal) -> str | None:
    module_name, _, qualified = entry.name.partition(":")
    if entry.kind == "instance":
        owner_name, _, attribute = qualified.rpartition(".")
        cls = _resolve(Internal(entry.library, f"{module_name}:{owner_name}", entry.used_by, entry.checked))[1]
        return None if _sets_on_instances(cls, attribute) else f"{owner_name} no longer sets self.{attribute}"
    try:
        owner, found = _resolve(entry)
    except (ImportError, AttributeError) as error:
        return f"not found ({error})"
    if entry.parameters:
        target = found.fget if isinstance(found, property) else found
        target = inspect.unwrap(target.__init__ if inspect.isclass(target) else target)
        names = tuple(inspect.signature(target).parameters)
        if target is not found and names[:1] != entry.parameters[:1] and entry.parameters[0] == "self":
            names = ("self", *names)
        if names[: len(entry.parameters)] != entry.parameters:
            return f"takes {names}, mockexp relies on {entry.parameters}"
    return None


@pytest.mark.parametrize("entry", INTERNALS, ids=[entry.name for entry in INTERNALS])
def test_every_library_internal_mockexp_relies_on_is_still_there(entry: Internal) -> None:
    problem = _problem(entry)
    assert problem is None, (f"{entry.library} {version(entry.library)} (mockexp was checked on {entry.checked}): "
                             f"{entry.name}, which {entry.used_by} relies on, changed: {problem}")


def test_a_changed_internal_is_reported_with_the_library_its_version_and_the_name() -> None:
    renamed = Internal("tinydb", "tinydb.table:Table._update_table_renamed", "store", "4.9.0", parameters=("self",))
    with pytest.raises(AssertionError, match=r"tinydb 4\.\d+\.\d+ \(mockexp was checked on 4\.9\.0\): tinydb\.table:Table\._update_table_renamed.*not found"):
        test_every_library_internal_mockexp_relies_on_is_still_there(renamed)
    reshaped = Internal("tinydb", "tinydb.table:Table._update_table", "store", "4.9.0", parameters=("self", "changes"))
    assert "mockexp relies on ('self', 'changes')" in _problem(reshaped)
    unset = Internal("tinydb", "tinydb.table:Table._no_such_attribute", "store", "4.9.0", kind="instance")
    assert _problem(unset) == "Table no longer sets self._no_such_attribute"

"""Snapshots of the whole state: saved under a name (in the data directory, so a demo can be
prepared once and put back before every show; in memory for an in-memory mock), listed,
restored, deleted."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from mockexp.errors import Invalid, NotFound
from mockexp.store import Store

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FOLDER = "snapshots"


class Snapshots:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._memory: dict[str, dict] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path | None:
        return self.store.directory / FOLDER if self.store.directory is not None else None

    def save(self, name: str, created_at: str) -> dict:
        _check(name)
        with self.store.transaction():
            tables = {table: dict(self.store.items(table)) for table in self.store.tables()}
        snapshot = {"name": name, "created_at": created_at, "tables": tables}
        with self._lock:
            if self.folder is None:
                self._memory[name] = json.loads(json.dumps(snapshot))
            else:
                self.folder.mkdir(exist_ok=True)
                temporary = self.folder / f".{name}.json.tmp"
                temporary.write_text(json.dumps(snapshot), encoding="utf-8")
                os.replace(temporary, self.folder / f"{name}.json")
        return _summary(snapshot)

    def listed(self) -> list[dict]:
        with self._lock:
            if self.folder is None:
                found = list(self._memory.values())
            else:
                found = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(self.folder.glob("*.json"))] if self.folder.is_dir() else []
        return sorted((_summary(snapshot) for snapshot in found), key=lambda s: s["name"])

    def restore(self, name: str) -> dict:
        snapshot = self._read(name)
        with self.store.transaction():
            for table in self.store.tables():
                self.store.drop(table)
            for table, documents in snapshot["tables"].items():
                for key, document in documents.items():
                    self.store.insert(table, key, document)
        return _summary(snapshot)

    def delete(self, name: str) -> None:
        self._read(name)
        with self._lock:
            if self.folder is None:
                del self._memory[name]
            else:
                (self.folder / f"{name}.json").unlink()

    def _read(self, name: str) -> dict:
        _check(name)
        with self._lock:
            if self.folder is None:
                found: Any = self._memory.get(name)
            else:
                path = self.folder / f"{name}.json"
                found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        if found is None:
            raise NotFound(f"There is no snapshot named {name!r}.")
        return found


def _check(name: str) -> None:
    if not NAME.match(name):
        raise Invalid.field("name", "A snapshot's name is 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit.")


def _summary(snapshot: dict) -> dict:
    vendors = sorted({table.split(".", 1)[0] for table in snapshot["tables"] if "." in table})
    return {"name": snapshot["name"], "created_at": snapshot["created_at"], "vendors": vendors,
            "objects": sum(len(documents) for documents in snapshot["tables"].values())}

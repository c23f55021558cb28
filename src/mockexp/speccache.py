"""Resolved specs kept on disk between runs: resolving and validating a spec with prance takes
most of a start-up, and gives the same document for the same files. An entry is named by a
digest of the spec file, every file of its folder of parts, and the versions of mockexp and
the resolver, so an edited spec or an upgrade never reads a stale one. The cache lives in
`$MOCKEXP_CACHE_DIR`, else `$XDG_CACHE_HOME/mockexp`, else `~/.cache/mockexp`; a cache that
cannot be read or written is simply not used."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

VERSIONS = tuple(f"{name}={metadata.version(name)}" for name in ("mockexp", "prance", "openapi-spec-validator"))


def directory() -> Path:
    if os.environ.get("MOCKEXP_CACHE_DIR"):
        return Path(os.environ["MOCKEXP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mockexp" / "specs"


CHECKS = [Path(__file__).with_name(name) for name in ("specs.py", "paging.py")] + [Path(__file__).parent / "control" / "ratelimits.py"]


def digest(path: Path) -> str:
    """What a resolved spec depends on: its file, its parts' files, the tools' versions and
    the code that checks mockexp's own declarations in it."""
    hashed = hashlib.sha256("\n".join(VERSIONS).encode())
    for code in CHECKS:
        hashed.update(code.read_bytes())
    parts = path.parent / path.stem
    for file in [path, *(sorted(parts.rglob("*")) if parts.is_dir() else [])]:
        if file.is_file():
            hashed.update(str(file.relative_to(path.parent)).encode() + b"\0" + file.read_bytes() + b"\0")
    return hashed.hexdigest()


def get(key: str) -> Any | None:
    try:
        return json.loads((directory() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def put(key: str, document: Any) -> None:
    """Keep a document that JSON holds exactly (one with, say, a YAML date in it is not kept)."""
    try:
        if json.loads(json.dumps(document)) != document:
            return
    except (TypeError, ValueError):
        return
    try:
        target = directory()
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target, suffix=".tmp", delete=False) as handle:
            json.dump(document, handle)
        os.replace(handle.name, target / f"{key}.json")
    except OSError:
        pass

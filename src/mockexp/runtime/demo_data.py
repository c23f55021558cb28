"""Demo data: each vendor's generated demo world, and a user's own world file (its requests
replayed through the mock's API, handed in as an ASGI app), loaded at start-up for the
vendors the store has never held (or held from another source), and again on a reset."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from starlette.types import ASGIApp

from mockexp.errors import Invalid
from mockexp.runtime.apis import ServedApis
from mockexp.runtime.meta import META
from mockexp.store import Store
from mockexp.vendor import Vendor
from mockexp.worlds.files import WorldFile
from mockexp.worlds.replay import Replay

Api = Callable[[], ASGIApp]  # the API below the control plane, asked for only when a world file is replayed


class DemoData:
    """`worlds`: a user's own demo data (world files) for some vendors, loaded on top of the
    generated demo world (`merge`) or in place of the objects its API makes. Each world file is
    checked against the vendor's specs and credentials here (`WorldFileError` otherwise)."""

    def __init__(self, store: Store, apis: ServedApis, models: Mapping[str, Any], worlds: Mapping[str, WorldFile] | None, merge: bool) -> None:
        self.store = store
        self.apis = apis
        self.vendors: Mapping[str, Vendor] = apis.vendors
        self.models = models
        self.worlds = dict(worlds or {})
        self.merge = merge
        for world in self.worlds.values():
            self._replay(world).check()

    def seed(self, api: Api) -> list[str]:
        """Load the demo data of every vendor this store has never held, or held from another
        source (a world file that changed, or none where there is one now)."""
        seeded, sources = self._seeded(), self._sources()
        fresh = [name for name in self.vendors if name not in seeded or sources.get(name) != self._source(name)]
        if fresh:
            self._load(fresh, sorted(set(seeded) | set(fresh)), api)
        return fresh

    def reset(self, names: Iterable[str] | None, api: Api) -> list[str]:
        """These vendors (default: every one) back to their demo data; the others untouched."""
        names = list(self.vendors) if names is None else list(dict.fromkeys(names))
        self.check_vendors(names)
        self._load(names, sorted(set(self._seeded()) | set(names)), api)
        return names

    def check_vendors(self, names: Iterable[str] | None) -> None:
        unknown = [name for name in names or () if name not in self.vendors]
        if unknown:
            raise Invalid.field("vendors", f"Unknown vendor {', '.join(unknown)}; this mock serves {', '.join(self.vendors)}.")

    def _seeded(self) -> list[str]:
        return (self.store.get(META, "seeded") or {"vendors": []})["vendors"]

    def _sources(self) -> dict[str, str]:
        return (self.store.get(META, "seeded") or {}).get("sources", {})

    def _source(self, name: str) -> str | None:
        """Where a vendor's demo data comes from: None for the generated world, else the world
        file's digest and mode."""
        world = self.worlds.get(name)
        return None if world is None else f"{world.digest}:{'merge' if self.merge else 'replace'}"

    def _load(self, names: list[str], seeded: list[str], api: Api) -> None:
        """The generated demo world of each vendor, then its world file's requests (if any):
        those run through the API, outside this transaction; if one is refused, the vendor's
        data is put back as it was and the error raised."""
        before = {name: self.store.vendor(name).dump() for name in names if name in self.worlds}
        with self.store.transaction():
            for name in names:
                self.store.vendor(name).drop_all()
                self.vendors[name].load_fixtures(self.models[name])
                if name in self.worlds and not self.merge:
                    self.store.vendor(name).drop_everywhere(self.vendors[name].api_made)
        try:
            for name in before:
                self._replay(self.worlds[name]).run(api())
        except BaseException:
            with self.store.transaction():
                for name, tables in before.items():
                    self.store.vendor(name).restore(tables)
            raise
        sources = {**self._sources(), **{name: self._source(name) for name in names}}
        self.store.replace(META, "seeded", {"vendors": seeded, "sources": {name: source for name, source in sources.items() if source}})

    def _replay(self, world: WorldFile) -> Replay:
        return Replay(world, self.apis.of(world.vendor), self.models[world.vendor].credentials())

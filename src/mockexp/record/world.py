"""The fixture world a recording makes: the successful writes the proxy saw, in order, as the
API calls `mockexp serve --fixtures DIR` replays (`DIR/<vendor>.yaml`):

    vendor: giosg
    requests:
      - operationId: createExperiment
        as: createExperiment-1
        body: {name: ..., is_draft: true}
      - operationId: updateExperiment
        path: {experiment_id: "${createExperiment-1.id}"}
        body: {...}

Ids the server assigned are replaced by `${name.field}` references to the call whose answer
held them first; the tenant's path parameters (organization, project, environment) are left
out, for the credential the world is loaded with to fill in; credentials are never written
(the mock's own writing credential makes the calls), and personal data is replaced by Faker
values. A write on an object the recording did not see created cannot be replayed, and is
left out (and counted)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from mockexp.proxy.check import Exchange, decoded, operation_of, path_values, spec_for
from mockexp.record.anonymise import Anonymiser
from mockexp.specs import Spec

WRITES = ("POST", "PUT", "PATCH", "DELETE")
ID_FIELDS = ("id", "_id", "key")
MIN_LOOSE_ID = 6  # a string this long equal to an assigned id is taken for it anywhere in a body


class Recorder:
    def __init__(self, vendor: str, specs: Iterable[Spec], tenant: Iterable[str]) -> None:
        self.vendor, self.specs, self.tenant = vendor, list(specs), set(tenant)
        self.calls: list[dict] = []
        self.skipped: list[str] = []
        self.references: dict[str, str] = {}  # an assigned id (as text) -> "${name.field}"
        self.anonymiser = Anonymiser()

    def observe(self, exchange: Exchange) -> None:
        """Keep the exchange if it is a successful write (the proxy calls this for each)."""
        spec = spec_for(self.specs, exchange.path)
        operation = operation_of(spec, exchange)
        if operation is None or exchange.method not in WRITES or not 200 <= exchange.status < 300:
            return
        path = {name: value for name, value in path_values(spec, operation, exchange.path).items() if name not in self.tenant}
        unknown = [name for name, value in path.items() if value not in self.references]
        if unknown or exchange.body is None:
            why = f"{', '.join(unknown)} names an object not created while recording" if unknown else "its body was over the limit"
            self.skipped.append(f"{operation.operation_id} {exchange.path}: {why}")
            return
        call: dict[str, Any] = {"operationId": operation.operation_id}
        name = f"{operation.operation_id}-{len(self.calls) + 1}"
        fresh = [(field, value) for field, value in _ids(_parsed(decoded(exchange))) if str(value) not in self.references]
        if fresh:
            call["as"] = name
        if path:
            call["path"] = {key: self.references[value] for key, value in path.items()}
        query = {key: values[-1] for key, values in exchange.query.items()}
        if query:
            call["query"] = self._referenced(self.anonymiser.value(query))
        body = _parsed(exchange.body)
        if body is not None:
            call["body"] = self._referenced(self.anonymiser.value(body))
        for field, value in fresh:
            self.references.setdefault(str(value), "${" + f"{name}.{field}" + "}")
        self.calls.append(call)

    def world(self) -> dict:
        return {"vendor": self.vendor, "requests": self.calls}

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{self.vendor}.yaml"
        target.write_text(yaml.safe_dump(self.world(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        return target

    def _referenced(self, value: Any, field: str = "") -> Any:
        """`value` with each assigned id replaced by its reference (a number only in a field
        named as an id, a short string only there too, so a 1 or a "blue" is left alone)."""
        if isinstance(value, dict):
            return {key: self._referenced(item, str(key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self._referenced(item, field) for item in value]
        named_id = bool(re.search(r"(^|_)ids?$|Ids?$|^key$", field))
        loose = isinstance(value, str) and len(value) >= MIN_LOOSE_ID
        if (named_id or loose) and isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) in self.references:
            return self.references[str(value)]
        return value


def _ids(answer: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted field, value) of every id or key in an answer, at any depth (not under links)."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            field = f"{prefix}{key}"
            if key in ID_FIELDS and isinstance(value, (str, int)) and not isinstance(value, bool):
                yield field, value
            elif key not in ("_links", "links"):
                yield from _ids(value, field + ".")
    elif isinstance(answer, list):
        for index, item in enumerate(answer):
            yield from _ids(item, f"{prefix}{index}.")


def _parsed(raw: bytes | None) -> Any:
    if not raw or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None

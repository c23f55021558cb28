"""The fixture world a recording makes: the objects the proxy saw, in order, as the API calls
`mockexp serve --fixtures DIR` replays (`DIR/<vendor>.yaml`): an object a read or a list
answered, that no call makes yet, as the create that makes it (see `seen.py`), and the
successful writes as they were sent:

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
values. A write on an object the recording neither saw created nor read cannot be replayed,
and is left out (and counted); so is a call a fresh mock refuses (an object that names one
only the real account has), with the calls that refer to it (`loadable`)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.proxy.check import Exchange, decoded, operation_of, path_values, spec_for
from mockexp.record.anonymise import Anonymiser
from mockexp.record.seen import Creates
from mockexp.specs import Operation, Spec
from mockexp.store import Store
from mockexp.vendor import Vendor
from mockexp.worlds.files import WorldFileError, read_directory

WRITES = ("POST", "PUT", "PATCH", "DELETE")
ID_FIELDS = ("id", "_id", "key")
MIN_LOOSE_ID = 6  # a string this long equal to an assigned id is taken for it anywhere in a body


class Recorder:
    def __init__(self, vendor: str, specs: Iterable[Spec], tenant: Iterable[str]) -> None:
        self.vendor, self.specs, self.tenant = vendor, list(specs), set(tenant)
        self.creates = Creates(self.specs)
        self.calls: list[dict] = []
        self.skipped: list[str] = []
        self.references: dict[str, str] = {}  # an assigned id (as text) -> "${name.field}"
        self.anonymiser = Anonymiser()

    def observe(self, exchange: Exchange) -> None:
        """Keep the exchange if it is a successful write, or the creates of the objects a
        successful read shows (the proxy calls this for each)."""
        spec = spec_for(self.specs, exchange.path)
        operation = operation_of(spec, exchange)
        if operation is None or not 200 <= exchange.status < 300:
            return
        if exchange.method == "GET":
            self._seen(spec, operation, exchange)
            return
        if exchange.method not in WRITES:
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

    def _seen(self, spec: Spec, read: Operation, exchange: Exchange) -> None:
        """Each object the read shows that no call of the world makes yet becomes a create."""
        for made, found, body in self.creates.objects(read, _parsed(decoded(exchange))):
            create = made.create
            ids = [(field, value) for field, value in found.items() if field in ID_FIELDS and isinstance(value, (str, int)) and not isinstance(value, bool)]
            if not ids or any(str(value) in self.references for _, value in ids):
                continue
            known = path_values(spec, read, exchange.path)
            path = {parameter["name"]: known.get(parameter["name"]) for parameter in create.parameters_in("path") if parameter["name"] not in self.tenant}
            if None in path.values():
                continue
            name = f"{create.operation_id}-{len(self.calls) + 1}"
            call: dict[str, Any] = {"operationId": create.operation_id, "as": name}
            if path:
                call["path"] = {key: self.references.get(str(value), value) for key, value in path.items()}
            call["body"] = self._referenced(self.anonymiser.value(body))
            for field, value in ids:
                self.references[str(value)] = "${" + f"{name}.{made.answer_prefix}{field}" + "}"
            self.calls.append(call)

    def world(self) -> dict:
        return {"vendor": self.vendor, "requests": self.calls}

    def loadable(self, vendor: Vendor) -> None:
        """Leave out the calls a fresh mock refuses (an object naming one that only the real
        account has, say), and every call after them that refers to their answers, each with
        the mock's reason, until the world loads."""
        with tempfile.TemporaryDirectory() as scratch:
            while self.calls:
                (Path(scratch) / f"{self.vendor}.yaml").write_text(yaml.safe_dump(self.world()), encoding="utf-8")
                try:
                    Runtime(Store(), Clock(), [vendor], worlds=read_directory(Path(scratch), [self.vendor])).seed()
                    return
                except WorldFileError as error:
                    if error.index is None:
                        raise
                    self._drop(error.index, error.rule)

    def _drop(self, index: int, reason: str) -> None:
        dropped = self.calls.pop(index)
        self.skipped.append(f"{dropped['operationId']} (recorded call {index + 1}): a fresh mock refuses it: {reason}")
        name = dropped.get("as")
        if name:
            dependent = next((i for i, call in enumerate(self.calls) if "${" + name + "." in json.dumps(call)), None)
            if dependent is not None and dependent >= index:
                self._drop(dependent, f"it refers to {name}, left out")

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

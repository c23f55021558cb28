"""Loading a world file: its requests made one by one through the mock's own API (below the
control plane, so they are not journalled, delayed, faulted or rate-limited), with the
credential each names and `${name.field}` references to earlier answers filled in. The first
request the API refuses stops the load, naming the file, the request and the API's reason."""

from __future__ import annotations

import json
import re
from typing import Any, Mapping
from urllib.parse import quote

from mockexp import ids
from mockexp.specs import Operation, Spec
from mockexp.vendor import Credential
from mockexp.worlds.files import Request, WorldFile, WorldFileError

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+)*)\}")


class Replay:
    """One world file's requests, made against `app` (an ASGI app serving `specs`)."""

    def __init__(self, world: WorldFile, specs: list[Spec], credentials: list[Credential]) -> None:
        self.world = world
        self.operations = {operation.operation_id: (spec, operation) for spec in specs for operation in spec.operations}
        self.credentials = credentials
        self.answers: dict[str, Any] = {}

    def check(self) -> None:
        """What can be told before any call: every operation is the vendor's."""
        for request in self.world.requests:
            self._operation(request)

    def run(self, app: Any) -> None:
        from starlette.testclient import TestClient  # only when a world file is loaded: it takes a while to import

        self.check()
        for request in self.world.requests:
            self._credential(request)
        with ids.repeatable(self.world.digest), TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
            for request in self.world.requests:
                self._send(client, request)

    def _send(self, client: Any, request: Request) -> None:
        spec, operation = self._operation(request)
        credential = self._credential(request)
        url = spec.base_path + self._path(request, operation, credential)
        content = None if not request.has_body else json.dumps(self._resolve(request, request.body))
        headers = {credential.header: credential.value, "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        answer = client.request(operation.method.upper(), url, params=self._resolve(request, dict(request.query)), content=content, headers=headers)
        if not 200 <= answer.status_code < 300:
            raise self._error(request, f"the API refused it: {answer.status_code} {' '.join(answer.text.split())[:500]}")
        if request.name:
            self.answers[request.name] = answer.json() if answer.content else None

    def _operation(self, request: Request) -> tuple[Spec, Operation]:
        found = self.operations.get(request.operation_id)
        if found is None:
            raise self._error(request, f"{self.world.vendor} has no operation {request.operation_id!r} (see its spec: mockexp specs)")
        return found

    def _credential(self, request: Request) -> Credential:
        wanted = request.credential or self.world.credential
        if wanted is None:
            writers = [credential for credential in self.credentials if credential.can_write]
            if not writers:
                raise self._error(request, f"{self.world.vendor} has no credential that may write: name one with `credential`")
            return writers[0]
        for credential in self.credentials:
            if wanted in (credential.value, credential.value.split(" ", 1)[-1]):
                return credential
        known = ", ".join(credential.value.split(" ", 1)[-1] for credential in self.credentials)
        raise self._error(request, f"credential {wanted!r} is not one of {self.world.vendor}'s ({known})")

    def _path(self, request: Request, operation: Operation, credential: Credential) -> str:
        given = {**credential.tenant, **self._resolve(request, dict(request.path))}
        names = [parameter["name"] for parameter in operation.parameters_in("path")]
        unknown = sorted(set(request.path) - set(names))
        if unknown:
            raise self._error(request, f"{operation.operation_id} has no path parameter {', '.join(unknown)} (it has {', '.join(names) or 'none'})")
        missing = [name for name in names if name not in given]
        if missing:
            raise self._error(request, f"path parameter {', '.join(missing)} is missing (give it under `path`)")
        return re.sub(r"\{([^}]+)\}", lambda match: quote(str(given[match.group(1)]), safe=""), operation.path)

    def _resolve(self, request: Request, value: Any) -> Any:
        """`value` with every `${name.field...}` replaced by what the earlier answer named
        `name` holds there (a string that is one reference keeps the value's type)."""
        if isinstance(value, dict):
            return {key: self._resolve(request, item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._resolve(request, item) for item in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = REFERENCE.fullmatch(value)
        if whole:
            return self._lookup(request, whole)
        return REFERENCE.sub(lambda match: str(self._lookup(request, match)), value)

    def _lookup(self, request: Request, match: re.Match) -> Any:
        name, fields = match.group(1), [part for part in match.group(2).split(".") if part]
        if name not in self.answers:
            raise self._error(request, f"{match.group(0)} names no earlier request (give one `as: {name}`)")
        value = self.answers[name]
        for depth, part in enumerate(fields):
            value = _step(value, part)
            if value is _MISSING:
                raise self._error(request, f"{match.group(0)}: the answer to `{name}` has no {'.'.join(fields[:depth + 1])}")
        return value

    def _error(self, request: Request, rule: str) -> WorldFileError:
        return WorldFileError(self.world.path, rule, request.label, request.index)


_MISSING = object()


def _step(value: Any, part: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(part, _MISSING)
    if isinstance(value, list) and part.isdigit() and int(part) < len(value):
        return value[int(part)]
    return _MISSING


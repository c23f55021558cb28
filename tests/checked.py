"""The public documents of tests/specs/ and a client on a generic mock of one of them whose
every answer is checked against the document (shared by the generic mock's test modules)."""

from __future__ import annotations

from pathlib import Path

import httpx
import schemathesis

SPECS = Path(__file__).parent / "specs"


class Checked:
    """An httpx client on one API whose every answer must validate against its document."""

    def __init__(self, mock, api: str) -> None:
        self.mock = mock
        self.api = api
        spec = mock.runtime.specs[api]
        self.schema = schemathesis.openapi.from_dict(spec.fresh_document())
        self.spec = spec
        headers = {}
        for credential in mock.runtime.credentials():
            if credential.vendor == api:
                headers[credential.header] = credential.value
        self.client = httpx.Client(base_url=mock.base_url(api), headers=headers)

    def __getattr__(self, method: str):
        def send(path: str, **options) -> httpx.Response:
            response = self.client.request(method.upper(), path, **options)
            operation = self.spec.operation_at(method.upper(), self.spec.base_path + path.split("?")[0])
            if operation is not None:
                self.schema[operation.path][operation.method].validate_response(response)
            return response

        return send

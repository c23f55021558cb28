"""Start-up of `mockexp serve --spec FILE` on a 90-operation document: seconds from starting
the process to the first 200 from /__mockexp/health, first with an empty resolved-spec cache
(the document is resolved and validated by prance) and then with the cache filled (as on every
later start), and for scale `mockexp serve --vendor giosg` on the same machine at the same
time (a shared machine's load moves every figure). The document is made here: 18 resources,
each with list, create, read, update and delete, objects of eight fields with formats, enums
and a nested object; or it is the one `--spec FILE` names (tests/specs/airflow-v1.yaml:
Airflow's stable REST API, 89 operations).

    .venv/bin/python bench/generic_startup.py            # about half a minute
    .venv/bin/python bench/generic_startup.py --rounds 1
    .venv/bin/python bench/generic_startup.py --spec tests/specs/airflow-v1.yaml
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_prism import HOST, free_port, stop, wait_for  # noqa: E402

RESOURCES = 18


def document() -> dict:
    paths, schemas = {}, {}
    for index in range(RESOURCES):
        name = f"thing{index}"
        ref = {"$ref": f"#/components/schemas/{name.capitalize()}"}
        ok = {"description": "ok", "content": {"application/json": {"schema": ref}}}
        missing = {"description": "no such object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        body = {"required": True, "content": {"application/json": {"schema": ref}}}
        paths[f"/{name}s"] = {
            "get": {"operationId": f"list{name}", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": ref}}}}}},
            "post": {"operationId": f"create{name}", "requestBody": body, "responses": {"201": ok, "400": missing}},
        }
        item = {"name": f"{name}Id", "in": "path", "required": True, "schema": {"type": "integer"}}
        paths[f"/{name}s/{{{name}Id}}"] = {
            "parameters": [item],
            "get": {"operationId": f"get{name}", "responses": {"200": ok, "404": missing}},
            "put": {"operationId": f"update{name}", "requestBody": body, "responses": {"200": ok, "404": missing}},
            "delete": {"operationId": f"delete{name}", "responses": {"204": {"description": "gone"}, "404": missing}},
        }
        schemas[name.capitalize()] = {"type": "object", "required": ["name"], "properties": {
            "id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}, "email": {"type": "string", "format": "email"},
            "status": {"type": "string", "enum": ["draft", "live", "archived"]}, "createdAt": {"type": "string", "format": "date-time", "readOnly": True},
            "score": {"type": "number", "minimum": 0, "maximum": 1}, "tags": {"type": "array", "items": {"type": "string"}},
            "owner": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "email": {"type": "string", "format": "email"}}}}}
    schemas["Error"] = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}, "code": {"type": "integer"}}}
    return {"openapi": "3.0.3", "info": {"title": "Ninety operations", "version": "1"}, "servers": [{"url": "/v1"}],
            "paths": paths, "components": {"schemas": schemas, "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
            "security": [{"key": []}]}


def start(served: list[str], cache: Path) -> float:
    port = free_port()
    env = {**os.environ, "MOCKEXP_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "mockexp", "serve", "--memory", "--port", str(port), "--log-level", "warning", *served]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        return wait_for(server, port, "/__mockexp/health", 60)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spec", type=Path, help="time this document instead of the made-up one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mockexp-generic-") as tmp:
        file = args.spec.resolve() if args.spec else Path(tmp) / "ninety.yaml"
        if args.spec is None:
            file.write_text(yaml.safe_dump(document()), encoding="utf-8")
        operations = _operations(yaml.safe_load(file.read_text(encoding="utf-8")))
        cold, warm, giosg = [], [], []
        for round_ in range(args.rounds):
            cache = Path(tmp) / f"cache{round_}"
            cold.append(start(["--spec", str(file)], cache))
            warm.append(start(["--spec", str(file)], cache))
            giosg.append(start(["--vendor", "giosg"], cache))
        print(f"mockexp serve --spec {file.name}, {operations} operations, to the first 200 from /__mockexp/health ({HOST}):")
        print(f"  empty spec cache: median {statistics.median(cold):.2f} s  ({', '.join(f'{t:.2f}' for t in cold)})")
        print(f"  filled spec cache: median {statistics.median(warm):.2f} s  ({', '.join(f'{t:.2f}' for t in warm)})")
        print(f"  for scale, mockexp serve --vendor giosg (5 operations), filled cache: median {statistics.median(giosg):.2f} s  ({', '.join(f'{t:.2f}' for t in giosg)})")


def _operations(made: dict) -> int:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(1 for item in made["paths"].values() for key in item if key in methods)


if __name__ == "__main__":
    main()

"""A small built-in HTTP/1.1 load generator (asyncio, keep-alive connections), shared by the
benchmarks: `run(...)` drives a server with `connections` clients for `seconds` and returns
req/s, p50 and p99. Each client sends the requests `pick()` chooses, one at a time, on its own
connection (as wrk does). It is much cheaper per request than an HTTP library client, but it is
still Python: on a small machine it takes a share of the CPU the server could use, so compare
servers measured with the same generator in the same run.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Callable, Mapping

Request = tuple[str, str, bytes]  # method, path and query, body (b"" for none)


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")

    @property
    def p50_ms(self) -> float:
        return self.percentile(0.5) * 1e3

    @property
    def p99_ms(self) -> float:
        return self.percentile(0.99) * 1e3


def encode(host: str, port: int, request: Request, headers: Mapping[str, str]) -> bytes:
    method, target, body = request
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "content-length" in fields:
        return status, await reader.readexactly(int(fields["content-length"]))
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, b""


async def request(host: str, port: int, req: Request, headers: Mapping[str, str]) -> tuple[int, bytes]:
    """One request on a connection of its own (set-up and checks, not load)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(encode(host, port, req, headers))
        await writer.drain()
        return await _response(reader)
    finally:
        writer.close()


async def _client(host: str, port: int, pick: Callable[[], Request], headers: Mapping[str, str], until: float, out: Result) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    cache: dict[Request, bytes] = {}
    try:
        while time.perf_counter() < until:
            req = pick()
            raw = cache.get(req) or cache.setdefault(req, encode(host, port, req, headers))
            started = time.perf_counter()
            writer.write(raw)
            status, _ = await _response(reader)
            out.latencies.append(time.perf_counter() - started)
            out.statuses[status] = out.statuses.get(status, 0) + 1
            out.requests += 1
    finally:
        writer.close()


def run(host: str, port: int, pick: Callable[[], Request], *, headers: Mapping[str, str] = {}, connections: int = 8, seconds: float = 5.0) -> Result:
    """Drive the server for `seconds` with `connections` clients; latencies in seconds."""

    async def main() -> Result:
        out = Result(0, 0.0, [], {})
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(*(_client(host, port, pick, headers, until, out) for _ in range(connections)))
        out.seconds = time.perf_counter() - began
        return out

    return asyncio.run(main())


def get_json(host: str, port: int, target: str, headers: Mapping[str, str] = {}) -> tuple[int, object]:
    status, body = asyncio.run(request(host, port, ("GET", target, b""), headers))
    return status, json.loads(body) if body else None


def send_json(host: str, port: int, method: str, target: str, payload: object, headers: Mapping[str, str] = {}) -> tuple[int, object]:
    status, body = asyncio.run(request(host, port, (method, target, json.dumps(payload).encode()), headers))
    return status, json.loads(body) if body else None


def median_of(results: list[Result]) -> Result:
    """The run whose rate is the median (the figures printed come from one real run)."""
    return sorted(results, key=lambda r: r.rate)[len(results) // 2]


__all__ = ["Request", "Result", "get_json", "median_of", "request", "run", "send_json"]

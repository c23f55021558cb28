"""The mock servers mockexp is measured against, each serving the same (resolved) spec file:
Prism 5 (`@stoplight/prism-cli`) and Mockoon 9 (`@mockoon/cli`), both run from npm with npx
(installed into npm's cache the first time). Without node/npx a peer is skipped with a message.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Peer:
    name: str
    command: tuple[str, ...]  # {spec} and {port} filled in
    keeps_base_path: bool  # whether it serves the spec's paths under its servers' base path

    def start(self, spec: Path, port: int, log: Path, cwd: Path) -> subprocess.Popen | None:
        if shutil.which("npx") is None or shutil.which("node") is None:
            print(f"# {self.name} skipped: `npx`/`node` are not installed (Node.js 18+ runs it)")
            return None
        args = [part.format(spec=spec, port=port, host="127.0.0.1") for part in self.command]
        return subprocess.Popen(args, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd)

    def path(self, path: str, base_path: str) -> str:
        return path if self.keeps_base_path else path.removeprefix(base_path) or "/"


PRISM = Peer("Prism 5", ("npx", "--yes", "@stoplight/prism-cli@5", "mock", "-h", "{host}", "-p", "{port}", "{spec}"), keeps_base_path=False)
MOCKOON = Peer("Mockoon 9", ("npx", "--yes", "@mockoon/cli@9", "start", "-d", "{spec}", "-l", "{host}", "-p", "{port}", "-X",
                             "--disable-admin-api"), keeps_base_path=True)
PEERS = (PRISM, MOCKOON)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

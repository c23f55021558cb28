"""Running a page's shell examples: its blocks in one bash, against a fresh `mockexp serve` on
a free port, with `curl` wrapped by a shell function that records each answer's status and
the script line it came from (so the examples' text stays exactly as a reader pastes it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from mockexp.testing import free_port
from tests.docs.pages import MOCK, ROOT, Block, Statement, statements

START_TIMEOUT = 60  # seconds the server may take to answer its health check (a deadline, not a timed assertion)
RUN_TIMEOUT = 120

PROLOGUE = r"""set -eE -o pipefail
trap 'printf "%s\t%s\n" "$LINENO" "$?" >> "$MOCKEXP_ERRORS"' ERR
curl() {
  local out code rc
  out=$(command curl -w '\n%{http_code}' "$@") && rc=0 || rc=$?
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  printf '%s' "$out"
  out=${out//[$'\t\n']/ }
  printf '%s\t%s\t%s\n' "${BASH_LINENO[0]}" "$code" "${out:0:300}" >> "$MOCKEXP_ANSWERS"
  return $rc
}
"""


@dataclass(frozen=True)
class Answer:
    statement: Statement
    status: int
    body: str


@dataclass(frozen=True)
class Run:
    answers: list[Answer]
    error: tuple[Statement | None, int] | None  # the statement that failed and its exit status
    output: str


class Script:
    """The page's blocks one after the other, with each script line's page line remembered."""

    def __init__(self, blocks: list[Block], port: int) -> None:
        self.lines = PROLOGUE.splitlines()
        self.origin: dict[int, int] = {}
        self.statements = [statement for block in blocks for statement in statements(block)]
        for block in blocks:
            for offset, line in enumerate(block.text.splitlines()):
                self.lines.append(line.replace(MOCK, f"127.0.0.1:{port}"))
                self.origin[len(self.lines)] = block.first_line + offset

    def statement_at(self, script_line: int) -> Statement | None:
        page_line = self.origin.get(script_line)
        return next((found for found in self.statements if page_line is not None and found.first_line <= page_line <= found.last_line), None)

    def run(self, workdir: Path) -> Run:
        answers, errors = workdir / "answers.tsv", workdir / "errors.tsv"
        answers.touch(), errors.touch()
        env = {**os.environ, "MOCKEXP_ANSWERS": str(answers), "MOCKEXP_ERRORS": str(errors)}
        done = subprocess.run(["bash", "-c", "\n".join(self.lines) + "\n"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        recorded = []
        for row in answers.read_text().splitlines():
            line, status, body = (row.split("\t", 2) + [""])[:3]
            statement = self.statement_at(int(line))
            assert statement is not None, f"an answer ({status} {body}) came from line {line} of the script, outside every example"
            recorded.append(Answer(statement, int(status) if status.isdigit() else 0, body))
        error = None
        if done.returncode != 0:
            first = errors.read_text().splitlines()[:1]
            line, status = first[0].split("\t") if first else ("0", str(done.returncode))
            error = (self.statement_at(int(line)), int(status))
        return Run(recorded, error, done.stdout[-2000:] + done.stderr[-2000:])


class Server:
    """`mockexp serve` with the demo data, on a free port, in its own data directory."""

    def __init__(self, options: list[str], workdir: Path) -> None:
        self.port = free_port()
        self.log = open(workdir / "serve.log", "wb")
        command = [sys.executable, "-m", "mockexp", "serve", "--port", str(self.port), "--data", str(workdir / "data"), "--log-level", "warning", *options]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + START_TIMEOUT
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise AssertionError(f"mockexp serve did not start:\n{Path(self.log.name).read_text()}")
            time.sleep(0.05)
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__mockexp/health", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

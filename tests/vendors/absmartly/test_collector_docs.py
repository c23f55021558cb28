"""`docs/absmartly-collector.md` as a reader runs it against the mock: its shell walk-through
(full on through the Web Console API, seen in the context; two published exposures, seen in
the preview; each refusal) and its Python app with the official SDK."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "absmartly-collector.md"
DOCUMENTED = "http://127.0.0.1:8080"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_shell_walk_through_puts_an_experiment_full_on_and_fills_its_preview(mock):
    [script] = blocks("sh")
    done = subprocess.run(["bash", "-c", script.replace(DOCUMENTED, mock.url)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "fullOnVariant: 1" in lines
    before, after = (ast.literal_eval(line.split(": ", 1)[1]) for line in lines if line.startswith(("before:", "after:")))
    assert after == {**before, 1: before.get(1, 0) + 2}
    assert '"Experiment 999999 not found."' in done.stdout.replace("exposures[0].id: ", "")
    assert '"Invalid API key."' in done.stdout and "Application 'tv' not found." in done.stdout


def test_the_python_app_prints_each_users_treatments(mock):
    [app] = blocks("python")
    done = subprocess.run([sys.executable, "-c", app.replace(DOCUMENTED, mock.url)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in printed] == ["alice", "bob", "carol"]
    assert all(re.fullmatch(r"\w+ \{('\w+': \d, )*'\w+': \d\}", line) for line in printed), printed

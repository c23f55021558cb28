"""Every example of the documentation runs as written: each page's shell blocks that talk to the
mock, in order in one bash against a fresh `mockexp serve`, and each Python block that uses
`run_mock` or the `mockexp_server` fixture (with pytest when it defines tests)."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

from tests.docs.pages import Block, Statement, blocks, python_blocks, serve_options, shell_pages, shown, talks_to_the_mock
from tests.docs.shell import Run, Script, Server


def where(page: Path, statement: Statement | None) -> str:
    line = f":{statement.first_line}" if statement is not None else ""
    code = f"\n    {statement.text.strip()}" if statement is not None else ""
    return f"{shown(page)}{line}{code}"


def problems(page: Path, run: Run) -> list[str]:
    found = []
    for answer in run.answers:
        promised = answer.statement.promised_status()
        if promised is not None and promised != answer.status:
            found.append(f"{where(page, answer.statement)}\n  answered {answer.status}, its comment says {promised}: {answer.body}")
        elif answer.status >= 400 and answer.status not in answer.statement.named_statuses():
            found.append(f"{where(page, answer.statement)}\n  answered {answer.status} without its comment naming it: {answer.body}")
        elif answer.statement.named_field() and answer.statement.named_field() not in answer.body:
            found.append(f"{where(page, answer.statement)}\n  answered without naming {answer.statement.named_field()}: {answer.body}")
    if run.error is not None:
        statement, status = run.error
        found.append(f"{where(page, statement)}\n  failed (exit status {status}):\n{run.output}")
    return found


needs_a_shell = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("curl") is None, reason="the shell examples run in bash, with curl")


def run_page(page: Path, workdir: Path) -> list[str]:
    with Server(serve_options(page), workdir) as server:
        run = Script([block for block in blocks(page) if talks_to_the_mock(block)], server.port).run(workdir)
    return problems(page, run)


@needs_a_shell
@pytest.mark.parametrize("page", shell_pages(), ids=shown)
def test_every_shell_example_of_the_page_runs_and_answers_as_its_comment_says(page: Path, tmp_path: Path) -> None:
    found = run_page(page, tmp_path)
    assert not found, "\n\n".join(found)


BROKEN_PAGE = """<!-- mockexp-serve: --vendor giosg -->
# A page whose examples are wrong

```sh
A=http://127.0.0.1:8080/__mockexp; J='Content-Type: application/json'
curl -s -X POST $A/snapshots/missing/restore -H "$J" -d '{}'
curl -s $A/health   # 404: a promise the answer breaks
curl -s -X POST $A/snapshots/missing/restore -H "$J" \\
     -d '{}'        # 404 naming snapshot_name (it says "named", not this)
curl -s -u secret_mockexp_demo_admin: http://127.0.0.1:8080/api/v1/settings   # 404: the page's server mounts Giosg only
python3 -c 'import sys; sys.exit(3)'
curl -s $A/health   # never reached
```
"""


@needs_a_shell
def test_a_wrong_example_is_reported_with_its_page_line_and_answer_and_the_page_gets_its_server_options(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text(BROKEN_PAGE)

    found = run_page(page, tmp_path)

    assert len(found) == 4, found
    assert found[0].startswith(f"{page}:6\n") and "answered 404 without its comment naming it" in found[0] and "no snapshot" in found[0]
    assert found[1].startswith(f"{page}:7\n") and "answered 200, its comment says 404" in found[1]
    assert found[2].startswith(f"{page}:8\n") and "answered without naming" in found[2]
    assert found[3].startswith(f"{page}:11\n") and "failed (exit status 3)" in found[3]


@pytest.mark.parametrize("block", python_blocks(), ids=lambda block: block.where)
def test_every_python_example_that_runs_the_mock_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (as pytester's in-process runs do): the examples' imports are made once."""
    example = tmp_path / f"test_example_{block.page.stem.replace('-', '_')}_{block.first_line}.py"
    example.write_text(block.text + "\n")
    monkeypatch.chdir(tmp_path)
    if "def test_" in block.text:
        status = pytest.main(["-q", "-p", "no:cacheprovider", "-n", "0", "--import-mode=importlib", "--rootdir", str(tmp_path), str(example)])
        assert status == pytest.ExitCode.OK, f"{block.where}: the example's tests failed (their report is above)"
    else:
        runpy.run_path(str(example), run_name="__main__")

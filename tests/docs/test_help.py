"""The help text and the documentation name the same commands and options: each command's
synopsis in the docs (a plain ``` block whose lines start with `mockexp <command>`) lists exactly
the options its `--help` lists, and every option an example or the text passes to a command
exists."""

from __future__ import annotations

import contextlib
import io
import re
from collections import defaultdict

import pytest

from mockexp import cli
from tests.docs.pages import blocks, pages, statements

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
TOP = "(mockexp)"  # the top-level command's own options


def help_text(*command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    return out.getvalue()


def usage(text: str) -> str:
    return text.split("\n\n", 1)[0]


def commands() -> list[str]:
    found = re.search(r"\{([\w,]+)\}", usage(help_text()))
    assert found, "mockexp --help lists no commands"
    return found.group(1).split(",")


def help_options(command: str) -> set[str]:
    text = help_text() if command == TOP else help_text(command)
    return set(OPTION.findall(usage(text))) - {"--help"}


def command_of(line: str) -> str:
    words = line.split()
    return words[1] if len(words) > 1 and not words[1].startswith("-") else TOP


def synopses() -> dict[str, set[str]]:
    """The options each command's synopses in the docs list, by command."""
    found: dict[str, set[str]] = defaultdict(set)
    for page in pages():
        for block in blocks(page):
            if block.language:
                continue
            command = None
            for line in block.text.splitlines():
                if line.startswith("mockexp"):
                    command = command_of(line)
                elif not line.startswith(" "):
                    command = None
                if command is not None:
                    found[command] |= set(OPTION.findall(line))
    return found


def example_calls() -> list[tuple[str, str, str]]:
    """(where, command, statement) for every `mockexp <command>` an example of the docs runs."""
    found = []
    for page in pages():
        for block in blocks(page):
            if block.language not in ("sh", "bash", "shell"):
                continue
            for statement in statements(block):
                call = re.search(r"(?:^|[\s/])mockexp(\s+\S.*)", statement.text, re.S)
                if call:
                    found.append((f"{block.page.name}:{statement.first_line}", command_of("mockexp" + call.group(1)), statement.text))
    return found


def inline_calls() -> list[tuple[str, str, str]]:
    """(where, command, text) for every `mockexp <command> ...` in the docs' running text."""
    found = []
    for page in pages():
        text = page.read_text()
        for span in re.finditer(r"`(?:\.venv/bin/)?(mockexp\s[^`]+)`", text):
            line = text.count("\n", 0, span.start()) + 1
            found.append((f"{page.name}:{line}", command_of(" ".join(span.group(1).split())), span.group(1)))
    return found


def test_every_command_of_the_help_has_a_synopsis_in_the_docs_and_no_other() -> None:
    documented = set(synopses()) - {TOP}
    assert documented == set(commands()), f"commands without a synopsis: {sorted(set(commands()) - documented)}; synopses of no command: {sorted(documented - set(commands()))}"


@pytest.mark.parametrize("command", [TOP, *commands()])
def test_the_docs_synopsis_of_a_command_lists_exactly_the_options_of_its_help(command: str) -> None:
    documented, helped = synopses().get(command, set()), help_options(command)
    assert documented == helped, f"mockexp {command}: in --help only: {sorted(helped - documented)}; in the docs only: {sorted(documented - helped)}"


def test_every_option_the_docs_pass_to_a_command_is_one_its_help_lists() -> None:
    known = {command: help_options(command) | {"--help"} for command in [TOP, *commands()]}
    calls = [call for call in example_calls() + inline_calls() if not call[1].startswith("<")]  # `mockexp <command>`: a pattern
    wrong = [f"{where}: mockexp {command} has no {option}" for where, command, text in calls for option in OPTION.findall(text)
             if command in known and option not in known[command]]
    unknown = [f"{where}: no command {command}" for where, command, _ in calls if command not in known]
    assert not wrong + unknown, "\n".join(wrong + unknown)

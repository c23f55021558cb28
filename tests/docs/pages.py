"""The documentation as the examples' test reads it: the pages (README.md and docs/*.md), their
fenced blocks, the shell statements of a block, the status a statement's comment names, and
the server options a page asks for.

Conventions (docs/adding-a-vendor.md tells writers):
- a ```sh block that talks to the mock mentions `127.0.0.1:8080` (outside a comment), or calls
  curl and names no other URL; every such block of a page runs, in order, in one bash;
- a call meant to be refused says its status in its comment (on its line, or a comment line
  right above it): `# 403: the reader may not write`;
  a comment that starts with a status (`# 201: ...`) is checked too, and so is the field a
  comment says the answer names (`# 400 naming defaultValue`);
- `<!-- mockexp-serve: OPTIONS -->` on a page starts that page's server with those options;
- a ```python block that uses `run_mock` or the `mockexp_server` fixture runs as written
  (with pytest when it defines tests).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOCK = "127.0.0.1:8080"
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")
SERVE_OPTIONS = re.compile(r"<!--\s*mockexp-serve:(.*?)-->", re.S)
URL = re.compile(r"https?://[^\s'\"`)]+")
STATUS = re.compile(r"(?<![\d.])([1-5]\d\d)(?![\d.])")


@dataclass(frozen=True)
class Block:
    page: Path
    language: str
    first_line: int  # the page's line number of the block's first line (after the fence)
    text: str

    @property
    def where(self) -> str:
        return f"{shown(self.page)}:{self.first_line}"


@dataclass(frozen=True)
class Statement:
    """One shell command as bash reads it (a `\\` continuation or an open quote joins lines),
    with its comments: those on its lines, and a comment-only line right above it."""

    first_line: int  # page line numbers
    last_line: int
    text: str
    comments: tuple[str, ...]

    @property
    def comment(self) -> str:
        return " ".join(self.comments)

    def named_statuses(self) -> set[int]:
        return {int(found) for found in STATUS.findall(self.comment)}

    def promised_status(self) -> int | None:
        """The status a comment starts with (`# 201: a draft needs only is_draft`)."""
        found = [re.match(r"\s*([1-5]\d\d)\b", part) for part in self.comments]
        return next((int(match.group(1)) for match in found if match), None)

    def named_field(self) -> str | None:
        """The field a refusal's comment says the answer names (`# 400 naming defaultValue`)."""
        found = re.search(r"\bnaming ([\w.\[\]]+)", self.comment)
        return found.group(1).rstrip(".") if found else None


def shown(page: Path) -> str:
    """A page's name as a reader finds it: relative to the repository."""
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(page: Path) -> list[Block]:
    found, fence, language, start, lines = [], None, "", 0, []
    for number, line in enumerate(page.read_text().splitlines(), start=1):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence, language, start, lines = opening.group(1), opening.group(2), number + 1, []
        elif fence is not None and line.strip().startswith(fence) and line.strip() == fence[0] * len(line.strip()):
            found.append(Block(page, language, start, "\n".join(lines)))
            fence = None
        elif fence is not None:
            lines.append(line)
    return found


def serve_options(page: Path) -> list[str]:
    found = SERVE_OPTIONS.search(page.read_text())
    return shlex.split(found.group(1)) if found else []


def statements(block: Block) -> list[Statement]:
    """Split a shell block into statements, tracking quotes and continuations line by line."""
    found, start, text, comments, above, quote = [], None, [], [], [], None
    lines = block.text.splitlines()
    for offset, line in enumerate(lines):
        code, remark, quote = _scan(line, quote)
        if start is None:
            if not code.strip() and quote is None:
                above = [*above, remark] if remark else []  # a blank line parts a comment from what follows
                continue
            start, comments, above = block.first_line + offset, above, []
        text.append(code)
        comments = [*comments, remark] if remark else comments
        if quote is None and not code.rstrip().endswith("\\"):
            found.append(Statement(start, block.first_line + offset, "\n".join(text), tuple(comments)))
            start, text, comments = None, [], []
    if start is not None:
        found.append(Statement(start, block.first_line + len(lines) - 1, "\n".join(text), tuple(comments)))
    return found


def _scan(line: str, quote: str | None) -> tuple[str, str, str | None]:
    """The code and the comment of one line, and the quote still open at its end."""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t;("):
            return line[:index], line[index + 1:].strip(), None
    return line, "", quote


def talks_to_the_mock(block: Block) -> bool:
    if block.language not in ("sh", "bash", "shell"):
        return False
    code = "\n".join(statement.text for statement in statements(block))
    if MOCK in code:
        return True
    return re.search(r"(^|[\s;|(])curl\s", code) is not None and not URL.search(code)


def runs_the_mock_in_python(block: Block) -> bool:
    return block.language == "python" and ("run_mock" in block.text or "mockexp_server" in block.text)


def shell_pages() -> list[Path]:
    return [page for page in pages() if any(talks_to_the_mock(block) for block in blocks(page))]


def python_blocks() -> list[Block]:
    return [block for page in pages() for block in blocks(page) if runs_the_mock_in_python(block)]

"""The docs' examples as a reader runs them: the fenced blocks of a page in one language, and
the address they talk to (the tests swap in the mock's)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
DOCUMENTED = "http://127.0.0.1:8080"


def blocks(page: str, language: str) -> list[str]:
    """The ```<language> blocks of docs/<page>, in order."""
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), flags=re.S)

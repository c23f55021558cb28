"""The demo console: one static page (HTML, CSS and a small script, no build step, nothing
fetched from elsewhere) served at `/` to browsers; it drives the mock through the admin API."""

from __future__ import annotations

import functools
from pathlib import Path

HERE = Path(__file__).parent


@functools.cache
def page() -> bytes:
    """The page with its style sheet and script inlined: one response, so it paints at once."""
    text = (HERE / "index.html").read_text(encoding="utf-8")
    text = text.replace("/*CSS*/", (HERE / "console.css").read_text(encoding="utf-8"), 1)
    return text.replace("/*JS*/", (HERE / "console.js").read_text(encoding="utf-8"), 1).encode("utf-8")

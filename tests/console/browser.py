"""Debian's Chromium driven by Playwright's Python API (Playwright's own browsers are never
downloaded), for the console's tests; they skip, saying why, where no Chromium is installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = os.environ.get("MOCKEXP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def browser() -> Iterator[Any]:
    """One headless Chromium for a test module."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (python3 dev.py test does as root with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (a test extra) is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(shown: Any, name: str) -> None:
    """A screenshot (of a page or an element) for the docs, written to docs/images/ when
    MOCKEXP_SCREENSHOTS is set."""
    if os.environ.get("MOCKEXP_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shown.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

"""The console's first paint: how soon a browser shows the page at `/`, and how soon the five
vendors' demo data is on it, against a mock with every vendor's demo world.

    .venv/bin/python bench/console_paint.py              # 5 loads, Debian's /usr/bin/chromium
    .venv/bin/python bench/console_paint.py --loads 10

Each load is a fresh browser context (nothing cached) at 1280x800. Printed per load and as the
median: first contentful paint (the browser's own `paint` timing), DOMContentLoaded, and the
time until every vendor's experiments are listed (the page's admin API reads done and drawn).
Also the size of the page itself. A figure, not a test: the target is a first paint under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockexp.testing import run_mock  # noqa: E402
from tests.console.browser import ARGS, CHROMIUM, DESKTOP  # noqa: E402


def load_once(browser, url: str) -> tuple[float, float, float]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('article.vendor .experiments').length === 5")
    listed = (time.perf_counter() - started) * 1000
    paint = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime")
    ready = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    context.close()
    return paint, ready, listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with run_mock() as mock, sync_playwright() as playwright:
        import httpx

        size = len(httpx.get(mock.url + "/", headers={"Accept": "text/html"}).content)
        print(f"page: {size / 1024:.1f} KiB (HTML with its CSS and script inlined), {CHROMIUM}")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        load_once(browser, mock.url + "/")  # warm-up: the browser's own start
        rows = [load_once(browser, mock.url + "/") for _ in range(args.loads)]
        browser.close()
    for index, (paint, ready, listed) in enumerate(rows, 1):
        print(f"load {index}: first paint {paint:6.0f} ms   DOMContentLoaded {ready:6.0f} ms   five vendors listed {listed:6.0f} ms")
    medians = [statistics.median(column) for column in zip(*rows)]
    print(f"median: first paint {medians[0]:6.0f} ms   DOMContentLoaded {medians[1]:6.0f} ms   five vendors listed {medians[2]:6.0f} ms")


if __name__ == "__main__":
    main()

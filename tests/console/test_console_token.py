"""The console on a mock that needs an admin token (listening beyond loopback, or
`--admin-token`): the page asks for it once and keeps it in the tab's session storage."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from mockexp.app import Runtime
from mockexp.clock import Clock
from mockexp.guard import Policy
from mockexp.store import Store
from mockexp.testing import LiveServer
from mockexp.vendors import ALL
from tests.console.browser import DESKTOP, browser

TOKEN = "console-test-token"


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveServer]:
    runtime = Runtime(Store(), Clock(), [ALL["giosg"]])
    runtime.seed()
    with LiveServer(runtime, policy=Policy(admin_token=TOKEN)) as server:
        yield server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from browser()


def test_the_console_asks_for_the_admin_token_once_and_keeps_it_for_the_tab(chromium: Any, mock: LiveServer) -> None:
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(mock.url + "/")
    page.get_by_label("Token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Use this token").click()
    page.wait_for_selector('article[data-vendor="giosg"] .experiment')
    assert page.evaluate("sessionStorage.getItem('mockexp-admin-token')") == TOKEN
    page.reload()
    page.wait_for_selector('article[data-vendor="giosg"] .experiment')
    assert not page.locator("#token-dialog").evaluate("dialog => dialog.open")
    context.close()


def test_a_wrong_token_is_asked_for_again(chromium: Any, mock: LiveServer) -> None:
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(mock.url + "/")
    page.get_by_label("Token", exact=True).fill("not-the-token")
    page.get_by_role("button", name="Use this token").click()
    page.get_by_text("The mock refused that token").wait_for()
    page.get_by_label("Token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Use this token").click()
    page.wait_for_selector('article[data-vendor="giosg"] .experiment')
    context.close()

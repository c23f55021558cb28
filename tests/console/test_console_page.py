"""The demo console at `/`, in a real browser (headless Chromium): what a person running a demo
sees and does, checked against what the vendors' APIs and the admin API answer."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from mockexp.testing import Mock, run_mock
from tests.console.browser import DESKTOP, PHONE, browser, screenshot

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    with run_mock() as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from browser()


@pytest.fixture
def http(mock: Mock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        yield client


@pytest.fixture
def errors() -> list[str]:
    return []


@pytest.fixture
def page(chromium: Any, mock: Mock, errors: list[str]) -> Iterator[Any]:
    """The console, loaded, at 1280x800, collecting the page's console errors."""
    context = chromium.new_context(viewport=DESKTOP)
    opened = context.new_page()
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(mock.url + "/")
    opened.wait_for_selector("article.vendor .experiment")
    yield opened
    context.close()


@pytest.fixture
def clean(mock: Mock) -> Iterator[None]:
    yield
    mock.runtime.clock.run_real()
    mock.runtime.faults.clear()


def experiments_of(http: httpx.Client, mock: Mock, vendor: str) -> list[str]:
    listed = {"launchdarkly": ("/projects/{projectKey}/environments/{environmentKey}/experiments?lifecycleState=active,archived", "items", "name"),
              "growthbook": ("/experiments?limit=100", "experiments", "name"), "absmartly": ("/experiments?items=100", "experiments", "display_name"),
              "posthog": ("/projects/{project_id}/experiments/?limit=100", "results", "name"),
              "giosg": ("/orgs/{organization_id}/experiments?page_size=100", "results", "name")}[vendor]
    path, items, name = listed
    url = mock.base_url(vendor) + path.format(**mock.tenant(vendor))
    pages = [url] + ([url + "&archived=true"] if vendor == "posthog" else [])  # PostHog lists archived experiments apart
    return [item[name] for page in pages for item in http.get(page, headers=mock.credential(vendor, can_write=True)).json()[items]]


def test_the_console_loads_without_errors_and_lists_the_five_vendors(page: Any, mock: Mock, errors: list[str]) -> None:
    screenshot(page, "console-vendors")
    names = page.locator("article.vendor h3").all_inner_texts()
    assert names == list(mock.runtime.vendors) and len(names) == 5
    assert errors == []


def test_each_vendor_shows_its_base_url_and_every_demo_credential_with_a_copy_button(page: Any, mock: Mock) -> None:
    for vendor in mock.runtime.vendors:
        card = page.locator(f'article[data-vendor="{vendor}"]')
        assert card.locator(".base-url").inner_text() == mock.base_url(vendor)
        shown = card.locator(".credential .header").all_text_contents()
        assert shown == [f"{c.header}: {c.value}" for c in mock.runtime.credentials() if c.vendor == vendor]
        assert card.locator(".credential button.copy").count() == len(shown)
    reader = page.locator('article[data-vendor="launchdarkly"] .credential', has_text="api-mockexp-demo-reader")
    assert "reads only" in reader.text_content() and "writes" not in reader.text_content()
    launchdarkly = page.locator('article[data-vendor="launchdarkly"]')
    launchdarkly.locator("details.credentials summary").click()
    screenshot(launchdarkly, "console-credentials")


def test_the_copy_button_puts_the_credential_on_the_clipboard(chromium: Any, mock: Mock) -> None:
    context = chromium.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(mock.url + "/")
    card = page.locator('article[data-vendor="giosg"]')
    card.locator("details.credentials summary").click()
    card.locator(".credential button.copy").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == next(c.value for c in mock.runtime.credentials() if c.vendor == "giosg")


def test_each_vendors_experiments_are_the_ones_its_api_lists(page: Any, http: httpx.Client, mock: Mock) -> None:
    for vendor in mock.runtime.vendors:
        shown = page.locator(f'article[data-vendor="{vendor}"] .experiment .name').all_text_contents()
        assert sorted(shown) == sorted(experiments_of(http, mock, vendor)), vendor


def test_experiments_are_grouped_by_state_in_the_vendors_words(page: Any) -> None:
    states = page.locator('article[data-vendor="launchdarkly"] details[data-state]')
    assert states.evaluate_all("nodes => nodes.map(n => n.dataset.state)") == ["not_started", "running", "stopped", "archived"]
    absmartly = page.locator('article[data-vendor="absmartly"] details[data-state]').evaluate_all("nodes => nodes.map(n => n.dataset.state)")
    assert {"created", "ready", "development", "running", "stopped", "full_on", "archived"} <= set(absmartly)


def test_an_experiments_json_button_shows_what_its_api_answers(page: Any, http: httpx.Client, mock: Mock) -> None:
    card = page.locator('article[data-vendor="launchdarkly"]')
    card.get_by_role("button", name="JSON of").first.click()
    page.wait_for_function("document.getElementById('json-body').textContent.startsWith('200')")
    body = page.locator("#json-body").inner_text()
    assert '"key": "' in body and '"_links"' in body


def test_a_request_made_with_httpx_appears_in_the_journal_within_two_seconds(page: Any, http: httpx.Client, mock: Mock) -> None:
    path = mock.base_url("giosg").removeprefix(mock.url) + f"/orgs/{mock.tenant('giosg')['organization_id']}/experiments"
    http.get(path, params={"page_size": "7"}, headers=mock.credential("giosg"))
    started = time.monotonic()
    page.locator("#journal-rows tr", has_text="page_size=7").first.wait_for(timeout=2000)
    assert time.monotonic() - started < 2
    page.locator("#journal-rows tr", has_text="page_size=7").first.click()
    detail = page.locator("#journal-detail").inner_text()
    assert '"authorization": "Token ****"' in detail and "giosg-demo" not in detail
    screenshot(page.locator("#journal"), "console-journal")


def test_the_journal_filters_by_vendor_status_and_path(page: Any, http: httpx.Client, mock: Mock) -> None:
    http.get(mock.base_url("posthog").removeprefix(mock.url) + "/projects/1/experiments/999999/", headers=mock.credential("posthog"))
    http.get(mock.base_url("giosg").removeprefix(mock.url) + "/orgs/x/experiments", headers=mock.credential("giosg"))
    page.locator("#journal-rows tr", has_text="999999").first.wait_for(timeout=2000)
    page.select_option("#filter-vendor", "posthog")
    page.fill("#filter-status", "404")
    page.fill("#filter-path", "/api/projects/1/experiments/9")
    rows = page.locator("#journal-rows tr").all_inner_texts()
    assert rows and all("posthog" in row and "404" in row and "999999" in row for row in rows)


def test_freezing_and_advancing_a_day_moves_the_displayed_clock(page: Any, mock: Mock, clean: None) -> None:
    page.get_by_role("button", name="Freeze").click()
    page.wait_for_function("document.getElementById('clock-mode').textContent === 'frozen'")
    frozen = mock.runtime.clock.now()
    page.get_by_role("button", name="Advance 1 day").click()
    expected = (frozen + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    page.wait_for_function(f"document.getElementById('clock-now').textContent.startsWith('{expected}')", timeout=3000)
    screenshot(page.locator("#clock"), "console-clock")
    page.get_by_role("button", name="Back to real time").click()
    page.wait_for_function("document.getElementById('clock-mode').textContent === 'real time'")


def test_restoring_a_snapshot_from_the_page_brings_back_a_deleted_experiment(page: Any, http: httpx.Client, mock: Mock) -> None:
    page.fill("#snapshot-name", "before-the-demo")
    page.get_by_role("button", name="Save snapshot").click()
    page.locator('tr[data-snapshot="before-the-demo"]').wait_for()
    giosg = mock.base_url("giosg").removeprefix(mock.url) + f"/orgs/{mock.tenant('giosg')['organization_id']}/experiments"
    first = http.get(giosg, headers=mock.credential("giosg")).json()["results"][0]
    assert http.delete(f"{giosg}/{first['id']}", headers=mock.credential("giosg", can_write=True)).status_code == 204
    screenshot(page.locator("#state"), "console-snapshots")
    page.get_by_role("button", name="Restore before-the-demo").click()
    page.wait_for_function("document.getElementById('status').textContent === 'Restored before-the-demo'")
    assert http.get(f"{giosg}/{first['id']}", headers=mock.credential("giosg")).status_code == 200
    assert page.locator('article[data-vendor="giosg"] .experiment .name', has_text=first["name"]).count() == 1
    page.get_by_role("button", name="Delete before-the-demo").click()
    page.locator('tr[data-snapshot="before-the-demo"]').wait_for(state="detached")


def test_a_503_fault_rule_added_from_the_form_fails_the_next_matching_request_and_shows_a_hit(page: Any, http: httpx.Client, mock: Mock, clean: None) -> None:
    page.select_option("#fault-vendor", "posthog")
    page.fill("#fault-operation", "experiments_list")
    page.fill("#fault-status", "503")
    page.fill("#fault-times", "1")
    page.get_by_role("button", name="Add rule").click()
    rule = page.locator("#fault-rows tr").first
    rule.wait_for()
    path = mock.base_url("posthog").removeprefix(mock.url) + "/projects/1/experiments/"
    assert http.get(path, headers=mock.credential("posthog")).status_code == 503
    page.wait_for_function("document.querySelector('#fault-rows .hits').textContent === '1'", timeout=3000)
    screenshot(page.locator("#faults"), "console-faults")
    assert http.get(path, headers=mock.credential("posthog")).status_code == 200
    page.get_by_role("button", name="Remove rule").first.click()
    page.locator("#fault-rows tr").wait_for(state="detached")
    assert mock.runtime.faults.listed() == []


def test_rate_limits_switch_on_and_off_from_the_page(page: Any, mock: Mock) -> None:
    box = page.locator('#limit-list input[data-vendor="posthog"]')
    box.check()
    page.wait_for_function("document.getElementById('status').textContent === 'Rate limit of posthog on'")
    assert next(v for v in mock.runtime.rate_limits.state() if v["vendor"] == "posthog")["enabled"]
    box.uncheck()
    page.wait_for_function("document.getElementById('status').textContent === 'Rate limit of posthog off'")
    assert not next(v for v in mock.runtime.rate_limits.state() if v["vendor"] == "posthog")["enabled"]


def test_resetting_one_vendor_from_the_page_brings_back_its_demo_data(page: Any, http: httpx.Client, mock: Mock) -> None:
    giosg = mock.base_url("giosg").removeprefix(mock.url) + f"/orgs/{mock.tenant('giosg')['organization_id']}/experiments"
    before = experiments_of(http, mock, "giosg")
    first = http.get(giosg, headers=mock.credential("giosg")).json()["results"][0]
    http.delete(f"{giosg}/{first['id']}", headers=mock.credential("giosg", can_write=True))
    page.select_option("#reset-vendor", "giosg")
    page.get_by_role("button", name="Reset to the demo data").click()
    page.wait_for_function("document.getElementById('status').textContent === 'Reset giosg'")
    assert sorted(experiments_of(http, mock, "giosg")) == sorted(before)


def test_an_object_with_html_in_its_name_renders_as_text(chromium: Any, http: httpx.Client, mock: Mock) -> None:
    name = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    giosg = mock.base_url("giosg").removeprefix(mock.url) + f"/orgs/{mock.tenant('giosg')['organization_id']}/experiments"
    made = http.post(giosg, headers={**mock.credential("giosg", can_write=True), **JSON}, json={"is_draft": True, "name": name})
    assert made.status_code == 201, made.text
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(mock.url + "/")
    shown = page.locator('article[data-vendor="giosg"] .experiment .name', has_text="<script>")
    shown.wait_for()
    assert shown.inner_text() == name
    assert page.evaluate("window.pwned === undefined") and page.locator("article img").count() == 0
    context.close()
    mock.runtime.reset(["giosg"])


def test_every_link_on_the_console_answers_200(page: Any, http: httpx.Client, mock: Mock) -> None:
    links = page.locator("a[href]").evaluate_all("nodes => nodes.map(n => n.href)")
    assert len(links) > 15
    for link in sorted(set(links)):
        if urlsplit(link).netloc == urlsplit(mock.url).netloc:
            assert http.get(urljoin(mock.url, link), follow_redirects=True).status_code == 200, link


def test_every_control_has_a_label_and_is_reached_with_the_keyboard(page: Any) -> None:
    unlabelled = page.evaluate("""[...document.querySelectorAll('input, select, button')].filter(n =>
        !(n.labels && n.labels.length) && !n.getAttribute('aria-label') && !n.textContent.trim()).map(n => n.outerHTML)""")
    assert unlabelled == []
    reached = []
    for _ in range(300):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert {"Copy", "Freeze", "Advance 1 day", "filter-vendor", "snapshot-name", "fault-vendor", "Add rule"} <= set(reached)


def test_the_console_fits_a_phone_sized_screen(chromium: Any, mock: Mock) -> None:
    context = chromium.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(mock.url + "/")
    page.wait_for_selector("article.vendor .experiment")
    screenshot(page, "console-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0

"""The home map, staff sign-in and the language switcher, in a real browser (Debian's chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from majal.territory.demo import DISTRICT_NAMES
from tests.browser.conftest import LiveServer, new_context

pytestmark = pytest.mark.browser

DISTRICT_COUNT = len(DISTRICT_NAMES)
ARABIC_NAMES = {ar for ar, _fr, _en in DISTRICT_NAMES}
# Failed base-map tile loads are not the app's fault (and the tests run without tiles).
TOLERATED_ERROR_URLS = re.compile(r"tile")


def console_errors(page: Page) -> list[str]:
    """Collect console errors and uncaught exceptions of `page` from now on."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not TOLERATED_ERROR_URLS.search(message.location.get("url", "")):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def screenshot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def click_map_centre(page: Page) -> None:
    """A real mouse click in the middle of the map, where the demo districts tile the urban area."""
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_home_map_in_arabic(page: Page, tmp_path: Path) -> None:
    errors = console_errors(page)
    page.goto("/?lang=ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(f'#map[data-district-count="{DISTRICT_COUNT}"]')).to_be_attached()
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(DISTRICT_COUNT)
    expect(page.locator("table.data-table tbody tr")).to_have_count(DISTRICT_COUNT)

    click_map_centre(page)
    popup_title = page.locator(".leaflet-popup .map-popup strong")
    expect(popup_title).to_be_visible()
    assert popup_title.inner_text() in ARABIC_NAMES
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # fade-in done, for the screenshot
    screenshot(page, tmp_path / "home-ar.png")
    assert errors == []


def test_manager_signs_in_and_out(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    page.goto("/login")
    page.fill("#username", "manager")
    page.fill("#password", live_server.logins["manager"])
    page.locator("main form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console$"))
    expect(page.locator("main h1")).to_have_count(1)
    figures = [re.sub(r"\D", "", text) for text in page.locator(".stats dd").all_inner_texts()]
    assert "110000" in figures, figures  # the population, formatted for the page's language
    screenshot(page, tmp_path / "console.png")

    page.locator("header form[action='/logout'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("header form[action='/logout']")).to_have_count(0)
    response = page.goto("/console")
    assert response is not None
    assert response.status == 401


def test_language_switcher_and_its_cookie(page: Page) -> None:
    page.goto("/?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.locator("nav.languages a[hreflang='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.languages a[hreflang='en']")).to_have_attribute("aria-current", "true")


def test_browser_language_chooses_arabic(browser: Browser, live_server: LiveServer) -> None:
    context = new_context(browser, live_server, locale="ar-MA")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    finally:
        context.close()

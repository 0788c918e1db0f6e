"""The collection plan map and a driver sheet, in a real browser (Debian's chromium), on the demo commune."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_home import console_errors, screenshot

pytestmark = pytest.mark.browser


def test_plan_map_draws_one_coloured_line_per_route(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    errors = console_errors(page)
    sign_in(page, live_server, "agent.cleanliness")
    page.click("a[href='/console/cleanliness']")
    page.click("table.data-table a[href^='/console/cleanliness/plans/']")
    routes = page.locator("section[aria-labelledby=routes-heading] tbody tr")
    expect(routes.first).to_be_visible()
    count = routes.count()
    assert count >= 2
    expect(page.locator(f'#plan-map[data-route-count="{count}"]')).to_be_attached()
    lines = page.locator("#plan-map path.leaflet-interactive[fill=none]")
    expect(lines).to_have_count(count)
    colours = {lines.nth(i).get_attribute("stroke") for i in range(count)}
    assert len(colours) == min(count, 8), colours  # one colour per route
    screenshot(page, tmp_path / "plan-map.png")
    assert not errors, errors


def test_driver_sheet_prints_without_the_site_header(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    sign_in(page, live_server, "agent.cleanliness")
    page.goto("/console/cleanliness/plans/1?lang=fr")
    page.click("section[aria-labelledby=routes-heading] tbody tr:first-child a")
    expect(page.locator("h1")).to_contain_text("Feuille de route")
    stops = page.locator("table.sheet-table tbody tr")
    assert stops.count() >= 3
    expect(stops.first).to_contain_text("Garage")
    expect(stops.last).to_contain_text("Décharge")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("table.sheet-table")).to_be_visible()
    screenshot(page, tmp_path / "driver-sheet.png")

"""Public lighting in a real browser: the lamp map draws the demo's lamps coloured by state, and a retrofit scenario
shows its payback chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_home import console_errors, screenshot

pytestmark = pytest.mark.browser


def test_lamp_map_draws_the_lamps_coloured_by_state(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    errors = console_errors(page)
    sign_in(page, live_server)
    page.goto("/console/lighting/map?lang=fr")
    expect(page.locator("h1")).to_have_text("Carte des lampes")
    lamp_map = page.locator("#lamp-map")
    page.wait_for_load_state("networkidle")
    assert not errors, errors
    expect(lamp_map).to_have_attribute("data-lamp-count", re.compile(r"^[1-9]\d{3,}$"))
    count = int(lamp_map.get_attribute("data-lamp-count") or 0)
    assert 1000 < count <= 10_000
    # Lamps are drawn on a canvas (thousands of dots); the legend gives each state's count, faults included.
    expect(page.locator("#lamp-map canvas")).to_have_count(1)
    legend = page.locator(".lamp-legend li")
    expect(legend).to_have_count(3)
    assert "En panne" in legend.nth(1).inner_text()
    screenshot(page, tmp_path / "lighting-map.png")
    assert not errors, errors


def test_retrofit_scenario_shows_its_payback_chart(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    errors = console_errors(page)
    sign_in(page, live_server)
    page.goto("/console/lighting/retrofit?lang=en")
    page.select_option("#technology", "hps")
    page.fill("#led_power_w", "60")
    page.fill("#unit_price_mad", "2500")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/console/lighting/retrofit?*")
    expect(page.locator("#payback")).to_contain_text("years")
    chart = page.locator("#chart-payback-caption + .chart-legend + svg.line-chart-svg, figure.line-chart svg")
    expect(chart.first).to_be_visible()
    expect(page.locator("figure.line-chart polyline")).to_have_count(2)
    box = page.locator("figure.line-chart svg.line-chart-svg").bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    screenshot(page, tmp_path / "lighting-retrofit.png")
    assert not errors, errors

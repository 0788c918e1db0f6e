"""The whole loop in a real browser: a citizen reports in Arabic with a photo, the lighting agent resolves it,
the citizen's tracking page says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer, new_context
from tests.requests.test_photos import picture

pytestmark = pytest.mark.browser
TRACKING_CODE = re.compile(r"[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}")


def test_report_resolve_and_track(browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(picture(size=(1600, 1200)))
    citizen = new_context(browser, live_server, width=390)
    page = citizen.new_page()
    page.goto("/report?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.check("#service-LIGHT_OUT")
    page.check("#attr-LIGHT_OUT-extent-one")
    page.wait_for_selector("#report-map path.leaflet-interactive, #report-map path")
    page.locator("#report-map").scroll_into_view_if_needed()
    box = page.locator("#report-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the commune's centre
    assert page.input_value("#lat") and page.input_value("#lon")
    page.fill("#description", "المصباح منطفئ أمام المدرسة")
    page.set_input_files("#photo", str(photo))
    page.fill("#email", "amina@example.ma")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+\?new=1"))
    code = TRACKING_CODE.search(page.locator("main").inner_text())
    assert code, "the confirmation shows a tracking code"
    assert page.locator("img.photo").count() == 1
    page.screenshot(path=str(tmp_path / "confirmation-ar.png"), full_page=True)
    request_path = page.url.split("?")[0]

    agent = new_context(browser, live_server).new_page()
    agent.goto("/login?lang=fr")
    agent.fill("#username", "agent.lighting")
    agent.fill("#password", live_server.logins["agent.lighting"])
    agent.click("form.form button[type=submit]")
    agent.goto(request_path.replace(live_server.url, live_server.url + "/console"))
    agent.select_option("#target", "resolved")
    agent.fill("#status-note", "تم تغيير المصباح")
    agent.click("form[action$='/status'] button[type=submit]")
    agent.wait_for_load_state()
    assert agent.locator(".status-resolved").count() >= 1

    page.goto(f"/track?code={code.group(0)}")
    assert page.url.startswith(request_path)
    assert page.locator(".status.status-resolved").count() == 1
    assert "تم تغيير المصباح" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "resolved-ar.png"), full_page=True)
    print(f"screenshots: {tmp_path}")
    citizen.close()

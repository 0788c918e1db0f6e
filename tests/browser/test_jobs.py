"""A job queued from a page completes with nothing but `majal demo` running: its worker runs in the same process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_home import screenshot
from tests.crashlib import free_port
from tests.demo_once import DemoBuild, demo_env

pytestmark = pytest.mark.browser
STARTUP_SECONDS = 60.0


def test_a_plan_queued_from_the_page_completes_under_majal_demo_alone(browser: Browser, demo_build: DemoBuild,
                                                                     tmp_path: Path) -> None:
    data_dir = demo_build.copy_to(tmp_path / "demo")
    port = free_port()
    with (tmp_path / "demo.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "majal.cli", "demo", "--data-dir", str(data_dir),
                                   "--port", str(port)], env=demo_env(data_dir), stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, server)
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, locale="en")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto("/login")
            page.fill("#username", "agent.cleanliness")
            page.fill("#password", demo_build.logins["agent.cleanliness"])
            page.click("form.form button[type=submit]")
            page.wait_for_url("**/console")
            page.goto("/console/cleanliness")
            page.fill("#plan-seconds", "1")
            page.click("form[action='/console/cleanliness/plans'] button[type=submit]")
            page.wait_for_url("**/console/cleanliness/plans/*")
            # queued, then computed by the worker beside the server; the page refreshes itself meanwhile
            expect(page.locator("#plan-map")).to_be_attached(timeout=90_000)
            expect(page.locator("section[aria-labelledby=routes-heading] tbody tr").first).to_be_visible()
            screenshot(page, tmp_path / "plan-done.png")
            context.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "Traceback" not in (tmp_path / "demo.log").read_text(encoding="utf-8", errors="replace")


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`majal demo` stopped with status {server.returncode}")
        try:
            if httpx2.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"`majal demo` did not answer within {STARTUP_SECONDS:.0f} s")

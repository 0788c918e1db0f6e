"""Real-browser fixtures: the demo commune served by Uvicorn on a free port, and Debian's chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from majal import demo
from majal.app import create_app
from majal.config import Settings
from tests.demo_once import DemoBuild
from tests.live import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class LiveServer:
    url: str
    logins: dict[str, str]
    app: FastAPI


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, demo_build: DemoBuild) -> Iterator[LiveServer]:
    data_dir = demo_build.copy_to(tmp_path_factory.mktemp("browser") / "demo")
    # An empty tile_url keeps the browser off the internet: the map draws the districts without a base layer.
    settings = Settings(data_dir=data_dir, tile_url="", default_language="fr")
    logins = demo.build(settings)  # the copy is whole: this checks its migrations and reads the logins
    app = create_app(settings)
    try:
        with serving(app) as url:
            yield LiveServer(url, logins, app)
    finally:
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
                    "(`make chromium`, or `sudo apt-get install -y chromium`); never `playwright install`.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_context(browser: Browser, server: LiveServer, locale: str | None = None, width: int = 1280) -> BrowserContext:
    """A fresh browser profile (no cookies); `locale` sets the Accept-Language header."""
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 900}, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    browser_context = new_context(browser, live_server)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, server: LiveServer, username: str = "admin") -> None:
    """Sign in through the login form as one of the demo staff."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", server.logins[username])
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/console")

"""Every page, in every language, at phone width: axe-core finds no WCAG 2.x A/AA violation, the page declares its
language and direction, has one h1, does not scroll sideways; citizen pages stay under the weight budget."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page

from majal import domains as installed
from majal.kit.i18n import LANGUAGES, text_direction
from majal.kit.web import Audience
from tests.browser.conftest import LiveServer, new_context, sign_in
from tests.browser.crawl_summary import REPORT_PROPERTY
from tests.routes import endpoints

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "src/majal/web/static/vendor/axe/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE_WIDTH = 360
CITIZEN_PAGE_BUDGET = 100 * 1024
TILE_REQUEST = re.compile(r"/tile|\{z\}|/\d+/\d+/\d+\.png")


def path_examples() -> dict[str, str]:
    """Values for path parameters, so every page route can be visited: each domain names values its demo data has
    (read when the crawl runs, from the domains installed then)."""
    return {name: value for domain in installed.DOMAINS for name, value in domain.examples.items()}

# Third-party widgets whose inner markup we do not write: checked by their authors, excluded from axe here.
THIRD_PARTY = {"/docs": ["#swagger-ui"]}
EXTRA_PAGES = {"/no-such-page": Audience.citizen}  # the 404 page


@dataclass(frozen=True)
class PageVisit:
    path: str
    audience: Audience


def page_routes(app: FastAPI) -> list[PageVisit]:
    """Every GET page of the app, found from its routes; each page must say who it is for."""
    visits = []
    for endpoint in endpoints(app):
        if endpoint.in_schema or endpoint.method != "GET" or endpoint.path == "/openapi.json":
            continue
        audiences = [Audience(tag) for tag in endpoint.tags if tag in Audience.__members__]
        assert len(audiences) == 1, f"{endpoint.path}: tag the page with exactly one majal.kit.web.Audience"
        if audiences[0] is not Audience.probe:
            visits.append(PageVisit(_fill_path(endpoint.path), audiences[0]))
    return visits + [PageVisit(path, audience) for path, audience in EXTRA_PAGES.items()]


def _fill_path(path: str) -> str:
    examples = path_examples()

    def example(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        assert name in examples, f"the path parameter {{{name}}} needs a value in its domain's `examples`"
        return examples[name]

    return re.sub(r"\{([^}]+)\}", example, path)


@pytest.fixture
def report(request: pytest.FixtureRequest) -> list[tuple[str, str, int, int]]:
    """What the crawl saw, page by page: carried by the test's report (from an xdist worker too) to the summary."""
    rows: list[tuple[str, str, int, int]] = []
    request.node.user_properties.append((REPORT_PROPERTY, rows))
    return rows


def run_axe(page: Page, exclude: list[str]) -> list[dict]:
    """axe-core's WCAG violations on the page; axe comes with every page of the crawl's browser profiles."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    result = page.evaluate("([context, options]) => axe.run(context || document, options)", [context, options])
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in violations
    )


def test_every_page_is_accessible_in_every_language(browser: Browser, live_server: LiveServer, report) -> None:
    failures = []
    with crawl_profiles(browser, live_server) as profiles:
        for visit in page_routes(live_server.app):
            for lang in LANGUAGES:
                failures += check_page(profiles[visit.audience is Audience.staff], visit, lang, report)
    assert not failures, "\n".join(failures)


@contextmanager
def crawl_profiles(browser: Browser, server: LiveServer) -> Iterator[dict[bool, BrowserContext]]:
    """Two browser profiles at phone width: a visitor's, and one signed in (once) as the admin, for staff pages.
    axe-core is added to every page they open by an init script, evaluated through DevTools: the page's CSP is
    untouched."""
    visitor, staff = new_context(browser, server, width=PHONE_WIDTH), new_context(browser, server, width=PHONE_WIDTH)
    try:
        for context in (visitor, staff):
            context.add_init_script(path=AXE)
        signing_in = staff.new_page()
        sign_in(signing_in, server)
        signing_in.close()
        yield {False: visitor, True: staff}
    finally:
        visitor.close()
        staff.close()


def check_page(context: BrowserContext, visit: PageVisit, lang: str, report) -> list[str]:
    if visit.audience is not Audience.staff:
        context.clear_cookies()  # every visitor's page is someone's first
    page = context.new_page()
    # Nothing from the cache: each page's weight counts every byte a first visit downloads.
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred: list[int] = []
    page.on("requestfinished", lambda request: transferred.append(_bytes(request)))
    try:
        page.goto(f"{visit.path}?lang={lang}")
        page.wait_for_load_state("networkidle")
        problems = _page_problems(page, lang) + _axe_problems(page, visit.path)
        size = sum(transferred)
        report.append((visit.path, lang, size, len(problems)))
        if visit.audience is Audience.citizen and size > CITIZEN_PAGE_BUDGET:
            problems.append(f"transfers {size / 1024:.1f} KB, over the {CITIZEN_PAGE_BUDGET // 1024} KB budget")
        return [f"{visit.path} [{lang}]: {problem}" for problem in problems]
    finally:
        devtools.detach()
        page.close()


def _bytes(request) -> int:
    if TILE_REQUEST.search(request.url):
        return 0
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def _page_problems(page: Page, lang: str) -> list[str]:
    problems = []
    html = page.locator("html")
    if html.get_attribute("lang") != lang or html.get_attribute("dir") != text_direction(lang):
        problems.append(f"<html lang={html.get_attribute('lang')} dir={html.get_attribute('dir')}>")
    if page.locator("h1").count() != 1:
        problems.append(f"{page.locator('h1').count()} h1 elements instead of one")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"scrolls sideways by {overflow} px at {PHONE_WIDTH} px")
    return problems


def _axe_problems(page: Page, path: str) -> list[str]:
    violations = run_axe(page, THIRD_PARTY.get(path, []))
    return [f"axe found {len(violations)} WCAG violation(s):\n{describe(violations)}"] if violations else []

"""At the end of a run, what the accessibility crawl saw: each page, its axe result and what it weighs.

A plugin of the root conftest rather than a hook of tests/browser/conftest.py: under pytest-xdist the controller
that prints the summary never collects the tests, so it never reads the sub-folders' conftest files; the rows come
back with the test's report."""

from __future__ import annotations

import pytest

REPORT_PROPERTY = "accessibility"

_crawled: list[tuple[str, str, int, int]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        for name, rows in report.user_properties:
            if name == REPORT_PROPERTY:
                _crawled.extend((path, lang, size, problems) for path, lang, size, problems in rows)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _crawled:
        return
    terminalreporter.section("accessibility (axe-core, WCAG 2.x A/AA) and page weight")
    terminalreporter.write_line(f"{'page':<34}{'lang':<6}{'KB':>8}  axe")
    for path, lang, size, problems in _crawled:
        verdict = "ok" if problems == 0 else f"{problems} problem(s)"
        terminalreporter.write_line(f"{path:<34}{lang:<6}{size / 1024:>8.1f}  {verdict}")

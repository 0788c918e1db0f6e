"""At the end of a run, the time spent per test folder (setup, call and teardown summed) and per database, beside
the wall-clock time of the run: where the suite's minutes go, so a slow newcomer is seen the day it lands.

With pytest-xdist the sums are added up from every worker's reports, so they exceed the wall-clock time."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

DATABASES = ("sqlite", "postgresql")
DATABASE_PROPERTY = "database"


class FolderTimes:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.started = time.perf_counter()
        self.seconds: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.tests: defaultdict[tuple[str, str], int] = defaultdict(int)

    def add(self, report: pytest.TestReport) -> None:
        key = (folder_of(report.nodeid), database_of(report))
        self.seconds[key] += report.duration
        if report.when == "call" or (report.when == "setup" and report.outcome == "skipped"):
            self.tests[key] += 1

    def rows(self) -> list[tuple[str, dict[str, float], int]]:
        folders = sorted({folder for folder, _db in self.seconds})
        columns = (*DATABASES, "")
        return [(folder, {db: self.seconds.get((folder, db), 0.0) for db in columns},
                 sum(self.tests.get((folder, db), 0) for db in columns)) for folder in folders]


def folder_of(nodeid: str) -> str:
    """tests/<folder> for a test in a folder, the file itself for a test at the top of tests/."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else path


def database_of(report: pytest.TestReport) -> str:
    return next((str(value) for name, value in report.user_properties if name == DATABASE_PROPERTY), "")


_times = FolderTimes()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _times.reset()


def item_database(item: pytest.Item) -> str:
    """"sqlite" or "postgresql" for a test parametrized by database (`database_url` and the like), else ""."""
    callspec = getattr(item, "callspec", None)
    return next((value for value in (callspec.params.values() if callspec else ()) if value in DATABASES), "")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tag each database test with its database, so its reports (sent back by xdist workers too) carry it."""
    for item in items:
        if database := item_database(item):
            item.user_properties.append((DATABASE_PROPERTY, database))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _times.add(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    rows = _times.rows()
    if not rows:
        return
    wall = time.perf_counter() - _times.started
    terminalreporter.section("time per test folder (seconds: setup + call + teardown)")
    header = f"{'folder':<34}{'tests':>7}{'sqlite':>10}{'postgresql':>12}{'no db':>9}{'total':>10}"
    terminalreporter.write_line(header)
    totals = dict.fromkeys((*DATABASES, ""), 0.0)
    for folder, seconds, tests in sorted(rows, key=lambda row: -sum(row[1].values())):
        for db, value in seconds.items():
            totals[db] += value
        terminalreporter.write_line(f"{folder:<34}{tests:>7}{seconds['sqlite']:>10.1f}{seconds['postgresql']:>12.1f}"
                                    f"{seconds['']:>9.1f}{sum(seconds.values()):>10.1f}")
    count = sum(tests for _folder, _seconds, tests in rows)
    terminalreporter.write_line(f"{'sum of the tests':<34}{count:>7}{totals['sqlite']:>10.1f}"
                                f"{totals['postgresql']:>12.1f}{totals['']:>9.1f}{sum(totals.values()):>10.1f}")
    terminalreporter.write_line(f"{'wall clock':<34}{'':>7}{'':>10}{'':>12}{'':>9}{wall:>10.1f}")

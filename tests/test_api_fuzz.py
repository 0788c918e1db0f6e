"""Fuzz the whole JSON API from its own OpenAPI schema with schemathesis, on every database.

Every operation in `/openapi.json` is found from the schema, so a new endpoint is fuzzed without editing this file. Each
one is called with its documented examples and with generated valid and invalid inputs, by three identities: an
anonymous visitor, a signed-in admin (session cookie and CSRF token, as the pages' scripts send them) and an
integration (API key), in one of our three languages. Every answer must:

- not be a 5xx;
- have a status code, content type, headers and body that the schema documents for that operation;
- refuse input that breaks the schema with a 4xx;
- show no stack trace and no SQL.

The run is deterministic (derandomized, no example database) and bounded: MAJAL_FUZZ_EXAMPLES cases per operation,
identity and kind of input (default 25); raise it to fuzz harder.

schemathesis's own pytest integration (`schemathesis.pytest.from_fixture`) does not run under pytest 9, so the test
drives the public pieces itself: `operation.as_strategy()`, `schema.get_strategies_from_examples()`, `case.call()`
and `case.validate_response()`.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, BaseSchema, Case, CheckContext, CheckFunction, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.accounts.deps import API_KEY_HEADER, SESSION_COOKIE
from majal.kit.i18n import LANGUAGES
from majal.kit.security import csrf_token
from majal.kit.web import BROWSER_COOKIE, CSRF_HEADER
from tests.conftest import sign_in

EXAMPLES = int(os.environ.get("MAJAL_FUZZ_EXAMPLES", "25"))
IDENTITIES = ("anonymous", "staff", "api_key")

# What must never reach a client: a Python stack trace, a database driver or ORM name, a DB-API exception, SQL.
INTERNALS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"
    r"|\b(?:sqlalchemy|sqlalche\.me|psycopg2?|sqlite3|asyncpg|alembic)\b|\[SQL: |\[parameters: "
    r"|\b(?:Integrity|Operational|Programming|Data|Database|Interface|Internal)Error\b",
    re.IGNORECASE,
)
# SQL only counts in capitals, as the code writes it: prose may well say "select a district from the map".
SQL = re.compile(
    r"\bSELECT\b[\s\S]{1,300}?\bFROM\b|\bINSERT INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE FROM\b"
    r"|\b(?:WHERE|JOIN)\b[^\n]{1,200}?(?:%\(\w+\)s|\?|\$\d+)"
)


def leaked(text: str) -> str | None:
    """The first stack trace or SQL fragment in `text`, if any."""
    found = INTERNALS.search(text) or SQL.search(text)
    return found.group(0) if found else None


def no_stack_trace_or_sql(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A schemathesis check: neither the body nor the headers show a stack trace or SQL."""
    headers = "\n".join(f"{name}: {value}" for name, values in response.headers.items() for value in values)
    found = leaked(response.text or "") or leaked(headers)
    if found is not None:
        raise AssertionError(f"The answer shows internals: {found[:200]!r}")
    return None


CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    no_stack_trace_or_sql,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def test_leak_detector() -> None:
    leaks = [
        'Traceback (most recent call last):\n  File "/srv/majal/app.py", line 12, in <module>',
        "(sqlite3.IntegrityError) UNIQUE constraint failed: users.username",
        'psycopg.errors.UndefinedTable: relation "x" does not exist',
        "[SQL: SELECT users.id FROM users WHERE users.username = %(username_1)s]",
        "INSERT INTO districts (code) VALUES (?)",
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)",
    ]
    clean = [
        '{"detail": "No commune has been set up yet.", "code": "not_found"}',
        "Select a district from the map. Where is it? Update the settings.",
        '{"type": "FeatureCollection", "features": []}',
    ]
    assert [text for text in leaks if leaked(text) is None] == []
    assert [text for text in clean if leaked(text) is not None] == []


@pytest.mark.parametrize("identity", IDENTITIES)
def test_fuzz_api(
    identity: str, app: FastAPI, sessions: sessionmaker[Session], staff: dict[str, str], demo_territory: None
) -> None:
    headers, cookies = _credentials(identity, app, sessions)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    results = list(schema.get_all_operations())
    invalid = [str(result.err()) for result in results if isinstance(result, Err)]
    assert not invalid, "operations the schema defines wrongly:\n" + "\n".join(invalid)
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert operations, "the OpenAPI schema lists no operation"

    def call(case: Case) -> None:
        sent = {**headers, "Accept-Language": _language(case)}
        response = case.call(headers=sent, cookies=cookies)
        case.validate_response(response, checks=CHECKS, headers=sent)

    failures = [
        f"{operation.label}, {kind} inputs, {identity}:\n{failure}"
        for operation in operations
        for kind, strategy in _strategies(schema, operation)
        if (failure := _fuzz(strategy, call, none_possible=kind == "negative")) is not None
    ]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def _credentials(
    identity: str, app: FastAPI, sessions: sessionmaker[Session]
) -> tuple[dict[str, str], dict[str, str]]:
    """The headers and cookies an identity sends with every call."""
    if identity == "api_key":
        with sessions.begin() as db:
            return {API_KEY_HEADER: accounts.create_api_key(db, "fuzz", actor="test")}, {}
    if identity == "staff":  # signed in through the login form, like a browser
        with TestClient(app) as browser:
            sign_in(browser, "admin")
            cookies = {name: browser.cookies[name] for name in (SESSION_COOKIE, BROWSER_COOKIE)}
        return {CSRF_HEADER: csrf_token(app.state.secret_key, cookies[BROWSER_COOKIE])}, cookies
    return {}, {}


def _strategies(schema: BaseSchema, operation: APIOperation) -> list[tuple[str, st.SearchStrategy[Case]]]:
    """The documented examples, then generated valid inputs, then invalid ones."""
    examples = schema.get_strategies_from_examples(operation)
    return [
        *([("example", st.one_of(examples))] if examples else []),
        ("positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
        ("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
    ]


def _language(case: Case) -> str:
    """One of our languages, chosen by the case's content: random-looking, but the same when Hypothesis replays it."""
    content = repr((case.path_parameters, case.query, case.headers, case.cookies, case.body))
    return LANGUAGES[zlib.crc32(content.encode()) % len(LANGUAGES)]


def _fuzz(strategy: st.SearchStrategy[Case], call: Callable[[Case], None], none_possible: bool) -> str | None:
    """Run `call` on the cases `strategy` generates; the failure report, or None.

    `none_possible`: the strategy may have nothing to generate (invalid inputs for an operation that takes none, or
    only free-form strings), which is no failure."""

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case: Case) -> None:
        call(case)

    try:
        run()
    except Unsatisfiable as error:
        return None if none_possible else str(error)
    except FailureGroup as failures:  # collect every operation's failures, not only the first one's
        return str(failures)
    except Exception as error:  # the app raised (its client got a 500), or the schema cannot be fuzzed
        return "\n".join([f"{type(error).__name__}: {error}", *getattr(error, "__notes__", [])])
    return None

"""Secret query parameters lose their values in logged request lines, however their names are spelled."""

from __future__ import annotations

import logging

import pytest

from majal.kit.redact import RedactSecrets, redact_url


@pytest.mark.parametrize(
    "name",
    ["api_key", "API_KEY", "Api_Key", "api%5Fkey", "api%5fkey", "%61pi_key", "%41PI%5F%4B%45%59", "api%255Fkey",
     "apikey", "token", "Password", "secret", "key", "api_key%20", "pass%77ord"],
)
def test_secret_names_are_recognised_however_encoded(name: str) -> None:
    line = f"GET /open311/v2/requests.json?jurisdiction_id=berkane&{name}=s3cr3t-value&page=2 HTTP/1.1"
    redacted = redact_url(line)
    assert "s3cr3t-value" not in redacted
    assert f"&{name}=[redacted]&page=2" in redacted
    assert "jurisdiction_id=berkane" in redacted


@pytest.mark.parametrize("query", ["?monkey=1", "?keyboard=1", "?api_keys=1", "?page=2&lang=ar", "?=x", "?a"])
def test_other_parameters_are_kept(query: str) -> None:
    assert redact_url(f"/path{query}") == f"/path{query}"


def test_the_first_parameter_and_a_fragment() -> None:
    assert redact_url("/x?%61pi_key=abc#top") == "/x?%61pi_key=[redacted]#top"


def test_the_access_log_filter_redacts_the_request_line() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api?API%5FKEY=abc", "1.1", 200), None)
    RedactSecrets().filter(record)
    assert "abc" not in record.getMessage()
    assert "API%5FKEY=[redacted]" in record.getMessage()

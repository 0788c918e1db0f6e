"""Language and page links are always paths on this site, whatever the requested path looks like."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.live import serving

LINK = re.compile(r'href="([^"]*\?[^"]*lang=[^"]*)"')
HOSTILE_PATHS = ["//evil.example/x", "///evil.example/x", "/\\evil.example/x", "/%5Cevil.example/x",
                 "/%2F/evil.example/x", "/\\/evil.example/x"]


def assert_same_origin(links: list[str]) -> None:
    assert links, "the error page offers the other languages"
    for link in links:
        assert link.startswith("/") and link[1:2] not in ("/", "\\"), link
        assert not urlsplit(link.replace("\\", "/")).netloc, link
        assert link.startswith("/evil.example/x?"), link  # still this very page, on this site


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_language_links_on_an_error_page_stay_on_the_site(client: TestClient, path: str) -> None:
    answer = client.get(f"http://testserver{path}")
    assert answer.status_code == 404
    assert_same_origin(LINK.findall(answer.text))


def test_the_same_through_a_real_server_with_raw_request_lines(app: FastAPI) -> None:
    with serving(app) as url:
        for path in HOSTILE_PATHS:
            connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=30)
            connection.request("GET", path)
            answer = connection.getresponse()
            assert answer.status == 404
            assert_same_origin(LINK.findall(answer.read().decode()))
            connection.close()


def test_a_page_keeps_its_path_and_query(client: TestClient) -> None:
    links = LINK.findall(client.get("/track?code=ABC&lang=fr").text)
    assert any(link.startswith("/track?code=ABC&amp;lang=") for link in links), links


def test_an_encoded_path_comes_back_as_it_was_asked(client: TestClient) -> None:
    links = LINK.findall(client.get("/caf%C3%A9/a%3Fb").text)
    assert links and all(link.startswith("/caf%C3%A9/a%3Fb?") for link in links), links

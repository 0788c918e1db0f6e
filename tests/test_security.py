"""Security headers, request size limits, and secrets that never reach the logs."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from majal.accounts.models import LoginBucket
from majal.db import make_engine
from majal.kit.audit import AuditEvent
from tests.conftest import csrf_from
from tests.demo_once import DemoBuild, demo_env


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/territory/districts", "/no-such-page"])
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in headers  # plain HTTP: HSTS would be ignored, and wrong


def test_hsts_behind_tls(app) -> None:
    with TestClient(app, base_url="https://majal.example") as client:
        answer = client.get("/")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert all("Secure" in cookie for cookie in answer.headers.get_list("set-cookie"))


def test_oversized_bodies_are_refused_before_they_are_read(client: TestClient, settings, sessions) -> None:
    token = csrf_from(client)
    padding = "x" * (settings.max_body_bytes + 1)
    declared = client.post("/login", data={"username": "a", "password": padding, "csrf_token": token})
    assert declared.status_code == 413
    assert "MB" in declared.json()["detail"]

    def chunks():  # no Content-Length: the limit is enforced while the body arrives
        yield f"csrf_token={token}&username=a&password=".encode()
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"y" * 65536

    streamed = client.post("/login", content=chunks(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(LoginBucket)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def majal(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "majal.cli", *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=True)


def test_secrets_never_reach_the_logs(demo_build: DemoBuild, tmp_path: Path) -> None:
    """A full run — demo build (the run's shared one), CLI, server with sign-ins and API calls — then grep every log
    for secrets."""
    data_dir = demo_build.copy_to(tmp_path / "data")
    env = demo_env(data_dir)
    logs = [demo_build.stderr]
    logins = demo_build.logins
    created = majal("apikeys", "create", "--name", "log check", env=env)
    api_key = created.stdout.strip().splitlines()[-1]
    logs.append(created.stderr)
    logs.append(majal("users", "create", "--role", "inspector", "--username", "nadia", "--password-stdin",
                      env=env, stdin="inspector secret 42\n").stderr)
    secrets = [*logins.values(), api_key, "inspector secret 42", "wrong but secret 99"]
    server_log = tmp_path / "server.log"
    logs.append(run_server_session(env, server_log, logins, api_key))
    for text in logs:
        for secret in secrets:
            assert secret not in text, f"a secret reached the logs: …{text[max(0, text.find(secret) - 80):][:160]}…"
    assert "[redacted]" in logs[-1]  # the api_key query parameter was logged, without its value
    engine = make_engine(f"sqlite:///{data_dir / 'majal.db'}")
    with engine.connect() as connection:  # `majal serve` believed no X-Forwarded-For: no proxy is trusted
        addresses = set(connection.scalars(select(AuditEvent.ip).where(AuditEvent.action.like("login.%"))))
    engine.dispose()
    assert addresses == {"127.0.0.1"}


def run_server_session(env: dict[str, str], log_path: Path, logins: dict[str, str], api_key: str) -> str:
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "majal.cli", "serve", "--port", str(port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        for username, password in [*logins.items(), ("admin", "wrong but secret 99")]:
            with httpx2.Client(base_url=base) as browser:
                token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
                assert token is not None
                browser.post("/login", data={"username": username, "password": password,
                                             "csrf_token": token.group(1)},
                             headers={"X-Forwarded-For": "203.0.113.9"})
                browser.get("/console")
        httpx2.get(f"{base}/api/v1/territory/commune", headers={"X-API-Key": api_key})
        httpx2.get(f"{base}/api/v1/territory/locate?lat=abc&lon=1&api_key={api_key}")
        for spelling in ("%61pi%5Fkey", "API_KEY", "Api%5fKey"):  # the app reads the first; none may be logged
            httpx2.get(f"{base}/api/v1/territory/locate?lat=abc&lon=1&{spelling}={api_key}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    return log_path.read_text()


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{base}/healthz").status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.1)
    pytest.fail("the server did not start")

"""Load and crash guard, shared by tests/test_crash.py and bench/load_and_crash.py.

The real server runs in a child process (so it can be killed with SIGKILL in the middle of a request). Simulated
staff members, one HTTP client and cookie jar each, sign in (a write: a session, an audit event and the reset of
the account's failure counter in one transaction) and read pages. A sign-in is *acknowledged* when its client
received the 303 with a session cookie. After the kill and a restart, `check_writes` looks in the database: every
acknowledged session is there once, with its user, and every user's sessions and `login.success` audit events agree
in number (a half-written transaction would leave one without the other).
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx2
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.accounts.deps import SESSION_COOKIE
from majal.accounts.models import User, UserSession
from majal.kit.audit import AuditEvent
from majal.kit.security import hash_cost, token_digest

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
DISTRICTS = "/api/v1/territory/districts"
STATIC = "/static/css/majal.css"
STARTUP_SECONDS = 30.0
REQUEST_TIMEOUT = 120.0  # generous: under full load a sign-in waits its turn for the CPU (argon2)


# --- the server in a child process --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, data_dir: Path, secret_key: str) -> dict[str, str]:
    """The environment of the child server: this one without any MAJAL_* setting, plus ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAJAL_")}
    env.update(
        MAJAL_DATABASE_URL=database_url,
        MAJAL_DATA_DIR=str(data_dir),
        MAJAL_SECRET_KEY=secret_key,
        MAJAL_TILE_URL="",
        MAJAL_DEFAULT_LANGUAGE="en",
        MAJAL_PASSWORD_HASH_COST=hash_cost().value,  # as this process hashed the members' passwords
    )
    return env


class ServerProcess:
    """`python -m uvicorn majal.app:create_app --factory` on one loopback port, restartable on the same port."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> float:
        """Start the server and wait until /healthz answers 200; returns the seconds that took."""
        assert self.process is None, "already running"
        started = time.perf_counter()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        command = [
            sys.executable, "-m", "uvicorn", "majal.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--no-access-log",
            "--no-proxy-headers",  # as `majal serve`: the app alone decides whom to believe (MAJAL_TRUSTED_PROXIES)
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = started + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}:\n{self.log_tail()}")
            with suppress(httpx2.TransportError):
                if httpx2.get(f"{self.url}/healthz", timeout=2.0).status_code == 200:
                    return time.perf_counter() - started
            if time.perf_counter() > deadline:
                self.kill()
                raise RuntimeError(f"the server did not answer /healthz in {STARTUP_SECONDS:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no rollback — the process is simply gone."""
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._forget()

    def stop(self) -> None:
        """A graceful stop (SIGTERM), falling back to SIGKILL."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._forget()

    def _forget(self) -> None:
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill()


# --- the staff members who sign in --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    username: str
    password: str


def create_members(sessions: sessionmaker[Session], count: int, password: str, prefix: str = "load") -> list[Member]:
    """`count` managers through the accounts service (so their passwords are hashed exactly as in production)."""
    members = [Member(f"{prefix}{number:03d}", password) for number in range(1, count + 1)]
    with sessions.begin() as db:
        for member in members:
            accounts.create_user(db, member.username, password, "manager", actor="bench")
    return members


# --- the load -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    started: float  # perf_counter
    seconds: float
    status: int | None  # None: no answer (connection refused, reset, timeout)
    ok: bool


@dataclass
class Load:
    """What the clients saw. `acknowledged` maps each session token the server handed out to its username."""

    samples: list[Sample] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    sign_ins_sent: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0
    killed_at: float | None = None

    @property
    def seconds(self) -> float:
        return (self.killed_at or self.finished) - self.started

    def completed(self, kind: str | None = None) -> list[Sample]:
        """Requests that got an answer (whatever its status)."""
        return [s for s in self.samples if s.status is not None and (kind is None or s.kind == kind)]

    def errors(self, kind: str | None = None) -> list[Sample]:
        """Unexpected answers, and requests without an answer that were not cut off by the kill."""
        return [s for s in self.samples if not s.ok and (kind is None or s.kind == kind) and not self._cut_by_kill(s)]

    def in_flight_at_kill(self, kind: str | None = None) -> list[Sample]:
        """Requests sent before the kill that never got an answer: none of them is acknowledged."""
        return [
            s
            for s in self.samples
            if self._cut_by_kill(s) and s.started < (self.killed_at or 0) and (kind is None or s.kind == kind)
        ]

    def _cut_by_kill(self, sample: Sample) -> bool:
        if self.killed_at is None or sample.status is not None:
            return False
        return sample.started + sample.seconds >= self.killed_at

    def merge(self, other: Load) -> None:
        self.acknowledged.update(other.acknowledged)
        self.sign_ins_sent.update(other.sign_ins_sent)


class _Killed(Exception):
    pass


async def _timed(
    load: Load,
    http: httpx2.AsyncClient,
    kind: str,
    expect: int,
    method: str,
    path: str,
    data: dict[str, str] | None = None,
) -> httpx2.Response | None:
    """One request, timed; the answer when it has the expected status. After the kill, stops the loop."""
    if load.killed_at is not None:
        raise _Killed
    started = time.perf_counter()
    try:
        response = await http.request(method, path, data=data)
    except httpx2.TransportError:
        load.samples.append(Sample(kind, started, time.perf_counter() - started, None, False))
        if load.killed_at is not None:
            raise _Killed from None
        return None
    load.samples.append(
        Sample(kind, started, time.perf_counter() - started, response.status_code, response.status_code == expect)
    )
    return response if response.status_code == expect else None


async def _member_loop(url: str, member: Member, load: Load, deadline: float) -> None:
    """Sign in, read the console with the new session, read the districts API; again until the deadline."""
    timeout = httpx2.Timeout(REQUEST_TIMEOUT, connect=10.0)
    async with httpx2.AsyncClient(base_url=url, timeout=timeout, follow_redirects=False) as http:
        csrf: str | None = None
        with suppress(_Killed):
            while time.perf_counter() < deadline:
                if csrf is None:  # the token is bound to this client's majal_csrf cookie: fetch it once
                    page = await _timed(load, http, "login page", 200, "GET", "/login")
                    found = CSRF_INPUT.search(page.text) if page is not None else None
                    csrf = found.group(1) if found else None
                    if csrf is None:
                        await asyncio.sleep(0.1)
                        continue
                form = {"username": member.username, "password": member.password, "csrf_token": csrf}
                load.sign_ins_sent[member.username] += 1
                answer = await _timed(load, http, "sign-in", 303, "POST", "/login", data=form)
                token = answer.cookies.get(SESSION_COOKIE) if answer is not None else None
                if token:
                    load.acknowledged[token] = member.username
                    await _timed(load, http, "console", 200, "GET", "/console")
                await _timed(load, http, "districts", 200, "GET", DISTRICTS)


async def _static_loop(url: str, load: Load, deadline: float) -> None:
    async with httpx2.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, follow_redirects=False) as http:
        while time.perf_counter() < deadline:
            await _timed(load, http, "static", 200, "GET", STATIC)


async def run_load(
    url: str,
    members: Sequence[Member],
    seconds: float,
    kill: Callable[[], None] | None = None,
    min_acknowledged: int = 0,
    patience: float = 20.0,
) -> Load:
    """Every member's loop for `seconds`; with `kill`, the server is then killed while requests are in flight.

    With `min_acknowledged`, the kill waits (at most `patience` more seconds) until that many sign-ins were
    acknowledged, so a slow or busy machine still puts acknowledged writes to the test.
    """
    load = Load(started=time.perf_counter())
    deadline = load.started + seconds
    # With a kill, the members go on until the server vanishes under them, so requests are in flight at that moment.
    loop_deadline = math.inf if kill is not None else deadline
    loops = [asyncio.ensure_future(_member_loop(url, member, load, loop_deadline)) for member in members]
    if kill is not None:
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
        while len(load.acknowledged) < min_acknowledged and time.perf_counter() < deadline + patience:
            await asyncio.sleep(0.05)
        load.killed_at = time.perf_counter()
        kill()
    await asyncio.gather(*loops)
    load.finished = time.perf_counter()
    return load


async def run_static(url: str, clients: int, seconds: float) -> Load:
    """The floor: the same number of clients fetching the cheapest thing the app serves, a static file."""
    load = Load(started=time.perf_counter())
    deadline = load.started + seconds
    await asyncio.gather(*(_static_loop(url, load, deadline) for _ in range(clients)))
    load.finished = time.perf_counter()
    return load


# --- the check in the database ------------------------------------------------------------------------------------


@dataclass
class Check:
    acknowledged: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)  # usernames whose acknowledged session is not there
    wrong_user: int = 0
    duplicated: int = 0
    half_written: int = 0
    sessions: int = 0
    audit_successes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def committed_unacknowledged(self) -> int:
        """Sign-ins whose answer never arrived (cut by the kill) but whose transaction did commit."""
        return self.sessions - self.found

    @property
    def ok(self) -> bool:
        return not (self.missing or self.wrong_user or self.duplicated or self.half_written)

    def summary(self) -> str:
        return (
            f"acknowledged writes: {self.acknowledged}, found: {self.found}, duplicated: {self.duplicated}, "
            f"half-written: {self.half_written}"
            + (f", missing: {len(self.missing)}" if self.missing else "")
            + (f", bound to the wrong user: {self.wrong_user}" if self.wrong_user else "")
        )


def check_writes(engine: Engine, acknowledged: dict[str, str], sign_ins_sent: Counter[str]) -> Check:
    """Compare what the clients were told with what the database holds (see the module's docstring)."""
    with engine.connect() as connection:
        usernames = {int(uid): name for uid, name in connection.execute(select(User.id, User.username))}
        rows = connection.execute(select(UserSession.token_digest, UserSession.user_id)).all()
        events = Counter(
            object_id
            for (object_id,) in connection.execute(
                select(AuditEvent.object_id).where(AuditEvent.action == "login.success")
            )
        )
    check = Check(acknowledged=len(acknowledged), sessions=len(rows))
    digests = Counter(digest for digest, _uid in rows)
    owner = {digest: usernames.get(int(uid)) for digest, uid in rows}
    for token, username in acknowledged.items():
        digest = token_digest(token)
        if digests[digest] == 0:
            check.missing.append(username)
        elif owner[digest] != username:
            check.wrong_user += 1
        else:
            check.found += 1
        check.duplicated += max(0, digests[digest] - 1)
    sessions_of = Counter(usernames.get(int(uid)) for _digest, uid in rows)
    for uid, username in usernames.items():
        counts = (sessions_of[username], events[str(uid)])
        if len(set(counts)) > 1:
            check.half_written += max(counts) - min(counts)
            check.problems.append(f"{username}: {counts[0]} sessions, {counts[1]} login.success events")
        # More sessions than sign-ins sent would mean one sign-in was written twice.
        check.duplicated += max(0, sessions_of[username] - sign_ins_sent[username])
    check.audit_successes = sum(events.values())
    return check


def console_answers(url: str, tokens: Iterable[str]) -> Counter[int]:
    """Status of GET /console for each session token, each in a fresh cookie jar: 200 means the session works."""
    statuses: Counter[int] = Counter()
    for token in tokens:
        with httpx2.Client(base_url=url, cookies={SESSION_COOKIE: token}, timeout=30.0) as http:
            statuses[http.get("/console", follow_redirects=False).status_code] += 1
    return statuses


# --- figures ------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(load: Load, kind: str | None = None) -> tuple[int, float, float, float, int]:
    """(requests answered, requests/s, p50 ms, p99 ms, errors) for one kind of request, or all of them."""
    done = load.completed(kind)
    latencies = [s.seconds * 1000 for s in done]
    rate = len(done) / load.seconds if load.seconds > 0 else 0.0
    return len(done), rate, percentile(latencies, 0.50), percentile(latencies, 0.99), len(load.errors(kind))


def kinds(load: Load) -> Iterator[str]:
    seen: dict[str, None] = {}
    for sample in load.samples:
        seen.setdefault(sample.kind, None)
    yield from seen

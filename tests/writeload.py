"""Concurrent writers against a real server, shared by tests/test_write_load.py and bench/write_load.py.

Three kinds of writer, each with its own HTTP client (and cookie jar), as they come after a storm:
- Open311 clients sharing one API key post requests, each with an `Idempotency-Key`, and send the same POST again
  (same key) when no answer came;
- citizens open the portal's report form (CSRF token, one-time form id) and send it;
- staff members signed in move their requests along the workflow from the console.
Every write carries a marker in its text ("load o3-17"), so `check` can count in the database what the clients were
told: every acknowledged write must be there exactly once, and no marker twice.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx2
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.requests import service as requests
from majal.requests.models import RequestEvent, ServiceRequest
from majal.requests.schemas import Contact, Submission
from majal.territory.demo import BERKANE_CENTRE
from tests.crashlib import REQUEST_TIMEOUT, percentile

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ID_INPUT = re.compile(r'name="form_id" value="([^"]+)"')
CREATED = re.compile(r"^/requests/(\d+)\?new=1$")
SERVICE = "NOT_SWEPT"  # no required question
POINT = {"lat": str(BERKANE_CENTRE[1]), "long": str(BERKANE_CENTRE[0])}  # inside the demo territory
PASSWORD = "correct horse battery"
RETRIES = 3
STATUS_CYCLE = ("in_progress", "resolved")  # and back: a staff member can go on for ever


@dataclass(frozen=True)
class Sample:
    kind: str
    started: float
    seconds: float
    status: int | None  # None: no answer


@dataclass
class Load:
    samples: list[Sample] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # marker -> kind, for writes the client was told of
    sent: Counter[str] = field(default_factory=Counter)  # marker -> times sent (retries included)
    unanswered: dict[str, Post] = field(default_factory=dict)  # marker -> the POST, to send it again
    started: float = field(default_factory=time.perf_counter)
    finished: float = 0.0
    killed_at: float | None = None

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def of(self, kind: str) -> list[Sample]:
        return [s for s in self.samples if s.kind == kind]

    def server_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status is not None and s.status >= 500]

    def figures(self, kind: str) -> tuple[int, float, float, float]:
        """(answered, per second, p50 ms, p99 ms) of one kind of request."""
        answered = [s.seconds * 1000 for s in self.of(kind) if s.status is not None]
        rate = len(answered) / self.seconds if self.seconds else 0.0
        return len(answered), rate, percentile(answered, 0.5), percentile(answered, 0.99)


class Killed(Exception):
    pass


@dataclass
class Fixture:
    """What the writers need, made through the services as production would: an API key, staff members and the
    requests each of them works on."""

    api_key: str
    staff: list[str]
    requests_of: dict[str, list[int]]


def prepare(sessions: sessionmaker[Session], secret: str, staff_members: int, requests_each: int = 5) -> Fixture:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        key = accounts.create_api_key(db, f"load {uuid.uuid4().hex[:8]}")
        staff, requests_of = [], {}
        for number in range(1, staff_members + 1):
            username = f"writer{number:03d}-{uuid.uuid4().hex[:4]}"
            accounts.create_user(db, username, PASSWORD, "manager", actor="load")
            staff.append(username)
            requests_of[username] = [
                requests.submit(db, Submission(service_code=SERVICE, lat=POINT["lat"], long=POINT["long"],
                                               description=f"for {username}", contact=Contact()),
                                secret, source="open311", actor="load").id
                for _ in range(requests_each)]
    return Fixture(key, staff, requests_of)


async def timed(load: Load, kind: str, send: Callable[[], Awaitable[httpx2.Response]]) -> httpx2.Response | None:
    if load.killed_at is not None:
        raise Killed
    started = time.perf_counter()
    try:
        response = await send()
    except httpx2.TransportError:
        load.samples.append(Sample(kind, started, time.perf_counter() - started, None))
        if load.killed_at is not None:
            raise Killed from None
        return None
    load.samples.append(Sample(kind, started, time.perf_counter() - started, response.status_code))
    return response


def client(url: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(base_url=url, timeout=httpx2.Timeout(REQUEST_TIMEOUT, connect=10.0),
                              follow_redirects=False)


# --- the writers --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """One create, exactly as its client sends it, so the client can send it again after a lost answer."""

    kind: str
    marker: str
    path: str
    data: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    multipart: bool = False

    def created(self, response: httpx2.Response) -> bool:
        if self.multipart:  # the portal: 303 to the new request's page
            return response.status_code == 303 and bool(CREATED.match(response.headers.get("location", "")))
        return response.status_code == 201 and bool(response.json()[0].get("service_request_id"))


async def send(load: Load, http: httpx2.AsyncClient, post: Post) -> None:
    """Send `post`; without an answer it stays in `load.unanswered`, to be sent again."""
    load.sent[post.marker] += 1
    load.unanswered[post.marker] = post
    # the portal's form goes as multipart, as a browser sends it (its photo field left empty)
    files = {"photo": ("", b"", "application/octet-stream")} if post.multipart else None
    response = await timed(load, post.kind, lambda: http.post(post.path, data=post.data, headers=post.headers,
                                                              files=files, cookies=post.cookies))
    if response is None:
        return
    del load.unanswered[post.marker]
    if post.created(response):
        load.acknowledged[post.marker] = post.kind


async def send_again(url: str, load: Load) -> None:
    """What clients do once the server answers again: send each unanswered POST once more, unchanged."""
    async with client(url) as http:
        for post in list(load.unanswered.values()):
            await send(load, http, post)


async def _send_with_retries(load: Load, http: httpx2.AsyncClient, post: Post) -> None:
    for _ in range(RETRIES):
        await send(load, http, post)
        if post.marker not in load.unanswered:
            return


async def open311_writer(url: str, api_key: str, number: int, load: Load, posts: int | None, deadline: float,
                         start: asyncio.Event | None = None) -> None:
    """Post requests (all of them when `posts` is None: until the deadline); each POST that gets no answer is sent
    again with the same Idempotency-Key, up to RETRIES times."""
    async with client(url) as http:
        if start is not None:
            await start.wait()
        sequence = 0
        try:
            while (posts is None or sequence < posts) and time.perf_counter() < deadline:
                sequence += 1
                marker = f"o{number}-{sequence}"
                form = {"api_key": api_key, "service_code": SERVICE, **POINT, "description": f"load {marker}"}
                await _send_with_retries(load, http, Post(
                    "open311 post", marker, "/open311/v2/requests.json", form,
                    {"Idempotency-Key": str(uuid.uuid4())}, {}))
        except Killed:
            pass


async def portal_reporter(url: str, number: int, load: Load, posts: int | None, deadline: float,
                          start: asyncio.Event | None = None, ready: Callable[[], None] | None = None) -> None:
    """Open the report form, fill it in, send it; again until the deadline (or `posts` times)."""
    async with client(url) as http:
        sequence = 0
        try:
            while (posts is None or sequence < posts) and time.perf_counter() < deadline:
                page = await timed(load, "portal form", lambda: http.get("/report"))
                csrf = CSRF_INPUT.search(page.text) if page is not None else None
                form_id = FORM_ID_INPUT.search(page.text) if page is not None else None
                if csrf is None or form_id is None:
                    await asyncio.sleep(0.1)
                    continue
                sequence += 1
                marker = f"p{number}-{sequence}"
                form = {"csrf_token": csrf.group(1), "form_id": form_id.group(1), "service_code": SERVICE,
                        "lat": POINT["lat"], "lon": POINT["long"], "description": f"load {marker}",
                        "confirm_new": "1"}
                if sequence == 1:
                    if ready is not None:
                        ready()
                    if start is not None:
                        await start.wait()
                await _send_with_retries(load, http, Post("portal post", marker, "/report", form, {},
                                                          dict(http.cookies), multipart=True))
        except Killed:
            pass


async def staff_writer(url: str, username: str, request_ids: list[int], load: Load, deadline: float,
                       tag: str = "") -> None:
    """Sign in, then move one's own requests along the workflow from the console until the deadline."""
    status = dict.fromkeys(request_ids, "new")  # as far as this member knows
    async with client(url) as http:
        try:
            csrf = await _sign_in(load, http, username)
            sequence = 0
            while csrf is not None and time.perf_counter() < deadline:
                request_id = request_ids[sequence % len(request_ids)]
                target = STATUS_CYCLE[1] if status[request_id] == STATUS_CYCLE[0] else STATUS_CYCLE[0]
                sequence += 1
                marker = f"s{tag}-{username}-{sequence}"
                load.sent[marker] += 1
                form = {"csrf_token": csrf, "target": target, "note": f"load {marker}"}
                response = await timed(load, "staff status", lambda: http.post(
                    f"/console/requests/{request_id}/status", data=form))  # noqa: B023 - awaited at once
                if response is not None and response.status_code == 303:
                    load.acknowledged[marker] = "status"
                if response is not None:  # refused (400): another session moved it already, so go on from there
                    status[request_id] = target
        except Killed:
            pass


async def _sign_in(load: Load, http: httpx2.AsyncClient, username: str) -> str | None:
    page = await timed(load, "sign-in", lambda: http.get("/login"))
    found = CSRF_INPUT.search(page.text) if page is not None else None
    if found is None:
        return None
    form = {"username": username, "password": PASSWORD, "csrf_token": found.group(1)}
    answer = await timed(load, "sign-in", lambda: http.post("/login", data=form))
    return found.group(1) if answer is not None and answer.status_code == 303 else None


async def health_prober(url: str, load: Load, stop: asyncio.Event, every: float = 0.25) -> None:
    async with client(url) as http:
        try:
            while not stop.is_set():
                await timed(load, "healthz", lambda: http.get("/healthz"))
                await asyncio.sleep(every)
        except Killed:
            pass


# --- the check in the database ------------------------------------------------------------------------------------


@dataclass
class Check:
    acknowledged: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    committed_unacknowledged: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.duplicated

    def summary(self) -> str:
        return (f"acknowledged {self.acknowledged}, found {self.found}, missing {len(self.missing)}, "
                f"duplicated {len(self.duplicated)}, stored without acknowledgement {self.committed_unacknowledged}")


def check(engine: Engine, load: Load) -> Check:
    """Count every marker in the database: created requests by their description, status changes by their note."""
    with engine.connect() as connection:
        stored = Counter(_marker(text) for (text,) in connection.execute(
            select(ServiceRequest.description).where(ServiceRequest.description.like("load %"))))
        stored.update(_marker(text) for (text,) in connection.execute(
            select(RequestEvent.note).where(RequestEvent.kind == "status", RequestEvent.note.like("load %"))))
    result = Check(acknowledged=len(load.acknowledged))
    for marker in load.acknowledged:
        if stored[marker] == 0:
            result.missing.append(marker)
        else:
            result.found += 1
    result.duplicated = sorted(marker for marker, count in stored.items() if count > 1)
    result.committed_unacknowledged = sum(1 for marker in stored if marker not in load.acknowledged)
    return result


def _marker(text: str) -> str:
    return text.removeprefix("load ")

"""Killed mid-load: after SIGKILL and a restart, every acknowledged sign-in is in the database, once and whole.

A small, fast version of bench/load_and_crash.py (same code, tests/crashlib.py): a real Uvicorn server in a child
process on the test database, a few staff members signing in concurrently, SIGKILL while their requests are in flight.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests import crashlib
from tests.conftest import TEST_PASSWORD

CLIENTS = 8
LOAD_SECONDS = 2.0  # then the kill, once at least CLIENTS sign-ins were acknowledged (a busy machine is slower)


def test_acknowledged_sign_ins_survive_sigkill(
    engine: Engine,
    sessions: sessionmaker[Session],
    database_url: str,
    demo_territory: None,
    tmp_path: Path,
) -> None:
    members = crashlib.create_members(sessions, CLIENTS, TEST_PASSWORD)
    env = crashlib.server_env(database_url, tmp_path / "data", "test-secret-key")
    with crashlib.ServerProcess(env, tmp_path / "server.log") as server:
        server.start()
        load = asyncio.run(
            crashlib.run_load(server.url, members, LOAD_SECONDS, kill=server.kill, min_acknowledged=CLIENTS)
        )
        assert server.process is None, "the server should be gone"
        assert load.acknowledged, f"no sign-in was acknowledged before the kill:\n{server.log_tail()}"
        assert load.in_flight_at_kill(), "the kill should have cut requests in flight"
        assert not load.errors(), [(s.kind, s.status) for s in load.errors()]

        server.start()
        check = crashlib.check_writes(engine, load.acknowledged, load.sign_ins_sent)
        assert check.ok, f"{check.summary()}\n" + "\n".join(check.problems)
        assert check.found == len(load.acknowledged)
        assert check.sessions == check.audit_successes
        assert 0 <= check.committed_unacknowledged <= len(load.in_flight_at_kill("sign-in"))
        assert crashlib.console_answers(server.url, load.acknowledged) == {200: len(load.acknowledged)}

"""A client that was told "done" finds the write: the request's transaction commits before the response leaves."""

from __future__ import annotations

import re
import time

import httpx2
from fastapi import FastAPI
from sqlalchemy import event, func, select

from majal.accounts.models import UserSession
from tests.conftest import TEST_PASSWORD
from tests.live import serving

SLOW_COMMIT_SECONDS = 0.4


def test_sign_in_is_committed_before_the_redirect_is_sent(app: FastAPI, staff: dict, sessions) -> None:
    # A slow commit makes the race certain: if the response left before the commit, the session row would be missing.
    event.listen(app.state.engine, "commit", lambda _connection: time.sleep(SLOW_COMMIT_SECONDS))
    with serving(app) as url, httpx2.Client(base_url=url) as browser:
        form = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        answer = browser.post("/login", data={"username": "manager", "password": TEST_PASSWORD,
                                              "csrf_token": token.group(1)})
        assert answer.status_code == 303
        with sessions() as db:
            assert db.scalar(select(func.count()).select_from(UserSession)) == 1
        assert browser.get("/console").status_code == 200

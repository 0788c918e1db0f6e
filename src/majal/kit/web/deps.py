"""What a route depends on: its transaction (one per request) and its parsed form."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def form_data(request: Request) -> FormData:
    """Dependency: the parsed form (read once; Starlette keeps it on the request). Parsing awaits the body, which
    lets the route itself be a plain `def` that runs its database work in the thread pool."""
    return await request.form()


async def write_slot(request: Request) -> AsyncIterator[None]:
    """On SQLite, a write request waits here, on the event loop, for one of a few slots before it takes a thread.

    Its transaction ends in a second call to the thread pool (the dependency's exit) while it still holds SQLite's
    one write lock; were the pool full of writers waiting for that lock, the commit would wait for a thread and the
    whole server with it. Writers beyond the slots wait without holding a thread, so the pool always has room."""
    state = request.app.state
    if request.method not in UNSAFE_METHODS or not state.write_slots:
        yield
        return
    loop = asyncio.get_running_loop()
    if getattr(state, "write_slots_loop", None) is not loop:  # a semaphore belongs to one event loop
        state.write_slots_semaphore, state.write_slots_loop = asyncio.Semaphore(state.write_slots), loop
    async with state.write_slots_semaphore:
        yield


def get_db(request: Request, _slot: Annotated[None, Depends(write_slot, scope="function")]) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on any error.

    A POST (PUT, PATCH, DELETE) gets a write transaction, anything else a read one (see majal.db): on SQLite a writer
    takes the one write lock before it reads, and a reader never waits for it."""
    state = request.app.state
    with (state.sessions if request.method in UNSAFE_METHODS else state.reads).begin() as session:
        yield session


# scope="function" commits before the response leaves: a client that saw "done" will find the write.
DB = Annotated[Session, Depends(get_db, scope="function")]


def get_read_db(request: Request) -> Iterator[Session]:
    """A read transaction, in a POST too: for what a write request looks up before it writes (its API key), so that
    on SQLite it holds the one write lock only while it writes."""
    with request.app.state.reads.begin() as session:
        yield session


ReadDB = Annotated[Session, Depends(get_read_db, scope="function")]

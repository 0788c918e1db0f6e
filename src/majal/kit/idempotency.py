"""Idempotent creation: a client that sends the same POST again (its answer was lost, it timed out, the citizen
pressed twice) gets the first answer back instead of filing a second time.

The key comes from the client: the `Idempotency-Key` header on the API (draft-ietf-httpapi-idempotency-key-header),
a one-time form id on the portal's forms. Only a keyed digest of it is stored, with a fingerprint of the request and
the answer that was given, in the same transaction as what the request created: both are there, or neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.responses import Response

from majal.db import Base
from majal.kit.clock import to_utc, utcnow
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.security import keyed_digest

KEEP = timedelta(hours=24)  # a retry comes within seconds or minutes; a day covers a phone that was offline
MAX_KEY_LENGTH = 255
KEY_HEADER = "Idempotency-Key"


class IdempotentAnswer(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # whose keys: "open311:<api key id>", "portal"
    key_digest: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=0)  # 0 until the answer is kept
    media_type: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class KeyReused(MajalError):
    status_code = 422
    code = "idempotency_key_reused"


@dataclass
class Claim:
    """A key taken for this request (`replay` is None: go on, then `keep` the answer), or the answer given to the
    first request with the key (`replay`: send it again, create nothing)."""

    row: IdempotentAnswer
    replay: Response | None = None

    def keep(self, response: Response) -> Response:
        self.row.status_code = response.status_code
        self.row.media_type = response.media_type or ""
        self.row.location = response.headers.get("location")
        self.row.body = bytes(response.body)
        return response


def fingerprint(fields: Iterable[tuple[str, str]]) -> str:
    """What the request asks for, independent of field order."""
    digest = hashlib.sha256()
    for name, value in sorted(fields):
        digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def claim(db: Session, secret: str, scope: str, key: str, request_fingerprint: str) -> Claim:
    """Take `key` for this request inside the caller's transaction, or find the answer already given with it.

    A parallel request with the same key waits on the unique index until the first one commits (PostgreSQL), or for
    the write lock (SQLite), then replays its answer; if the first one rolled back, it goes on as the first."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise MajalError(N_("The Idempotency-Key must be 1 to %(limit)s printable characters."), where=KEY_HEADER,
                         limit=MAX_KEY_LENGTH)
    digest = keyed_digest(secret, f"idempotency:{scope}:{key}")
    found = _stored(db, scope, digest)
    if found is not None and to_utc(found.created_at) < utcnow() - KEEP:
        db.delete(found)
        db.flush()
        found = None
    if found is None:
        row = IdempotentAnswer(scope=scope, key_digest=digest, fingerprint=request_fingerprint, created_at=utcnow())
        try:
            with db.begin_nested():
                db.add(row)
            return Claim(row)
        except IntegrityError:  # the same key, committed by a parallel request since we looked
            found = _stored(db, scope, digest)
            if found is None:
                raise
    if found.fingerprint != request_fingerprint:
        raise KeyReused(N_("This Idempotency-Key was already used for a different request."), where=KEY_HEADER)
    headers = {"location": found.location} if found.location else None
    return Claim(found, Response(found.body, status_code=found.status_code, media_type=found.media_type or None,
                                 headers=headers))


def _stored(db: Session, scope: str, digest: str) -> IdempotentAnswer | None:
    return db.scalar(select(IdempotentAnswer).where(IdempotentAnswer.scope == scope,
                                                    IdempotentAnswer.key_digest == digest))


def purge_expired(sessions: sessionmaker[Session]) -> int:
    """Forget keys older than KEEP (a job of `majal worker`)."""
    with sessions.begin() as db:
        done = db.execute(delete(IdempotentAnswer).where(IdempotentAnswer.created_at < utcnow() - KEEP))
    return int(getattr(done, "rowcount", 0) or 0)


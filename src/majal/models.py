"""Every domain's tables, loaded in one place so Alembic and the tests see the whole schema."""

from __future__ import annotations

from sqlalchemy import MetaData

from majal import domains as installed
from majal.db import Base
from majal.kit import audit, idempotency, jobs, outbox, ratelimit  # the kit's own tables

KIT_TABLES = (audit, idempotency, jobs, outbox, ratelimit)


def load_models() -> MetaData:
    for domain in installed.DOMAINS:
        domain.loaded(domain.models)
    return Base.metadata


metadata = load_models()

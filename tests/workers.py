"""How pytest-xdist shares the suite among its workers: every PostgreSQL test on one worker, in order, since they
share the one test database (its schema is dropped and migrated again when the first one starts); every other test
to whichever worker is free, so the worker that runs the PostgreSQL tests takes SQLite ones too once it is done.

xdist's own `--dist loadgroup` cannot do it under pytest 9 (it renames node ids through an attribute pytest 9 no
longer reads), so the controller tells PostgreSQL tests by their id: `database_url` and the other database
parameters name the database in it, as one of the dash-separated parameter ids: `test_x[postgresql]`,
`test_x[postgresql-fields0]`, `test_x[postgresql-{"ids": [1]}]`."""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

POSTGRES_GROUP = "postgresql"


def is_postgres_test(nodeid: str) -> bool:
    _test, bracket, parameters = nodeid.partition("[")
    return bool(bracket) and POSTGRES_GROUP in parameters.removesuffix("]").split("-")


class PostgresOnOneWorker(LoadScopeScheduling):
    """xdist's scope scheduling with one scope for all PostgreSQL tests and one per other test. The largest scope is
    handed out first, so one worker starts on the PostgreSQL tests while the other takes the rest one by one."""

    def _split_scope(self, nodeid: str) -> str:
        return POSTGRES_GROUP if is_postgres_test(nodeid) else nodeid

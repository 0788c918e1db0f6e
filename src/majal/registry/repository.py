"""Queries for the social registry (the only place with SQL for it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Select, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session, selectinload

from majal.registry.models import (
    CANCELLED,
    Cycle,
    Decision,
    Entitlement,
    FieldChange,
    Household,
    Member,
    Review,
    Score,
    Survey,
    SurveyHousehold,
)
from majal.registry.pmt import data

CHUNK = 5_000  # values per IN list / rows per batch: large enough to amortise round trips, small enough for SQLite
SQLITE_CACHE_KIB = 256 * 1024
HOUSEHOLD_ENGINE_COLUMNS = [column.name for column in data.HOUSEHOLD_COLUMNS]
MEMBER_ENGINE_COLUMNS = [column.name for column in data.MEMBER_COLUMNS if column.name not in ("idcs",)]


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def household(db: Session, household_id: int) -> Household | None:
    return db.scalar(select(Household).where(Household.id == household_id)
                     .options(selectinload(Household.members)))


def household_by_tracking_code(db: Session, code: str) -> Household | None:
    return db.scalar(select(Household).where(Household.tracking_code == code)
                     .options(selectinload(Household.members)))


def existing_household_ids(db: Session, ids: Sequence[int]) -> set[int]:
    return _existing(db, _table(Household), "id", ids)


def existing_digests(db: Session, column: str, digests: Sequence[str]) -> set[str]:
    if column not in ("idcs_digest", "cnie_digest"):
        raise ValueError(column)
    return _existing(db, _table(Member), column, digests)


def existing_tracking_codes(db: Session, codes: Sequence[str]) -> set[str]:
    return _existing(db, _table(Household), "tracking_code", codes)


def _existing(db: Session, table: Table, column: str, values: Sequence[Any]) -> set[Any]:
    """Which of `values` the column holds already: one `= ANY(array)` on PostgreSQL, chunked `IN` lists on SQLite
    (hundreds of thousands of values: compiling them as SQLAlchemy bind parameters would cost more than the query).
    Table and column names come from the models, never from input."""
    if not values:
        return set()
    raw: Any = db.connection().connection.driver_connection
    found: set[Any] = set()
    if db.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor:
            query = f'SELECT "{column}" FROM "{table.name}" WHERE "{column}" = ANY(%s)'  # noqa: S608
            cursor.execute(query, [list(values)])
            found.update(row[0] for row in cursor.fetchall())
        return found
    cursor = raw.cursor()
    try:
        for part in _chunks(values):
            marks = ", ".join("?" for _ in part)
            query = f'SELECT "{column}" FROM "{table.name}" WHERE "{column}" IN ({marks})'  # noqa: S608
            cursor.execute(query, list(part))
            found.update(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
    return found


def insert_frame(db: Session, model: type[Any], frame: pl.DataFrame) -> None:
    """Bulk insert of a table's rows without ORM objects (a national import is millions of rows): COPY from CSV on
    PostgreSQL, `executemany` of plain tuples on SQLite. Lists and dicts must already be JSON text."""
    if frame.height == 0:
        return
    table = _table(model)
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    raw: Any = db.connection().connection.driver_connection
    if db.get_bind().dialect.name == "postgresql":
        text = frame.write_csv(include_header=False, date_format="%Y-%m-%d",
                               datetime_format="%Y-%m-%d %H:%M:%S%.f%z")
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(text)
        return
    # SQLAlchemy's SQLite types store dates as ISO text and datetimes as naive UTC text
    frame = frame.with_columns(
        *[pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
          if frame.schema[name].time_zone is not None  # type: ignore[attr-defined]
          else pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
          for name in frame.columns if isinstance(frame.schema[name], pl.Datetime)],
        *[pl.col(name).dt.strftime("%Y-%m-%d") for name in frame.columns if frame.schema[name] == pl.Date],
    )
    # table and column names come from the models, never from input
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" for _ in frame.columns)})'  # noqa: S608
    cursor = raw.cursor()
    try:
        # random keys (hashes, tracking codes) scatter index writes: a larger page cache keeps them in memory
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        for offset in range(0, frame.height, CHUNK * 10):
            cursor.executemany(statement, frame.slice(offset, CHUNK * 10).rows())
    finally:
        cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default, for whoever uses the connection next
        cursor.close()


def reserve_ids(db: Session, model: type[Any], count: int) -> list[int]:
    """`count` primary keys for rows about to be bulk-inserted (so that rows referring to them can be written in
    the same pass): from the sequence on PostgreSQL; on SQLite after the largest id, which is safe because SQLite
    lets one writer at a time hold the database."""
    table = _table(model)
    if count == 0:
        return []
    if db.get_bind().dialect.name == "postgresql":
        return list(db.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)"),  # noqa: S608
            {"n": count}))
    start = int(db.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    return list(range(start, start + count))


def engine_frames(db: Session, household_ids: Sequence[int] | None = None, commune: str | None = None
                  ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households and members in the engines' import format, read back from the database. Members get a stand-in
    IDCS (their row id, ten digits): the engines need one per person, and the real one stays sealed."""
    hh_columns = [Household.id.label("household_id")] + [
        getattr(Household, name) for name in HOUSEHOLD_ENGINE_COLUMNS if name != "household_id"]
    m_columns = [Member.household_id, Member.id] + [
        getattr(Member, name) for name in MEMBER_ENGINE_COLUMNS if name != "household_id"]
    hh_query = select(*hh_columns).order_by(Household.id)
    m_query = select(*m_columns).join(Household, Member.household_id == Household.id).order_by(
        Member.household_id, Member.position)
    if household_ids is not None:
        hh_query = hh_query.where(Household.id.in_(household_ids))
        m_query = m_query.where(Member.household_id.in_(household_ids))
    if commune is not None:
        hh_query = hh_query.where(Household.commune == commune)
        m_query = m_query.where(Household.commune == commune)
    hh_names = ["household_id"] + [name for name in HOUSEHOLD_ENGINE_COLUMNS if name != "household_id"]
    m_names = ["household_id", "member_id"] + [name for name in MEMBER_ENGINE_COLUMNS if name != "household_id"]
    households = pl.DataFrame([tuple(row) for row in db.execute(hh_query)], schema=hh_names, orient="row",
                              infer_schema_length=None)
    members = pl.DataFrame([tuple(row) for row in db.execute(m_query)], schema=m_names, orient="row",
                           infer_schema_length=None)
    members = members.with_columns(idcs=pl.col("member_id").cast(pl.String).str.zfill(10)).drop("member_id")
    return households, members


def latest_scores(db: Session, household_id: int) -> dict[str, Score]:
    """The latest score of each kind (computed, corrected), with its decisions."""
    found: dict[str, Score] = {}
    rows = db.scalars(select(Score).where(Score.household_id == household_id).order_by(Score.id.desc())
                      .options(selectinload(Score.decisions)))
    for score in rows:
        found.setdefault(score.kind, score)
    return found


def score_history(db: Session, household_id: int) -> list[Score]:
    return list(db.scalars(select(Score).where(Score.household_id == household_id).order_by(Score.id.desc())))


def changes(db: Session, household_id: int) -> list[FieldChange]:
    return list(db.scalars(select(FieldChange).where(FieldChange.household_id == household_id)
                           .order_by(FieldChange.id.desc())))


def reviews(db: Session, household_id: int) -> list[Review]:
    return list(db.scalars(select(Review).where(Review.household_id == household_id).order_by(Review.id.desc())))


def review(db: Session, review_id: int) -> Review | None:
    return db.get(Review, review_id)


def open_reviews(db: Session, commune: str | None, limit: int = 100) -> list[Review]:
    query = select(Review).join(Household, Review.household_id == Household.id).where(Review.status == "open")
    if commune is not None:
        query = query.where(Household.commune == commune)
    return list(db.scalars(query.order_by(Review.opened_at).limit(limit)))


def due_for_verification(db: Session, commune: str | None, before: datetime, limit: int
                         ) -> tuple[list[tuple[int, str | None, datetime]], int]:
    """Households last verified before `before`, oldest first: (id, district, verified_at), and how many in all."""
    query = select(Household.id, Household.district, Household.verified_at).where(Household.verified_at < before)
    if commune is not None:
        query = query.where(Household.commune == commune)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(query.order_by(Household.verified_at, Household.id).limit(limit)).all()
    return [(int(row[0]), row[1], row[2]) for row in rows], int(total)


def household_count(db: Session, commune: str | None = None) -> int:
    query = select(func.count()).select_from(Household)
    if commune is not None:
        query = query.where(Household.commune == commune)
    return int(db.scalar(query) or 0)


def cycles(db: Session, programme: str | None = None) -> list[Cycle]:
    query = select(Cycle).order_by(Cycle.period.desc(), Cycle.programme)
    if programme is not None:
        query = query.where(Cycle.programme == programme)
    return list(db.scalars(query))


def cycle(db: Session, cycle_id: int) -> Cycle | None:
    return db.get(Cycle, cycle_id)


def _live_cycles(programme: str) -> Select[Cycle]:
    """A programme's cycles, leaving aside cancelled drafts."""
    return select(Cycle).where(Cycle.programme == programme, Cycle.status != CANCELLED)


def cycle_by_period(db: Session, programme: str, period: str) -> Cycle | None:
    return db.scalar(_live_cycles(programme).where(Cycle.period == period))


def earlier_cycles(db: Session, programme: str, period: str) -> list[Cycle]:
    return list(db.scalars(_live_cycles(programme).where(Cycle.period < period).order_by(Cycle.period)))


def latest_cycle(db: Session, programme: str) -> Cycle | None:
    return db.scalar(_live_cycles(programme).order_by(Cycle.period.desc()).limit(1))


def delete_entitlements(db: Session, cycle_id: int) -> None:
    db.execute(delete(Entitlement).where(Entitlement.cycle_id == cycle_id))


def entitlements(db: Session, cycle_id: int, limit: int | None = None) -> list[Entitlement]:
    query = select(Entitlement).where(Entitlement.cycle_id == cycle_id).order_by(Entitlement.household_id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))


def household_entitlements(db: Session, household_id: int) -> list[tuple[Entitlement, Cycle]]:
    rows = db.execute(select(Entitlement, Cycle).join(Cycle, Entitlement.cycle_id == Cycle.id)
                      .where(Entitlement.household_id == household_id).order_by(Cycle.period.desc()))
    return [(row[0], row[1]) for row in rows]


def decisions_of(db: Session, score_id: int) -> list[Decision]:
    return list(db.scalars(select(Decision).where(Decision.score_id == score_id).order_by(Decision.programme)))


def member(db: Session, member_id: int) -> Member | None:
    return db.get(Member, member_id)


def commune_moves(db: Session, household_id: int) -> list[FieldChange]:
    """The household's moves between communes, newest first."""
    return list(db.scalars(select(FieldChange).where(FieldChange.household_id == household_id,
                                                     FieldChange.field == "commune")
                           .order_by(FieldChange.id.desc())))


def household_communes(db: Session) -> list[str]:
    return list(db.scalars(select(Household.commune).where(Household.commune.is_not(None)).distinct()))


def add_survey(db: Session, *, name: str, as_of: date, model_version: str, scores: np.ndarray,
               consumption: np.ndarray, actor: str) -> Survey:
    survey = Survey(name=name, as_of=as_of, model_version=model_version, households=len(scores), imported_by=actor)
    db.add(survey)
    db.flush()
    rows = [{"survey_id": survey.id, "score": float(s), "consumption_pc": float(c)} for s, c in zip(scores, consumption,
                                                                                                     strict=True)]
    for start in range(0, len(rows), 5000):
        db.execute(insert(SurveyHousehold), rows[start:start + 5000])
    return survey


def latest_survey(db: Session) -> Survey | None:
    return db.scalars(select(Survey).order_by(Survey.id.desc()).limit(1)).first()


def survey_values(db: Session, survey_id: int) -> tuple[np.ndarray, np.ndarray]:
    """The survey's scores and consumption, aligned."""
    rows = db.execute(select(SurveyHousehold.score, SurveyHousehold.consumption_pc)
                      .where(SurveyHousehold.survey_id == survey_id).order_by(SurveyHousehold.id)).all()
    values = np.array(rows, dtype=np.float64).reshape(-1, 2)
    return values[:, 0], values[:, 1]


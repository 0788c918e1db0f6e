"""The sensor intake: topics, refusals, one transaction per message, and a real Mosquitto broker on loopback."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.errors import NotFound
from majal.kit.mqtt import Intake, Topic
from tests.sensors import publish_through_broker

KNOWN = {"C-1", "C-2"}


class Fill(BaseModel):
    fill: float = Field(ge=0, le=1)


def store(db: Session, container: str, reading: Fill) -> None:
    db.execute(text("insert into readings values (:id, :fill)"), {"id": container, "fill": reading.fill})
    if container not in KNOWN:  # written first, so a refusal must roll it back
        raise NotFound("Unknown container %(code)s.", code=container)


FILL = Topic("test/containers/+/fill", Fill, store)


@pytest.fixture()
def intake(tmp_path) -> Intake:
    engine = create_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    with engine.begin() as connection:
        connection.execute(text("create table readings (container text, fill real)"))
    return Intake(sessionmaker(engine), [FILL])


def stored(intake: Intake) -> list[tuple[str, float]]:
    with intake.sessions() as db:
        return [tuple(row) for row in db.execute(text("select container, fill from readings order by 1"))]


def test_a_topic_names_one_record() -> None:
    assert FILL.identifier("test/containers/C-1/fill") == "C-1"
    assert FILL.identifier("test/containers/C-1/level") is None
    assert FILL.identifier("test/containers/C-1/fill/extra") is None
    assert FILL.identifier("test/containers//fill") is None
    with pytest.raises(ValueError, match="exactly one"):
        Topic("test/+/x/+", Fill, store)
    with pytest.raises(ValueError, match="exactly one"):
        Topic("test/#", Fill, store)


def test_good_readings_are_stored_and_bad_ones_refused_without_a_trace(intake: Intake, caplog) -> None:
    assert intake.receive("test/containers/C-1/fill", b'{"fill": 0.5}')
    refusals = {
        "not JSON": b"{fill: 0.5",
        "not an object": b"[0.5]",
        "out of range": b'{"fill": 1.5}',
        "wrong encoding": "{\"fill\": 0.5, \"note\": \"é\"}".encode("latin-1"),
        "unknown container": b'{"fill": 0.3}',
    }
    for reason, payload in refusals.items():
        topic = "test/containers/C-404/fill" if reason == "unknown container" else "test/containers/C-2/fill"
        assert not intake.receive(topic, payload), reason
    assert not intake.receive("test/elsewhere/C-1/fill", b'{"fill": 0.5}')
    assert stored(intake) == [("C-1", 0.5)]
    assert intake.accepted == {FILL.pattern: 1}
    assert intake.refused == {FILL.pattern: 5, "unknown topic": 1}
    assert "Unknown container C-404" in caplog.text
    assert "0.3" not in caplog.text  # payloads are never logged


def test_readings_published_to_the_broker_are_stored(intake: Intake) -> None:
    publish_through_broker(intake, [("test/containers/C-1/fill", b'{"fill": 0.25}'),
                                    ("test/containers/C-2/fill", b"garbage"),
                                    ("test/containers/C-2/fill", b'{"fill": 0.75}')])
    assert stored(intake) == [("C-1", 0.25), ("C-2", 0.75)]
    assert intake.refused == {FILL.pattern: 1}
